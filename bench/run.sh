#!/usr/bin/env bash
# Benchmark runner: builds every program in bench/programs natively (for
# generic x86-64 and for the host CPU) and to wasm32-wasi, runs the wasm
# under wasmaot (precompiled), wasm2c and node,
# checks that every variant prints the native checksum, times them with
# hyperfine, measures cold start and the wasmaot binary, and writes
# docs/benchmarks.md and docs/benchmarks.svg.
#
#   bash bench/run.sh [--build DIR] [--runs N] [--rounds R] [--only P,P...]
#                     [--no-doc] [--no-build] [--note TEXT]
#
# --build DIR  wasmaot build directory (default: build; set up if missing)
# --runs N     timed runs per variant per round (default 5)
# --rounds R   passes over the whole suite (default 2); the variants' order
#              is reversed every other pass and all runs are pooled
# --only LIST  only these programs (comma-separated); implies --no-doc
# --no-doc     print the report to stdout instead of writing docs/
# --no-build   do not run meson compile on the build directory
# --note TEXT  a remark printed at the top of the report (e.g. how the
#              measured wasmaot was built)
#
# Needs clang-19 (with wasi-libc), hyperfine and python3 (meson's own
# dependency). wasm2c (wabt) and node are optional: a missing peer is
# skipped and the report says so. Everything else goes to DIR/bench/.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=build
runs=5
rounds=2
only=
write_doc=1
do_build=1
user_note=
while [ $# -gt 0 ]; do
  case "$1" in
  --build) build=$2; shift 2 ;;
  --runs) runs=$2; shift 2 ;;
  --rounds) rounds=$2; shift 2 ;;
  --only) only=$2; write_doc=0; shift 2 ;;
  --no-doc) write_doc=0; shift ;;
  --no-build) do_build=0; shift ;;
  --note) user_note=$2; shift 2 ;;
  -h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$build" in /*) ;; *) build=$top/$build ;; esac

start_time=$(date +%s)
cd "$top"
out=$build/bench
mkdir -p "$out"/{native,wasm,aot,w2c,json,logs,check}
rm -f "$out"/json/*.json "$out"/check/*.out # no stale results in the report
status=$out/status.tsv # program, variant, status, note
: >"$status"
meta=$out/meta.txt
: >"$meta"

log() { printf '[bench] %s\n' "$*" >&2; }
note() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >>"$status"; }
meta() { printf '%s=%s\n' "$1" "$2" >>"$meta"; }
have() { command -v "$1" >/dev/null 2>&1; }
# up_to_date TARGET DEP...: TARGET exists and is newer than every DEP.
up_to_date() {
  local t=$1 d
  shift
  [ -e "$t" ] || return 1
  for d in "$@"; do [ "$t" -nt "$d" ] || return 1; done
}

# ---- tools ----
cc=clang-19
for t in "$cc" hyperfine python3; do
  have "$t" || { echo "run.sh: $t is required (bash scripts/setup.sh)" >&2; exit 1; }
done
have_w2c=0
w2c_rt=/usr/share/wabt/wasm2c
if have wasm2c && [ -f "$w2c_rt/wasm-rt-impl.c" ] && [ -f /usr/include/wasm-rt.h ]; then
  have_w2c=1
fi
have_node=0
have node && have_node=1

# ---- wasmaot ----
if [ ! -d "$build/meson-info" ]; then
  log "setting up $build"
  meson setup "$build" --native-file scripts/llvm-19.ini >"$out/logs/meson-setup.log" 2>&1
  do_build=1
fi
if [ "$do_build" = 1 ]; then
  log "meson compile -C $build"
  if ! meson compile -C "$build" >"$out/logs/meson-compile.log" 2>&1; then
    [ -x "$build/wasmaot" ] ||
      { echo "run.sh: building wasmaot failed, see $out/logs/meson-compile.log" >&2; exit 1; }
    log "WARNING: meson compile failed (see $out/logs/meson-compile.log); using the existing $build/wasmaot"
    meta build_warning "meson compile failed; measured the wasmaot binary left from an earlier build"
  fi
fi
wasmaot=$build/wasmaot
[ -x "$wasmaot" ] || { echo "run.sh: $wasmaot is missing" >&2; exit 1; }

# ---- programs and their sizes (argv[1]) ----
# Sizes are the programs' defaults, chosen for ~0.3-0.7 s natively here.
declare -A size=(
  [matmul]=900 [nbody]=100000 [sieve]=100000000 [fannkuch]=6000
  [interp]=300000 [sha256]=128 [lz]=24576 [sort]=3000000 [bintrees]=17
  [hashmap]=1000000 [tokenizer]=12288 [dispatch]=100 [stream]=64 [simd]=500
)
declare -A wasm_flags=([simd]=-msimd128)
programs=()
for f in bench/programs/*.c; do
  p=$(basename "$f" .c)
  if [ -n "$only" ] && [[ ",$only," != *",$p,"* ]]; then continue; fi
  programs+=("$p")
done
[ ${#programs[@]} -gt 0 ] || { echo "run.sh: no programs selected" >&2; exit 1; }
variants=(native native-host wasmaot wasmaot-fast wasm2c node)

# cmd_of PROGRAM VARIANT: prints the command line (no shell syntax: it is
# run by hyperfine --shell=none and by the check below).
cmd_of() {
  local p=$1 v=$2 arg=${size[$1]:-}
  case "$v" in
  native) echo "$out/native/$p $arg" ;;
  native-host) echo "$out/native/$p.host $arg" ;;
  wasmaot) echo "$wasmaot run $out/aot/$p.so $arg" ;;
  wasmaot-fast) echo "$wasmaot run $out/aot/$p.fast.so $arg" ;;
  wasm2c) echo "$out/w2c/$p/prog $arg" ;;
  # --single-threaded-gc: node 20 here dies with SIGSEGV at exit in about
  # half the runs of programs with >= 100 MiB of linear memory otherwise.
  node) echo "node --no-warnings --single-threaded-gc $top/bench/node/wasi-run.mjs $out/wasm/$p.wasm $arg" ;;
  esac
}

# ---- build every variant ----
declare -A ok # ok[prog.variant]=1 when it built and printed the checksum
for p in "${programs[@]}"; do
  src=bench/programs/$p.c
  log "building $p"
  if ! up_to_date "$out/native/$p" "$src" ||
    ! up_to_date "$out/native/$p.host" "$src" ||
    ! up_to_date "$out/wasm/$p.wasm" "$src"; then
    $cc -O2 "$src" -o "$out/native/$p" -lm 2>"$out/logs/$p.native.log" ||
      { note "$p" native failed "native build failed"; continue; }
    # For the host CPU, as wasmaot compiles by default; no FMA contraction,
    # which Wasm does not allow either (and which would change checksums).
    $cc -O2 -march=native -ffp-contract=off "$src" -o "$out/native/$p.host" \
      -lm 2>"$out/logs/$p.native-host.log" || rm -f "$out/native/$p.host"
    # shellcheck disable=SC2086
    $cc --target=wasm32-wasi --sysroot=/usr -O2 ${wasm_flags[$p]:-} "$src" \
      -o "$out/wasm/$p.wasm" -lm 2>"$out/logs/$p.wasm.log" ||
      { note "$p" native failed "wasm build failed"; continue; }
  fi
  ok[$p.native]=1
  if [ -x "$out/native/$p.host" ]; then
    ok[$p.native-host]=1
  else
    note "$p" native-host failed "-march=native build failed"
  fi

  # wasmaot: always recompile (the compiler changes under us).
  if "$wasmaot" aot-compile "$out/wasm/$p.wasm" -o "$out/aot/$p.so" \
    >"$out/logs/$p.aot.log" 2>&1; then
    ok[$p.wasmaot]=1
  else
    note "$p" wasmaot failed "aot-compile failed: $(head -c 200 "$out/logs/$p.aot.log" | head -1)"
  fi
  # The fast tier (aot-compile --fast), what a cold `run` of a large module
  # starts with.
  if "$wasmaot" aot-compile --fast "$out/wasm/$p.wasm" -o "$out/aot/$p.fast.so" \
    >"$out/logs/$p.aot-fast.log" 2>&1; then
    ok[$p.wasmaot-fast]=1
  else
    note "$p" wasmaot-fast failed "aot-compile --fast failed: $(head -c 200 "$out/logs/$p.aot-fast.log" | head -1)"
  fi

  if [ "$have_w2c" = 0 ]; then
    note "$p" wasm2c skipped "wasm2c (wabt) not installed"
  else
    d=$out/w2c/$p
    mkdir -p "$d"
    rc=0
    if up_to_date "$d/prog" "$out/wasm/$p.wasm" bench/wasm2c/wasi_shim.c; then
      ok[$p.wasm2c]=1
    elif (wasm2c -n prog "$out/wasm/$p.wasm" -o "$d/prog.c") >"$out/logs/$p.w2c.log" 2>&1 || rc=$?
      [ "$rc" != 0 ]; then
      note "$p" wasm2c failed "wasm2c $(wasm2c --version) cannot translate it (exit status $rc$([ "$rc" = 134 ] && echo ': abort')) $(tail -1 "$out/logs/$p.w2c.log" | head -c 160)"
    elif ! $cc -O2 -w -I "$d" -I "$w2c_rt" bench/wasm2c/wasi_shim.c "$d/prog.c" \
      "$w2c_rt/wasm-rt-impl.c" -o "$d/prog" -lm >>"$out/logs/$p.w2c.log" 2>&1; then
      note "$p" wasm2c failed "compiling the wasm2c output failed"
    else
      ok[$p.wasm2c]=1
    fi
  fi

  if [ "$have_node" = 1 ]; then
    ok[$p.node]=1
  else
    note "$p" node skipped "node not installed"
  fi
done

# ---- check: every variant prints the native output ----
for p in "${programs[@]}"; do
  [ -n "${ok[$p.native]:-}" ] || continue
  log "checking $p"
  for v in "${variants[@]}"; do
    [ -n "${ok[$p.$v]:-}" ] || continue
    f=$out/check/$p.$v.out
    rc=0
    # shellcheck disable=SC2046
    timeout 300 $(cmd_of "$p" "$v") >"$f" 2>"$out/logs/$p.$v.run.log" || rc=$?
    if [ "$rc" != 0 ]; then
      unset "ok[$p.$v]"
      if [ "$v" = native ]; then
        note "$p" native failed "native run failed (exit $rc)"
        break
      fi
      note "$p" "$v" failed "run failed (exit $rc): $(head -1 "$out/logs/$p.$v.run.log" | head -c 160)"
    elif [ "$v" != native ] && ! cmp -s "$f" "$out/check/$p.native.out"; then
      unset "ok[$p.$v]"
      note "$p" "$v" failed "wrong output: $(head -1 "$f" | head -c 160)"
    elif [ "$v" = native ]; then
      note "$p" native ok "$(head -1 "$f")"
    else
      note "$p" "$v" ok ""
    fi
  done
done

# ---- timing ----
for ((r = 1; r <= rounds; r++)); do
  order=("${variants[@]}")
  if ((r % 2 == 0)); then order=(node wasm2c wasmaot native-host native); fi
  for p in "${programs[@]}"; do
    [ -n "${ok[$p.native]:-}" ] || continue
    args=()
    for v in "${order[@]}"; do
      [ -n "${ok[$p.$v]:-}" ] || continue
      args+=(-n "$v" "$(cmd_of "$p" "$v")")
    done
    log "timing $p (round $r/$rounds)"
    hyperfine --shell=none --warmup 1 --runs "$runs" --style none \
      --export-json "$out/json/$p.$r.json" "${args[@]}" \
      >"$out/logs/$p.hyperfine.$r.log" 2>&1 ||
      { note "$p" all failed "hyperfine failed in round $r: $(grep -m1 -i error "$out/logs/$p.hyperfine.$r.log" | head -c 200)"; rm -f "$out/json/$p.$r.json"; }
  done
done

# ---- cold start ----
log "cold start"
hello_wasm=$build/examples/hello.wasm
cold_args=()
$cc -O2 -static examples/hello/hello.c -o "$out/native/hello-static" 2>"$out/logs/hello.native.log" &&
  cold_args+=(-n native-static "$out/native/hello-static")
if [ ! -f "$hello_wasm" ]; then
  note hello wasmaot failed "$hello_wasm was not built"
elif ! "$wasmaot" aot-compile "$hello_wasm" -o "$out/aot/hello.so" >"$out/logs/hello.aot.log" 2>&1; then
  note hello wasmaot failed "aot-compile of hello.wasm failed"
elif "$wasmaot" run "$out/aot/hello.so" >"$out/check/hello.wasmaot.out" 2>&1 &&
  grep -q "Hello" "$out/check/hello.wasmaot.out"; then
  cold_args+=(-n wasmaot "$wasmaot run $out/aot/hello.so")
  # The static loader (no dynamic linking), as used in FROM-scratch images.
  [ -x "$build/wasmaot-static" ] &&
    cold_args+=(-n wasmaot-static "$build/wasmaot-static run $out/aot/hello.so")
else
  note hello wasmaot failed "wasmaot run hello.so: $(head -1 "$out/check/hello.wasmaot.out" | head -c 160)"
fi
if [ "$have_w2c" = 1 ] && [ -f "$hello_wasm" ]; then
  mkdir -p "$out/w2c/hello"
  wasm2c -n prog "$hello_wasm" -o "$out/w2c/hello/prog.c" 2>"$out/logs/hello.w2c.log" &&
    $cc -O2 -static -w -I "$out/w2c/hello" -I "$w2c_rt" bench/wasm2c/wasi_shim.c \
      "$out/w2c/hello/prog.c" "$w2c_rt/wasm-rt-impl.c" -o "$out/w2c/hello/prog" -lm \
      2>>"$out/logs/hello.w2c.log" &&
    cold_args+=(-n wasm2c-static "$out/w2c/hello/prog")
fi
[ "$have_node" = 1 ] && [ -f "$hello_wasm" ] &&
  cold_args+=(-n node "node --no-warnings --single-threaded-gc $top/bench/node/wasi-run.mjs $hello_wasm")
# Rounds as for the programs, the order reversed every other one: a
# sub-millisecond start is easily disturbed, and a disturbance during one
# variant's 200 runs would otherwise skew every ratio.
rm -f "$out/json/coldstart.json" "$out/json/coldstart."*.json
if [ ${#cold_args[@]} -gt 0 ]; then
  for ((r = 1; r <= rounds; r++)); do
    order=("${cold_args[@]}")
    if ((r % 2 == 0)); then
      order=()
      for ((i = ${#cold_args[@]} - 3; i >= 0; i -= 3)); do
        order+=("${cold_args[@]:i:3}")
      done
    fi
    hyperfine --shell=none --warmup 10 --runs 200 --style none \
      --export-json "$out/json/coldstart.$r.json" "${order[@]}" \
      >"$out/logs/coldstart.hyperfine.$r.log" 2>&1 ||
      note hello all failed "cold-start hyperfine failed in round $r"
  done
fi

# ---- the wasmaot binary ----
strip -o "$out/wasmaot.stripped" "$wasmaot"
meta wasmaot_size "$(stat -c %s "$wasmaot")"
meta wasmaot_stripped_size "$(stat -c %s "$out/wasmaot.stripped")"
compiler_so=$(find "$build" -maxdepth 2 -name 'libwasmaot-compiler.so' -print -quit)
if [ -n "$compiler_so" ]; then
  strip -o "$out/compiler.stripped" "$compiler_so"
  meta compiler_stripped_size "$(stat -c %s "$out/compiler.stripped")"
  ldd "$compiler_so" 2>&1 | grep -o 'libLLVM[^ ]*' | head -1 | sed 's/^/compiler_llvm=/' >>"$meta" || true
fi
ldd "$wasmaot" >"$out/ldd.txt" 2>&1 || true
meta buildtype "$(meson introspect --buildoptions "$build" 2>/dev/null |
  python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"))' 2>/dev/null || echo unknown)"

# ---- instantiation (C API) ----
log "instantiation"
if [ -x "$build/bench/bench_instantiate" ] && [ -f "$build/tests/loader/bigdata.so" ]; then
  "$build/bench/bench_instantiate" "$build/tests/loader/bigdata.so" 1001 \
    >"$out/instantiate.txt" 2>"$out/logs/instantiate.log" ||
    note instantiate wasmaot failed "bench_instantiate failed"
  [ -x "$build/wasmaot-static" ] &&
    strip -o "$out/wasmaot-static.stripped" "$build/wasmaot-static" &&
    meta wasmaot_static_stripped_size "$(stat -c %s "$out/wasmaot-static.stripped")"
fi

# ---- compile speed: bench/compile.sh (sql-wasm here; yosys takes minutes) ----
log "compile speed"
if ! have npm || ! bash bench/compile.sh --build "$build" --out "$out" \
  --modules "${WASMAOT_BENCH_COMPILE_MODULES:-sql}" >"$out/logs/compile.log" 2>&1; then
  note compile wasmaot skipped "bench/compile.sh failed or npm is missing (see logs/compile.log)"
fi

# ---- container starts through containerd (tests/oci/test_containerd.sh) ----
log "containerd starts"
if [ "$(id -u)" = 0 ] && command -v containerd >/dev/null; then
  WASMAOT_CONTAINERD_TIMES=$out/containerd.txt \
    meson test -C "$build" oci-containerd >"$out/logs/containerd.log" 2>&1 ||
    note containerd wasmaot failed "the containerd test failed (see logs/containerd.log)"
fi

# ---- container start latency and throughput (bench/containers.sh) ----
log "container starts: shim, runc shim + wasmaot-oci, runc"
if [ "$(id -u)" = 0 ] && command -v containerd >/dev/null; then
  bash "$(dirname "$0")/containers.sh" --build "$build" --docker \
    >"$out/containers.md" 2>"$out/logs/containers.log" ||
    { rm -f "$out/containers.md"
      note containers wasmaot failed "bench/containers.sh failed (see logs/containers.log)"; }
fi

# ---- exceptions: throw+catch cost and the no-throw overhead ----
log "exceptions: wasmaot (both encodings) vs native C++"
if command -v g++ >/dev/null && command -v node >/dev/null &&
  [ -d "$top/.cache/wast-reader" ]; then
  bash "$(dirname "$0")/exceptions.sh" --build "$build" \
    >"$out/exceptions.md" 2>"$out/logs/exceptions.log" ||
    { rm -f "$out/exceptions.md"
      note exceptions wasmaot failed "bench/exceptions.sh failed (see logs/exceptions.log)"; }
fi

# ---- machine and versions ----
meta cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
meta cores "$(nproc)"
meta mem "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
meta kernel "$(uname -sr)"
# shellcheck disable=SC1091
meta os "$(. /etc/os-release && echo "$PRETTY_NAME")"
meta wasmaot "$("$wasmaot" version 2>&1 | head -1)"
meta wasmaot_commit "$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$top" diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes')"
meta clang "$($cc --version | head -1)"
meta hyperfine "$(hyperfine --version)"
[ "$have_node" = 1 ] && meta node "$(node --version)"
[ "$have_w2c" = 1 ] && meta wabt "$(wasm2c --version)"
[ -n "$user_note" ] && meta note "$user_note"
meta runs "$runs"
meta rounds "$rounds"
meta date "$(date -u +%Y-%m-%d)"
meta elapsed "$(($(date +%s) - start_time))"
for p in "${programs[@]}"; do meta "size.$p" "${size[$p]:-}"; done

if [ "$write_doc" = 1 ]; then
  python3 bench/report.py "$out" --md docs/benchmarks.md --svg docs/benchmarks.svg
  log "wrote docs/benchmarks.md and docs/benchmarks.svg"
else
  python3 bench/report.py "$out"
fi
