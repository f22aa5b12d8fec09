#!/usr/bin/env bash
# Exception cost, side by side in one run: a throw through DEPTH frames
# caught by the round's handler, and the same rounds without throwing, in
#   - wasmaot, legacy encoding (try/catch, bench/exceptions/legacy.wat)
#   - wasmaot, exnref encoding (try_table/catch, exnref.wat)
#   - native C++ (g++ -O2, bench/exceptions/throw.cc)
# each run REPEAT times, median taken. Reported: ns per throw+catch (the
# rounds' time minus the same rounds without throwing, per round) and the
# no-throw overhead of having a handler around the call (QUIET rounds
# with the handler and throw = 0 against the same loop without any).
#
#   bash bench/exceptions.sh [--build DIR] [--rounds N] [--quiet-rounds Q]
#                            [--depth D] [--repeat R]
#
# Defaults: build, 1000000 rounds, 50000000 quiet rounds, depth 5, 5
# repeats. Needs wat2wasm,
# node with .cache/wast-reader (scripts/setup.sh) and g++. Prints a
# Markdown table.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build rounds=1000000 quiet=50000000 depth=5 repeat=5
while [ $# -gt 0 ]; do
  case "$1" in
  --build) build=$(cd "$2" && pwd); shift 2 ;;
  --rounds) rounds=$2; shift 2 ;;
  --quiet-rounds) quiet=$2; shift 2 ;;
  --depth) depth=$2; shift 2 ;;
  --repeat) repeat=$2; shift 2 ;;
  -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "exceptions.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
wasmaot=$build/wasmaot
work=$build/bench/exceptions
mkdir -p "$work"
src=$top/bench/exceptions

wat2wasm --enable-exceptions "$src/legacy.wat" -o "$work/legacy.wasm"
# try_table is 3.0 text: wasm-tools reads it, through the spec reader.
cp "$src/exnref.wat" "$work/exnref.wast"
node "$top/tests/spec/wast_to_json.mjs" "$work/exnref.wast" \
  -o "$work/exnref.json" --wasm-tools "$top/.cache/wast-reader" >/dev/null
cp "$(ls "$work"/exnref.*.wasm | head -1)" "$work/exnref.wasm"
for m in legacy exnref; do
  "$wasmaot" aot-compile "$work/$m.wasm" -o "$work/$m.so"
done
g++ -O2 -o "$work/throw" "$src/throw.cc"

# Median wall seconds of REPEAT runs of a command; its output must be
# the same every time (the checksum).
median_s() {
  local times=() t0 t1 out
  for ((i = 0; i < repeat; i++)); do
    t0=$(date +%s%N)
    out=$("$@")
    t1=$(date +%s%N)
    times+=($(((t1 - t0) / 1000)))
    [ -z "${first_out:-}" ] && first_out=$out
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
run_wasm() { "$wasmaot" run --no-cache --invoke "$2" "$work/$1.so" "$3" "$depth" "$4"; }

# Microseconds: ROUNDS rounds throwing and not throwing; QUIET rounds
# not throwing, with the handler and without any.
declare -A us
for v in legacy exnref; do
  us[$v.throw]=$(median_s run_wasm "$v" "$v" "$rounds" 7)
  us[$v.nothrow]=$(median_s run_wasm "$v" "$v" "$rounds" 0)
  us[$v.quiet]=$(median_s run_wasm "$v" "$v" "$quiet" 0)
done
us[wasm.plain]=$(median_s run_wasm legacy plain "$quiet" 0)
us[native.throw]=$(median_s "$work/throw" catch "$rounds" "$depth" 7)
us[native.nothrow]=$(median_s "$work/throw" catch "$rounds" "$depth" 0)
us[native.quiet]=$(median_s "$work/throw" catch "$quiet" "$depth" 0)
us[native.plain]=$(median_s "$work/throw" plain "$quiet" "$depth" 0)

ns_per() { awk -v a="$1" -v b="$2" -v n="$rounds" 'BEGIN {printf "%.0f", (a - b) * 1000 / n}'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f %%", (a - b) * 100 / b}'; }
nat=$(ns_per "${us[native.throw]}" "${us[native.nothrow]}")
echo "Exceptions: $rounds rounds, a throw through $depth frames each;" \
  "no-throw overhead over $quiet rounds; median of $repeat runs" \
  "(wasmaot's include process start and artifact mapping). \"vs native\"" \
  "below 1 is faster than C++."
echo
echo "| variant | ns per throw+catch | vs native C++ | no-throw overhead of the handler |"
echo "|---|---|---|---|"
for v in legacy exnref; do
  t=$(ns_per "${us[$v.throw]}" "${us[$v.nothrow]}")
  ratio=$(awk -v a="$t" -v b="$nat" 'BEGIN {printf "%.2fx", a / b}')
  echo "| wasmaot, $v | $t | $ratio | $(pct "${us[$v.quiet]}" "${us[wasm.plain]}") |"
done
echo "| native C++ (g++ -O2) | $nat | 1.00x | $(pct "${us[native.quiet]}" "${us[native.plain]}") |"
