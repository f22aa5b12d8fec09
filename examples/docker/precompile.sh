#!/usr/bin/env bash
# The build stage's steps, shared by the Dockerfile and the test that runs
# them without Docker (tests/examples/test_docker_steps.sh):
#   precompile.sh WASMAOT OUT_DIR MODULE.wasm...
# compiles each module ahead of time for both architectures into a bundle,
# OUT_DIR/NAME.wasmaot: x86_64 code for a portable x86-64-v2 CPU (so the
# image runs on any x86_64 machine of the last decade, not only on the
# build machine's CPU), aarch64 code for a portable baseline, and the
# .wasm itself for a full wasmaot to compile on anything else.
set -euo pipefail
wasmaot=$1 out=$2
shift 2
targets=${WASMAOT_TARGETS:-x86_64-linux-gnu@x86-64-v2,aarch64-linux-gnu}
mkdir -p "$out"
for wasm in "$@"; do
  name=$(basename "$wasm" .wasm)
  "$wasmaot" aot-compile --target "$targets" --embed-wasm "$wasm" \
    -o "$out/$name.wasmaot"
  echo "precompiled $name.wasm -> $name.wasmaot ($targets)"
done
