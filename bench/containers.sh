#!/bin/bash
# Container starts side by side, in one run, under one private containerd:
#   shim      containerd-shim-wasmaot-v1 (--runtime io.containerd.wasmaot.v1)
#             on the Wasm hello image (precompiled artifact);
#   oci       containerd's runc shim with wasmaot-oci as its runtime, same
#             image;
#   runc      containerd's runc shim with runc, on a one-binary image of the
#             same program built static natively.
# Sequential: N `ctr run --rm` one after another (ms per container).
# Concurrent: M `ctr run --rm` with P at a time (tasks/s). Each figure is
# the median of R repeats. Client: the same M containers, P at a time,
# from one long-lived client process (bench/ctrbench, containerd's Go
# client library, as an orchestrator or runwasi's benchmark drives
# containerd) instead of a `ctr` process per container; built when Go
# and Debian's golang-github-containerd-containerd-dev are installed,
# skipped with a note otherwise. With --docker also `docker run --rm` per
# container, --runtime=wasmaot vs runc, under a private dockerd.
# Prints a markdown table (the section "Container start latency and
# throughput" of docs/benchmarks.md). Needs root.
#   bench/containers.sh [--build DIR] [-n N] [-m M] [-p P] [-r R] [--docker]
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
n=20 m=200 p=16 r=3 docker=
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$(readlink -f "$2"); shift ;;
    -n) n=$2; shift ;;
    -m) m=$2; shift ;;
    -p) p=$2; shift ;;
    -r) r=$2; shift ;;
    --docker) docker=1 ;;
    *) echo "usage: $0 [--build DIR] [-n N] [-m M] [-p P] [-r R] [--docker]" >&2
       exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "containers.sh: needs root" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-containers.XXXXXX")
sock=$work/containerd.sock
ns=bench
ctd_pid= dockerd_pid=
cleanup() {
  [ -n "$dockerd_pid" ] && kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid"
  [ -n "$ctd_pid" ] && kill "$ctd_pid" 2>/dev/null && wait "$ctd_pid"
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "containers.sh: $*" >&2; }

mkdir -p "$work/bin"
ln -s "$build/containerd-shim-wasmaot-v1" "$work/bin/"
. "$here/tests/oci/containerd_lib.sh"
start_containerd "$work" "$work/bin" || exit 1
c() { ctr -a "$sock" -n "$ns" "$@"; }

WASMAOT=$build/wasmaot bash "$here/scripts/wasm-oci-image.sh" -o "$work/hello.tar" \
  -n wasmaot-hello:bench --precompile "$build/examples/hello.wasm" >/dev/null
cc -O2 -static "$here/examples/hello/hello.c" -o "$work/hello-native"
bash "$here/tests/oci/native_image.sh" "$work/native.tar" \
  docker.io/library/native-hello:bench "$work/hello-native"
c images import --platform wasip1/wasm "$work/hello.tar" >/dev/null
c images import "$work/native.tar" >/dev/null

wasm_img=docker.io/library/wasmaot-hello:bench
native_img=docker.io/library/native-hello:bench
flags_shim=(--platform wasip1/wasm --runtime io.containerd.wasmaot.v1 "$wasm_img")
flags_oci=(--platform wasip1/wasm --runtime io.containerd.runc.v2
           --runc-binary "$build/wasmaot-oci" --runc-root "$work/oci-root" "$wasm_img")
flags_runc=(--runtime io.containerd.runc.v2 "$native_img")

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# One container; its output is checked so a failing runtime cannot look fast.
one() { # one KIND ID
  local -n flags=flags_$1
  c run --rm "${flags[@]:0:${#flags[@]}-1}" "${flags[-1]}" "$2" 2>&1 |
    grep -q "Hello from" || { log "$1 container $2 failed"; return 1; }
}
export -f one c log
export sock ns

sequential() { # KIND REPEAT: ms per container
  local t0 i
  t0=$(now_ms)
  for i in $(seq "$n"); do one "$1" "s$1-$2-$i" || return 1; done
  echo "scale=1; ($(now_ms) - $t0) / $n" | bc
}

concurrent() { # KIND REPEAT: tasks per second
  local t0 failed
  t0=$(now_ms)
  failed=$(seq "$m" | xargs -P "$p" -I{} bash -c \
    "$(declare -p "flags_$1"); one $1 c$1-$2-{} || echo x" | wc -l)
  [ "$failed" = 0 ] || { log "$failed of $m $1 containers failed"; return 1; }
  echo "scale=1; $m * 1000 / ($(now_ms) - $t0)" | bc
}

# The long-lived client (GOPATH mode on Debian's packaged Go sources: no
# network, no module download).
ctrbench=
if command -v go >/dev/null &&
    [ -d /usr/share/gocode/src/github.com/containerd/containerd ]; then
  if (cd "$here/bench/ctrbench" && GO111MODULE=off GOPATH=/usr/share/gocode \
      GOCACHE=$work/gocache GOFLAGS= go build -o "$work/ctrbench" main.go) \
      >"$work/ctrbench-build.log" 2>&1; then
    ctrbench=$work/ctrbench
  else
    log "cannot build bench/ctrbench:"; cat "$work/ctrbench-build.log" >&2
  fi
else
  log "no Go or golang-github-containerd-containerd-dev: the client rows are skipped"
fi
client_tps() { # KIND REPEAT: tasks per second from one client process
  local -n flags=flags_$1
  local args=(-address "$sock" -namespace "$ns" -n "$m" -p "$p"
              -expect "Hello from" -prefix "k$1-$2" -image "${flags[-1]}")
  case $1 in
    shim) args+=(-platform wasip1/wasm -runtime io.containerd.wasmaot.v1) ;;
    oci) args+=(-platform wasip1/wasm -runtime io.containerd.runc.v2
                -runc-binary "$build/wasmaot-oci" -runc-root "$work/oci-root") ;;
    runc) args+=(-runtime io.containerd.runc.v2) ;;
  esac
  "$ctrbench" "${args[@]}" | sed -n 's/.* \([0-9.]*\) tasks\/s.*/\1/p'
}

declare -A seq_ms conc_tps client
for kind in shim oci runc; do
  one "$kind" "warm-$kind" || exit 1
done
for rep in $(seq "$r"); do
  for kind in shim oci runc; do
    log "repeat $rep: $kind sequential"
    seq_ms[$kind]+="$(sequential "$kind" "$rep") "
    log "repeat $rep: $kind concurrent"
    conc_tps[$kind]+="$(concurrent "$kind" "$rep") "
    if [ -n "$ctrbench" ]; then
      log "repeat $rep: $kind concurrent, one client"
      client[$kind]+="$(client_tps "$kind" "$rep") "
    fi
  done
done

# ---- docker run --rm -----------------------------------------------------------

declare -A docker_ms
if [ -n "$docker" ]; then
  dsock=$work/docker.sock
  dockerd --iptables=false --ip-forward=false --bridge=none \
    --data-root "$work/docker-data" --exec-root "$work/docker-exec" \
    -H "unix://$dsock" --pidfile "$work/dockerd.pid" \
    --add-runtime "wasmaot=$build/wasmaot-oci" >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  client=docker
  [ -x /usr/bin/docker ] && client=/usr/bin/docker
  d() { DOCKER_BUILDKIT=0 "$client" -H "unix://$dsock" "$@"; }
  for _ in $(seq 150); do d version >/dev/null 2>&1 && break; sleep 0.1; done
  mkdir "$work/ctx-wasm" "$work/ctx-native"
  cp "$build/examples/hello.wasm" "$work/ctx-wasm/"
  "$build/wasmaot" aot-compile "$work/ctx-wasm/hello.wasm" \
    -o "$work/ctx-wasm/hello.$(uname -m).so"
  cp "$here/examples/docker/Dockerfile.wasm" "$work/ctx-wasm/Dockerfile"
  cp "$work/hello-native" "$work/ctx-native/hello"
  printf 'FROM scratch\nCOPY hello /\nENTRYPOINT ["/hello"]\n' \
    >"$work/ctx-native/Dockerfile"
  d build -q -t bench-wasm "$work/ctx-wasm" >/dev/null
  d build -q -t bench-native "$work/ctx-native" >/dev/null
  docker_seq() { # RUNTIME IMAGE: ms per container
    local t0 i
    d run --rm --network none --runtime="$1" "$2" >/dev/null
    t0=$(now_ms)
    for i in $(seq "$n"); do
      d run --rm --network none --runtime="$1" "$2" | grep -q "Hello from" ||
        { log "docker $1 failed"; return 1; }
    done
    echo "scale=1; ($(now_ms) - $t0) / $n" | bc
  }
  for rep in $(seq "$r"); do
    log "repeat $rep: docker"
    docker_ms[wasmaot]+="$(docker_seq wasmaot bench-wasm) "
    docker_ms[runc]+="$(docker_seq runc bench-native) "
  done
fi

# ---- the table ---------------------------------------------------------------

med() { tr ' ' '\n' <<<"$1" | grep . | median; }
ratio() { printf "%.2f" "$(echo "scale=3; $1 / $2" | bc)"; }
runc_seq=$(med "${seq_ms[runc]}") runc_tps=$(med "${conc_tps[runc]}")
echo "containerd $(containerd --version | awk '{print $3}'), $(nproc) cores;" \
  "sequential: $n containers one after another; concurrent: $m containers," \
  "$p at a time; median of $r repeats."
echo
runc_client=
[ -n "$ctrbench" ] && runc_client=$(med "${client[runc]}")
echo "| runtime | sequential ms/container | vs runc | concurrent tasks/s | vs runc | one client, tasks/s | vs runc |"
echo "|---|---|---|---|---|---|---|"
for kind in shim oci runc; do
  s=$(med "${seq_ms[$kind]}") t=$(med "${conc_tps[$kind]}")
  k="–" kr="–"
  if [ -n "$ctrbench" ]; then
    k=$(med "${client[$kind]}") kr="$(ratio "$k" "$runc_client")×"
  fi
  case $kind in
    shim) name="containerd-shim-wasmaot-v1, Wasm hello" ;;
    oci) name="runc shim + wasmaot-oci, Wasm hello" ;;
    runc) name="runc shim + runc, static native hello" ;;
  esac
  echo "| $name | $s | $(ratio "$s" "$runc_seq")× | $t | $(ratio "$t" "$runc_tps")× | $k | $kr |"
done
if [ -n "$docker" ]; then
  dw=$(med "${docker_ms[wasmaot]}") dr=$(med "${docker_ms[runc]}")
  echo
  echo "Docker $(dockerd --version | awk '{print $3}' | tr -d ,), \`docker run --rm --network none\`, $n one after another, median of $r:"
  echo
  echo "| runtime | ms/container | vs runc |"
  echo "|---|---|---|"
  echo "| --runtime=wasmaot (wasmaot-oci), Wasm hello | $dw | $(ratio "$dw" "$dr")× |"
  echo "| runc, static native hello | $dr | 1.00× |"
fi
