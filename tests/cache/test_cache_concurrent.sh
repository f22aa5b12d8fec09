#!/usr/bin/env bash
# Eight processes start the same module on a cold cache at once: all
# succeed, and they leave exactly one valid entry and no temporary files.
# Twice: with the per-entry build lock (one of them compiles, the others
# map its result), and with the lock made impossible (all compile; the
# atomic rename alone keeps every reader safe).
# Usage: test_cache_concurrent.sh WASMAOT HELLO.wasm WORKDIR
set -euo pipefail
wasmaot=$1 wasm=$2 work=$3
source "$(dirname "$0")/lib.sh"
rm -rf "$work"
mkdir -p "$work"
want=$("$wasmaot" run --no-cache "$wasm")

# start_eight CACHE: runs eight at once, checks each one's output.
start_eight() {
  local cache=$1 pids=() i
  for i in 1 2 3 4 5 6 7 8; do
    "$wasmaot" run -v --cache-dir "$cache" "$wasm" >"$work/out.$i" \
      2>"$work/err.$i" &
    pids+=($!)
  done
  for i in 1 2 3 4 5 6 7 8; do
    wait "${pids[$((i - 1))]}" ||
      fail "start $i exited $?: $(cat "$work/err.$i")"
    [ "$(cat "$work/out.$i")" = "$want" ] ||
      fail "start $i printed: $(cat "$work/out.$i")"
  done
  [ "$(count_entries "$cache")" = 1 ] ||
    fail "want one entry, have: $(entries "$cache")"
  if find "$cache" -name '*.tmp*' | grep -q .; then
    fail "temporary files left: $(find "$cache" -name '*.tmp*')"
  fi
  "$wasmaot" inspect "$(entries "$cache")" >/dev/null ||
    fail "the entry is not sound"
  expect_out "$want" env WASMAOT_COMPILER=$no_compiler "$wasmaot" run \
    --cache-dir "$cache" "$wasm"
}

compiles() { cat "$work"/err.* | grep -c 'cache miss' || true; }

start_eight "$work/locked"
[ "$(compiles)" = 1 ] || fail "with the lock, $(compiles) compiles, want 1"

# The same key in another directory, with its lock file a directory:
# cache_lock cannot open it, so every process compiles unlocked.
entry=$(entries "$work/locked")
mkdir -p "$work/unlocked/$host_arch/$(basename "$entry").lock"
start_eight "$work/unlocked"
[ "$(compiles)" = 8 ] || fail "without the lock, $(compiles) compiles, want 8"
echo "concurrent cold starts: all checks passed"
