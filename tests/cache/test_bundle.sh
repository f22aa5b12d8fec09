#!/usr/bin/env bash
# Bundles end to end, with the host's own target (plus, where this machine
# lacks some CPU feature, a more demanding variant of it listed first):
#   - aot-compile writes one; inspect shows every entry, sound;
#   - run picks the first entry that runs here, decompresses it into the
#     cache once, and maps it from there without the compiler afterwards;
#   - a bundle with no entry for this machine says what it holds, or
#     compiles its embedded .wasm;
#   - truncated or corrupted bundles get a clear error and exit 1, never
#     a crash, and nothing is cached from them.
# Usage: test_bundle.sh WASMAOT INVOKE.wasm WORKDIR
set -euo pipefail
wasmaot=$1 wasm=$2 work=$3
source "$(dirname "$0")/lib.sh"
rm -rf "$work"
mkdir -p "$work"
cache=$work/cache
runb() { # runb BUNDLE [run options]: --invoke add on the bundle
  local b=$1
  shift
  "$wasmaot" run "$@" --invoke add "$b" 2 3
}

# ---- Round trip.
targets=$host_triple
[ -z "$unrunnable_cpu" ] || targets="$host_triple@$unrunnable_cpu,$host_triple"
b=$work/app.wasmaot
"$wasmaot" aot-compile --target "$targets" "$wasm" -o "$b"
"$wasmaot" inspect "$b" >"$work/inspect" || fail "inspect: $(cat "$work/inspect")"
entries_in_bundle=$(grep -c '^  entry ' "$work/inspect")
[ "$entries_in_bundle" = "$(tr ',' '\n' <<<"$targets" | wc -l)" ] ||
  fail "inspect shows $entries_in_bundle entries: $(cat "$work/inspect")"
grep -q 'embedded wasm: none' "$work/inspect" || fail "embedded wasm shown"
[ "$(grep -c 'checksum:     ok' "$work/inspect")" = "$entries_in_bundle" ] ||
  fail "inspect: $(cat "$work/inspect")"
grep -q "add: func (i32, i32) -> (i32)" "$work/inspect" ||
  fail "inspect shows no exports: $(cat "$work/inspect")"
chosen=$entries_in_bundle # the plain host entry is the last one
grep -q "for this machine: entry $chosen" "$work/inspect" ||
  fail "inspect would pick another entry: $(cat "$work/inspect")"

expect_fail 0 "entry $chosen \\($host_arch" runb "$b" -v --cache-dir "$cache"
[ "$(cat "$work/out")" = 5 ] || fail "bundle run printed $(cat "$work/out")"
grep -q 'cache miss' "$work/err" || fail "first run: $(cat "$work/err")"
# The entry's artifact, as stored in the cache, under its own SHA-256.
[ "$(count_entries "$cache")" = 1 ] || fail "cache: $(entries "$cache")"
stored=$(entries "$cache")
[ "$(sha256sum <"$stored" | cut -d' ' -f1)" = "$(basename "$stored" .so)" ] ||
  fail "cached entry is not the artifact its name says"
expect_fail 0 'cache hit' env WASMAOT_COMPILER=$no_compiler \
  "$wasmaot" run -v --cache-dir "$cache" --invoke add "$b" 2 3
[ "$(cat "$work/out")" = 5 ] || fail "warm bundle run printed $(cat "$work/out")"

# ---- Several targets need a bundle; a .so output is refused.
expect_fail 2 'needs a bundle' "$wasmaot" aot-compile \
  --target "$host_triple,$host_triple" "$wasm" -o "$work/two.so"
expect_fail 2 'needs a bundle' "$wasmaot" aot-compile --embed-wasm \
  "$wasm" -o "$work/embed.so"

# ---- No entry for this machine: only the demanding variant. (A foreign
# architecture is test_bundle_aarch64.sh's; a crafted triple is
# test_bundle_read's.)
if [ -n "$unrunnable_cpu" ]; then
  nm=$work/nomatch.wasmaot
  "$wasmaot" aot-compile --target "$host_triple@$unrunnable_cpu" "$wasm" \
    -o "$nm"
  expect_fail 1 "no entry of this bundle runs on this machine \\($host_arch\\)" \
    runb "$nm" --cache-dir "$work/nm-cache"
  grep -q "1\\. ${host_arch}-.*cpu $unrunnable_cpu: .*$missing_feature" \
    "$work/err" || fail "no reason per entry: $(cat "$work/err")"
  [ "$(count_entries "$work/nm-cache")" = 0 ] || fail "cached a refused entry"
  # With the .wasm embedded, it is compiled for this machine instead.
  "$wasmaot" aot-compile --target "$host_triple@$unrunnable_cpu" \
    --embed-wasm "$wasm" -o "$work/embedded.wasmaot"
  expect_fail 0 'using the embedded module' runb "$work/embedded.wasmaot" \
    -v --cache-dir "$work/nm-cache"
  [ "$(cat "$work/out")" = 5 ] || fail "embedded run: $(cat "$work/out")"
  # That compile is cached like any .wasm: the same key as running it.
  expect_fail 0 'cache hit' "$wasmaot" run -v --cache-dir "$work/nm-cache" \
    --invoke add "$wasm" 2 3
else
  echo "note: this CPU has every feature tried; no-match case skipped"
fi

# ---- Damaged bundles: clear errors, exit 1, nothing cached.
size=$(stat -c %s "$b")
for cut in 0 7 100 400 $((size / 2)) $((size - 1)); do
  head -c "$cut" "$b" >"$work/cut.wasmaot"
  expect_fail 1 'truncated|not a wasmaot|cannot open|corrupt' \
    runb "$work/cut.wasmaot" --cache-dir "$work/bad-cache"
done
cp "$b" "$work/flip.wasmaot"
flip_byte "$work/flip.wasmaot" 300 # inside the entry table
expect_fail 1 'entry table is corrupt' runb "$work/flip.wasmaot" \
  --cache-dir "$work/bad-cache"
cp "$b" "$work/flip.wasmaot"
flip_byte "$work/flip.wasmaot" $((size - 100)) # inside the last blob
expect_fail 1 "entry $chosen is corrupt \\(checksum mismatch\\)" \
  runb "$work/flip.wasmaot" --cache-dir "$work/bad-cache"
expect_fail 1 'corrupt' "$wasmaot" inspect "$work/flip.wasmaot"
[ "$(count_entries "$work/bad-cache")" = 0 ] ||
  fail "a damaged bundle left a cache entry"
echo "bundles: all checks passed"
