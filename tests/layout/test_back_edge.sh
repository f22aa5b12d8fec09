#!/usr/bin/env bash
# The layer check must fail on a dependency that points the wrong way:
# back-edges are added on purpose to a copy of the sources and of the
# build's target list and build.ninja, one at a time, and each must be
# reported; the unchanged copy must pass.
#
#   test_back_edge.sh PYTHON CHECK_LAYERS SOURCE_ROOT BUILD_DIR OUT_DIR
set -euo pipefail
python=$1 check=$2 src=$3 build=$4 out=$5
rm -rf "$out"
mkdir -p "$out/src"
folders=$(awk '!/^#/ && NF {print $1}' "$(dirname "$check")/layers.txt")
for f in $folders; do
  mkdir -p "$out/src/$f"
  find "$src/$f" -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' -o -name '*.def' \
    -o -name README.md \) \
    -exec cp {} "$out/src/$f/" \;
done
# The build's view, with its paths moved to the copy.
sed "s#$src/#$out/src/#g" "$build/meson-info/intro-targets.json" >"$out/targets.json"
cp "$build/build.ninja" "$out/build.ninja"

fails=0
run() { # run NAME EXPECTED-STATUS EXPECTED-TEXT [checker args...]
  local name=$1 want=$2 text=$3
  shift 3
  local status=0
  "$python" "$check" --source-root "$out/src" --build-dir "$build" \
    --targets-json "$out/targets.json" --ninja "$out/build.ninja" --quiet \
    "$@" >"$out/log" 2>&1 || status=$?
  if [ "$status" = "$want" ] && { [ -z "$text" ] || grep -q -- "$text" "$out/log"; }; then
    echo "ok   $name"
  else
    echo "FAIL $name (exit $status, wanted $want and \"$text\"):"
    sed 's/^/  /' "$out/log"
    fails=$((fails + 1))
  fi
}

run "the unchanged copy passes" 0 ""

# The runtime including the cache's header.
cp "$out/src/loader/engine.c" "$out/engine.c.orig"
printf '#include "cache.h"\n' >>"$out/src/loader/engine.c"
run "loader including cache.h fails" 1 "NOT ALLOWED include loader -> cache"
cp "$out/engine.c.orig" "$out/src/loader/engine.c"

# The front end including the command line's header.
cp "$out/src/frontend/wasm_decode.c" "$out/decode.c.orig"
printf '#include "cli.h"\n' >>"$out/src/frontend/wasm_decode.c"
run "frontend including cli.h fails" 1 "NOT ALLOWED include frontend -> cli"
cp "$out/decode.c.orig" "$out/src/frontend/wasm_decode.c"

# A README that no longer says what the table says.
cp "$out/src/loader/README.md" "$out/readme.orig"
sed -i 's/^May depend on: include, frontend, formats/May depend on: include, frontend/' \
  "$out/src/loader/README.md"
run "a README disagreeing with the table fails" 1 "loader/README.md says it may depend on"
cp "$out/readme.orig" "$out/src/loader/README.md"

# A meson dependency: the runtime library given the cache's include path.
"$python" - "$out/targets.json" "$out/src" <<'PY'
import json, sys
path, src = sys.argv[1], sys.argv[2]
targets = json.load(open(path))
for t in targets:
    if t["name"] == "wasmaot_runtime":
        t["target_sources"][0]["parameters"].append("-I" + src + "/cache")
json.dump(targets, open(path, "w"))
PY
run "the runtime compiled with -I cache fails" 1 "NOT ALLOWED path loader -> cache"
sed "s#$src/#$out/src/#g" "$build/meson-info/intro-targets.json" >"$out/targets.json"

# A link: the compiler plug-in linking the cache library. (A build
# without the compiler, like the aarch64 cross build, has no plug-in and
# no other program below the command line to try this on.)
if grep -q '^build compiler/libwasmaot-compiler\.so: ' "$out/build.ninja"; then
  sed -i -E 's#^(build compiler/libwasmaot-compiler\.so: .*)$#\1 cache/libwasmaot_cache.a#' "$out/build.ninja"
  run "the compiler plug-in linking the cache fails" 1 "NOT ALLOWED link compiler -> cache"
else
  echo "skip the link case: this build has no compiler plug-in"
fi

[ "$fails" = 0 ] && echo "layers-back-edge: every back-edge was caught"
[ "$fails" = 0 ]
