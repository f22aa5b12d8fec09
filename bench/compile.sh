#!/usr/bin/env bash
# Compile-speed benchmark: real programs published on npm (versions
# pinned), compiled by `wasmaot aot-compile --stats` at the default tier
# and at the fast tier (--fast). Records wall time, CPU time (user+sys),
# peak RSS and the per-phase CPU seconds of --stats, one TSV row per
# compile, into OUT/compile.tsv; bench/compile_report.py turns it into
# the "Compile speed" section of docs/benchmarks.md (bench/run.sh runs
# both for sql-wasm).
#
#   bash bench/compile.sh [--build DIR] [--out DIR] [--modules LIST]
#                         [--rounds N] [--jobs N]
#
# --modules LIST  comma-separated, of: sql (sql.js 1.17.0, SQLite, 0.7 MB),
#                 yosys (@yowasp/yosys 0.55.944, 30.8 MB: about 7 min at
#                 the default tier on 2 cores) (default: sql)
# --rounds N      compiles per module and tier (default 2; the median is
#                 reported)
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
  -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

tsv=$out/compile.tsv
printf 'module\ttier\tjobs\tround\twasm_bytes\tcode_bytes\tfunctions\tpieces\twall_s\tcpu_s\trss_kb\tdecode\tvalidate\tir\tpasses\tcodegen\tmerge\tlink\n' >"$tsv"
IFS=, read -ra mods <<<"$modules"
for mod in "${mods[@]}"; do
  wasm=$(fetch "$mod") || true
  if [ ! -f "$wasm" ]; then
    log "$mod: could not be fetched with npm; skipped"
    continue
  fi
  for round in $(seq "$rounds"); do
    for tier in default fast; do
      flag=
      [ "$tier" = fast ] && flag=--fast
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
names = ["decode", "validate", "IR build", "LLVM passes", "codegen", "merge", "link"]
row = [mod, tier, jobs, rnd, size, info.group(2),
       info.group(1), info.group(3), t.group(1),
       "%.2f" % (float(t.group(2)) + float(t.group(3))), t.group(4)]
row += [ph.get(n, "") for n in names]
print("\t".join(row))
PY
    done
  done
done
log "wrote $tsv"
