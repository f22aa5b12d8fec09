#!/bin/bash
# End to end under a real containerd: a private containerd (own config,
# root, state and socket) imports Wasm OCI images built by
# scripts/wasm-oci-image.sh and runs them through its runc shim
# (io.containerd.runc.v2) with wasmaot-oci as the runc binary: hello's
# output, exit codes, http-echo served on a port and checked with curl,
# exec through the shim, kill with SIGTERM (143) and SIGKILL (137), delete. Exits 77
# (skipped), saying exactly why, where containerd cannot run here.
#   test_containerd.sh WASMAOT_OCI WASMAOT IMAGE_SCRIPT HELLO.wasm
#                      HTTP_ECHO.wasm PROBE.wasm
set -u

. "$(dirname "$0")/containerd_lib.sh"

# Absolute: containerd's shim runs the runtime from its own directory.
read_paths oci wasmaot image_script hello_wasm echo_wasm probe_wasm -- "$@"
need_root containerd
need_tools "containerd and curl" containerd ctr containerd-shim-runc-v2 curl

work=$(mktemp -d "${TMPDIR:-/tmp}/containerd-test.XXXXXX")
sock=$work/containerd.sock
ctd_sock=$sock
# Per run: the namespace names the containers' cgroups (/NS/ID), so two
# runs at once do not share them.
ns=wasmaot-test-$$
runc_root=$work/runc-root
ctd_pid=

cleanup() {
  stop_containerd "$ns"
  # Rootfs mounts the shims may have left behind.
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT

# ---- a private containerd ---------------------------------------------------

start_containerd "$work" || skip "containerd did not start here (log above)"
# overlayfs needs the kernel's overlay and a file system it can sit on;
# the native snapshotter (plain copies) works everywhere.
snapshotter=$(pick_snapshotter)

c() { ctr -a "$sock" -n "$ns" "$@"; }
run_flags=(--platform wasip1/wasm --snapshotter "$snapshotter"
           --runtime io.containerd.runc.v2 --runc-binary "$oci"
           --runc-root "$runc_root")

# ---- images -----------------------------------------------------------------

port=$(free_port 1)
export WASMAOT=$wasmaot
"$image_script" -o "$work/hello.tar" -n wasmaot-hello:test --precompile \
  "$hello_wasm" from containerd >/dev/null &&
"$image_script" -o "$work/echo.tar" -n wasmaot-http-echo:test --precompile \
  --env "WASMAOT_TCPLISTEN=127.0.0.1:$port" --port "$port/tcp" \
  "$echo_wasm" >/dev/null &&
"$image_script" -o "$work/probe.tar" -n wasmaot-probe:test --precompile \
  "$probe_wasm" >/dev/null || { echo "FAIL: image build"; exit 1; }
for img in hello echo probe; do
  c images import --platform wasip1/wasm --snapshotter "$snapshotter" \
    "$work/$img.tar" >"$work/import.out" 2>&1
  check "import $img" [ $? = 0 ]
done
c images ls >"$work/images"
check "image listed for wasip1/wasm" contains "$work/images" "wasip1/wasm"

# ---- hello: output, exit status, cold start ----------------------------------

t0=$(date +%s%N)
c run --rm "${run_flags[@]}" docker.io/library/wasmaot-hello:test hello1 \
  >"$work/out" 2>"$work/err"
status=$?
t1=$(date +%s%N)
check "hello exits 0 (got $status)" [ $status = 0 ]
check "hello's greeting" contains "$work/out" "Hello from WebAssembly"
check "hello's image command" contains "$work/out" "arg 2: containerd"
cold_ms=$(( (t1 - t0) / 1000000 ))
for i in 2 3 4; do
  t0=$(date +%s%N)
  c run --rm "${run_flags[@]}" docker.io/library/wasmaot-hello:test "hello$i" \
    >/dev/null 2>&1
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  [ "$ms" -lt "$cold_ms" ] && cold_ms=$ms
done
c run --rm "${run_flags[@]}" docker.io/library/wasmaot-hello:test hello5 \
  /hello.wasm a "b c" >"$work/out" 2>&1
check "args given to ctr run" contains "$work/out" "arg 2: b c"

c run --rm "${run_flags[@]}" docker.io/library/wasmaot-probe:test probe1 \
  /probe.wasm exit 7 >/dev/null 2>&1
status=$?
check "exit status 7 through containerd (got $status)" [ $status = 7 ]

# ---- http-echo on a port, exec, SIGTERM -------------------------------------

c run --net-host "${run_flags[@]}" docker.io/library/wasmaot-http-echo:test \
  echo1 >"$work/echo.out" 2>&1 &
runner=$!
check "http-echo answers on port $port" wait_http "$port" "$work/get"
check "GET / greeting" contains "$work/get" "Hello world from C running with Wasm"
curl -s -m 5 -d "echo through containerd" "http://127.0.0.1:$port/echo" >"$work/post"
check "POST /echo echoes" contains "$work/post" "echo through containerd"
c task ls >"$work/tasks"
check "task RUNNING" grep -qE "^echo1 +[0-9]+ +RUNNING" "$work/tasks"
c task ps echo1 >"$work/ps"
check "task ps lists the process" grep -qE "^[0-9]+" <(tail -n +2 "$work/ps")
c task kill echo1
wait $runner
status=$?
check "SIGTERM gives 143 (got $status)" [ $status = 143 ]
# `ctr run` deleted the task once it ended (runtime delete).
c task ls -q >"$work/tasks"
check "task gone after it ended" [ ! -s "$work/tasks" ]
c container delete echo1
check "container delete" [ $? = 0 ]
"$oci" --root "$runc_root/$ns" state echo1 >/dev/null 2>&1
check "runtime state gone after delete" [ $? = 1 ]
curl -s -m 1 "http://127.0.0.1:$port/" >/dev/null 2>&1
check "port closed after the container ended" [ $? != 0 ]

# The same detached: `run -d`, then kill and delete the task by hand.
c run -d --net-host "${run_flags[@]}" docker.io/library/wasmaot-http-echo:test \
  echo2 >/dev/null 2>&1
check "run -d returns at once" [ $? = 0 ]
check "detached http-echo answers" wait_http "$port" "$work/get"
c task kill echo2
for _ in $(seq 100); do
  c task ls | grep -qE "^echo2 +[0-9]+ +STOPPED" && break
  sleep 0.1
done
c task delete echo2 >"$work/delete.out" 2>&1
check "task delete reports exit 143" contains "$work/delete.out" "143"
c container delete echo2
check "detached container deleted" [ $? = 0 ]

# ---- exec, SIGKILL --------------------------------------------------------

c run "${run_flags[@]}" docker.io/library/wasmaot-probe:test sleeper \
  /probe.wasm sleep >"$work/sleep.out" 2>&1 &
runner=$!
wait_for_line "$work/sleep.out" sleeping
c task exec --exec-id x1 sleeper /probe.wasm args from-exec >"$work/exec" 2>&1
status=$?
check "exec through the shim exits 0 (got $status)" [ $status = 0 ]
check "exec output" contains "$work/exec" "argv[2]=from-exec"
c task exec --exec-id x2 sleeper /probe.wasm exit 4 >/dev/null 2>&1
status=$?
check "exec's exit status (got $status)" [ $status = 4 ]
c task kill -s SIGKILL sleeper
wait $runner
status=$?
check "SIGKILL gives 137 (got $status)" [ $status = 137 ]
c container delete sleeper
check "sleeper deleted" [ $? = 0 ]
"$oci" --root "$runc_root/$ns" list -q >"$work/left"
check "no container left in the runtime" [ ! -s "$work/left" ]

# ---- 20 starts one after another: wasmaot vs runc on a native image --------

# The reference: a static native hello in a one-binary image, run by runc
# through the same shim, in the same run.
native=
if command -v runc >/dev/null && cc -O2 -static "$(dirname "$0")/../../examples/hello/hello.c" \
     -o "$work/hello-native" 2>/dev/null; then
  bash "$(dirname "$0")/native_image.sh" "$work/native.tar" \
    docker.io/library/native-hello:test "$work/hello-native" &&
    c images import --snapshotter "$snapshotter" "$work/native.tar" \
      >/dev/null 2>&1 && native=1
fi
starts() { # starts PREFIX ARGS...: ms for 20 `ctr run --rm`, one after another
  local prefix=$1 i t0 t1
  shift
  t0=$(date +%s%N)
  for i in $(seq 20); do
    c run --rm "$@" "$prefix$i" >/dev/null 2>&1 || return 1
  done
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
wasm_ms=$(starts w "${run_flags[@]}" docker.io/library/wasmaot-hello:test)
check "20 wasmaot containers one after another" [ -n "$wasm_ms" ]
native_ms=
if [ -n "$native" ]; then
  native_ms=$(starts n --snapshotter "$snapshotter" \
    --runtime io.containerd.runc.v2 docker.io/library/native-hello:test)
  check "20 runc containers of the native image" [ -n "$native_ms" ]
fi
line="containerd-starts: 20 each, one after another: wasmaot ${wasm_ms:-?} ms"
line+=" ($(( ${wasm_ms:-0} / 20 )) ms each)"
[ -n "$native_ms" ] &&
  line+=", runc native static hello ${native_ms} ms ($(( native_ms / 20 )) ms each)"
echo "$line"
[ -n "${WASMAOT_CONTAINERD_TIMES:-}" ] && echo "$line" >"$WASMAOT_CONTAINERD_TIMES"

echo "containerd $(containerd --version | awk '{print $3}'), snapshotter $snapshotter"
echo "cold start under containerd (ctr run --rm hello, precompiled), best of 4: ${cold_ms} ms"
echo "$((checks - failures)) passed, $failures failed"
[ "$failures" = 0 ]
