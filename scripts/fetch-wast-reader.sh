#!/usr/bin/env bash
# Fetches what tests/spec/wast_to_json.mjs (the reader of the WebAssembly
# 3.0 spec scripts, docs/spec-reader.md) needs: wasm-tools' text parser,
# compiled to Wasm and bundled as JavaScript by the npm package
# @bytecodealliance/jco-transpile, and the WASI shim its bindings import.
# By name and pinned version from the npm registry, each tarball checked
# against its SHA-256; unpacked as a node_modules tree into
#   ${WASMAOT_WAST_READER:-<checkout>/.cache/wast-reader}
# Nothing is fetched at test time. Idempotent.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dest=${WASMAOT_WAST_READER:-$top/.cache/wast-reader}

# package@version  sha256 of the tarball `npm pack` fetches
packages=(
  "@bytecodealliance/jco-transpile@0.15.0 8386c1fe1919f57747626ac9622f7505efd560394ee0b43544907ff963fb6aff"
  "@bytecodealliance/preview2-shim@0.26.1 58e433a5febead468ecedd97756fe49d845589d29f3e02e23972baae270f8372"
)

stamp=$dest/.complete
want=$(printf '%s\n' "${packages[@]}")
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

echo "fetch-wast-reader: ${#packages[@]} npm packages into $dest" >&2
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/download"
for entry in "${packages[@]}"; do
  read -r spec sum <<<"$entry"
  name=${spec%@*}
  tarball=$(cd "$dest.tmp/download" && npm pack --silent "$spec")
  if [ "$(sha256sum "$dest.tmp/download/$tarball" | cut -d' ' -f1)" != "$sum" ]; then
    echo "fetch-wast-reader: $spec does not have the pinned SHA-256" >&2
    exit 1
  fi
  mkdir -p "$dest.tmp/node_modules/$name"
  tar xzf "$dest.tmp/download/$tarball" -C "$dest.tmp/node_modules/$name" \
    --strip-components=1
done
rm -rf "$dest.tmp/download"
printf '%s\n' "$want" >"$dest.tmp/.complete"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
