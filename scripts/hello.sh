#!/usr/bin/env bash
# Installs what is missing, builds wasmaot and tries it on the hello
# example. Until the AOT compiler lands this stops at validating the
# module; then it will compile it to a native shared object and run it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup.sh
[ -d build/meson-info ] || meson setup build --native-file scripts/llvm-19.ini >/dev/null
meson compile -C build >/dev/null
./build/wasmaot validate build/examples/hello.wasm
echo "hello.wasm is a valid WebAssembly module"
