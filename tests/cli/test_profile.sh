#!/usr/bin/env bash
# Profiles by hand (include/wasmaot.h, "Profiles"): `aot-compile --fast
# --count`, `run --profile-out`, `aot-compile --profile`. The counts add
# up over runs; only functions that ran are optimised; the artifact still
# computes the same; a profile of another module, a damaged one, or
# --profile-out on code that counts nothing are clear errors.
# Usage: test_profile.sh WASMAOT GEN_LARGE_MODULE.py WAT2WASM WORKDIR
source "$(dirname "$0")/large_module_lib.sh"

"$wasmaot" aot-compile --fast --count "$work/large.wasm" -o "$work/count.so"
for i in 1 2; do
  got=$("$wasmaot" run --profile-out "$work/p" --invoke run "$work/count.so" 7)
  [ "$got" = "$want" ] || fail "counting run $i: $got, want $want"
done
# Header (48 bytes), then a count per defined function: every function
# of the `run` chain was entered once per run, the `cold` chain never.
python3 - "$work/p" <<'PY' || fail "profile contents"
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"WAOTPRF2", b[:8]
size, n = struct.unpack_from("<II", b, 8)
counts = struct.unpack_from("<%dQ" % n, b, size)
assert len(b) == size + 8 * n, (len(b), size, n)
# f0..f2999, g0..g299, cold, huge, run, spin (gen_large_module.py)
assert n == 3000 + 300 + 4, n
assert all(c == 2 for c in counts[:3000]), counts[:10]
assert all(c == 0 for c in counts[3000:3301]), counts[3000:3010]
assert counts[3301] == 2 and counts[3302] == 2 and counts[3303] == 0, \
    counts[3301:]
PY

"$wasmaot" aot-compile --profile "$work/p" --stats "$work/large.wasm" \
  -o "$work/hot.so" 2>"$work/hot.stats"
grep -q 'and 302 cold by the profile' "$work/hot.stats" ||
  fail "cold functions: $(cat "$work/hot.stats")"
# The cold ones are all integer code: the baseline generator's, on x86-64.
if [ "$(uname -m)" = x86_64 ]; then
  grep -q ', 302 by the baseline generator' "$work/hot.stats" ||
    fail "cold functions by the baseline generator: $(cat "$work/hot.stats")"
fi
got=$("$wasmaot" run --invoke run "$work/hot.so" 7)
[ "$got" = "$want" ] || fail "profiled artifact, run: $got"
got=$("$wasmaot" run --invoke cold "$work/hot.so" 7)
[ "$got" = "$want_cold" ] || fail "profiled artifact, cold: $got, want $want_cold"
# The same profile gives the same bytes, whatever --jobs.
"$wasmaot" aot-compile --profile "$work/p" --jobs 1 "$work/large.wasm" -o "$work/hot1.so"
cmp -s "$work/hot.so" "$work/hot1.so" || fail "profiled artifacts differ with --jobs 1"

# Errors.
python3 "$gen" "$work/other.wat" 7 >/dev/null
sed -i 's/i32.const 3)/i32.const 5)/' "$work/other.wat"
"$wat2wasm" "$work/other.wat" -o "$work/other.wasm"
if "$wasmaot" aot-compile --profile "$work/p" "$work/other.wasm" -o "$work/x.so" 2>"$work/e1"; then
  fail "a profile of another module was taken"
fi
grep -q 'profile is of another module' "$work/e1" || fail "other module: $(cat "$work/e1")"
head -c 100 "$work/p" >"$work/short"
if "$wasmaot" aot-compile --profile "$work/short" "$work/large.wasm" -o "$work/x.so" 2>"$work/e2"; then
  fail "a truncated profile was taken"
fi
grep -q 'profile is truncated' "$work/e2" || fail "truncated: $(cat "$work/e2")"
if "$wasmaot" aot-compile --profile "$work/absent" "$work/large.wasm" -o "$work/x.so" 2>"$work/e3"; then
  fail "a missing profile was accepted"
fi
grep -q 'absent: cannot open' "$work/e3" || fail "missing: $(cat "$work/e3")"
if "$wasmaot" run --profile-out "$work/q" --invoke run "$work/hot.so" 7 2>"$work/e4"; then
  fail "--profile-out of code that counts nothing"
fi
grep -q 'counts nothing' "$work/e4" || fail "not counting: $(cat "$work/e4")"
# A profile file of another module is not counted into.
"$wasmaot" aot-compile --fast --count "$work/other.wasm" -o "$work/other.so"
if "$wasmaot" run --profile-out "$work/p" --invoke run "$work/other.so" 7 2>"$work/e5"; then
  fail "counted into another module's profile"
fi
grep -q 'profile is of another module' "$work/e5" || fail "other profile: $(cat "$work/e5")"
[ ! -e "$work/x.so" ] || fail "a failed compile wrote its output"
echo "ok: profiles"
