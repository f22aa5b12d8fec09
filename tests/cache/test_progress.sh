#!/usr/bin/env bash
# The progress bar of a cache miss: drawn on a terminal for a large module
# (here under `script`, which gives the command a pseudo-terminal), and
# erased when done; absent when stderr is not a terminal. Skips (77)
# without `script`.
# Usage: test_progress.sh WASMAOT LARGE.wasm WORKDIR
set -euo pipefail
wasmaot=$1 wasm=$2 work=$3
source "$(dirname "$0")/lib.sh"
rm -rf "$work"
mkdir -p "$work"
command -v script >/dev/null || { echo "SKIP: no script(1)"; exit 77; }
[ "$(stat -c %s "$wasm")" -ge 65536 ] || fail "$wasm is not large"
want=$("$wasmaot" run --no-cache "$wasm" 2>"$work/plain.err")
[ ! -s "$work/plain.err" ] || fail "stderr not a terminal, yet: $(cat "$work/plain.err")"

TERM=xterm script -qec "$wasmaot run --cache-dir $work/cache $wasm" \
  /dev/null >"$work/tty" </dev/null
tr '\r' '\n' <"$work/tty" >"$work/lines"
name=$(basename "$wasm")
for phase in lowering optimising 'generating code' linking; do
  grep -Eq "^.\\[Kcompiling $name \\[[#.]{30}\\] +[0-9]+% $phase\$" \
    "$work/lines" || fail "no '$phase' line in: $(cat -v "$work/tty")"
done
grep -q '100% linking' "$work/lines" || fail "never reached 100%"
grep -qF "$want" "$work/lines" || fail "the program's output is missing"
# A warm start draws nothing.
TERM=xterm script -qec "$wasmaot run --cache-dir $work/cache $wasm" \
  /dev/null >"$work/tty2" </dev/null
if grep -q compiling "$work/tty2"; then fail "a cache hit drew a bar"; fi
echo "progress bar: all checks passed"
