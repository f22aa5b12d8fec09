#!/usr/bin/env bash
# The fast tier's baseline generator (compiler/baseline/baseline.h) takes
# the integer functions of a large module, and its code computes what
# LLVM's does; --no-baseline leaves everything to LLVM. (The spec suite's
# fast-tier run, spec-wasm-2.0-fast, checks the instructions one by one.)
# Usage: test_baseline.sh WASMAOT GEN_LARGE_MODULE.py WAT2WASM WORKDIR
source "$(dirname "$0")/large_module_lib.sh"

baseline_count() { sed -nE 's/.*, ([0-9]+) by the baseline generator.*/\1/p' "$1"; }

"$wasmaot" aot-compile --fast --stats "$work/large.wasm" -o "$work/fast.so" \
  2>"$work/fast.stats"
n=$(baseline_count "$work/fast.stats")
[ "$(uname -m)" != x86_64 ] || [ "${n:-0}" -ge 3300 ] ||
  fail "baseline functions: ${n:-none}: $(cat "$work/fast.stats")"
"$wasmaot" aot-compile --fast --no-baseline --stats "$work/large.wasm" \
  -o "$work/llvm.so" 2>"$work/llvm.stats"
[ "$(baseline_count "$work/llvm.stats")" = 0 ] ||
  fail "--no-baseline: $(cat "$work/llvm.stats")"
cmp -s "$work/fast.so" "$work/llvm.so" && [ "$(uname -m)" = x86_64 ] &&
  fail "--no-baseline made the same artifact"
for so in fast llvm; do
  got=$("$wasmaot" run --invoke run "$work/$so.so" 7)
  [ "$got" = "$want" ] || fail "$so: run: $got, want $want"
  got=$("$wasmaot" run --invoke cold "$work/$so.so" 7)
  [ "$got" = "$want_cold" ] || fail "$so: cold: $got, want $want_cold"
done
echo "ok: ${n:-0} functions by the baseline generator"
