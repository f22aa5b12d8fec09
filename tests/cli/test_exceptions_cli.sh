#!/usr/bin/env bash
# The exception features on the command line (docs/exceptions.md):
# validate and inspect name legacy-exceptions, --wasm-features turns it
# off; the module compiles whole, in one-function pieces and in the fast
# tier, each catches what is thrown two frames down and reports an
# exception no handler takes; caught exceptions are freed; a module that
# only has a tag compiles and runs.
set -euo pipefail
wasmaot=$1 exc_wasm=$2 tag_wasm=$3 work=$4
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
passed=0

out=$("$wasmaot" validate "$exc_wasm")
[ "$out" = "$exc_wasm: uses legacy-exceptions" ] || fail "validate said '$out'"
"$wasmaot" inspect "$exc_wasm" | grep -q 'e: tag func (i32) -> ()' ||
  fail "inspect does not show the tag export"
if err=$("$wasmaot" validate --wasm-features=-legacy-exceptions "$exc_wasm" 2>&1); then
  fail "validate accepted the module with legacy-exceptions off"
fi
[[ $err == *"illegal opcode"* || $err == *"legacy-exceptions is turned off"* ]] ||
  fail "validate said '$err'"
passed=$((passed + 1))

for variant in whole pieces fast; do
  case $variant in
  whole) flags=() ;;
  pieces) flags=(--piece-bytes 1 --jobs 2) ;;
  fast) flags=(--fast) ;;
  esac
  so=$work/exc-$variant.so
  "$wasmaot" aot-compile "${flags[@]}" "$exc_wasm" -o "$so"
  "$wasmaot" inspect "$so" | grep -q 'wasm features:.*exceptions' ||
    fail "$variant: inspect of the artifact"
  got=$("$wasmaot" run --no-cache --invoke catch "$so" 5)
  [ "$got" = 105 ] || fail "$variant: catch 5 gave '$got'"
  # 1..2000 each caught with 100 added: 2000*2001/2 + 200000.
  got=$("$wasmaot" run --no-cache --invoke rounds "$so" 2000)
  [ "$got" = 2201000 ] || fail "$variant: rounds gave '$got'"
  # Tag $other is not caught by `catch $e`: it leaves Wasm.
  if err=$("$wasmaot" run --no-cache --invoke catch "$so" 0 2>&1); then
    fail "$variant: an uncaught exception returned '$err'"
  fi
  [[ $err == *"uncaught exception: tag 1"* ]] ||
    fail "$variant: catch 0 said '$err'"
  if err=$("$wasmaot" run --no-cache --invoke uncaught "$so" 3 2>&1); then
    fail "$variant: an uncaught exception returned '$err'"
  fi
  [[ $err == *'uncaught exception: tag "e"'* ]] ||
    fail "$variant: uncaught said '$err'"
  passed=$((passed + 1))
done

# Caught exceptions are freed: a million rounds (each a throw and a catch
# whose section ends normally) stay far below the ~100 MB that keeping
# every exception would take. (Under ASan, with no quarantine of freed
# blocks.)
kb=$(ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" python3 -c '
import resource, subprocess, sys
out = subprocess.run(sys.argv[1:], capture_output=True, text=True)
assert out.returncode == 0 and out.stdout.strip() == "1884293664", out
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
' "$wasmaot" run --no-cache --invoke rounds "$work/exc-whole.so" 1000000) ||
  fail "a million rounds"
[ "$kb" -lt 65536 ] || fail "a million rounds took $kb KB: exceptions leak"
passed=$((passed + 1))

out=$("$wasmaot" validate "$tag_wasm")
[ "$out" = "$tag_wasm: uses exceptions" ] || fail "validate said '$out'"
"$wasmaot" aot-compile "$tag_wasm" -o "$work/tag.so"
[ "$("$wasmaot" run --no-cache --invoke answer "$work/tag.so")" = 42 ] ||
  fail "the tag-only module"
passed=$((passed + 1))
echo "$passed passed, 0 failed"
