#!/usr/bin/env bash
# Builds an OCI image of a WebAssembly program without Docker or a
# registry: an OCI image layout (index.json, blobs/sha256/...), written as
# a tar that `ctr images import` and `skopeo copy oci-archive:` accept.
#
#   wasm-oci-image.sh -o OUT.tar [-n NAME:TAG] [--env KEY=VALUE]...
#                     [--artifact ARCH=FILE.so]... [--precompile]
#                     [--port PORT/tcp]... APP.wasm [ARGS...]
#
# The image holds one layer: /NAME.wasm and, beside it, precompiled
# artifacts /NAME.ARCH.so (ARCH as `uname -m` prints it). --artifact adds
# one built elsewhere (e.g. `wasmaot aot-compile --target aarch64`);
# --precompile compiles for this machine with `wasmaot` ($WASMAOT, else
# from PATH). The entrypoint is /NAME.wasm with ARGS as its command.
# Platform: os "wasip1", architecture "wasm"; pull and run it with
# `--platform wasip1/wasm`. docs/containers.md explains the fields.
set -euo pipefail

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

out= name=wasm-app:latest precompile=0
envs=() artifacts=() ports=()
while [ $# -gt 0 ]; do
  case $1 in
  -o) out=$2; shift 2 ;;
  -n) name=$2; shift 2 ;;
  --env) envs+=("$2"); shift 2 ;;
  --artifact) artifacts+=("$2"); shift 2 ;;
  --precompile) precompile=1; shift ;;
  --port) ports+=("$2"); shift 2 ;;
  -h|--help) usage ;;
  -*) echo "wasm-oci-image: unknown option $1" >&2; usage ;;
  *) break ;;
  esac
done
[ $# -ge 1 ] && [ -n "$out" ] || usage
wasm=$1; shift
[ -f "$wasm" ] || { echo "wasm-oci-image: $wasm: no such file" >&2; exit 1; }
case $name in *:*) ;; *) name=$name:latest ;; esac
tag=${name##*:}
# containerd names an unqualified image docker.io/library/NAME.
repo=${name%:*}
case $repo in */*) ;; *) repo=docker.io/library/$repo ;; esac
case $repo in *.*/*|localhost/*) ;; *) repo=docker.io/$repo ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/wasm-oci-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs" "$work/layout/blobs/sha256"

stem=$(basename "$wasm" .wasm)
cp "$wasm" "$work/rootfs/$stem.wasm"
if [ "$precompile" = 1 ]; then
  "${WASMAOT:-wasmaot}" aot-compile "$wasm" -o "$work/rootfs/$stem.$(uname -m).so"
fi
arches=()
[ "$precompile" = 1 ] && arches+=("$(uname -m)")
for a in "${artifacts[@]+"${artifacts[@]}"}"; do
  arch=${a%%=*} file=${a#*=}
  cp "$file" "$work/rootfs/$stem.$arch.so"
  arches+=("$arch")
done

# JSON string literal of $1 (the strings here are paths, names, env).
js() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}
# JSON array of string literals.
jarr() {
  local sep= item
  printf '['
  for item in "$@"; do printf '%s%s' "$sep" "$(js "$item")"; sep=,; done
  printf ']'
}

# Stores stdin (or file $1) as a blob; prints "DIGEST SIZE".
blob() {
  local tmp=$work/blob.tmp
  if [ $# -gt 0 ]; then cp "$1" "$tmp"; else cat >"$tmp"; fi
  local digest size
  digest=$(sha256sum "$tmp" | cut -d' ' -f1)
  size=$(stat -c %s "$tmp")
  mv "$tmp" "$work/layout/blobs/sha256/$digest"
  echo "$digest $size"
}

# The layer: reproducible (sorted, mtime 0, root-owned).
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
  -C "$work/rootfs" -cf "$work/layer.tar" .
read -r layer_digest layer_size < <(blob "$work/layer.tar")

created=1970-01-01T00:00:00Z
arch_list=$(IFS=,; echo "${arches[*]+"${arches[*]}"}")
exposed=
for p in "${ports[@]+"${ports[@]}"}"; do
  exposed+="${exposed:+,}$(js "$p"):{}"
done
read -r config_digest config_size < <(blob <<JSON
{"created":"$created","architecture":"wasm","os":"wasip1","config":{"Entrypoint":$(jarr "/$stem.wasm"),"Cmd":$(jarr "$@"),"Env":$(jarr "${envs[@]+"${envs[@]}"}"),"WorkingDir":"/","ExposedPorts":{$exposed},"Labels":{"org.wasmaot.module":$(js "/$stem.wasm"),"org.wasmaot.artifacts":$(js "$arch_list")}},"rootfs":{"type":"layers","diff_ids":["sha256:$layer_digest"]},"history":[{"created":"$created","created_by":"wasm-oci-image.sh $(basename "$wasm")"}]}
JSON
)

# Annotations for loaders and registries: which module, which machines
# have native code in the image, the compat variant crun and others use
# to recognise Wasm images.
read -r manifest_digest manifest_size < <(blob <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config_digest","size":$config_size},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:$layer_digest","size":$layer_size}],"annotations":{"org.wasmaot.module":$(js "/$stem.wasm"),"org.wasmaot.artifacts":$(js "$arch_list"),"module.wasm.image/variant":"compat","org.opencontainers.image.title":$(js "$stem")}}
JSON
)

cat >"$work/layout/index.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest_digest","size":$manifest_size,"platform":{"architecture":"wasm","os":"wasip1"},"annotations":{"io.containerd.image.name":$(js "$repo:$tag"),"org.opencontainers.image.ref.name":$(js "$tag")}}]}
JSON
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/layout/oci-layout"

tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
  -C "$work/layout" -cf "$out" oci-layout index.json blobs
echo "$out: $repo:$tag (wasip1/wasm${arch_list:+, native: $arch_list})"
