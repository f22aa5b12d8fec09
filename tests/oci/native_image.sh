#!/usr/bin/env bash
# Writes a minimal native OCI image (busybox-style: one static binary, no
# distribution) as a tar for `ctr images import`: the reference point
# test_containerd.sh times wasmaot containers against.
#   native_image.sh OUT.tar NAME:TAG STATIC_BINARY
set -euo pipefail
out=$1 ref=$2 binary=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs" "$work/layout/blobs/sha256"
cp "$binary" "$work/rootfs/hello"
case $(uname -m) in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac

blob() { # blob FILE: prints "DIGEST SIZE"
  local digest size
  digest=$(sha256sum "$1" | cut -d' ' -f1)
  size=$(stat -c %s "$1")
  cp "$1" "$work/layout/blobs/sha256/$digest"
  echo "$digest $size"
}

tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
  -C "$work/rootfs" -cf "$work/layer.tar" .
read -r layer layer_size < <(blob "$work/layer.tar")
cat >"$work/config.json" <<JSON
{"architecture":"$arch","os":"linux","config":{"Entrypoint":["/hello"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:$layer"]}}
JSON
read -r config config_size < <(blob "$work/config.json")
cat >"$work/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config","size":$config_size},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:$layer","size":$layer_size}]}
JSON
read -r manifest manifest_size < <(blob "$work/manifest.json")
cat >"$work/layout/index.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest","size":$manifest_size,"platform":{"architecture":"$arch","os":"linux"},"annotations":{"io.containerd.image.name":"$ref","org.opencontainers.image.ref.name":"${ref##*:}"}}]}
JSON
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/layout/oci-layout"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
  -C "$work/layout" -cf "$out" oci-layout index.json blobs
