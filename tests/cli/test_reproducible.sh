#!/usr/bin/env bash
# Reproducible artifacts: a large module (generated, compiled in many
# pieces, one huge function among them) gives the same bytes whatever
# --jobs is, at the default tier and at the fast tier, and runs to the
# answer the generator computed; a second build is the same bytes again.
# Usage: test_reproducible.sh WASMAOT GEN_LARGE_MODULE.py WAT2WASM WORKDIR
set -euo pipefail
wasmaot=$1 gen=$2 wat2wasm=$3 work=$4
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

want=$(python3 "$gen" "$work/large.wat" 12345)
"$wat2wasm" "$work/large.wat" -o "$work/large.wasm"

for tier in default fast; do
  flag=
  [ "$tier" = fast ] && flag=--fast
  for jobs in 1 2 4; do
    "$wasmaot" aot-compile $flag --stats --jobs "$jobs" "$work/large.wasm" \
      -o "$work/$tier.$jobs.so" 2>"$work/$tier.$jobs.stats"
  done
  grep -q 'in [0-9]* pieces' "$work/$tier.1.stats" ||
    fail "$tier: not compiled in pieces: $(cat "$work/$tier.1.stats")"
  for jobs in 2 4; do
    cmp "$work/$tier.1.so" "$work/$tier.$jobs.so" ||
      fail "$tier: --jobs $jobs differs from --jobs 1"
  done
  "$wasmaot" aot-compile $flag --jobs 2 "$work/large.wasm" -o "$work/$tier.again.so"
  cmp "$work/$tier.1.so" "$work/$tier.again.so" || fail "$tier: a rebuild differs"
  got=$("$wasmaot" run --invoke run "$work/$tier.1.so" 12345)
  [ "$got" = "$want" ] || fail "$tier: run returned $got, want $want"
done
grep -q '(1 huge function' "$work/default.1.stats" ||
  fail "the huge function was not generated on its own: $(cat "$work/default.1.stats")"
cmp -s "$work/default.1.so" "$work/fast.1.so" && fail "--fast made the same code"
"$wasmaot" inspect "$work/fast.1.so" | grep -q -- '--fast' ||
  fail "inspect does not say the artifact is the fast tier"
echo "ok: identical artifacts for --jobs 1, 2, 4 at both tiers"
