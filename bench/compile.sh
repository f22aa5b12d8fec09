#!/usr/bin/env bash
# Compile-speed benchmark: real programs published on npm (versions
# pinned), compiled by `wasmaot aot-compile --stats` at the default tier,
# at the fast tier (--fast) and, for yosys, with every function optimised
# (--optimize-all: its default tier optimises a static estimate's 6 MiB)
# and from a profile (--profile: a run of `synth_ice40` on the fast tier
# compiled with --count, as a tiered `wasmaot run` does on a cache miss). Records wall time, CPU time
# (user+sys), peak RSS and the per-phase CPU seconds of --stats, one TSV
# row per compile, into OUT/compile.tsv, and for yosys the time of that
# synthesis with each tier's artifact (interleaved runs) into
# OUT/compile-run.tsv; bench/compile_report.py turns them into the
# "Compile speed" section of docs/benchmarks.md (bench/run.sh runs it for
# sql-wasm).
#
#   bash bench/compile.sh [--build DIR] [--out DIR] [--modules LIST]
#                         [--rounds N] [--jobs N]
#
# --modules LIST  comma-separated, of: sql (sql.js 1.17.0, SQLite, 0.7 MB),
#                 yosys (@yowasp/yosys 0.55.944, 30.8 MB: about 15 min
#                 for its four tiers on 2 cores) (default: sql)
# --rounds N      compiles per module and tier (default 2; the median is
#                 reported), and 3N runs of each yosys artifact
#
# yosys's profile and run need its share/ directory (ice40 cell
# libraries), which scripts/fetch-real-programs.sh unpacks; without it
# the profiled tier and the runs are skipped.
# --jobs N        aot-compile --jobs (default: the online CPUs)
# --out DIR       default: BUILD/bench
#
# Compiles run under nice; on a shared machine CPU time is the figure to
# compare, wall time also counts the neighbours.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
out=
modules=sql
rounds=2
jobs=$(nproc 2>/dev/null || echo 2)
while [ $# -gt 0 ]; do
  case "$1" in
  --build) build=$(cd "$2" && pwd); shift 2 ;;
  --out) out=$2; shift 2 ;;
  --modules) modules=$2; shift 2 ;;
  --rounds) rounds=$2; shift 2 ;;
  --jobs) jobs=$2; shift 2 ;;
  -h | --help) sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "compile.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
out=${out:-$build/bench}
mkdir -p "$out/compile"
wasmaot=$build/wasmaot
[ -x "$wasmaot" ] || { echo "compile.sh: no $wasmaot (build first)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "compile.sh: needs /usr/bin/time (GNU time)" >&2; exit 1; }
log() { printf '[compile] %s\n' "$*" >&2; }

# fetch NAME: prints the path of the module, fetched once with npm.
fetch() {
  local dir=$out/compile
  case "$1" in
  sql)
    [ -f "$dir/sql-wasm.wasm" ] || (cd "$dir" &&
      timeout 300 npm pack sql.js@1.17.0 >/dev/null 2>&1 &&
      tar xzf sql.js-1.17.0.tgz package/dist/sql-wasm.wasm &&
      mv package/dist/sql-wasm.wasm sql-wasm.wasm && rm -rf package sql.js-1.17.0.tgz)
    echo "$dir/sql-wasm.wasm" ;;
  yosys)
    [ -f "$dir/yosys.core.wasm" ] || (cd "$dir" &&
      timeout 600 npm pack @yowasp/yosys@0.55.944 >/dev/null 2>&1 &&
      tar xzf yowasp-yosys-0.55.944.tgz package/gen/yosys.core.wasm &&
      mv package/gen/yosys.core.wasm yosys.core.wasm &&
      rm -rf package yowasp-yosys-0.55.944.tgz)
    echo "$dir/yosys.core.wasm" ;;
  *) echo "compile.sh: unknown module $1" >&2; return 1 ;;
  esac
}

share=$top/.cache/real-programs/yosys/fs/share
design=$out/compile/design
synth="read_verilog /design/blink.v; synth_ice40 -top top -json /design/blink.json; tee -o /design/stat.txt stat"
# run_yosys ARTIFACT TIMEFILE [RUN OPTIONS]: the synthesis of a 24-bit
# counter (the real-fpga test's), checked, timed into TIMEFILE.
run_yosys() {
  local so=$1 timefile=$2
  shift 2
  mkdir -p "$design" "$out/compile/scratch"
  printf '%s\n' 'module top(input clk, output led);' \
    '  reg [23:0] counter = 0;' \
    '  always @(posedge clk) counter <= counter + 1;' \
    '  assign led = counter[23];' 'endmodule' >"$design/blink.v"
  rm -f "$design/stat.txt"
  /usr/bin/time -f 'TIME %e %U %S' -o "$timefile" "$wasmaot" run "$@" --env TMPDIR=/scratch --dir "$design::/design" \
    --dir "$out/compile/scratch::/scratch" --dir "$share::/share" "$so" \
    -q -p "$synth" >/dev/null
  grep -qE '^ +SB_DFF +24$' "$design/stat.txt" ||
    { echo "compile.sh: yosys with $so did not synthesise the counter" >&2; return 1; }
}
# train_yosys WASM: the profile of one synthesis on counting fast code.
train_yosys() {
  log "yosys: profile of synth_ice40 (--fast --count, one run)"
  nice "$wasmaot" aot-compile --fast --count "$1" -o "$out/compile/yosys.count.so" 2>/dev/null
  rm -f "$out/compile/yosys.profile"
  run_yosys "$out/compile/yosys.count.so" /dev/null \
    --profile-out "$out/compile/yosys.profile"
}
# time_yosys_runs TIER...: 3 x rounds synthesis runs per tier's artifact,
# interleaved, wall and user+sys seconds.
time_yosys_runs() {
  local runs=$out/compile-run.tsv
  printf 'module\ttier\tround\twall_s\tcpu_s\n' >"$runs"
  for round in $(seq $((3 * rounds))); do
    for tier in "$@"; do
      log "yosys synth_ice40 with the $tier artifact, run $round"
      run_yosys "$out/compile/yosys.$tier.so" "$out/compile/run.time"
      awk -v tier="$tier" -v round="$round" '/^TIME/ {
        printf "yosys\t%s\t%s\t%s\t%.2f\n", tier, round, $2, $3 + $4 }' \
        "$out/compile/run.time" >>"$runs"
    done
  done
  log "wrote $runs"
}

tsv=$out/compile.tsv
printf 'module\ttier\tjobs\tround\twasm_bytes\tcode_bytes\tfunctions\tpieces\twall_s\tcpu_s\trss_kb\tdecode\tvalidate\tir\tpasses\tcodegen\tmerge\tlink\tcold\n' >"$tsv"
IFS=, read -ra mods <<<"$modules"
for mod in "${mods[@]}"; do
  wasm=$(fetch "$mod") || true
  if [ ! -f "$wasm" ]; then
    log "$mod: could not be fetched with npm; skipped"
    continue
  fi
  tiers="default fast"
  if [ "$mod" = yosys ]; then
    if [ -d "$share" ]; then
      train_yosys "$wasm"
      tiers="default all fast profiled"
    else
      log "yosys: no $share (scripts/fetch-real-programs.sh): no profiled tier"
    fi
  fi
  for round in $(seq "$rounds"); do
    for tier in $tiers; do
      flag=
      [ "$tier" = fast ] && flag=--fast
      [ "$tier" = all ] && flag=--optimize-all
      [ "$tier" = profiled ] && flag="--profile $out/compile/yosys.profile"
      log "$mod, $tier tier, round $round"
      err=$out/compile/$mod.$tier.err
      /usr/bin/time -f 'TIME %e %U %S %M' nice "$wasmaot" aot-compile --stats \
        $flag --jobs "$jobs" "$wasm" -o "$out/compile/$mod.$tier.so" 2>"$err"
      python3 - "$err" "$mod" "$tier" "$jobs" "$round" "$(stat -c %s "$wasm")" >>"$tsv" <<'PY'
import re, sys
err, mod, tier, jobs, rnd, size = sys.argv[1:]
text = open(err).read()
t = re.search(r"^TIME (\S+) (\S+) (\S+) (\S+)$", text, re.M)
phases = re.search(r"CPU seconds by phase: (.*)$", text, re.M).group(1)
ph = dict(x.strip().rsplit(" ", 1) for x in phases.split(","))
info = re.search(r"(\d+) functions, (\d+) bytes of code, in (\d+) piece", text)
cold = re.search(r"and (\d+) cold by the (?:profile|static estimate)", text)
names = ["decode", "validate", "IR build", "LLVM passes", "codegen", "merge", "link"]
row = [mod, tier, jobs, rnd, size, info.group(2),
       info.group(1), info.group(3), t.group(1),
       "%.2f" % (float(t.group(2)) + float(t.group(3))), t.group(4)]
row += [ph.get(n, "") for n in names]
row.append(cold.group(1) if cold else "0")
print("\t".join(row))
PY
    done
  done
  if [ "$mod" = yosys ] && [ -d "$share" ]; then
    time_yosys_runs $tiers
  fi
done
log "wrote $tsv"
