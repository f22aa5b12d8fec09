#!/usr/bin/env bash
# Code for CPU features this machine lacks is refused by name, never run
# (no SIGILL) — and where the .wasm is at hand it is compiled again:
#   - an artifact compiled with --cpu/--features for a missing feature:
#     refused, exit 1, the features named;
#   - the same artifact planted in the cache (as from a machine sharing
#     it): discarded and recompiled for this CPU;
#   - a bundle whose only entry needs it, with the .wasm embedded: runs.
# Skips (77) on a machine that has every feature tried.
# Usage: test_cpu_refusal.sh WASMAOT INVOKE.wasm WORKDIR
set -euo pipefail
wasmaot=$1 wasm=$2 work=$3
source "$(dirname "$0")/lib.sh"
rm -rf "$work"
mkdir -p "$work"
if [ -z "$missing_feature" ]; then
  echo "SKIP: this CPU has every feature the test knows how to require"
  exit 77
fi

so=$work/needs-$missing_feature.so
"$wasmaot" aot-compile "${refuse_args[@]}" "$wasm" -o "$so"
expect_fail 1 "needs CPU features? this CPU does not have: .*$missing_feature" \
  "$wasmaot" run --invoke add "$so" 2 3
[ ! -s "$work/out" ] || fail "refused artifact printed: $(cat "$work/out")"
"$wasmaot" inspect "$so" >"$work/inspect" || true
grep -q "runs here:    no: .*$missing_feature" "$work/inspect" ||
  fail "inspect: $(cat "$work/inspect")"

# Planted in the cache under the key this machine uses for the module.
cache=$work/cache
expect_fail 0 'cache miss' "$wasmaot" run -v --cache-dir "$cache" \
  --invoke add "$wasm" 2 3
entry=$(entries "$cache")
cp "$so" "$entry"
expect_fail 0 "discarding cache entry .*$missing_feature" \
  "$wasmaot" run --cache-dir "$cache" --invoke add "$wasm" 2 3
[ "$(cat "$work/out")" = 5 ] || fail "recompiled run printed $(cat "$work/out")"
"$wasmaot" inspect "$entry" | grep -q 'runs here:    yes' ||
  fail "the rebuilt entry does not run here"

# A bundle of only that variant, with the .wasm: compiled for this CPU.
"$wasmaot" aot-compile --target "$host_triple${unrunnable_cpu:+@$unrunnable_cpu}" \
  "${refuse_args[@]}" --embed-wasm "$wasm" -o "$work/app.wasmaot"
expect_out 5 "$wasmaot" run --cache-dir "$work/cache2" --invoke add \
  "$work/app.wasmaot" 2 3
echo "CPU feature refusal: all checks passed"
