#!/usr/bin/env bash
# Tiering on a cache miss (cache/run_source.h): a large .wasm runs the
# fast tier, counting, at once, while a detached process waits for the run
# to end and compiles the optimised tier from its profile into the cache;
# the next run maps that. --tier and WASMAOT_TIER choose
# optimised-only or fast-only; `cache list` and `run -v` show the tier.
# Usage: test_tiering.sh WASMAOT GEN_LARGE_MODULE.py WAT2WASM WORKDIR
source "$(dirname "$0")/large_module_lib.sh"
# A run does enough for its profile to be taken when it spins this many
# times (RUN_TIER_MIN_PROFILE_COUNTS is 10^7).
spins=20000000
want_spin=$(python3 "$gen" "$work/spin.wat" $spins spin)
entries() { find "$1" -name '*.so' | wc -l; }
# busy DIR: some build lock under DIR is held (a compile is running).
busy() {
  local l
  for l in $(find "$1" -name '*.lock'); do
    flock -n "$l" true || return 0
  done
  return 1
}
# wait_for DIR N: until DIR holds N entries and no compile runs there.
wait_for() {
  for _ in $(seq 1500); do
    if [ "$(entries "$1")" -ge "$2" ] && ! busy "$1"; then return 0; fi
    sleep 0.2
  done
  fail "$1 never held $2 entries: $(find "$1")"
}

# Tiered (the default): the fast tier now, the optimised one for later.
c=$work/tiered
# A run that does little leaves its counts for later runs to add to:
# no optimised entry yet.
got=$("$wasmaot" run -v --cache-dir "$c" --invoke run "$work/large.wasm" 7 2>"$work/short.err")
[ "$got" = "$want" ] || fail "tiered short run: $got, want $want"
grep -q "tier: running the fast tier.*from this run's profile" "$work/short.err" || fail "short run: $(cat "$work/short.err")"
wait_for "$c" 1
[ "$(entries "$c")" = 1 ] || fail "a profile of 3,000 counts was taken: $(find "$c")"
[ -n "$(find "$c" -name '*.counts')" ] || fail "the short run's counts were dropped"
got=$("$wasmaot" run -v --cache-dir "$c" --invoke spin "$work/large.wasm" $spins 2>"$work/first.err")
[ "$got" = "$want_spin" ] || fail "tiered first run: $got, want $want_spin"
grep -q "tier: running the fast tier.*from this run's profile" "$work/first.err" || fail "first run: $(cat "$work/first.err")"
wait_for "$c" 2
"$wasmaot" cache --cache-dir "$c" list >"$work/list"
grep -Eq ' fast +[0-9]+ ' "$work/list" || fail "no fast entry: $(cat "$work/list")"
# `run` never calls the `cold` chain: those functions are generated fast.
grep -Eq ' -O2 hot +[0-9]+ ' "$work/list" || fail "no profiled -O2 entry: $(cat "$work/list")"
[ -z "$(find "$c" -name '*.counts')" ] || fail "the profile was left: $(find "$c")"
got=$("$wasmaot" run -v --cache-dir "$c" --invoke run "$work/large.wasm" 7 2>"$work/second.err")
[ "$got" = "$want" ] || fail "tiered second run: $got"
grep -q "tier: optimised where an earlier run's profile found it hot" "$work/second.err" || fail "second run: $(cat "$work/second.err")"
got=$("$wasmaot" run --cache-dir "$c" --invoke cold "$work/large.wasm" 7)
[ "$got" = "$want_cold" ] || fail "the cold functions of the profiled entry: $got, want $want_cold"

# A damaged counts file (a crash, a hostile writer) is replaced, not
# trusted: with the profiled entry gone, the next run rebuilds it.
entry=$(sed -n 's/.*compiled in the background into \(.*\.so\),.*/\1/p' "$work/first.err")
[ -f "$entry" ] || fail "no profiled entry named in: $(cat "$work/first.err")"
rm -f "$entry"
head -c 1000 /dev/urandom >"${entry%.so}.counts"
got=$("$wasmaot" run -v --cache-dir "$c" --invoke spin "$work/large.wasm" $spins 2>"$work/third.err")
[ "$got" = "$want_spin" ] || fail "run with a damaged counts file: $got"
grep -q "from this run's profile" "$work/third.err" || fail "damaged counts: $(cat "$work/third.err")"
wait_for "$c" 2
"$wasmaot" cache --cache-dir "$c" list | grep -Eq ' -O2 hot +[0-9]+ ' || fail "not rebuilt from a new profile"

# Concurrent cold starts: every one runs, and the optimised tier is built
# once (one profiled -O2 entry, one fast entry, nothing else).
c=$work/concurrent
for i in 1 2 3 4; do
  "$wasmaot" run --cache-dir "$c" --invoke spin "$work/large.wasm" $spins >"$work/c$i.out" &
done
wait
for i in 1 2 3 4; do [ "$(cat "$work/c$i.out")" = "$want_spin" ] || fail "concurrent run $i"; done
wait_for "$c" 2
[ "$(entries "$c")" = 2 ] || fail "concurrent: $(find "$c" -name '*.so')"

# --tier fast: no background compile.
c=$work/fast
got=$("$wasmaot" run --tier fast --cache-dir "$c" --invoke run "$work/large.wasm" 7)
[ "$got" = "$want" ] || fail "--tier fast: $got"
sleep 2
[ "$(entries "$c")" = 1 ] || fail "--tier fast left: $(find "$c" -name '*.so')"
"$wasmaot" cache --cache-dir "$c" list | grep -Eq ' fast +[0-9]+ ' || fail "--tier fast entry"

# WASMAOT_TIER=optimized: waits for -O2, nothing else.
c=$work/optimized
got=$(WASMAOT_TIER=optimized "$wasmaot" run --cache-dir "$c" --invoke run "$work/large.wasm" 7)
[ "$got" = "$want" ] || fail "optimized: $got"
[ "$(entries "$c")" = 1 ] || fail "optimized left: $(find "$c" -name '*.so')"
"$wasmaot" cache --cache-dir "$c" list | grep -Eq ' -O2 +[0-9]+ ' || fail "optimized entry"
if "$wasmaot" run --tier slow --invoke run "$work/large.wasm" 7 2>/dev/null; then
  fail "--tier slow was accepted"
fi
echo "ok: tiering"
