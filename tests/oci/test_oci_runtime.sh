#!/bin/bash
# wasmaot-oci driven through its runc command line, as containerd's shim
# drives it, with real bundles (a rootfs holding the probe guest and a
# config.json): lifecycle and state, exit statuses and signals, exec and
# ps, the file system the guest sees (read-only rootfs and mounts), env,
# memory limit, rlimits, user, no_new_privs, cgroups, artifacts, errors
# in the JSON log. Prints the cold start of a container at the end.
#   test_oci_runtime.sh WASMAOT_OCI WASMAOT PROBE.wasm
set -u

oci=$1
wasmaot=$2
probe=$3

work=$(mktemp -d "${TMPDIR:-/tmp}/oci-runtime-test.XXXXXX")
root=$work/state
log=$work/log.json
cgparent=wasmaot-oci-test-$$
failures=0
checks=0

cleanup() {
  for id in $("$oci" --root "$root" list -q 2>/dev/null); do
    "$oci" --root "$root" delete --force "$id" >/dev/null 2>&1
  done
  for d in /sys/fs/cgroup/*/"$cgparent" /sys/fs/cgroup/"$cgparent"; do
    [ -d "$d" ] && rmdir "$d"/* "$d" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  checks=$((checks + 1))
  "$@" || fail "$what"
}

rt() { "$oci" --root "$root" --log "$log" --log-format json "$@"; }

is_root() { [ "$(id -u)" = 0 ]; }

# gone PID: exited (a zombie no one reaped yet counts).
gone() { [ ! -d "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

none_exist() {
  local f
  for f in "$@"; do [ ! -e "$f" ] || { echo "exists: $f"; return 1; }; done
}

# in_range VALUE MIN MAX
in_range() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# contains FILE TEXT
contains() { grep -qF -- "$2" "$1" || { echo "--- $1:"; cat "$1"; false; }; }
lacks() { ! grep -qF -- "$2" "$1" || { echo "--- $1:"; cat "$1"; false; }; }

# json_args WORD... : a JSON array of strings (no quotes or backslashes in
# the words).
json_args() {
  local out= w
  for w in "$@"; do out+="${out:+,}\"$w\""; done
  echo "[$out]"
}

# The probe compiled once; bundles ship it beside probe.wasm (the image
# convention) so most runs do not compile.
arch=$(uname -m)
"$wasmaot" aot-compile "$probe" -o "$work/probe.so" || exit 1

# bundle NAME ARGS_JSON [LINUX_JSON] [EXTRA_PROCESS_JSON]:
# $work/NAME with rootfs/probe.wasm, rootfs/probe.ARCH.so and a
# config.json.
bundle() {
  local dir=$work/$1 linux=${3:-}
  [ -n "$linux" ] || linux='{"namespaces": [{"type": "pid"}, {"type": "mount"}]}'
  mkdir -p "$dir/rootfs"
  cp "$probe" "$dir/rootfs/probe.wasm"
  cp "$work/probe.so" "$dir/rootfs/probe.$arch.so"
  cat >"$dir/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": $2,
    "env": ["PATH=/", "FOO=bar baz"],
    "cwd": "/"${4:+,
    $4}
  },
  "root": {"path": "rootfs", "readonly": false},
  "hostname": "wasm",
  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
  "linux": $linux
}
JSON
  echo "$dir"
}

# wait_status ID STATUS: polls `state` for up to 10 s.
wait_status() {
  for _ in $(seq 200); do
    rt state "$1" 2>/dev/null | grep -q "\"status\": \"$2\"" && return 0
    sleep 0.05
  done
  rt state "$1"
  return 1
}

# ---- version, features ----------------------------------------------------

"$oci" --version >"$work/v"
check "--version" contains "$work/v" "wasmaot-oci version"
"$oci" features >"$work/f"
check "features" contains "$work/f" '"ociVersionMax"'
# Like `wasmaot`, the runtime loads the compiler plug-in only to compile.
readelf -d "$oci" >"$work/needed"
check "wasmaot-oci does not link libLLVM" lacks "$work/needed" "LLVM"

# ---- lifecycle: create, state, start, stopped, delete ---------------------

b=$(bundle life "$(json_args /probe.wasm args one two)")
rt create --bundle "$b" --pid-file "$work/life.pid" life >"$work/out" 2>"$work/err"
check "create exits 0" [ $? = 0 ]
pid=$(cat "$work/life.pid" 2>/dev/null)
rt state life >"$work/st"
check "state: created" contains "$work/st" '"status": "created"'
check "state: pid is the pid file's" contains "$work/st" "\"pid\": $pid,"
check "state: bundle" contains "$work/st" "\"bundle\": \"$b\""
check "state: rootfs" contains "$work/st" "\"rootfs\": \"$b/rootfs\""
check "state: created time" grep -qE '"created": "[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$work/st"
check "init process exists while created" [ -d "/proc/$pid" ]
check "guest has not run before start" [ ! -s "$work/out" ]
rt ps --format json life >"$work/ps"
check "ps lists the init" contains "$work/ps" "[$pid]"
rt start life
check "start exits 0" [ $? = 0 ]
check "container stops" wait_status life stopped
check "guest ran with process.args" contains "$work/out" "argv[3]=two"
check "argv[0] is args[0]" contains "$work/out" "argv[0]=/probe.wasm"
rt start life 2>/dev/null
check "start of a stopped container fails" [ $? != 0 ]
rt kill life TERM 2>/dev/null
check "kill of a stopped container fails" [ $? != 0 ]
check "... saying not running" contains "$log" "not running"
rt delete life
check "delete exits 0" [ $? = 0 ]
rt state life >/dev/null 2>&1
check "state after delete fails" [ $? = 1 ]
check "error as a JSON line in the log" \
  contains "$log" '{"level":"error","msg":"container life does not exist"'
rt delete life
check "delete of a deleted container exits 0" [ $? = 0 ]

# ---- exit statuses and signals (run = create + start + wait) ---------------

b=$(bundle codes "$(json_args /probe.wasm exit 3)")
rt run --bundle "$b" codes >/dev/null
check "proc_exit(3) gives 3" [ $? = 3 ]
b=$(bundle trap "$(json_args /probe.wasm trap)")
rt run --bundle "$b" trap >/dev/null 2>"$work/err"
check "a trap gives 134" [ $? = 134 ]
check "the trap is reported on stderr" contains "$work/err" "trap: unreachable"

for sig in TERM:143 SIGKILL:137 2:130; do
  b=$(bundle sig "$(json_args /probe.wasm sleep)")
  rt run --bundle "$b" sig >"$work/out" 2>&1 &
  runner=$!
  check "running before kill ${sig%:*}" wait_status sig running
  rt kill sig "${sig%:*}"
  wait $runner
  status=$?
  check "kill ${sig%:*} gives ${sig#*:} (got $status)" [ $status = "${sig#*:}" ]
  rm -rf "$b"
done
rt state sig >/dev/null 2>&1
check "run deletes its container" [ $? = 1 ]

# ---- exec, ps, kill --all --------------------------------------------------

b=$(bundle multi "$(json_args /probe.wasm sleep)")
rt create --bundle "$b" --pid-file "$work/multi.pid" multi >/dev/null 2>&1
rt start multi
check "multi running" wait_status multi running
cat >"$work/proc.json" <<JSON
{"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/",
 "args": ["/probe.wasm", "env", "FOO", "exit", "5"],
 "env": ["FOO=from-exec"]}
JSON
rt exec --process "$work/proc.json" multi >"$work/out" 2>&1
check "exec returns the process's status" [ $? = 5 ]
check "exec has its own env" contains "$work/out" "FOO=from-exec"
sed 's/"env", "FOO", "exit", "5"/"sleep"/' "$work/proc.json" >"$work/proc2.json"
rt exec --process "$work/proc2.json" --detach --pid-file "$work/exec.pid" multi >/dev/null 2>&1
check "exec --detach exits 0" [ $? = 0 ]
epid=$(cat "$work/exec.pid" 2>/dev/null)
rt ps --format json multi >"$work/ps"
check "ps lists init and exec" grep -qE "^\[([0-9]+,)?$epid(,[0-9]+)?\]$" "$work/ps"
check "ps lists the init too" contains "$work/ps" "$(cat "$work/multi.pid")"
rt delete multi 2>/dev/null
check "delete of a running container without --force fails" [ $? != 0 ]
rt kill --all multi KILL
check "kill --all stops the container" wait_status multi stopped
sleep 0.2
check "kill --all ended the exec'd process" gone "$epid"
rt delete multi
check "delete after kill --all" [ $? = 0 ]

# Without a PID namespace the runtime itself ends exec'd processes when
# the init goes, as the kernel would.
b=$(bundle orphan "$(json_args /probe.wasm sleep)")
rt create --bundle "$b" orphan >/dev/null 2>&1
rt start orphan
check "orphan running" wait_status orphan running
rt exec --process "$work/proc2.json" --detach --pid-file "$work/exec.pid" orphan >/dev/null 2>&1
epid=$(cat "$work/exec.pid" 2>/dev/null)
check "exec'd process alive" [ -d "/proc/${epid:-none}" ]
rt kill orphan KILL
check "orphan stopped" wait_status orphan stopped
for _ in $(seq 100); do gone "$epid" && break; sleep 0.02; done
check "the exec'd process ends with the init" gone "$epid"
rt delete orphan

# ---- the file system: rootfs and mounts, read-only where asked -------------

mkdir -p "$work/data" "$work/ro"
echo "read-only data" >"$work/ro/in.txt"
b=$(bundle fs "$(json_args /probe.wasm cat /hello.txt write /new.txt x \
  write /data/out.txt written mkdir /data/sub write /ro/x.txt x mkdir /ro/d \
  cat /ro/in.txt)")
echo "hello from the rootfs" >"$b/rootfs/hello.txt"
sed -i 's/"readonly": false/"readonly": true/' "$b/config.json"
sed -i "s|\"mounts\": \[|\"mounts\": [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$work/data\", \"options\": [\"rbind\", \"rw\"]}, {\"destination\": \"/ro\", \"type\": \"bind\", \"source\": \"$work/ro\", \"options\": [\"rbind\", \"ro\"]}, |" "$b/config.json"
rt run --bundle "$b" fs >"$work/out" 2>&1
check "fs guest exits 0" [ $? = 0 ]
check "rootfs file readable" contains "$work/out" "hello from the rootfs"
check "read-only rootfs refuses a new file" lacks "$work/out" "write /new.txt: ok"
check "no file appeared in the rootfs" [ ! -e "$b/rootfs/new.txt" ]
check "rw mount writable" contains "$work/out" "write /data/out.txt: ok"
check "... and the host sees it" grep -qx written "$work/data/out.txt"
check "rw mount: mkdir" [ -d "$work/data/sub" ]
check "ro mount refuses a write" lacks "$work/out" "write /ro/x.txt: ok"
check "ro mount refuses mkdir" lacks "$work/out" "mkdir /ro/d: ok"
check "ro mount unchanged" none_exist "$work/ro/x.txt" "$work/ro/d"
check "ro mount readable" contains "$work/out" "read-only data"

b=$(bundle fsrw "$(json_args /probe.wasm write /w.txt yes)")
rt run --bundle "$b" fsrw >"$work/out" 2>&1
check "writable rootfs" grep -qx yes "$b/rootfs/w.txt"

# ---- env and cwd -----------------------------------------------------------

b=$(bundle env "$(json_args /probe.wasm env FOO env PWD)")
sed -i 's|"cwd": "/"|"cwd": "/sub"|' "$b/config.json"
rt run --bundle "$b" env >"$work/out" 2>&1
check "process.env" contains "$work/out" "FOO=bar baz"
check "process.cwd as PWD" contains "$work/out" "PWD=/sub"
b=$(bundle rel "$(json_args probe.wasm args)")
sed -i 's|"cwd": "/"|"cwd": "/sub"|' "$b/config.json"
mkdir -p "$b/rootfs/sub" && mv "$b/rootfs/probe.wasm" "$b/rootfs/probe.$arch.so" "$b/rootfs/sub/"
rt run --bundle "$b" rel >"$work/out" 2>&1
check "args[0] relative to cwd" contains "$work/out" "argv[0]=probe.wasm"

# ---- memory limit: linear memory, and the cgroup ----------------------------

b=$(bundle mem "$(json_args /probe.wasm grow 256)" \
  '{"resources": {"memory": {"limit": 33554432}}}')
rt run --bundle "$b" mem >"$work/out" 2>&1
pages=$(sed -n 's/^memory pages: //p' "$work/out")
check "memory.limit caps memory.grow (got ${pages:-nothing} pages)" \
  in_range "$pages" 17 512
b=$(bundle nomem "$(json_args /probe.wasm grow 256)")
rt run --bundle "$b" nomem >"$work/out" 2>&1
check "without a limit memory grows to 256 MiB" contains "$work/out" "memory pages: 4096"

# ---- cgroup, rlimits, user, no_new_privs (root only) ------------------------

if is_root; then
  b=$(bundle priv "$(json_args /probe.wasm sleep)" \
    "{\"cgroupsPath\": \"/$cgparent/priv\", \"resources\": {\"memory\": {\"limit\": 67108864}, \"pids\": {\"limit\": 10}}}" \
    "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 64, \"hard\": 128}], \"noNewPrivileges\": true, \"oomScoreAdj\": 123, \"capabilities\": {\"bounding\": [\"CAP_NET_BIND_SERVICE\", \"CAP_KILL\"], \"effective\": [\"CAP_NET_BIND_SERVICE\"], \"permitted\": [\"CAP_NET_BIND_SERVICE\", \"CAP_KILL\"], \"inheritable\": [], \"ambient\": []}")
  sed -i 's/"uid": 0, "gid": 0/"uid": 65534, "gid": 65534/' "$b/config.json"
  rt create --bundle "$b" --pid-file "$work/priv.pid" priv >/dev/null 2>&1
  rt start priv
  check "priv running" wait_status priv running
  pid=$(cat "$work/priv.pid")
  check "RLIMIT_NOFILE applied" grep -qE '^Max open files +64 +128 ' "/proc/$pid/limits"
  check "noNewPrivileges applied" grep -qE '^NoNewPrivs:\s+1' "/proc/$pid/status"
  check "process.user applied" grep -qE '^Uid:\s+65534\s' "/proc/$pid/status"
  check "capabilities: bounding set" grep -qE '^CapBnd:\s+0+420$' "/proc/$pid/status"
  check "capabilities: permitted set" grep -qE '^CapPrm:\s+0+420$' "/proc/$pid/status"
  check "capabilities: effective set" grep -qE '^CapEff:\s+0+400$' "/proc/$pid/status"
  check "oomScoreAdj applied" grep -qx 123 "/proc/$pid/oom_score_adj"
  check "cgroupsPath places the process" grep -q "/$cgparent/priv" "/proc/$pid/cgroup"
  memfile=
  for f in "/sys/fs/cgroup/memory/$cgparent/priv/memory.limit_in_bytes" \
           "/sys/fs/cgroup/$cgparent/priv/memory.max"; do
    [ -f "$f" ] && memfile=$f
  done
  if [ -n "$memfile" ]; then
    check "memory limit written to the cgroup" grep -qx 67108864 "$memfile"
  else
    echo "note: no memory cgroup controller here; cgroup limit not checked"
  fi
  rt ps --format json priv >"$work/ps"
  check "ps reads the cgroup" contains "$work/ps" "[$pid]"
  rt kill priv KILL
  check "priv stopped" wait_status priv stopped
  rt delete priv
  check "delete removes the cgroup" none_exist /sys/fs/cgroup/*/"$cgparent"/priv \
    "/sys/fs/cgroup/$cgparent/priv"
else
  echo "note: not root; cgroup, rlimit, user checks skipped"
fi

# ---- artifacts: precompiled beside the .wasm, a stale one, a .so given -----

b=$(bundle pre "$(json_args /probe.wasm exit 0)")
: >"$log"
rt run --bundle "$b" pre >/dev/null 2>&1
check "precompiled artifact used" contains "$log" "precompiled module /probe.wasm"
echo "not an artifact" >"$b/rootfs/probe.$arch.so"
: >"$log"
rt run --bundle "$b" pre >/dev/null 2>&1
check "a bad artifact still runs (compiled)" [ $? = 0 ]
check "... with a warning" contains "$log" '"level":"warning"'
check "... naming the artifact" contains "$log" "probe.$arch.so does not fit"
b=$(bundle given "$(json_args /probe.so args)")
cp "$work/probe.so" "$b/rootfs/probe.so"
rt run --bundle "$b" given >"$work/out" 2>&1
check "args[0] may name an artifact" contains "$work/out" "argv[0]=/probe.so"

# A multi-architecture bundle beside the .wasm, or named by args[0].
"$wasmaot" aot-compile --target "$arch-linux-gnu,aarch64-linux-gnu" \
  "$probe" -o "$work/probe.wasmaot" >/dev/null 2>&1 ||
  "$wasmaot" aot-compile --target "$arch-linux-gnu" "$probe" \
    -o "$work/probe.wasmaot"
b=$(bundle wbundle "$(json_args /probe.wasm exit 0)")
rm -f "$b/rootfs/probe.$arch.so"
cp "$work/probe.wasmaot" "$b/rootfs/probe.wasmaot"
: >"$log"
XDG_CACHE_HOME=$work/xdg rt run --bundle "$b" wbundle >/dev/null 2>&1
check "a bundle beside the .wasm runs" [ $? = 0 ]
check "... as precompiled code" contains "$log" "precompiled module /probe.wasm"
b=$(bundle nbundle "$(json_args /probe.wasmaot args)")
cp "$work/probe.wasmaot" "$b/rootfs/probe.wasmaot"
XDG_CACHE_HOME=$work/xdg rt run --bundle "$b" nbundle >"$work/out" 2>&1
check "args[0] may name a bundle" contains "$work/out" "argv[0]=/probe.wasmaot"

# Without an artifact the .wasm is compiled once, into the cache.
b=$(bundle cached "$(json_args /probe.wasm exit 0)")
rm -f "$b/rootfs/probe.$arch.so"
rm -rf "$work/xdg-compile"
XDG_CACHE_HOME=$work/xdg-compile rt run --bundle "$b" cached >/dev/null 2>&1
check "a bare .wasm runs (compiled)" [ $? = 0 ]
entries=$(find "$work/xdg-compile/wasmaot" -name '*.so' 2>/dev/null | wc -l)
check "... and its artifact is in the cache" [ "$entries" = 1 ]
WASMAOT_COMPILER=/nonexistent XDG_CACHE_HOME=$work/xdg-compile \
  rt run --bundle "$b" cached >/dev/null 2>&1
check "... which the next container maps without the compiler" [ $? = 0 ]

# ---- process.terminal: the pty's master goes to --console-socket -----------

if command -v python3 >/dev/null; then
  b=$(bundle tty "$(json_args /probe.wasm args on-a-tty)")
  sed -i 's/"terminal": false/"terminal": true/' "$b/config.json"
  # Plays containerd's part: receives the master over the socket, starts
  # the container, reads what the guest wrote to its terminal.
  python3 - "$oci" "$root" "$b" >"$work/out" 2>&1 <<'PY'
import array, os, socket, subprocess, sys, time
oci, root, bundle = sys.argv[1:4]
path = bundle + "/console.sock"
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
srv.settimeout(10)
create = subprocess.Popen([oci, "--root", root, "create", "--bundle", bundle,
                           "--console-socket", path, "tty"])
conn, _ = srv.accept()
msg, anc, _, _ = conn.recvmsg(256, socket.CMSG_LEN(4))
fds = array.array("i")
for level, kind, data in anc:
    fds.frombytes(data[:4])
print("pty name:", msg.decode())
print("create:", create.wait())
subprocess.run([oci, "--root", root, "start", "tty"])
out, deadline = b"", time.time() + 10
while time.time() < deadline and b"on-a-tty" not in out:
    try:
        out += os.read(fds[0], 4096)
    except OSError:
        break
sys.stdout.write(out.decode(errors="replace"))
PY
  check "terminal: pty sent over the console socket" contains "$work/out" "pty name: /dev/pts/"
  check "terminal: create exits 0" contains "$work/out" "create: 0"
  check "terminal: guest output through the pty (CRLF)" grep -q $'argv\[2\]=on-a-tty\r' "$work/out"
  wait_status tty stopped >/dev/null
  rt delete --force tty
else
  echo "note: no python3; the console-socket check is skipped"
fi

# ---- errors ----------------------------------------------------------------

b=$(bundle missing "$(json_args /nothing.wasm)")
: >"$log"
rt create --bundle "$b" missing >/dev/null 2>&1
check "create of a missing module fails" [ $? = 1 ]
check "the reason is a JSON error line" grep -q '{"level":"error","msg":"/nothing.wasm (in the rootfs): No such file' "$log"
rt state missing >/dev/null 2>&1
check "a failed create leaves no container" [ $? = 1 ]
b=$(bundle dup "$(json_args /probe.wasm sleep)")
rt create --bundle "$b" dup >/dev/null 2>&1
rt create --bundle "$b" dup >/dev/null 2>&1
check "a second create with the same id fails" [ $? = 1 ]
check "... saying so" contains "$log" "already exists"
rt delete dup
check "delete of a created container" [ $? = 0 ]
echo '{"ociVersion": ' >"$b/config.json"
rt create --bundle "$b" badjson >/dev/null 2>&1
check "malformed config.json fails" [ $? = 1 ]
rt create --bundle "$b" "../escape" >/dev/null 2>&1
check "an id with a slash is refused" [ $? = 1 ]
rt kill nosuch KILL 2>/dev/null
check "kill of an unknown container fails" [ $? = 1 ]
rt kill nosuch NOSIG 2>/dev/null
check "unknown signal name fails" [ $? = 1 ]

# ---- cold start: create + start + exit, precompiled -------------------------

b=$(bundle cold "$(json_args /probe.wasm exit 0)")
best=
for i in 1 2 3 4 5; do
  t0=$(date +%s%N)
  rt create --bundle "$b" --pid-file "$work/cold.pid" cold >/dev/null 2>&1
  rt start cold
  until gone "$(cat "$work/cold.pid")"; do
    sleep 0.001
  done
  t1=$(date +%s%N)
  rt delete cold
  ms=$(( (t1 - t0) / 1000 ))
  [ -z "$best" ] || [ "$ms" -lt "$best" ] && best=$ms
done
echo "cold start (create + start + exit, precompiled), best of 5: ${best} us"

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" = 0 ]
