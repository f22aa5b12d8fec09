#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test wasmaot.
# Idempotent: when every package is present it does not touch apt, and
# programs already fetched are not fetched again.
set -euo pipefail

packages=(
  build-essential meson ninja-build pkg-config
  llvm-19-dev clang-19 lld-19 libclang-rt-19-dev libclang-rt-19-dev-wasm32 wasi-libc
  libelf-dev libzstd-dev libcmocka-dev wabt
  curl wrk hyperfine
  python3  # the WASI test suite's runner (tests/wasi-testsuite)
  containerd  # ctr and the runc shim, for tests/oci/test_containerd.sh
  docker.io   # dockerd 20.10, for tests/oci/test_docker.sh
  # aarch64: cross-build the loader, run it under qemu (docs/cross.md).
  # libc6:arm64 puts the aarch64 dynamic loader where qemu looks by itself.
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static
  libc6:arm64 libzstd-dev:arm64 libelf-dev:arm64 libcmocka-dev:arm64
)

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

# The :arm64 packages need the architecture known to dpkg (then an update).
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  "${sudo_cmd[@]}" dpkg --add-architecture arm64
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# Node.js and npm fetch the real programs and are the reference WASI
# runtime their tests compare with (tests/real-programs). A machine that
# has them already (any recent version) keeps its own.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The real programs, by name and pinned version (nothing is fetched when
# the tests run).
bash "$(dirname "$0")/fetch-real-programs.sh"

# wasm-tools' text parser for the WebAssembly 3.0 spec scripts
# (tests/spec/wast_to_json.mjs, docs/spec-reader.md).
bash "$(dirname "$0")/fetch-wast-reader.sh"
