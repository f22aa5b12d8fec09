#!/usr/bin/env bash
# Installs what is missing, builds wasmaot and tries it on the hello
# example: compiles it ahead of time to a native shared object and runs it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup.sh
[ -d build/meson-info ] || meson setup build --native-file scripts/llvm-19.ini >/dev/null
meson compile -C build >/dev/null
./build/wasmaot aot-compile build/examples/hello.wasm -o build/hello.so
echo "build/hello.so: $(readelf -h build/hello.so | sed -n 's/ *Type: *//p')," \
  "$(objdump -d build/hello.so | grep -c '^[0-9a-f]* <wasm:') Wasm functions"
./build/wasmaot run build/hello.so
