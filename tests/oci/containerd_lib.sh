# Shared by the container tests and bench/containers.sh (sourced, not
# run): the checks' bookkeeping, the tests' arguments and what they need, a
# private containerd, a free port, and unmounting what is left under a
# directory.

checks=0
failures=0

skip() {
  echo "SKIP: $*"
  exit 77
}

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

check() { # check WHAT COMMAND...: counts a check, fails WHAT if COMMAND does
  local what=$1
  shift
  checks=$((checks + 1))
  "$@" || fail "$what"
}

read_paths() { # read_paths NAME... -- ARG...: each NAME the absolute ARG
  local names=() name
  while [ "$1" != -- ]; do names+=("$1"); shift; done
  shift
  [ $# = ${#names[@]} ] || { echo "usage: $0 ${names[*]^^}" >&2; exit 2; }
  for name in "${names[@]}"; do
    printf -v "$name" '%s' "$(readlink -f "$1")"
    shift
  done
}

need_root() { # need_root WHAT: skips, saying why, unless running as root
  [ "$(id -u)" = 0 ] || skip "$1 needs root (running as uid $(id -u))"
}

# need_tools PACKAGES TOOL...: a missing tool is a failure, not a skip,
# because scripts/setup.sh installs PACKAGES.
need_tools() {
  local packages=$1 tool
  shift
  for tool; do
    command -v "$tool" >/dev/null || {
      echo "FAIL: $tool is not installed (scripts/setup.sh installs $packages)"
      exit 1
    }
  done
}

contains() { grep -qF -- "$2" "$1" || { echo "--- $1:"; cat "$1"; false; }; }

unmount_under() { # unmount_under DIR: lazily, deepest first
  grep -F " $1/" /proc/self/mounts | cut -d' ' -f2 | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
}

# start_containerd DIR [PATH_DIR]: a private containerd with its config,
# root, state and sockets under DIR (CRI off), PATH_DIR first on its PATH
# (where it finds shims). Sets ctd_sock and ctd_pid; false, with the tail
# of its log, if it does not answer.
start_containerd() {
  local dir=$1 path_dir=${2:-}
  ctd_sock=$dir/containerd.sock
  cat >"$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$ctd_sock"
[ttrpc]
  address = "$ctd_sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
TOML
  PATH=${path_dir:+$path_dir:}$PATH containerd --config "$dir/config.toml" \
    >"$dir/containerd.log" 2>&1 &
  ctd_pid=$!
  for _ in $(seq 100); do
    ctr -a "$ctd_sock" version >/dev/null 2>&1 && return 0
    kill -0 "$ctd_pid" 2>/dev/null || break
    sleep 0.1
  done
  ctr -a "$ctd_sock" version >/dev/null 2>&1 && return 0
  tail -5 "$dir/containerd.log"
  return 1
}

# The snapshotter to use: overlayfs where the kernel has it, else native.
pick_snapshotter() {
  if ctr -a "$ctd_sock" plugins ls 2>/dev/null |
      grep -E "io.containerd.snapshotter.v1 +overlayfs .* ok" >/dev/null; then
    echo overlayfs
  else
    echo "note: overlayfs snapshotter unavailable; using native" >&2
    echo native
  fi
}

# free_port SALT: a port no socket uses, below the kernel's ephemeral
# range (a port in that range can be taken at any moment as the local end
# of some connection, and images bake the port in).
free_port() {
  local lo port
  lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
  [ "${lo:-0}" -gt 12000 ] || lo=32768
  port=$((10000 + ($$ * $1) % (lo - 10100)))
  for _ in $(seq 50); do
    port_in_use "$port" || break
    port=$((port + 1))
  done
  echo "$port"
}

port_in_use() {
  if command -v ss >/dev/null; then
    [ -n "$(ss -Htan "( sport = :$1 )" 2>/dev/null)" ]
  else
    curl -s -m 1 "http://127.0.0.1:$1/" >/dev/null 2>&1
    [ $? != 7 ] # 7: connection refused, so free
  fi
}

# stop_containerd NS: ends namespace NS's tasks and containers, stops the
# containerd start_containerd started, and removes the cgroup parent ctr
# gave the containers (/NS/ID: the runtimes remove each container's own
# directory, not the parent).
stop_containerd() {
  local ns=$1 id d
  if [ -n "${ctd_pid:-}" ]; then
    for id in $(ctr -a "$ctd_sock" -n "$ns" task ls -q 2>/dev/null); do
      ctr -a "$ctd_sock" -n "$ns" task kill -s SIGKILL "$id" >/dev/null 2>&1
    done
    sleep 0.3
    for id in $(ctr -a "$ctd_sock" -n "$ns" task ls -q 2>/dev/null); do
      ctr -a "$ctd_sock" -n "$ns" task delete -f "$id" >/dev/null 2>&1
    done
    for id in $(ctr -a "$ctd_sock" -n "$ns" container ls -q 2>/dev/null); do
      ctr -a "$ctd_sock" -n "$ns" container delete "$id" >/dev/null 2>&1
    done
    kill "$ctd_pid" 2>/dev/null
    wait "$ctd_pid" 2>/dev/null
    ctd_pid=
  fi
  for d in /sys/fs/cgroup/*/"$ns" /sys/fs/cgroup/"$ns"; do
    [ -d "$d" ] && rmdir "$d"/*/ "$d" 2>/dev/null
  done
}

# wait_http PORT OUT: GET / on 127.0.0.1:PORT into OUT, retried for up to
# 10 s while the server starts; false if it never answers.
wait_http() {
  for _ in $(seq 100); do
    curl -s -m 2 "http://127.0.0.1:$1/" >"$2" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# wait_for_line FILE TEXT: up to 10 s for TEXT to appear in FILE.
wait_for_line() {
  for _ in $(seq 100); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
