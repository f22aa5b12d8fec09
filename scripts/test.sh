#!/usr/bin/env bash
# Installs what is missing, builds wasmaot with -Werror, and runs every
# test: unit, spec suite, the official WASI test suite, real programs from
# npm, aarch64 under qemu (the cross test builds its own aarch64 loader
# inside build/), the same again under ASan + UBSan, and a short fuzzing
# run. This is the README's test command and what CI runs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/setup.sh

echo "== build (release checks, -Werror)"
[ -d build/meson-info ] || meson setup build --werror --native-file scripts/llvm-19.ini >/dev/null
meson compile -C build
meson test -C build --print-errorlogs --num-processes 2

echo "== build (ASan + UBSan)"
[ -d build-asan/meson-info ] || meson setup build-asan --werror --native-file scripts/llvm-19.ini \
  -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug >/dev/null
# use_tls=0: LeakSanitizer's tracer (GCC 12's runtime, glibc 2.36) crashes
# scanning a bogus dynamic-TLS range of processes that dlopen the compiler
# plug-in (libLLVM): "Tracer caught signal 11", in the WASI suite and in
# aot-compile. Without TLS as roots it can only report more, never less
# (its built-in suppression covers glibc's own DTLS blocks; print_suppressions=0
# keeps its note about that off the stderr the tests compare). The build
# needs it too: it compiles the test guests with the ASan `wasmaot`.
export LSAN_OPTIONS=use_tls=0:print_suppressions=0
meson compile -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2

echo "== fuzz"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"

# One closing summary: the spec runner's own counts and meson's totals.
# A spec test's counts are the first such line after its "test:" header
# (several spec tests write one: the whole suite, the baseline-CPU run).
spec_counts() {
  awk -v name="$1" '$1 == "test:" { mine = ($NF == name) }
    mine && /^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped/ { print; exit }' \
    build/meson-logs/testlog.txt
}
echo "wasm-2.0 spec suite:"
echo "spec: $(spec_counts spec-wasm-2.0)"
echo "float scripts for the x86-64 baseline CPU: $(spec_counts spec-baseline-float)"
echo "the same through large modules' pieces: $(spec_counts spec-wasm-2.0-pieces)"
echo "the same at the fast tier (--fast): $(spec_counts spec-wasm-2.0-fast)"
# WebAssembly 3.0, a test per folder (docs/spec-reader.md); skipped
# includes the commands tests/spec/wasm-3.0.skips lists as not implemented.
echo "wasm-3.0 spec suite:"
for folder in '' bulk-memory exceptions gc legacy-exceptions memory64 \
  multi-memory relaxed-simd simd; do
  name=spec-wasm-3.0${folder:+-$folder}
  echo "${folder:-top level}: $(spec_counts "$name")"
done
# The cross test's count of the same suite run on aarch64 under qemu
# (tests/cross/run_cross.sh, docs/cross.md).
cross_line=$(grep -h '^spec wasm-2.0 on aarch64: ' build/meson-logs/testlog.txt | tail -1 || true)
[ -n "$cross_line" ] || cross_line="skipped (see the cross-aarch64 test's log)"
echo "aarch64 (qemu): ${cross_line#spec wasm-2.0 on aarch64: }"
# The official WASI test suite, per suite, in each build (runner:
# tests/wasi-testsuite), and on aarch64 under qemu.
for d in build build-asan; do
  awk -v d="$d" '$1 == "test:" { mine = ($NF == "wasi-testsuite") }
    mine && /^WASI .*: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ {
      print "wasi-testsuite (" d "): " $0 }' "$d/meson-logs/testlog.txt"
done
wasi_cross=$(grep -h '^WASI test suite on aarch64: ' build/meson-logs/testlog.txt | tail -1 || true)
echo "wasi-testsuite (aarch64, qemu): ${wasi_cross#WASI test suite on aarch64: }"
# The real programs from npm (tests/real-programs).
grep -hE '^(flite|fpga): [0-9]+ passed, [0-9]+ failed$' build/meson-logs/testlog.txt |
  sed 's/^/real programs, /' || true
total=0
for d in build build-asan; do
  n=$(sed -nE 's/^Ok: +([0-9]+).*/\1/p' "$d/meson-logs/testlog.txt" | tail -1)
  total=$((total + ${n:-0}))
done
echo "meson: $total passed, 0 failed"
