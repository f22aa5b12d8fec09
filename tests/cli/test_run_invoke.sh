#!/usr/bin/env bash
# `wasmaot run --invoke` on a compiled module: arguments parsed by type,
# results printed one per line (signed integers, shortest round-trip
# floats, nan/inf/-0), traps reported with kind and function, and damaged
# artifacts refused before anything runs.
# Usage: test_run_invoke.sh WASMAOT INVOKE.wasm WORKDIR
set -euo pipefail
wasmaot=$1 wasm=$2 work=$3
mkdir -p "$work"
so=$work/invoke.so
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { # expect "OUTPUT" command...
  local want=$1
  shift
  local got
  got=$("$@") || fail "$* exited $?"
  [ "$got" = "$want" ] || fail "$*: expected '$want', got '$got'"
}

"$wasmaot" aot-compile "$wasm" -o "$so"
expect 42 "$wasmaot" run --invoke add "$so" 40 2
expect -2 "$wasmaot" run --invoke add "$so" 4294967295 -1
expect "$(printf '1.4142135623730951\n-0\n-9223372036854775808')" \
  "$wasmaot" run --invoke pair "$so" 2
expect "$(printf 'nan\n-inf\n0.1')" "$wasmaot" run --invoke specials "$so"
# Running the .wasm compiles it first.
expect 7 "$wasmaot" run --invoke add "$wasm" 3 4

set +e
"$wasmaot" run --invoke div "$so" 1 0 2>"$work/trap.err"
status=$?
set -e
[ "$status" = 134 ] || fail "trap exit status $status, want 134"
grep -q 'integer divide by zero (in divide)' "$work/trap.err" ||
  fail "trap message: $(cat "$work/trap.err")"

# The same module generated in pieces of one function each, on three
# threads (see compiler/codegen_plan.h), behaves the same; the function
# names survive the merge of the pieces' objects.
pieces=$work/pieces.so
"$wasmaot" aot-compile --piece-bytes 1 --jobs 3 "$wasm" -o "$pieces"
expect 42 "$wasmaot" run --invoke add "$pieces" 40 2
expect "$(printf '1.4142135623730951\n-0\n-9223372036854775808')" \
  "$wasmaot" run --invoke pair "$pieces" 2
expect "$(printf 'nan\n-inf\n0.1')" "$wasmaot" run --invoke specials "$pieces"
set +e
"$wasmaot" run --invoke div "$pieces" 1 0 2>"$work/trap.err"
status=$?
set -e
[ "$status" = 134 ] || fail "trap exit status $status with pieces, want 134"
grep -q 'integer divide by zero (in divide)' "$work/trap.err" ||
  fail "trap message with pieces: $(cat "$work/trap.err")"
readelf -s "$pieces" | grep -q 'wasm:divide' || fail "no wasm:divide symbol"
if "$wasmaot" aot-compile --jobs 0 "$wasm" -o "$work/zero.so" 2>/dev/null; then
  fail "--jobs 0 was accepted"
fi

refused() { # refused FILE PATTERN
  if "$wasmaot" run --invoke add "$1" 1 2 >/dev/null 2>"$work/refused.err"; then
    fail "$1 was run"
  fi
  grep -qi "$2" "$work/refused.err" || fail "$1: $(cat "$work/refused.err")"
}
size=$(stat -c %s "$so")
head -c $((size / 2)) "$so" >"$work/truncated.so"
refused "$work/truncated.so" 'truncat\|outside\|checksum\|invalid\|short'
cp "$so" "$work/flipped.so"
# Flip one bit in the middle of the code.
offset=$((size / 3))
byte=$(od -An -tu1 -j "$offset" -N1 "$so" | tr -d ' ')
printf "$(printf '\\%03o' $((byte ^ 16)))" |
  dd of="$work/flipped.so" bs=1 seek="$offset" conv=notrunc status=none
refused "$work/flipped.so" 'checksum'
refused "$work/missing.so" 'No such file\|cannot'
echo "run --invoke: all checks passed"
