#!/usr/bin/env bash
# `meson install` into a temporary root, then an embedder built against
# the installed library with pkg-config alone (shared and static), run on
# a precompiled hello; its output must be `wasmaot run`'s.
#
#   test_install.sh BUILD_DIR WASMAOT EMBED_C HELLO_WASM OUT_DIR
set -euo pipefail
build=$1 wasmaot=$2 embed_c=$3 hello_wasm=$4 out=$5
cc=${CC:-cc}

fails=0 checks=0
check() { # check NAME COMMAND...: counts and reports one check
  local name=$1
  shift
  checks=$((checks + 1))
  if "$@"; then
    echo "ok   $name"
  else
    echo "FAIL $name"
    fails=$((fails + 1))
  fi
}

rm -rf "$out"
mkdir -p "$out"
dest=$out/root
DESTDIR=$dest meson install -C "$build" --no-rebuild --quiet >"$out/install.log" 2>&1 ||
  { cat "$out/install.log"; echo "FAIL meson install"; exit 1; }

pc=$(find "$dest" -name wasmaot.pc | head -1)
[ -n "$pc" ] || { echo "FAIL no wasmaot.pc installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
prefix_dir=$(find "$dest" -type d -name bin | head -1)
prefix_dir=$(dirname "$prefix_dir")

# What a package of wasmaot holds.
for f in bin/wasmaot bin/wasmaot-oci bin/containerd-shim-wasmaot-v1 \
  include/wasmaot.h include/wasmaot_trap.h include/wasmaot_wasi.h; do
  check "installed $f" test -e "$prefix_dir/$f"
done
if [ -e "$build/wasmaot-static" ]; then
  check "installed bin/wasmaot-static" test -x "$prefix_dir/bin/wasmaot-static"
fi
check "installed the compiler plug-in" test -e "$libdir/wasmaot/libwasmaot-compiler.so"
check "installed libwasmaot.a" test -e "$libdir/libwasmaot.a"
check "installed libwasmaot.so" test -e "$libdir/libwasmaot.so"

# pkg-config finds the staged tree's paths through the sysroot variable.
export PKG_CONFIG_PATH=$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
cflags=$(pkg-config --cflags wasmaot)
libs=$(pkg-config --libs wasmaot)
static_libs=$(pkg-config --static --libs wasmaot)
echo "pkg-config: cflags: $cflags; libs: $libs; static: $static_libs"

# Every public header stands alone.
for h in wasmaot.h wasmaot_trap.h wasmaot_wasi.h; do
  check "$h compiles alone" sh -c "printf '#include <$h>\n' |
    $cc -x c -std=c11 -Wall -Wextra -Werror -fsyntax-only $cflags -"
done

# Only the public API is exported from the shared library.
leaked=$(nm -D --defined-only "$libdir/libwasmaot.so" | awk '{print $3}' |
  grep -v -E '^(wasmaot_|wasi_ctx_)' || true)
check "libwasmaot.so exports only wasmaot_* and wasi_ctx_*" test -z "$leaked"
[ -z "$leaked" ] || echo "  exported besides: $(echo "$leaked" | head -5 | tr '\n' ' ')"

# shellcheck disable=SC2086 # pkg-config's output is a list of words
check "embedder builds against the shared library" \
  $cc -std=c11 -Wall -Wextra -Werror "$embed_c" $cflags $libs -o "$out/embed-shared"
# shellcheck disable=SC2086
check "embedder builds statically" \
  $cc -std=c11 -Wall -Wextra -Werror -static "$embed_c" $cflags $static_libs -o "$out/embed-static"
check "the static embedder needs no shared library" \
  sh -c "! LC_ALL=C readelf -d '$out/embed-static' 2>/dev/null | grep -q NEEDED"

"$wasmaot" aot-compile "$hello_wasm" -o "$out/hello.so" >/dev/null
"$wasmaot" run "$out/hello.so" one "two words" >"$out/expected.txt"
for kind in shared static; do
  status=0
  LD_LIBRARY_PATH=$libdir "$out/embed-$kind" "$out/hello.so" one "two words" \
    >"$out/$kind.txt" 2>"$out/$kind.err" || status=$?
  check "the $kind embedder exits 0" test "$status" = 0
  check "the $kind embedder prints what wasmaot run prints" \
    cmp -s "$out/expected.txt" "$out/$kind.txt"
done
# A damaged artifact is refused with a reason, not run.
printf 'not an artifact' >"$out/bad.so"
status=0
LD_LIBRARY_PATH=$libdir "$out/embed-shared" "$out/bad.so" >/dev/null 2>"$out/bad.err" || status=$?
check "a bad artifact is refused (exit 1)" test "$status" = 1
check "with a reason" grep -q "bad.so: " "$out/bad.err"

echo "install: $((checks - fails)) of $checks checks passed"
[ "$fails" = 0 ]
