#!/usr/bin/env bash
# Builds the decode + validate fuzzer with clang-19 (libFuzzer + ASan +
# UBSan) and runs it for SECONDS (default 60), seeded with every binary
# module of the spec suite. Exits non-zero when the fuzzer finds a crash,
# leak or timeout; the reproducer is left in build-fuzz/.
set -euo pipefail
seconds=${1:-60}
top=$(cd "$(dirname "$0")/.." && pwd)
spec=${SPEC_DIR:-$top/../shared/spec-testsuite}
out=$top/build-fuzz
mkdir -p "$out/seeds" "$out/corpus"

front=(wasm_error.c wasm_reader.c wasm_module.c wasm_decode.c wasm_instr.c wasm_validate.c)
srcs=()
for f in "${front[@]}"; do srcs+=("$top/compiler/$f"); done
clang-19 -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -I"$top/compiler" \
  "$top/tests/fuzz/fuzz_decode.c" "${srcs[@]}" -o "$out/fuzz_decode"

if [ -z "$(ls -A "$out/seeds")" ]; then
  tmp=$(mktemp -d)
  for w in "$spec"/wasm-2.0/*.wast; do
    stem=$(basename "$w" .wast)
    wast2json "$w" -o "$tmp/$stem.json" >/dev/null 2>&1 || true
  done
  find "$tmp" -name '*.wasm' -size -64k -exec cp {} "$out/seeds/" \;
  rm -rf "$tmp"
fi

cd "$out"
echo "fuzz: decode+validate for ${seconds}s, $(ls seeds | wc -l) seeds" >&2
./fuzz_decode -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 corpus seeds 2>fuzz.log || {
  tail -40 fuzz.log >&2
  echo "fuzz: FAILED (reproducer in $out)" >&2
  exit 1
}
grep -E '^stat::number_of_executed_units|^stat::peak_rss' fuzz.log >&2 || true
echo "fuzz: no crash, leak or hang in ${seconds}s" >&2
