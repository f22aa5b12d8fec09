#!/usr/bin/env bash
# The default tier without a profile on a module with more code than its
# budget (compiler/codegen_estimate.h): only the functions a static
# estimate ranks highest are optimised, the artifact computes the same,
# its bytes do not depend on --jobs, inspect says so, and --optimize-all
# optimises everything. The generated module is far below the real
# budget (6 MiB), so the undocumented --estimate-budget stands in.
# Usage: test_estimate.sh WASMAOT GEN_LARGE_MODULE.py WAT2WASM WORKDIR
source "$(dirname "$0")/large_module_lib.sh"
want_spin=$(python3 "$gen" "$work/unused.wat" 1000 spin)

# A budget of one byte takes the single highest ranked function (the
# export `cold`: the smallest); the other 3,303 are cold.
"$wasmaot" aot-compile --estimate-budget 1 --stats "$work/large.wasm" \
  -o "$work/est.so" 2>"$work/est.stats"
grep -q 'and 3303 cold by the static estimate' "$work/est.stats" ||
  fail "one byte of budget: $(cat "$work/est.stats")"
if [ "$(uname -m)" = x86_64 ]; then
  grep -q ', 3303 by the baseline generator' "$work/est.stats" ||
    fail "cold ones by the baseline generator: $(cat "$work/est.stats")"
fi
"$wasmaot" inspect "$work/est.so" | grep -q 'where a static estimate ranks it hot' ||
  fail "inspect: $("$wasmaot" inspect "$work/est.so")"
[ "$("$wasmaot" run --invoke run "$work/est.so" 7)" = "$want" ] || fail "run"
[ "$("$wasmaot" run --invoke cold "$work/est.so" 7)" = "$want_cold" ] || fail "cold"
[ "$("$wasmaot" run --invoke spin "$work/est.so" 1000)" = "$want_spin" ] || fail "spin"

# A budget of about half the code: some of each, the same bytes with one
# thread as with two.
"$wasmaot" aot-compile --estimate-budget 200000 --stats --jobs 2 \
  "$work/large.wasm" -o "$work/half.so" 2>"$work/half.stats"
cold=$(sed -n 's/.* and \([0-9]*\) cold by the static estimate.*/\1/p' "$work/half.stats")
[ -n "$cold" ] && [ "$cold" -gt 0 ] && [ "$cold" -lt 3303 ] ||
  fail "half the budget: $(cat "$work/half.stats")"
"$wasmaot" aot-compile --estimate-budget 200000 --jobs 1 "$work/large.wasm" \
  -o "$work/half1.so"
cmp -s "$work/half.so" "$work/half1.so" || fail "estimated artifacts differ with --jobs"
[ "$("$wasmaot" run --invoke run "$work/half.so" 7)" = "$want" ] || fail "half: run"

# --optimize-all, and a module within the default budget: all optimised.
"$wasmaot" aot-compile --estimate-budget 1 --optimize-all --stats \
  "$work/large.wasm" -o "$work/all.so" 2>"$work/all.stats"
grep -q 'and 0 cold by the profile' "$work/all.stats" ||
  fail "--optimize-all: $(cat "$work/all.stats")"
"$wasmaot" aot-compile --stats "$work/large.wasm" -o "$work/default.so" \
  2>"$work/default.stats"
grep -q 'and 0 cold by the profile' "$work/default.stats" ||
  fail "within the budget: $(cat "$work/default.stats")"
cmp -s "$work/all.so" "$work/default.so" ||
  fail "--optimize-all differs from the default within the budget"
echo "ok: static estimate"
