#!/usr/bin/env bash
# The aarch64 cross test (docs/cross.md): everything that runs on aarch64
# is cross-built here and runs under qemu-aarch64-static; everything that
# compiles Wasm runs on this (x86_64) machine, with `--target aarch64`.
#
#   run_cross.sh SRC_DIR WORK_DIR WASMAOT HELLO.wasm WASI_GUEST_DIR \
#                SPEC_RUNNER WAST2JSON SPEC_DIR WASI_TESTSUITE_DIR \
#                [WAST_TO_JSON WAST_READER_DIR]
#
#   1. cross-builds the loader side (-Dcompiler=disabled) into
#      WORK_DIR/build-aarch64 and runs its own tests under qemu: unit,
#      loader (traps, memory, CPU features), the ELF linker and mapper
#      (the linker's AArch64 output, loaded by our mapper and by dlopen);
#   2. compiles examples/hello for aarch64 and runs it;
#   3. compiles the WASI guests for aarch64 and runs tests/wasi's
#      scenarios on them through the aarch64 `wasmaot run`;
#   4. compiles every module of the wasm-2.0 spec suite for aarch64
#      (spec_runner --compile-only) and runs the suite on aarch64
#      (spec_runner --precompiled). WASMAOT_CROSS_SPEC_FILTER="i32.wast
#      simd_*" narrows it to some scripts.
#   5. the same for the threads proposal's spec scripts, and for the
#      wasm-3.0 suite's folders (read by tests/spec/wast_to_json.mjs with
#      the skip list, as spec-wasm-3.0*; not run without node and the
#      script reader; WASMAOT_CROSS_SPEC3_FOLDERS="memory64 top" picks
#      folders, top being the top level);
#   6. compiles the official WASI test suite's preview 1 tests (c, rust,
#      assemblyscript) and its wasi-threads tests for aarch64 and runs
#      them through the aarch64 `wasmaot run` (tests/wasi-testsuite).
# Exits 77 (skipped) when the cross compiler or qemu is missing.
set -uo pipefail

src=$1 work=$2 wasmaot=$3 hello=$4 guests_in=$5 spec_runner=$6
wast2json=$7 spec_dir=$8 wasi_testsuite_dir=$9 wast_to_json=${10:-}
wast_reader_dir=${11:-}
cross=$work/build-aarch64
qemu=(qemu-aarch64-static -cpu cortex-a72)
jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -le 2 ] || jobs=2 # the machine is shared: keep to two cores
failures=0
started=$(date +%s)

skip() {
  echo "SKIP: $*; run scripts/setup.sh to install it (docs/cross.md)"
  exit 77
}
command -v aarch64-linux-gnu-gcc >/dev/null ||
  skip "no aarch64 cross compiler (aarch64-linux-gnu-gcc)"
command -v qemu-aarch64-static >/dev/null ||
  skip "no qemu-aarch64-static"
[ -e /lib/ld-linux-aarch64.so.1 ] ||
  skip "no aarch64 C library for qemu (libc6:arm64)"
PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig pkg-config --exists cmocka ||
  skip "no cmocka for aarch64 (libcmocka-dev:arm64)"

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

phase() {
  echo
  echo "== $* ($(($(date +%s) - started))s)"
}

mkdir -p "$work"

phase "cross build: $cross"
if [ ! -d "$cross/meson-info" ]; then
  meson setup "$cross" "$src" --werror \
    --cross-file "$src/scripts/aarch64-cross.ini" >"$work/setup.log" 2>&1 || {
    cat "$work/setup.log"
    echo "FAIL: cannot configure the aarch64 build"
    exit 1
  }
fi
if ! meson compile -C "$cross" -j "$jobs" >"$work/compile.log" 2>&1; then
  tail -n 40 "$work/compile.log"
  echo "FAIL: the aarch64 build does not compile"
  exit 1
fi
file "$cross/wasmaot" | grep -q 'ARM aarch64' ||
  fail "$cross/wasmaot is not an aarch64 executable"

phase "the aarch64 build's own tests, under qemu"
if ! meson test -C "$cross" --num-processes "$jobs" --timeout-multiplier 4 \
  --print-errorlogs >"$work/cross-tests.log" 2>&1; then
  cat "$work/cross-tests.log"
  fail "tests of the aarch64 build"
fi
grep -E '^ *[0-9]+/[0-9]+ ' "$work/cross-tests.log"
cross_ok=$(sed -nE 's/^Ok: +([0-9]+).*/\1/p' "$work/cross-tests.log")
cross_total=$(grep -cE '^ *[0-9]+/[0-9]+ ' "$work/cross-tests.log")

phase "hello: compiled here for aarch64, run under qemu"
"$wasmaot" aot-compile --target aarch64-linux-gnu "$hello" -o "$work/hello.so" ||
  fail "aot-compile --target aarch64-linux-gnu hello.wasm"
readelf -h "$work/hello.so" | grep -q 'Machine:.*AArch64' ||
  fail "hello.so is not an AArch64 ELF"
out=$("${qemu[@]}" "$cross/wasmaot" run "$work/hello.so" 2>&1)
status=$?
echo "$out"
[ "$status" -eq 0 ] || fail "hello exited $status under qemu"
grep -q '^Hello from WebAssembly' <<<"$out" || fail "hello printed no greeting"

phase "WASI guests: compiled here for aarch64, tests/wasi scenarios under qemu"
guests=$work/wasi-guests
mkdir -p "$guests"
for name in clock_random fd_io dir_ops sandbox poll proc sock chaos reactor \
  stdio_renumber threads; do
  "$wasmaot" aot-compile --target aarch64-linux-gnu "$guests_in/$name.wasm" \
    -o "$guests/$name.so" || fail "aot-compile --target aarch64 $name.wasm"
done
# run_guest.sh calls "$WASMAOT run ...": give it the aarch64 one, in qemu.
wrapper=$work/wasmaot-aarch64
printf '#!/bin/sh\nexec %s "%s" "$@"\n' "${qemu[*]}" "$cross/wasmaot" >"$wrapper"
chmod +x "$wrapper"
wasi_passed=0 wasi_failed=0
# Not args_env: it also runs a .wasm, which needs the compiler in-process.
for scenario in clock_random fd_io dir_ops sandbox poll proc sock chaos cli \
  stdio_renumber threads; do
  if bash "$src/tests/wasi/run_guest.sh" "$wrapper" "$guests" "$scenario"; then
    wasi_passed=$((wasi_passed + 1))
  else
    wasi_failed=$((wasi_failed + 1))
    fail "WASI scenario $scenario under qemu"
  fi
done

phase "spec suite: modules compiled here for aarch64"
spec_work=$work/spec-aarch64
selected() {
  local - glob
  set -f # split the filter into words, but expand no glob here
  [ -z "${WASMAOT_CROSS_SPEC_FILTER:-}" ] && return 0
  for glob in $WASMAOT_CROSS_SPEC_FILTER; do
    # shellcheck disable=SC2053 # a glob on purpose
    [[ $1 == $glob ]] && return 0
  done
  return 1
}
scripts=()
for wast in "$spec_dir"/wasm-2.0/*.wast; do
  name=${wast##*/}
  selected "$name" && scripts+=("$name")
done
filters=()
for name in "${scripts[@]}"; do
  filters+=(--filter "$name")
done
[ "${#scripts[@]}" -gt 0 ] || fail "no spec script selected"
# As spec-wasm-2.0: the 2.0 suite calls a shared memory's flag, memory
# index bytes other than 0 and u32 memarg offsets with unused bits set
# malformed (tests/spec/meson.build).
if ! "$spec_runner" --compile-only --target aarch64-linux-gnu \
  --wast2json "$wast2json" --wasm-features=-threads,-multi-memory,-memory64 "${filters[@]}" \
  "$spec_dir/wasm-2.0" "$spec_work" \
  >"$work/spec-compile.log" 2>&1; then
  grep -vE ': [0-9]+ compiled, 0 refused, 0 errors$' "$work/spec-compile.log"
  fail "spec modules did not all compile for aarch64"
fi
tail -n 1 "$work/spec-compile.log"

phase "spec suite: run on aarch64 under qemu, a process per script"
# qemu-user keeps a descriptor for every guest page a process has ever
# reserved and never frees it; each Wasm memory reserves 8 GiB, which
# costs qemu ~48 MB. One process per script bounds that to what a script
# needs (about 2.3 GB for simd_align.wast) instead of ~20 GB for the suite.
# Runs each named script (compiled into OUT) in a qemu process of its
# own, adding to run_passed/run_failed/run_skipped and appending to LOG.
#   run_scripts_on_aarch64 LABEL LOG NAME... -- RUNNER_ARGS...
run_scripts_on_aarch64() {
  local label=$1 log=$2 names=() name counts p f k
  shift 2
  while [ "$1" != -- ]; do names+=("$1"); shift; done
  shift
  for name in "${names[@]}"; do
    "${qemu[@]}" "$cross/tests/spec/spec_runner" --precompiled \
      --filter "$name" "$@" >"$work/spec-one.log" 2>&1
    cat "$work/spec-one.log" >>"$log"
    counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' \
      "$work/spec-one.log" | tail -n 1)
    if [ -z "$counts" ]; then
      cat "$work/spec-one.log"
      fail "$label/$name: the aarch64 spec runner printed no result"
      continue
    fi
    read -r p _ f _ k _ <<<"$counts"
    run_passed=$((run_passed + p))
    run_failed=$((run_failed + f))
    run_skipped=$((run_skipped + k))
    if [ "$f" -ne 0 ]; then
      grep -vE '^(skipped:|[0-9]+ passed, )' "$work/spec-one.log"
      fail "$label/$name on aarch64: $f failed"
    fi
  done
}
run_counts() { echo "$run_passed passed, $run_failed failed, $run_skipped skipped"; }
: >"$work/spec-run.log"
run_passed=0 run_failed=0 run_skipped=0
run_scripts_on_aarch64 wasm-2.0 "$work/spec-run.log" "${scripts[@]}" -- \
  --wasm-features=-threads,-multi-memory,-memory64 "$spec_dir/wasm-2.0" \
  "$spec_work"
spec_counts=$(run_counts)
echo "${#scripts[@]} scripts: $spec_counts"

phase "threads spec suite: compiled here for aarch64, run under qemu"
# Compiles the scripts of DIR here for aarch64 into OUT, then runs each
# under qemu (run_scripts_on_aarch64).
#   compile_and_run_on_aarch64 LABEL DIR OUT RUNNER_FLAGS...
compile_and_run_on_aarch64() {
  local label=$1 dir=$2 out=$3 json names=()
  shift 3
  if ! "$spec_runner" --compile-only --target aarch64-linux-gnu "$@" \
    "$dir" "$out" >"$work/spec-compile-one.log" 2>&1; then
    grep -vE ': [0-9]+ compiled, 0 refused, 0 errors$' \
      "$work/spec-compile-one.log"
    fail "$label modules did not all compile for aarch64"
  fi
  for json in "$out"/*/*.json; do
    [ -e "$json" ] && names+=("$(basename "$json" .json).wast")
  done
  run_scripts_on_aarch64 "$label" "$work/spec-run-more.log" "${names[@]}" \
    -- "$@" "$dir" "$out"
}
run_passed=0 run_failed=0 run_skipped=0
compile_and_run_on_aarch64 threads "$spec_dir/proposals/threads" \
  "$work/spec-threads-aarch64" --wast2json "$wast2json" \
  --wast2json-flag=--enable-threads \
  --skip-list "$src/tests/spec/threads.skips"
threads_counts=$(run_counts)
echo "threads: $threads_counts"

phase "wasm-3.0 spec suite: compiled here for aarch64, run under qemu"
# The flags for a wasm-3.0 folder: its scripts read by the 3.0 reader,
# the legacy exception syntax by wabt, as in tests/spec.
spec3_flags=(--wast2json "$wast_to_json"
  --wast2json-flag=--wasm-tools="$wast_reader_dir")
if command -v wat2wasm >/dev/null; then
  spec3_flags+=(--wast2json-flag=--wat2wasm="$(command -v wat2wasm)")
fi
spec3_total="" own_total=""
if [ -z "$wast_to_json" ] || [ ! -d "$wast_reader_dir" ]; then
  echo "not run: no wasm-3.0 script reader (node, .cache/wast-reader)"
else
  run_passed=0 run_failed=0 run_skipped=0
  folders=${WASMAOT_CROSS_SPEC3_FOLDERS:-top bulk-memory exceptions gc \
    legacy-exceptions memory64 multi-memory relaxed-simd simd}
  for folder in $folders; do
    path=$folder
    [ "$folder" = top ] && path=
    compile_and_run_on_aarch64 "wasm-3.0/$folder" "$spec_dir/wasm-3.0/$path" \
      "$work/spec3-aarch64/$folder" "${spec3_flags[@]}" \
      --skip-list "$src/tests/spec/wasm-3.0.skips" --suite-path "$path"
  done
  spec3_total=$(run_counts)
  echo "wasm-3.0 ($(echo $folders)): $spec3_total"
  # Our own 3.0 scripts: memory64's wrap-arounds and growth, tail calls
  # of different types millions deep (AArch64's tailcc), declared
  # subtypes through call_indirect and imports, exceptions of both
  # encodings through the aarch64 unwinder.
  run_passed=0 run_failed=0 run_skipped=0
  for own in memory64 tail-call function-references exceptions; do
    compile_and_run_on_aarch64 "tests/spec/$own" "$src/tests/spec/$own" \
      "$work/spec3-own/$own" "${spec3_flags[@]}"
  done
  own_total=$(run_counts)
  echo "tests/spec memory64, tail-call, function-references, exceptions: $own_total"
fi

phase "WASI test suite: compiled here for aarch64, run under qemu"
suites=$wasi_testsuite_dir/tests
# The runner compiles each test once per cache directory: start it empty,
# so that no artifact of an earlier build (another format) is reused.
rm -rf "$work/wasi-testsuite"
python3 "$src/tests/wasi-testsuite/run_wasi_testsuite.py" \
  --wasmaot "$wrapper" --compiler "$wasmaot" --target aarch64-linux-gnu \
  --cache-dir "$work/wasi-testsuite" \
  --expectations "$src/tests/wasi-testsuite/expectations.toml" \
  "$suites/c/testsuite/wasm32-wasip1" "$suites/rust/testsuite/wasm32-wasip1" \
  "$suites/assemblyscript/testsuite/wasm32-wasip1" \
  "$suites/proposals/wasi-threads" >"$work/wasi-testsuite.log" 2>&1
wasi_suite_status=$?
grep -vE '^(PASS|SKIP) ' "$work/wasi-testsuite.log"
[ "$wasi_suite_status" -eq 0 ] || fail "the WASI test suite on aarch64"
wasi_suite_counts=$(grep -E '^[0-9]+ passed, ' "$work/wasi-testsuite.log" | tail -1)

phase "summary"
echo "aarch64 build tests: ${cross_ok:-0} of ${cross_total:-0} ok"
echo "hello: $([ "$status" -eq 0 ] && echo ok || echo failed)"
echo "WASI scenarios: $wasi_passed passed, $wasi_failed failed"
echo "spec wasm-2.0 on aarch64: ${spec_counts:-no result}"
echo "spec threads on aarch64: ${threads_counts:-no result}"
echo "spec wasm-3.0 on aarch64: ${spec3_total:-not run}"
echo "own memory64, tail-call, function-references and exceptions scripts on aarch64: ${own_total:-not run}"
echo "WASI test suite on aarch64: ${wasi_suite_counts:-no result}"
echo "cross test took $(($(date +%s) - started))s"
if [ "$failures" -ne 0 ]; then
  echo "cross: $failures failure(s)"
  exit 1
fi
echo "cross: ok"
