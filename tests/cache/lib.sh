# Shared by the cache and bundle tests: failure reporting and small
# helpers. Sourced; expects $wasmaot and $work.

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_out WANT COMMAND...: COMMAND succeeds and prints exactly WANT.
expect_out() {
  local want=$1 got
  shift
  got=$("$@") || fail "$* exited $?"
  [ "$got" = "$want" ] || fail "$*: expected '$want', got '$got'"
}

# expect_fail STATUS PATTERN COMMAND...: COMMAND exits STATUS with a line
# matching PATTERN (grep -E) on stderr. Never a crash: STATUS is checked
# exactly.
expect_fail() {
  local want=$1 pattern=$2 status=0
  shift 2
  "$@" >"$work/out" 2>"$work/err" || status=$?
  [ "$status" = "$want" ] ||
    fail "$*: exit status $status, want $want; stderr: $(cat "$work/err")"
  grep -Eq "$pattern" "$work/err" ||
    fail "$*: stderr lacks /$pattern/: $(cat "$work/err")"
}

# The cache entries (*.so) under a cache directory, one per line.
entries() {
  find "$1" -name '*.so' -type f 2>/dev/null | sort
}

count_entries() {
  entries "$1" | grep -c . || true
}

# flip_byte FILE OFFSET: inverts one bit of the byte at OFFSET.
flip_byte() {
  local byte
  byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "$(printf '\\%03o' $((byte ^ 16)))" |
    dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# A compiler path that cannot be loaded: a run that needed the compiler
# fails with it set.
no_compiler=/nonexistent/libwasmaot-compiler.so

host_arch=$(uname -m)
case $host_arch in
  x86_64) host_triple=x86_64-linux-gnu foreign_triple=aarch64-linux-gnu ;;
  aarch64) host_triple=aarch64-linux-gnu foreign_triple=x86_64-linux-gnu ;;
  *) echo "unsupported host $host_arch"; exit 77 ;;
esac

# A CPU (for TRIPLE@CPU) whose code this machine cannot run, if there is
# a baseline one, the aot-compile options that need a feature it lacks,
# and that feature; empty when this machine has them all.
unrunnable_cpu=
refuse_args=()
missing_feature=
if [ "$host_arch" = x86_64 ] && ! grep -qw avx512f /proc/cpuinfo; then
  unrunnable_cpu=x86-64-v4 refuse_args=(--cpu x86-64-v4)
  missing_feature=avx512f
elif [ "$host_arch" = x86_64 ]; then
  # An AVX-512 machine: an AMD-only feature on Intel, or the reverse.
  for f in xop fma4 tbm sse4a avx512vp2intersect amx-tile; do
    if ! grep -qw "$(echo "$f" | sed 's/avx512vp2/avx512_vp2/; s/-/_/')" \
      /proc/cpuinfo; then
      refuse_args=(--features "+$f") missing_feature=$f
      break
    fi
  done
elif [ "$host_arch" = aarch64 ] && ! grep -qw sve /proc/cpuinfo; then
  unrunnable_cpu=neoverse-v1 refuse_args=(--features +sve)
  missing_feature=sve
fi
