#!/usr/bin/env bash
# Docker cannot run on the build machines, so this runs the steps of
# examples/docker/Dockerfile without it: the build stage's precompile step
# (the same script the Dockerfile runs), then the final image's layout —
# only the static loader and the bundles, copied into a fresh directory —
# and its ENTRYPOINT, run with an empty environment, as in a FROM-scratch
# image: no compiler, no shared libraries, no cache home.
#   test_docker_steps.sh SRC_DIR WASMAOT WASMAOT_STATIC HELLO.wasm HTTP_ECHO.wasm WORKDIR
set -uo pipefail
src=$1 wasmaot=$2 static=$3 hello=$4 echo_wasm=$5 work=$6
fail=0
rm -rf "$work" && mkdir -p "$work/build-stage" "$work/image"

# Build stage: RUN … precompile.sh /build/wasmaot /app hello.wasm http-echo.wasm
bash "$src/examples/docker/precompile.sh" "$wasmaot" "$work/build-stage/app" \
  "$hello" "$echo_wasm" || { echo "FAIL precompile step"; exit 1; }

# Final stage: COPY --from=build /build/wasmaot-static /wasmaot, and /app.
cp "$static" "$work/image/wasmaot"
cp -r "$work/build-stage/app" "$work/image/app"
expected=$(printf '%s\n' app/hello.wasmaot app/http-echo.wasmaot wasmaot | LC_ALL=C sort)
actual=$(cd "$work/image" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
if [ "$actual" != "$expected" ]; then
  echo "FAIL image contents:"; echo "$actual"; fail=1
else
  echo "ok   the image holds the static loader and the two bundles"
fi
if readelf -d "$work/image/wasmaot" 2>/dev/null | grep -q NEEDED; then
  echo "FAIL the image's loader needs shared libraries"; fail=1
else
  echo "ok   the loader needs no shared library"
fi
# Both architectures are in each bundle, and the .wasm.
for b in hello http-echo; do
  info=$("$wasmaot" inspect "$work/image/app/$b.wasmaot" 2>&1)
  for want in 'x86_64-unknown-linux-gnu' 'aarch64-unknown-linux-gnu' 'embedded wasm'; do
    grep -q "$want" <<<"$info" || { echo "FAIL $b.wasmaot lacks $want"; fail=1; }
  done
done
[ $fail -eq 0 ] && echo "ok   each bundle holds x86_64 and aarch64 code and the .wasm"

# ENTRYPOINT ["/wasmaot", "run", "--no-cache", "/app/hello.wasmaot"], with the
# image's root substituted for /.
entry=$(sed -n 's/^ENTRYPOINT \[\(.*\)\]$/\1/p' "$src/examples/docker/Dockerfile")
[ -n "$entry" ] || { echo "FAIL cannot read the Dockerfile's ENTRYPOINT"; exit 1; }
args=()
while IFS= read -r word; do
  args+=("${word/#\//$work/image/}")
done < <(grep -o '"[^"]*"' <<<"$entry" | tr -d '"')
out=$(cd "$work/image" && env -i "${args[@]}" first second 2>&1)
status=$?
want="Hello from WebAssembly, compiled ahead of time by wasmaot!
arg 1: first
arg 2: second"
if [ $status -eq 0 ] && [ "$out" == "$want" ]; then
  echo "ok   the ENTRYPOINT runs hello from the bundle"
else
  echo "FAIL ENTRYPOINT ${args[*]} (exit $status):"; echo "$out"; fail=1
fi
exit $fail
