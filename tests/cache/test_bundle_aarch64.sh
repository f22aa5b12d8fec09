#!/usr/bin/env bash
# A bundle with an entry for the other architecture (aarch64 on an x86-64
# machine, x86-64 on an aarch64 one) and one for this machine: inspect
# reads both (the foreign one is decompressed and checked too), run picks
# this machine's, and a bundle with only the foreign entry says so.
# Skips (77) when this build cannot compile for the other architecture.
# Usage: test_bundle_aarch64.sh WASMAOT INVOKE.wasm WORKDIR
set -euo pipefail
wasmaot=$1 wasm=$2 work=$3
source "$(dirname "$0")/lib.sh"
rm -rf "$work"
mkdir -p "$work"

if ! "$wasmaot" aot-compile --target "$foreign_triple" "$wasm" \
  -o "$work/foreign.so" 2>"$work/foreign.err"; then
  echo "SKIP: aot-compile --target $foreign_triple failed:" \
    "$(head -c 300 "$work/foreign.err")"
  exit 77
fi
foreign_arch=${foreign_triple%%-*}

b=$work/multi.wasmaot
"$wasmaot" aot-compile --target "$foreign_triple,$host_triple" "$wasm" -o "$b"
"$wasmaot" inspect "$b" >"$work/inspect" || fail "inspect: $(cat "$work/inspect")"
grep -q "entry 1: $foreign_arch-" "$work/inspect" || fail "$(cat "$work/inspect")"
grep -q "entry 2: $host_arch-" "$work/inspect" || fail "$(cat "$work/inspect")"
[ "$(grep -c 'checksum:     ok' "$work/inspect")" = 2 ] ||
  fail "inspect: $(cat "$work/inspect")"
grep -q "for this machine: entry 2" "$work/inspect" ||
  fail "inspect: $(cat "$work/inspect")"
# The foreign entry is the artifact aot-compile writes for that target.
grep -q "sha256 $(sha256sum <"$work/foreign.so" | cut -d' ' -f1)" \
  "$work/inspect" || fail "foreign entry differs from a plain aot-compile"

expect_fail 0 "entry 2 \\($host_arch" "$wasmaot" run -v \
  --cache-dir "$work/cache" --invoke add "$b" 2 3
[ "$(cat "$work/out")" = 5 ] || fail "run printed $(cat "$work/out")"

"$wasmaot" aot-compile --target "$foreign_triple" "$wasm" \
  -o "$work/foreign-only.wasmaot"
expect_fail 1 "1\\. $foreign_arch-.*this machine is $host_arch" \
  "$wasmaot" run --cache-dir "$work/cache" --invoke add \
  "$work/foreign-only.wasmaot" 2 3
# The artifact itself is refused by name too.
expect_fail 1 "compiled for $foreign_arch" "$wasmaot" run --invoke add \
  "$work/foreign.so" 2 3
echo "bundle with $foreign_arch: all checks passed"
