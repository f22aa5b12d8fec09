#!/usr/bin/env bash
# validate, inspect and aot-compile name the WebAssembly 3.0 features a
# module uses and refuse it when --wasm-features turns one off; with
# both on it runs: a million-deep tail recursion in constant stack and
# an extended constant expression.
set -euo pipefail
wasmaot=$1 wasm=$2 work=$3
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$wasmaot" validate "$wasm")
[ "$out" = "$wasm: uses extended-const, tail-call" ] || fail "validate said '$out'"
"$wasmaot" inspect "$wasm" | grep -qx '  wasm features: extended-const, tail-call' ||
  fail "inspect does not name the features"

for off in tail-call extended-const; do
  if err=$("$wasmaot" validate --wasm-features=-$off "$wasm" 2>&1); then
    fail "validate accepted the module with $off off"
  fi
  [[ $err == *"$off is turned off (--wasm-features)"* ]] || fail "validate said '$err'"
  if err=$("$wasmaot" aot-compile --wasm-features -$off "$wasm" -o "$work/off.so" 2>&1); then
    fail "aot-compile accepted the module with $off off"
  fi
  [[ $err == *"$off is turned off"* ]] || fail "aot-compile said '$err'"
done
if "$wasmaot" validate --wasm-features=-no-such-feature "$wasm" 2>/dev/null; then
  fail "an unknown feature name was accepted"
fi

"$wasmaot" aot-compile --wasm-features=+tail-call "$wasm" -o "$work/on.so"
[ "$("$wasmaot" run --no-cache --invoke answer "$work/on.so")" = 42 ] ||
  fail "the extended constant expression"
[ "$("$wasmaot" run --no-cache --invoke count "$work/on.so" 1000000)" = 0 ] ||
  fail "the tail recursion"
echo "1 passed, 0 failed"
