#!/bin/bash
# containerd-shim-wasmaot-v1 end to end under a real containerd: a private
# containerd (own config, root, state and socket) finds the shim on its
# PATH for `--runtime io.containerd.wasmaot.v1` and runs Wasm images
# built by scripts/wasm-oci-image.sh: hello's output and exit 0, exit 7,
# http-echo detached with --net-host answering curl, `task kill` (143),
# `task delete`, exec (output, status, a bad module, ended with the
# init), SIGKILL (137), cgroup placement, the memory limit, a trapping
# guest (134) that leaves another container running, the task events,
# three bad modules (each a clear error, a non-zero exit) and the
# cleanup: no mount, process, cgroup or socket left. Exits 77 (skipped)
# with the reason only where the kernel or the machine refuses to run
# containerd.
#   test_shim_containerd.sh SHIM WASMAOT IMAGE_SCRIPT HELLO.wasm
#                           HTTP_ECHO.wasm PROBE.wasm
set -u

. "$(dirname "$0")/containerd_lib.sh"

read_paths shim wasmaot image_script hello_wasm echo_wasm probe_wasm -- "$@"
need_root containerd
need_tools "containerd, curl and util-linux" containerd ctr curl nsenter

work=$(mktemp -d "${TMPDIR:-/tmp}/shim-test.XXXXXX")
sock=$work/containerd.sock
ctd_sock=$sock
ns=wasmaot-shim-test-$$
ctd_pid=

cleanup() {
  stop_containerd "$ns"
  # Rootfs mounts the shims may have left behind.
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT

# ---- a private containerd that finds the shim on its PATH -------------------

mkdir -p "$work/bin"
ln -s "$shim" "$work/bin/containerd-shim-wasmaot-v1"
start_containerd "$work" "$work/bin" || skip "containerd did not start here (log above)"
snapshotter=$(pick_snapshotter)

c() { ctr -a "$sock" -n "$ns" "$@"; }
run_flags=(--platform wasip1/wasm --snapshotter "$snapshotter"
           --runtime io.containerd.wasmaot.v1)

# Shim sockets there before this test (another containerd's shims).
ls /run/wasmaot-shim 2>/dev/null | sort >"$work/sockets.before"

# The events containerd receives from the shim, for the checks below.
c events >"$work/events" 2>&1 &
events_pid=$!

# ---- images -----------------------------------------------------------------

port=$(free_port 7)
export WASMAOT=$wasmaot
"$wasmaot" aot-compile --target aarch64-linux-gnu "$hello_wasm" \
  -o "$work/hello.aarch64.so" || { echo "FAIL: aarch64 compile"; exit 1; }
printf '\0asm\1\0\0\0\1\4\1\140\0' >"$work/bad.wasm" # a truncated type section
"$image_script" -o "$work/hello.tar" -n wasmaot-hello:test --precompile \
  "$hello_wasm" from shim >/dev/null &&
"$image_script" -o "$work/echo.tar" -n wasmaot-http-echo:test --precompile \
  --env "WASMAOT_TCPLISTEN=127.0.0.1:$port" --port "$port/tcp" \
  "$echo_wasm" >/dev/null &&
"$image_script" -o "$work/probe.tar" -n wasmaot-probe:test --precompile \
  "$probe_wasm" >/dev/null &&
"$image_script" -o "$work/bad.tar" -n wasmaot-bad:test "$work/bad.wasm" \
  >/dev/null &&
"$image_script" -o "$work/arm.tar" -n wasmaot-arm:test \
  --artifact aarch64="$work/hello.aarch64.so" "$hello_wasm" >/dev/null ||
  { echo "FAIL: image build"; exit 1; }
for img in hello echo probe bad arm; do
  c images import --platform wasip1/wasm --snapshotter "$snapshotter" \
    "$work/$img.tar" >"$work/import.out" 2>&1
  check "import $img" [ $? = 0 ]
done
img=docker.io/library

# ---- hello, exit statuses ----------------------------------------------------

"$shim" -v >"$work/version"
check "shim -v names itself" contains "$work/version" "containerd-shim-wasmaot-v1"
c run --rm "${run_flags[@]}" "$img/wasmaot-hello:test" hello1 \
  >"$work/out" 2>"$work/err"
status=$?
check "hello exits 0 (got $status)" [ $status = 0 ]
check "hello's greeting" contains "$work/out" "Hello from WebAssembly"
check "hello's image command" contains "$work/out" "arg 2: shim"
c run --rm "${run_flags[@]}" "$img/wasmaot-hello:test" hello2 \
  /hello.wasm a "b c" >"$work/out" 2>&1
check "args given to ctr run" contains "$work/out" "arg 2: b c"
c run --rm "${run_flags[@]}" "$img/wasmaot-probe:test" probe1 \
  /probe.wasm exit 7 >/dev/null 2>&1
status=$?
check "exit status 7 through the shim (got $status)" [ $status = 7 ]

# A module with no artifact for this machine (the image has only an
# aarch64 one) is compiled on the way: by `wasmaot aot-compile` in a child
# process where the shim is linked statically.
c run --rm "${run_flags[@]}" "$img/wasmaot-arm:test" compiled1 /hello.wasm \
  >"$work/compiled.out" 2>&1
status=$?
check "a module without an artifact for this machine runs (got $status)" \
  [ $status = 0 ]
check "its greeting" contains "$work/compiled.out" "Hello from WebAssembly"

# The memory limit caps linear memory, as under wasmaot-oci.
c run --rm "${run_flags[@]}" --memory-limit 33554432 "$img/wasmaot-probe:test" \
  mem1 /probe.wasm grow 256 >"$work/mem.out" 2>&1
pages=$(sed -n 's/^memory pages: //p' "$work/mem.out")
check "--memory-limit caps memory.grow (got ${pages:-nothing} pages)" \
  test "${pages:-0}" -ge 17 -a "${pages:-0}" -le 512

# ---- http-echo detached, task kill (143), task delete ------------------------

c run -d --net-host "${run_flags[@]}" "$img/wasmaot-http-echo:test" echo1 \
  >/dev/null 2>&1
check "run -d returns at once" [ $? = 0 ]
check "http-echo answers on port $port" wait_http "$port" "$work/get"
check "GET / greeting" contains "$work/get" "Hello world from C running with Wasm"
curl -s -m 5 -d "echo through the shim" "http://127.0.0.1:$port/echo" >"$work/post"
check "POST /echo echoes" contains "$work/post" "echo through the shim"
c task ls >"$work/tasks"
check "task RUNNING" grep -qE "^echo1 +[0-9]+ +RUNNING" "$work/tasks"
c task ps echo1 >"$work/ps"
check "task ps lists the process" grep -qE "^[0-9]+" <(tail -n +2 "$work/ps")
c task kill echo1
for _ in $(seq 100); do
  c task ls | grep -qE "^echo1 +[0-9]+ +STOPPED" && break
  sleep 0.1
done
c task ls >"$work/tasks"
check "task STOPPED after kill" grep -qE "^echo1 +[0-9]+ +STOPPED" "$work/tasks"
c task delete echo1 >"$work/delete.out" 2>&1
check "task delete reports exit 143" contains "$work/delete.out" "143"
c container delete echo1
check "container deleted" [ $? = 0 ]
curl -s -m 1 "http://127.0.0.1:$port/" >/dev/null 2>&1
check "port closed after the container ended" [ $? != 0 ]

# Without --net-host the listening socket lives in a network namespace of
# the container's own: it answers there and not on the host's loopback.
c run -d "${run_flags[@]}" "$img/wasmaot-http-echo:test" echo2 >/dev/null 2>&1
check "run -d without --net-host" [ $? = 0 ]
pid=$(c task ls | awk '$1 == "echo2" {print $2}')
check "the listener's container has a network namespace of its own" \
  test -n "$pid" -a "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)"
in_netns() { nsenter -t "$pid" -n "$@"; }
answered=
for _ in $(seq 100); do
  in_netns curl -s -m 2 "http://127.0.0.1:$port/" >"$work/get2" 2>/dev/null &&
    { answered=1; break; }
  sleep 0.1
done
check "http-echo answers inside its network namespace" [ -n "$answered" ]
curl -s -m 1 "http://127.0.0.1:$port/" >/dev/null 2>&1
check "and not on the host's" [ $? != 0 ]
c task kill -s SIGKILL echo2
for _ in $(seq 100); do
  c task ls | grep -qE "^echo2 +[0-9]+ +STOPPED" && break
  sleep 0.1
done
c task delete echo2 >/dev/null 2>&1
c container delete echo2
check "echo2 deleted" [ $? = 0 ]

# ---- SIGKILL (137) in the foreground ------------------------------------------

c run "${run_flags[@]}" "$img/wasmaot-probe:test" sleeper /probe.wasm sleep \
  >"$work/sleep.out" 2>&1 &
runner=$!
wait_for_line "$work/sleep.out" sleeping
check "sleeper runs" contains "$work/sleep.out" "sleeping"
# Cgroup placement: the init is in the container's cgroup (/NS/ID).
pid=$(c task ls | awk '$1 == "sleeper" {print $2}')
procs=
for f in /sys/fs/cgroup/memory/"$ns"/sleeper/cgroup.procs \
         /sys/fs/cgroup/"$ns"/sleeper/cgroup.procs; do
  [ -r "$f" ] && { procs=$f; break; }
done
check "the init (pid $pid) is in the container's cgroup" \
  grep -qx "$pid" "${procs:-/dev/null}"
# A guest that crashes ends its own container only.
c run --rm "${run_flags[@]}" "$img/wasmaot-probe:test" crasher /probe.wasm trap \
  >"$work/trap.out" 2>&1
status=$?
check "a trap ends its container with 134 (got $status)" [ $status = 134 ]
c task ls >"$work/tasks"
check "another container runs on after the trap" \
  grep -qE "^sleeper +[0-9]+ +RUNNING" "$work/tasks"
c task exec --exec-id x1 sleeper /probe.wasm args from-exec >"$work/exec" 2>&1
status=$?
check "exec through the shim exits 0 (got $status)" [ $status = 0 ]
check "exec output" contains "$work/exec" "argv[2]=from-exec"
c task exec --exec-id x2 sleeper /probe.wasm exit 4 >/dev/null 2>&1
status=$?
check "exec's exit status (got $status)" [ $status = 4 ]
c task exec --exec-id x3 sleeper /nothing.wasm >"$work/exec-bad" 2>&1
status=$?
check "exec of a missing module fails (got $status)" [ $status != 0 ]
check "exec's error names the module" contains "$work/exec-bad" "/nothing.wasm"
# An exec still running when the init is killed ends with it.
c task exec --exec-id x4 sleeper /probe.wasm sleep >"$work/x4.out" 2>&1 &
exec_runner=$!
wait_for_line "$work/x4.out" sleeping
check "a second exec runs" contains "$work/x4.out" "sleeping"
c task kill -s SIGKILL sleeper
wait $runner
status=$?
check "SIGKILL gives 137 (got $status)" [ $status = 137 ]
wait $exec_runner
status=$?
check "the running exec ended with the init (got $status)" [ $status = 137 ]
c container delete sleeper
check "sleeper deleted" [ $? = 0 ]

# ---- bad modules: a clear error, a non-zero exit ---------------------------

bad_run() { # bad_run ID IMAGE EXPECTED [ARGS...]
  local id=$1 image=$2 expected=$3
  shift 3
  c run --rm "${run_flags[@]}" "$img/$image" "$id" "$@" >"$work/$id.out" 2>&1
  local status=$?
  check "$id fails (got $status)" [ $status != 0 ]
  check "$id: ctr says why" contains "$work/$id.out" "$expected"
  check "$id: the shim log says why" contains "$work/containerd.log" "$expected"
  c container rm "$id" >/dev/null 2>&1
}
bad_run missing wasmaot-hello:test "/missing.wasm (in the rootfs): No such file" \
  /missing.wasm
bad_run invalid wasmaot-bad:test "/bad.wasm: cannot be compiled or loaded here"
bad_run othercpu wasmaot-arm:test "artifact is compiled for aarch64" \
  /hello.aarch64.so

# ---- events and cleanup ----------------------------------------------------

sleep 0.3
kill "$events_pid" 2>/dev/null
wait "$events_pid" 2>/dev/null
for topic in /tasks/create /tasks/start /tasks/exit /tasks/delete; do
  check "event $topic published" grep -q "$topic.*hello1" "$work/events"
done
check "TaskExit of echo1 carries 143" \
  grep -qE '/tasks/exit .*"container_id":"echo1".*"exit_status":143' "$work/events"
c task ls -q >"$work/left"
check "no task left" [ ! -s "$work/left" ]
sleep 0.2
pgrep -f "$work" -a | grep -v -e containerd.log -e "containerd --config" \
  -e "ctr " >"$work/procs"
check "no shim or guest process left" [ ! -s "$work/procs" ]
# (pgrep -x matches 15 characters of a name: -f matches the command line)
pgrep -f "containerd-shim-wasmaot-v1 .*-namespace $ns " >"$work/shims"
check "no shim of this namespace running" [ ! -s "$work/shims" ]
ls /run/wasmaot-shim 2>/dev/null | sort |
  comm -13 "$work/sockets.before" - >"$work/sockets"
check "no shim socket left" [ ! -s "$work/sockets" ]
grep -F " $work/" /proc/self/mounts >"$work/mounts"
check "no rootfs mounted" [ ! -s "$work/mounts" ]
ls /sys/fs/cgroup/memory/"$ns" 2>/dev/null | grep -vE '^(cgroup|memory|notify|tasks)' \
  >"$work/cgroups"
check "no container cgroup left" [ ! -s "$work/cgroups" ]

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" = 0 ]
