#!/usr/bin/env bash
# The build stage's steps, shared by the Dockerfile and the test that runs
# them without Docker (tests/examples/test_docker_steps.sh):
#   precompile.sh WASMAOT OUT_DIR MODULE.wasm...
# compiles each module ahead of time for this machine and lays out the
# final image's /app: the portable .wasm next to NAME.<arch>.so.
set -euo pipefail
wasmaot=$1 out=$2
shift 2
arch=$(uname -m)
mkdir -p "$out"
for wasm in "$@"; do
  name=$(basename "$wasm" .wasm)
  cp "$wasm" "$out/$name.wasm"
  "$wasmaot" aot-compile "$wasm" -o "$out/$name.$arch.so"
  echo "precompiled $name.wasm -> $name.$arch.so"
done
