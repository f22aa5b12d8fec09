#!/usr/bin/env bash
# Docker cannot run on the build machines, so this runs the steps of
# examples/docker/Dockerfile without it: the build stage's precompile step
# (the same script the Dockerfile runs), then the final image's layout —
# only the loader, the .wasm files and the native artifacts, copied into a
# fresh directory — and its ENTRYPOINT, which must run hello without the
# compiler (no LLVM) anywhere in reach.
#   test_docker_steps.sh SRC_DIR WASMAOT HELLO.wasm HTTP_ECHO.wasm WORKDIR
set -uo pipefail
src=$1 wasmaot=$2 hello=$3 echo_wasm=$4 work=$5
fail=0
rm -rf "$work" && mkdir -p "$work/build-stage" "$work/image/usr/local/bin"

# Build stage: RUN … precompile.sh /build/wasmaot /app hello.wasm http-echo.wasm
bash "$src/examples/docker/precompile.sh" "$wasmaot" "$work/build-stage/app" \
  "$hello" "$echo_wasm" || { echo "FAIL precompile step"; exit 1; }

# Final stage: COPY --from=build /build/wasmaot /usr/local/bin/wasmaot and /app.
cp "$wasmaot" "$work/image/usr/local/bin/wasmaot"
cp -r "$work/build-stage/app" "$work/image/app"
arch=$(uname -m)
expected=$(printf '%s\n' app/hello.wasm "app/hello.$arch.so" app/http-echo.wasm \
  "app/http-echo.$arch.so" usr/local/bin/wasmaot | LC_ALL=C sort)
actual=$(cd "$work/image" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
if [ "$actual" != "$expected" ]; then
  echo "FAIL image contents:"; echo "$actual"; fail=1
else
  echo "ok   image holds the loader, the .wasm files and the .$arch.so artifacts"
fi
if ldd "$work/image/usr/local/bin/wasmaot" | grep -qi llvm; then
  echo "FAIL the image's loader links LLVM"; fail=1
else
  echo "ok   the loader needs no LLVM"
fi

# ENTRYPOINT ["/bin/sh", "-c", "exec wasmaot run /app/hello.$(uname -m).so \"$@\"", "--"]
# Run it as the image would, with the image's paths substituted, no compiler
# plug-in beside the loader and none named by the environment.
entry=$(sed -n 's/^ENTRYPOINT \["\/bin\/sh", "-c", "\(.*\)", "--"\]$/\1/p' \
  "$src/examples/docker/Dockerfile" | sed 's/\\"/"/g')
[ -n "$entry" ] || { echo "FAIL cannot read the Dockerfile's ENTRYPOINT"; exit 1; }
entry=${entry//\/app\//$work/image/app/}
out=$(cd "$work" && env -i PATH="$work/image/usr/local/bin:/usr/bin:/bin" \
  /bin/sh -c "$entry" -- first second 2>&1)
status=$?
want="Hello from WebAssembly, compiled ahead of time by wasmaot!
arg 1: first
arg 2: second"
if [ $status -eq 0 ] && [ "$out" == "$want" ]; then
  echo "ok   the ENTRYPOINT runs hello from the precompiled artifact"
else
  echo "FAIL ENTRYPOINT (exit $status):"; echo "$out"; fail=1
fi
exit $fail
