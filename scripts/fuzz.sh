#!/usr/bin/env bash
# Builds the decode + validate fuzzer with clang-19 (libFuzzer + ASan +
# UBSan) and runs it for SECONDS (default 60), seeded with every binary
# module of the spec suite (wasm-2.0 and the threads proposal's). Exits
# non-zero when the fuzzer finds a crash, leak or timeout; the reproducer
# is left in build-fuzz/. The mutation seed is fixed (FUZZ_SEED, default
# 1) so a CI run explores what a local run of the same length did; set
# FUZZ_SEED to explore elsewhere.
set -euo pipefail
seconds=${1:-60}
top=$(cd "$(dirname "$0")/.." && pwd)
spec=${SPEC_DIR:-$top/../shared/spec-testsuite}
out=$top/build-fuzz
mkdir -p "$out/seeds" "$out/corpus"

front=(wasm_error.c wasm_reader.c wasm_types.c wasm_type_relations.c wasm_module.c wasm_decode.c wasm_const_expr.c wasm_features.c wasm_instr.c wasm_validate.c)
srcs=()
for f in "${front[@]}"; do srcs+=("$top/frontend/$f"); done
clang-19 -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -I"$top/frontend" \
  "$top/tests/fuzz/fuzz_decode.c" "${srcs[@]}" -o "$out/fuzz_decode"

if [ -z "$(ls -A "$out/seeds")" ]; then
  tmp=$(mktemp -d)
  for w in "$spec"/wasm-2.0/*.wast; do
    stem=$(basename "$w" .wast)
    wast2json "$w" -o "$tmp/$stem.json" >/dev/null 2>&1 || true
  done
  # The threads proposal's modules seed the 0xFE page and shared limits.
  for w in "$spec"/proposals/threads/*.wast; do
    stem=threads-$(basename "$w" .wast)
    wast2json --enable-threads "$w" -o "$tmp/$stem.json" >/dev/null 2>&1 || true
  done
  # The 3.0 suite's modules (typed references, rec groups, ...), as a
  # build converted them, when it did.
  if [ -d "$top/build/tests/spec/wasm-3.0" ]; then
    find "$top/build/tests/spec/wasm-3.0" -name '*.wasm' -size -64k \
      -exec sh -c 'for f; do cp "$f" "$0/w3-$(basename "$(dirname "$f")")-$(basename "$f")"; done' "$tmp" {} +
  fi
  find "$tmp" -name '*.wasm' -size -64k -exec cp {} "$out/seeds/" \;
  rm -rf "$tmp"
fi

# The artifact loader (mapper, metadata, skeleton, data image), seeded
# with the artifacts a build left; it runs for half as long.
# The sources are those of the two libraries in loader/meson.build and of
# the shared formats (formats/meson.build), read from there so that the
# list cannot drift from the build's.
mapfile -t runtime < <(awk "/static_library\('wasmaot_(artifact_map|runtime)'/,/include_directories|c_args/" \
  "$top/loader/meson.build" | grep -o "'[a-z_0-9]*\.c'" | tr -d "'")
[ "${#runtime[@]}" -gt 10 ] || { echo "fuzz.sh: cannot read the runtime's sources from loader/meson.build" >&2; exit 1; }
rsrcs=()
for f in "${runtime[@]}"; do rsrcs+=("$top/loader/$f"); done
mapfile -t formats < <(awk "/static_library\('wasmaot_formats'/,/include_directories/" \
  "$top/formats/meson.build" | grep -o "'[a-z_0-9]*\.c'" | tr -d "'")
[ "${#formats[@]}" -gt 2 ] || { echo "fuzz.sh: cannot read the formats' sources from formats/meson.build" >&2; exit 1; }
for f in "${formats[@]}"; do rsrcs+=("$top/formats/$f"); done
version=$(sed -n "s/^ *version: '\([^']*\)'.*/\1/p" "$top/meson.build" | head -1)
clang-19 -std=c11 -D_GNU_SOURCE -DWASMAOT_VERSION="\"$version\"" -g -O1 \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$top/frontend" -I"$top/formats" -I"$top/loader" -I"$top/include" \
  "$top/tests/fuzz/fuzz_artifact.c" "${rsrcs[@]}" "${srcs[@]}" -pthread \
  -o "$out/fuzz_artifact"
mkdir -p "$out/artifact-seeds" "$out/artifact-corpus"
if [ -z "$(ls -A "$out/artifact-seeds")" ] && [ -d "$top/build/tests" ]; then
  find "$top/build/tests/loader" "$top/build/tests/wasi" "$top/build/tests/cli" \
    -name '*.so' -size -300k 2>/dev/null | head -40 |
    while read -r so; do cp "$so" "$out/artifact-seeds/$(echo "$so" | tr / _)"; done
fi

cd "$out"
echo "fuzz: decode+validate for ${seconds}s, $(ls seeds | wc -l) seeds" >&2
./fuzz_decode -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 corpus seeds 2>fuzz.log || {
  tail -40 fuzz.log >&2
  echo "fuzz: FAILED (reproducer in $out)" >&2
  exit 1
}
grep -E '^stat::number_of_executed_units|^stat::peak_rss' fuzz.log >&2 || true
echo "fuzz: no crash, leak or hang in ${seconds}s" >&2

half=$(( (seconds + 1) / 2 ))
echo "fuzz: artifact loader for ${half}s, $(ls artifact-seeds | wc -l) seeds" >&2
./fuzz_artifact -seed="${FUZZ_SEED:-1}" -max_total_time="$half" -timeout=10 -rss_limit_mb=4096 \
  -max_len=400000 -print_final_stats=1 artifact-corpus artifact-seeds \
  2>fuzz-artifact.log || {
  tail -40 fuzz-artifact.log >&2
  echo "fuzz: FAILED (reproducer in $out)" >&2
  exit 1
}
grep -E '^stat::number_of_executed_units|^stat::peak_rss' fuzz-artifact.log >&2 || true
echo "fuzz: artifact loader: no crash, leak or hang in ${half}s" >&2
