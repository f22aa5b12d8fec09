#!/usr/bin/env bash
# `wasmaot run` through the cache, end to end:
#   - a cold start compiles and stores one entry; a warm start maps it
#     without the compiler (WASMAOT_COMPILER points nowhere, which makes
#     any attempt to load it fail);
#   - where the cache is: --cache-dir, $XDG_CACHE_HOME, ~/.cache;
#   - corrupt, truncated, empty and foreign entries are reported,
#     discarded and rebuilt, never run;
#   - --no-cache and an unusable cache directory still run the module;
#   - LRU eviction under WASMAOT_CACHE_MAX_SIZE;
#   - `cache dir`, `cache list`, `cache clean`.
# Usage: test_cache_run.sh WASMAOT INVOKE.wasm WORKDIR
set -euo pipefail
wasmaot=$1 wasm=$2 work=$3
source "$(dirname "$0")/lib.sh"
rm -rf "$work"
mkdir -p "$work"
cache=$work/cache
add() { "$wasmaot" run "$@" --invoke add "$wasm" 2 3; }

# ---- Cold, then warm without the compiler.
expect_fail 0 "cache miss: $cache/$host_arch/" add -v --cache-dir "$cache"
"$wasmaot" run -v --cache-dir "$cache" --invoke add "$wasm" 2 3 \
  >/dev/null 2>"$work/warm.err"
grep -q "cache hit: $cache/$host_arch/" "$work/warm.err" ||
  fail "second run was no hit: $(cat "$work/warm.err")"
[ "$(count_entries "$cache")" = 1 ] || fail "want one entry: $(entries "$cache")"
entry=$(entries "$cache")
expect_out 5 env WASMAOT_COMPILER=$no_compiler "$wasmaot" run \
  --cache-dir "$cache" --invoke add "$wasm" 2 3
# The override does stop a compile: a cold cache cannot run with it.
expect_fail 1 'cannot compile' env WASMAOT_COMPILER=$no_compiler \
  "$wasmaot" run --cache-dir "$work/cold" --invoke add "$wasm" 2 3

# ---- Where the cache lives.
expect_out "$work/x" "$wasmaot" cache --cache-dir "$work/x" dir
expect_out "$work/xdg/wasmaot" env XDG_CACHE_HOME="$work/xdg" \
  "$wasmaot" cache dir
expect_out "$work/home/.cache/wasmaot" env -u XDG_CACHE_HOME \
  HOME="$work/home" "$wasmaot" cache dir
# A relative XDG_CACHE_HOME is ignored, as the XDG spec says.
expect_out "$work/home/.cache/wasmaot" env XDG_CACHE_HOME=rel \
  HOME="$work/home" "$wasmaot" cache dir
expect_out 5 env XDG_CACHE_HOME="$work/xdg" "$wasmaot" run --invoke add \
  "$wasm" 2 3
[ "$(count_entries "$work/xdg/wasmaot")" = 1 ] || fail "nothing under XDG"

# ---- `cache list`: module hash (of the .wasm), arch, tier, size.
"$wasmaot" cache --cache-dir "$cache" list >"$work/list"
module=$(sha256sum "$wasm" | cut -c1-16)
size=$(stat -c %s "$entry")
key=$(basename "$entry" .so)
grep -Eq "^$module +$host_arch +-O2 +$size +[0-9]+s +[0-9]+s +$key\$" \
  "$work/list" || fail "cache list: $(cat "$work/list")"

# ---- Damaged entries are discarded and rebuilt, never run.
damage() { # damage HOW: damages the entry, runs, checks the rebuild
  case $1 in
    flip) flip_byte "$entry" $((size / 2)) ;;
    truncate) truncate -s $((size / 3)) "$entry" ;;
    empty) : >"$entry" ;;
    garbage) head -c 4096 /dev/urandom >"$entry" ;;
  esac
  expect_fail 0 "discarding cache entry $entry" add --cache-dir "$cache"
  [ "$(cat "$work/out")" = 5 ] || fail "$1: output $(cat "$work/out")"
  cmp -s "$entry" "$work/good.so" || fail "$1: entry not rebuilt"
  "$wasmaot" run -v --cache-dir "$cache" --invoke add "$wasm" 2 3 \
    >/dev/null 2>"$work/after.err"
  grep -q 'cache hit' "$work/after.err" || fail "$1: no hit after rebuild"
}
cp "$entry" "$work/good.so"
for how in flip truncate empty garbage; do damage $how; done
# An artifact compiled by another wasmaot is refused the same way.
sed 's/0\.1\.0/9.9.9/' "$work/good.so" >"$entry"
expect_fail 0 'discarding cache entry.*(wasmaot 9\.9\.9|checksum)' \
  add --cache-dir "$cache"

# ---- No cache, or none usable: still runs, stores nothing.
expect_out 5 add --no-cache --cache-dir "$work/none"
[ ! -e "$work/none" ] || fail "--no-cache wrote $work/none"
: >"$work/file"
expect_fail 0 'running without the cache' add --cache-dir "$work/file/sub"
expect_fail 0 'running without the cache' env -u HOME -u XDG_CACHE_HOME \
  "$wasmaot" run --invoke add "$wasm" 2 3

# ---- An invalid module: an error with its offset, nothing stored.
printf '\0asm\1\0\0\0\1\5\1\x60\0\1\x7a' >"$work/bad.wasm"
expect_fail 1 'bad\.wasm:0x' "$wasmaot" run --cache-dir "$work/bad" \
  "$work/bad.wasm"
[ "$(count_entries "$work/bad")" = 0 ] || fail "a bad module was cached"

# ---- LRU eviction. Three modules that differ by a custom section.
lru=$work/lru
for m in a b c; do
  cp "$wasm" "$work/$m.wasm"
  printf '\0\4\3%s%s%s' $m $m $m >>"$work/$m.wasm"
done
key_of() { # the cache entry a module went to
  "$wasmaot" run -v --cache-dir "$lru" --invoke add "$work/$1.wasm" 2 3 \
    2>&1 >/dev/null | sed -n 's/.*cache \(miss\|hit\): //p'
}
entry_a=$(key_of a)
sleep 0.1
entry_b=$(key_of b)
sleep 0.1
key_of a >/dev/null # a is now more recently used than b
sleep 0.1
one=$(stat -c %s "$entry_a")
# Room for two entries and a half: storing c evicts one, b.
WASMAOT_CACHE_MAX_SIZE=$((one * 5 / 2)) key_of c >/dev/null
[ -e "$entry_a" ] || fail "LRU evicted the recently used entry"
[ ! -e "$entry_b" ] || fail "LRU kept the least recently used entry"
[ "$(count_entries "$lru")" = 2 ] || fail "LRU: $(entries "$lru")"
# A limit below one entry keeps just the newest.
WASMAOT_CACHE_MAX_SIZE=1 key_of b >/dev/null
[ "$(count_entries "$lru")" = 1 ] || fail "limit 1: $(entries "$lru")"

# ---- `cache clean` removes entries, locks and all.
expect_out "removed 1 cached artifact from $cache" \
  "$wasmaot" cache --cache-dir "$cache" clean
[ -z "$(find "$cache" -type f)" ] || fail "clean left $(find "$cache" -type f)"
"$wasmaot" cache --cache-dir "$cache" list >"$work/list"
[ "$(wc -l <"$work/list")" = 1 ] || fail "list after clean: $(cat "$work/list")"
expect_fail 2 'Usage' "$wasmaot" cache --cache-dir "$cache" frobnicate
echo "cache run: all checks passed"
