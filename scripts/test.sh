#!/usr/bin/env bash
# Installs what is missing, builds wasmaot with -Werror, and runs every
# test: unit, spec suite, the same again under ASan + UBSan, and a short
# fuzzing run. This is the README's test command and what CI runs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/setup.sh

echo "== build (release checks, -Werror)"
[ -d build/meson-info ] || meson setup build --werror >/dev/null
meson compile -C build
meson test -C build --print-errorlogs --num-processes 2

echo "== build (ASan + UBSan)"
[ -d build-asan/meson-info ] || meson setup build-asan --werror \
  -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug >/dev/null
meson compile -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2

echo "== fuzz"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
echo "== all tests passed"
