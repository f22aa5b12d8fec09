# Sourced by the tests of a large generated module (test_profile.sh,
# test_tiering.sh), with their arguments WASMAOT GEN_LARGE_MODULE.py
# WAT2WASM WORKDIR: a fresh WORKDIR holding large.wasm, and what its
# exports return for 7 in $want (run) and $want_cold (cold).
set -euo pipefail
wasmaot=$1 gen=$2 wat2wasm=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
want=$(python3 "$gen" "$work/large.wat" 7)
want_cold=$(python3 "$gen" "$work/large.wat" 7 cold)
"$wat2wasm" "$work/large.wat" -o "$work/large.wasm"
