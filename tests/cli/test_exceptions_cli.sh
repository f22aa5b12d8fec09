#!/usr/bin/env bash
# The exception features on the command line (docs/exceptions.md):
# validate and inspect name legacy-exceptions, --wasm-features turns it
# off, aot-compile refuses exception instructions (not compiled yet),
# and a module that only has a tag compiles and runs.
set -euo pipefail
wasmaot=$1 exc_wasm=$2 tag_wasm=$3 work=$4
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$wasmaot" validate "$exc_wasm")
[ "$out" = "$exc_wasm: uses legacy-exceptions" ] || fail "validate said '$out'"
"$wasmaot" inspect "$exc_wasm" | grep -q 'e: tag func (i32) -> ()' ||
  fail "inspect does not show the tag export"
if err=$("$wasmaot" validate --wasm-features=-legacy-exceptions "$exc_wasm" 2>&1); then
  fail "validate accepted the module with legacy-exceptions off"
fi
[[ $err == *"illegal opcode"* || $err == *"legacy-exceptions is turned off"* ]] ||
  fail "validate said '$err'"
if err=$("$wasmaot" aot-compile "$exc_wasm" -o "$work/exc.so" 2>&1); then
  fail "aot-compile compiled exception instructions"
fi
[[ $err == *"exception instructions"*"not implemented in the compiler yet"* ]] ||
  fail "aot-compile said '$err'"

out=$("$wasmaot" validate "$tag_wasm")
[ "$out" = "$tag_wasm: uses exceptions" ] || fail "validate said '$out'"
"$wasmaot" aot-compile "$tag_wasm" -o "$work/tag.so"
[ "$("$wasmaot" run --no-cache --invoke answer "$work/tag.so")" = 42 ] ||
  fail "the tag-only module"
echo "1 passed, 0 failed"
