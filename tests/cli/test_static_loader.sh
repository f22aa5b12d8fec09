#!/usr/bin/env bash
# wasmaot-static: a loader with no dynamic dependencies that runs
# precompiled artifacts and refuses, with a clear message, to compile.
#   test_static_loader.sh WASMAOT WASMAOT_STATIC HELLO.wasm WORKDIR
set -uo pipefail
wasmaot=$1 static=$2 hello=$3 work=$4
fail=0
rm -rf "$work" && mkdir -p "$work"
"$wasmaot" aot-compile "$hello" -o "$work/hello.so" || exit 1

if readelf -d "$static" 2>/dev/null | grep -q NEEDED; then
  echo "FAIL wasmaot-static has dynamic dependencies:"
  readelf -d "$static" | grep NEEDED
  fail=1
else
  echo "ok   no DT_NEEDED entries"
fi
# No library path, no environment: as in an image built FROM scratch.
out=$(env -i "$static" run "$work/hello.so" one 2>&1)
if [ $? -eq 0 ] && [ "$out" == "Hello from WebAssembly, compiled ahead of time by wasmaot!
arg 1: one" ]; then
  echo "ok   runs the precompiled hello"
else
  echo "FAIL running hello.so: $out"; fail=1
fi
out=$(env -i "$static" run "$hello" 2>&1)
status=$?
if [ $status -eq 1 ] && [[ "$out" == *"runs precompiled artifacts only"* ]]; then
  echo "ok   refuses a .wasm: $out"
else
  echo "FAIL on a .wasm (exit $status): $out"; fail=1
fi
exit $fail
