#!/bin/bash
# wasmaot-oci under a real Docker Engine: the test starts its own dockerd
# (no bridge, no iptables, data and exec roots and socket in a temporary
# directory, stopped by its pid), registers wasmaot-oci with --add-runtime,
# `docker build`s examples/docker/Dockerfile.wasm from modules and
# artifacts the build made (no registry), and checks `docker run --rm
# --runtime=wasmaot` (output, exit code 7 passed through), http-echo with
# `-d --network host` answering curl, `docker stop` (143) and `docker
# logs`. Exits 77 (skipped) with the reason only where dockerd cannot run.
#   test_docker.sh WASMAOT_OCI WASMAOT DOCKERFILE HELLO.wasm HTTP_ECHO.wasm
#                  PROBE.wasm
set -u

. "$(dirname "$0")/containerd_lib.sh"

read_paths oci wasmaot dockerfile hello_wasm echo_wasm probe_wasm -- "$@"
need_root dockerd
need_tools "docker.io and curl" dockerd curl

work=$(mktemp -d "${TMPDIR:-/tmp}/docker-test.XXXXXX")
sock=$work/docker.sock
dockerd_pid=
# Debian's client matches its Engine; another one earlier on PATH may not.
client=docker
[ -x /usr/bin/docker ] && client=/usr/bin/docker
d() { DOCKER_BUILDKIT=0 "$client" -H "unix://$sock" "$@"; }

stop_dockerd() {
  [ -n "$dockerd_pid" ] || return
  kill "$dockerd_pid" 2>/dev/null
  for _ in $(seq 100); do
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$dockerd_pid" 2>/dev/null
  wait "$dockerd_pid" 2>/dev/null
  dockerd_pid=
}

cleanup() {
  if [ -n "$dockerd_pid" ]; then
    for id in $(d ps -aq 2>/dev/null); do d rm -f "$id" >/dev/null 2>&1; done
  fi
  stop_dockerd
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT

# ---- a private dockerd -------------------------------------------------------

dockerd --iptables=false --ip-forward=false --bridge=none \
  --data-root "$work/data" --exec-root "$work/exec" -H "unix://$sock" \
  --pidfile "$work/dockerd.pid" --add-runtime "wasmaot=$oci" \
  >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 150); do
  d version >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || break
  sleep 0.1
done
if ! d version >/dev/null 2>&1; then
  tail -5 "$work/dockerd.log"
  skip "dockerd did not start here (log above)"
fi

# ---- the image: built by docker from files the build made ------------------

ctx=$work/context
mkdir "$ctx"
cp "$hello_wasm" "$ctx/hello.wasm"
cp "$echo_wasm" "$ctx/http-echo.wasm"
cp "$probe_wasm" "$ctx/probe.wasm"
for m in hello http-echo probe; do
  "$wasmaot" aot-compile "$ctx/$m.wasm" -o "$ctx/$m.$(uname -m).so" ||
    { echo "FAIL: precompile $m"; exit 1; }
done
d build -q -f "$dockerfile" -t wasmaot-example:test "$ctx" >"$work/build.out" 2>&1
check "docker build of examples/docker/Dockerfile.wasm" [ $? = 0 ]
d image inspect -f '{{.Os}} {{json .Config.Entrypoint}}' wasmaot-example:test \
  >"$work/inspect" 2>&1
check "the image's entry point is the module" contains "$work/inspect" '["/hello.wasm"]'

# ---- run --rm: output and exit codes ---------------------------------------

d run --rm --network none --runtime=wasmaot wasmaot-example:test one "two 2" \
  >"$work/out" 2>&1
status=$?
check "docker run hello exits 0 (got $status)" [ $status = 0 ]
check "hello's greeting" contains "$work/out" "Hello from WebAssembly"
check "docker run's arguments" contains "$work/out" "arg 2: two 2"
d run --rm --network none --runtime=wasmaot --entrypoint /probe.wasm \
  wasmaot-example:test exit 7 >/dev/null 2>&1
status=$?
check "exit code 7 passed through docker (got $status)" [ $status = 7 ]
d run --rm --network none --runtime=wasmaot --entrypoint /missing.wasm \
  wasmaot-example:test >"$work/missing" 2>&1
status=$?
check "a missing module fails (got $status)" [ $status != 0 ]
check "docker says which module is missing" contains "$work/missing" "/missing.wasm"

# ---- http-echo: -d --network host, curl, stop (143), logs -------------------

port=$(free_port 13)
d run -d --name echo1 --network host --runtime=wasmaot \
  -e "WASMAOT_TCPLISTEN=127.0.0.1:$port" --entrypoint /http-echo.wasm \
  wasmaot-example:test >/dev/null 2>"$work/run-d.err"
check "docker run -d" [ $? = 0 ]
check "http-echo answers on port $port" wait_http "$port" "$work/get"
check "GET / greeting" contains "$work/get" "Hello world from C running with Wasm"
curl -s -m 5 -d "echo through docker" "http://127.0.0.1:$port/echo" >"$work/post"
check "POST /echo echoes" contains "$work/post" "echo through docker"
d ps --format '{{.Names}} {{.Status}}' >"$work/ps"
check "docker ps shows it up" grep -q "^echo1 Up" "$work/ps"
d stop echo1 >/dev/null
check "docker stop" [ $? = 0 ]
d inspect -f '{{.State.ExitCode}}' echo1 >"$work/exit"
check "docker stop gives 143 (got $(cat "$work/exit"))" [ "$(cat "$work/exit")" = 143 ]
d logs echo1 >"$work/logs" 2>&1
check "docker logs has the server's output" contains "$work/logs" \
  "serving on the pre-opened socket"
curl -s -m 1 "http://127.0.0.1:$port/" >/dev/null 2>&1
check "port closed after docker stop" [ $? != 0 ]
d rm echo1 >/dev/null
check "docker rm" [ $? = 0 ]

# ---- cleanup -----------------------------------------------------------------

d ps -aq >"$work/left"
check "no container left" [ ! -s "$work/left" ]
# Engine 20.10 gives every runtime runc's state root.
check "wasmaot-oci's state root is where dockerd put it" \
  [ -d "$work/exec/runtime-runc/moby" ]
"$oci" --root "$work/exec/runtime-runc/moby" list -q >"$work/runtime-left" 2>/dev/null
check "no container left in wasmaot-oci's state" [ ! -s "$work/runtime-left" ]
stop_dockerd
check "dockerd stopped by its pid" [ ! -e "$work/dockerd.pid" ]
# The containers' mounts (overlay rootfs, network namespaces) are gone;
# dockerd itself leaves its own "default" namespace file mounted.
grep -F " $work/" /proc/self/mounts | grep -v " $work/exec/netns/default " \
  >"$work/mounts"
check "no container mount left" [ ! -s "$work/mounts" ] ||
  cat "$work/mounts"

echo "docker $(dockerd --version | awk '{print $3}' | tr -d ,)"
echo "$((checks - failures)) passed, $failures failed"
[ "$failures" = 0 ]
