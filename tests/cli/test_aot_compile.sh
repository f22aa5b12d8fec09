#!/usr/bin/env bash
# End-to-end checks of `wasmaot aot-compile` on the hello example:
#   - it works with an empty PATH (no external linker, assembler or cc),
#   - the artifact is an ELF shared object for this machine with named
#     functions, accepted by readelf and objdump,
#   - `wasmaot` itself does not link libLLVM (the compiler is a plug-in).
#   - code has frame pointers with --frame-pointers only,
#   - glibc's dlopen accepts it,
#   - --target compiles for either machine from this one, with a portable
#     CPU baseline for the foreign one, and the loader refuses to run an
#     artifact of the other machine with a message that says so.
# Usage: test_aot_compile.sh WASMAOT HELLO.wasm WORKDIR DLOPEN_CHECKER
set -euo pipefail
wasmaot=$1 hello=$2 work=$3 dlopen_check=$4
mkdir -p "$work"
so=$work/hello.so
rm -f "$so"

fail() { echo "FAIL: $*" >&2; exit 1; }

env -i PATH= "$wasmaot" aot-compile "$hello" -o "$so" ||
  fail "aot-compile with an empty PATH"
[ -s "$so" ] || fail "no artifact written"

header=$(readelf -h "$so")
grep -q 'Type:.*DYN' <<<"$header" || fail "not ET_DYN: $header"
case $(uname -m) in
  x86_64) want='X86-64' ;;
  aarch64) want='AArch64' ;;
  *) want=$(uname -m) ;;
esac
grep -q "Machine:.*$want" <<<"$header" || fail "machine is not $want"

readelf -a "$so" >/dev/null 2>"$work/readelf.err" || fail "readelf -a failed"
[ ! -s "$work/readelf.err" ] || fail "readelf warnings: $(cat "$work/readelf.err")"
objdump -d "$so" >"$work/objdump.txt" || fail "objdump -d failed"
grep -q '<wasm:main>:' "$work/objdump.txt" || fail "objdump shows no wasm:main"
readelf --dyn-syms "$so" >"$work/dynsyms.txt"
grep -q 'wasmaot_metadata' "$work/dynsyms.txt" ||
  fail "no wasmaot_metadata in .dynsym"

readelf -d "$wasmaot" >"$work/needed.txt"
if grep -i 'NEEDED.*LLVM' "$work/needed.txt"; then
  fail "wasmaot links libLLVM directly"
fi

# --stats reports the time and speed of the compile.
"$wasmaot" aot-compile --stats "$hello" -o "$work/stats.so" 2>"$work/stats.err" ||
  fail "aot-compile --stats failed"
grep -Eq 'bytes of Wasm compiled in [0-9.]+ s: [0-9.]+ MB/s' "$work/stats.err" ||
  fail "no speed in: $(cat "$work/stats.err")"

# Compiled code omits frame pointers, as native -O2 code does;
# --frame-pointers keeps them (for perf and gdb) and still runs.
case $(uname -m) in
  x86_64) frame_setup='mov +%rsp,%rbp' ;;
  aarch64) frame_setup='mov +x29, sp' ;;
esac
"$wasmaot" aot-compile --frame-pointers "$hello" -o "$work/fp.so" ||
  fail "aot-compile --frame-pointers failed"
fp_count=$(objdump -d "$work/fp.so" | grep -Ec "$frame_setup" || true)
no_fp_count=$(grep -Ec "$frame_setup" "$work/objdump.txt" || true)
[ "$fp_count" -gt 0 ] || fail "--frame-pointers: no frame set up"
[ "$no_fp_count" -eq 0 ] || fail "default: $no_fp_count frames set up"
"$wasmaot" run "$work/fp.so" | grep -q Hello || fail "the --frame-pointers artifact did not run"

# A bad module is refused with its offset, and nothing is written.
printf '\0asm\1\0\0\0\1\5\1\x60\0\1\x7a' >"$work/bad.wasm"
if "$wasmaot" aot-compile "$work/bad.wasm" -o "$work/bad.so" 2>"$work/bad.err"; then
  fail "a malformed module compiled"
fi
grep -q 'bad.wasm:0x' "$work/bad.err" || fail "no offset in: $(cat "$work/bad.err")"
[ ! -e "$work/bad.so" ] || fail "an artifact was written for a bad module"
# An output that is a FIFO (like /dev/null or /dev/stdout, a special file)
# is written through, not replaced by a regular file.
rm -f "$work/out.fifo" "$work/from-fifo.so"
mkfifo "$work/out.fifo"
timeout 20 cat "$work/out.fifo" >"$work/from-fifo.so" &
reader=$!
"$wasmaot" aot-compile "$hello" -o "$work/out.fifo" || fail "aot-compile to a FIFO failed"
wait $reader
[ -p "$work/out.fifo" ] || fail "the FIFO was replaced by a regular file"
readelf -h "$work/from-fifo.so" | grep -q 'Type:.*DYN' ||
  fail "what came through the FIFO is not the artifact"
# Cross compilation (docs/cross.md). The host's own target gets the host
# CPU, the other one a baseline every machine of it has.
case $(uname -m) in
  x86_64) host_triple=x86_64-linux-gnu foreign=aarch64-linux-gnu ;;
  aarch64) host_triple=aarch64-linux-gnu foreign=x86_64-linux-gnu ;;
  *) host_triple='' foreign='' ;;
esac
for target in aarch64-linux-gnu x86_64-linux-gnu aarch64; do
  out=$work/hello.$target.so
  rm -f "$out"
  env -i PATH= "$wasmaot" aot-compile --target "$target" "$hello" -o "$out" ||
    fail "aot-compile --target $target"
  header=$(readelf -h "$out")
  grep -q 'Type:.*DYN' <<<"$header" || fail "$target: not ET_DYN"
  case $target in
    aarch64*) machine=AArch64 arch=aarch64 baseline=generic
              features='fp-armv8 neon' ;;
    x86_64*) machine='X86-64' arch=x86_64 baseline=x86-64-v2 features='' ;;
  esac
  grep -q "Machine:.*$machine" <<<"$header" || fail "$target: not $machine"
  readelf -a "$out" >/dev/null 2>"$work/readelf.err" || fail "$target: readelf -a"
  [ ! -s "$work/readelf.err" ] || fail "$target: readelf: $(cat "$work/readelf.err")"
  meta=$(strings -a "$out")
  grep -qx "$arch-unknown-linux-gnu" <<<"$meta" ||
    fail "$target: no $arch-unknown-linux-gnu triple in the metadata"
  if [ "${target%%-*}" != "${host_triple%%-*}" ]; then
    grep -qx "$baseline" <<<"$meta" || fail "$target: CPU is not $baseline"
    # Through inspect: in the raw strings the bytes before the string may
    # be printable and join it.
    if [ -n "$features" ]; then
      "$wasmaot" inspect "$out" | grep -qx -- "  cpu features: $features" ||
        fail "$target: features not $features"
    fi
    # This machine's loader refuses it, naming both machines.
    if "$wasmaot" run "$out" >"$work/foreign.out" 2>"$work/foreign.err"; then
      fail "the $target artifact ran here"
    fi
    grep -q "compiled for $arch[-a-z]*, this machine is" \
      "$work/foreign.err" ||
      fail "refusal of a $target artifact: $(cat "$work/foreign.err")"
  else
    grep -qx "$baseline" <<<"$meta" &&
      fail "$target is this machine: expected the host CPU, got $baseline"
  fi
done
[ -n "$foreign" ] || fail "unsupported host $(uname -m)"
cmp -s "$work/hello.aarch64.so" "$work/hello.aarch64-linux-gnu.so" ||
  fail "--target aarch64 and --target aarch64-linux-gnu differ"

echo "aot-compile: all checks passed"
