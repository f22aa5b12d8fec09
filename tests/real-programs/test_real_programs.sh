#!/usr/bin/env bash
# End-to-end tests with real WASI programs published on npm (fetched by
# scripts/fetch-real-programs.sh; docs/real-programs.md says which and
# why). Each program runs through `wasmaot run` with arguments,
# environment and preopened input and output directories; its results are
# checked against facts that do not come from wasmaot (arithmetic, the
# programs' documented behaviour, published file formats) and, byte for
# byte, against the same module run by Node.js's own WASI.
#   test_real_programs.sh WASMAOT PROGRAMS_DIR WORK_DIR flite|fpga
set -u

wasmaot=$1
programs=$2
work=$3
case_name=$4
here=$(cd "$(dirname "$0")" && pwd)
failures=0
checks=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
pass() {
  checks=$((checks + 1))
  echo "ok: $*"
}
check() { # description, then a command that must succeed
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

for m in flite/package/flite.wasm yosys/package/gen/yosys.core.wasm \
  nextpnr-ice40/package/gen/nextpnr-ice40.core.wasm; do
  if [ ! -f "$programs/$m" ]; then
    echo "FAIL: $programs/$m is missing: run scripts/fetch-real-programs.sh"
    exit 1
  fi
done
if ! command -v node >/dev/null; then
  echo "FAIL: node (the reference WASI runtime) is missing: run scripts/setup.sh"
  exit 1
fi

rm -rf "$work"
mkdir -p "$work/artifacts"

# compile NAME MODULE [OPTIONS]: ahead of time into artifacts/NAME.so.
compile() {
  local name=$1 module=$2
  shift 2
  local start=$SECONDS
  if ! "$wasmaot" aot-compile "$@" "$module" -o "$work/artifacts/$name.so" \
    >"$work/compile-$name.log" 2>&1; then
    fail "aot-compile $name"
    cat "$work/compile-$name.log"
    exit 1
  fi
  echo "compiled $name ($*) in $((SECONDS - start)) s"
}

# run NAME [wasmaot run options] -- ARGS: output in $work/NAME.{out,err}.
run() {
  local name=$1
  shift
  "$wasmaot" run "$@" >"$work/$name.out" 2>"$work/$name.err"
  status=$?
  if [ "$status" != 0 ]; then
    echo "--- $name exited $status; stderr:"
    tail -20 "$work/$name.err"
  fi
}

# reference NAME [options] MODULE ARGS: the same under Node.js's WASI.
# Node 20's concurrent garbage collector crashes V8 while nextpnr grows its
# memory (seen here every time); the single-threaded one does not.
reference() {
  local name=$1
  shift
  node --no-warnings --single-threaded-gc "$here/node_wasi_run.mjs" "$@" \
    >"$work/$name.node.out" 2>"$work/$name.node.err"
  ref_status=$?
}

same_file() { cmp -s "$1" "$2"; }
# The program's own error: a non-zero exit that is not a trap (134).
failed_cleanly() { [ "$status" != 0 ] && [ "$status" != 134 ]; }
between() { [ "$1" -gt "$2" ] && [ "$1" -lt "$3" ]; }

# A little-endian unsigned field of a file: le FILE OFFSET SIZE.
le() {
  od -An -t u"$3" -j "$2" -N "$3" --endian=little "$1" | tr -d ' '
}

case_flite() {
  local flite=$programs/flite/package/flite.wasm
  compile flite "$flite"
  local art=$work/artifacts/flite.so

  # flite's --version prints its banner and exits 1.
  run version "$art" --version
  reference version "$flite" --version
  check "flite --version exits as under Node.js ($ref_status)" \
    [ "$status" = "$ref_status" ]
  check "flite --version names flite 2.3" grep -q 'flite-2\.3' "$work/version.out"

  # The voices flite 2.3 compiles in, as its documentation lists them.
  run voices "$art" -lv
  check "flite -lv lists the built-in voices" \
    grep -qx 'Voices available: kal awb_time kal16 awb rms slt ' "$work/voices.out"

  # Phones of the CMU lexicon: HELLO = HH AH L OW (flite writes the
  # reduced vowel as ax), WORLD = W ER L D, between pauses.
  run phones "$art" -t "hello world" -ps none
  check "flite -ps gives the CMU lexicon's phones" \
    grep -qx 'pau hh ax l ow w er l d pau ' "$work/phones.out"

  # Text from a preopened input file, speech to a preopened output
  # directory, voice chosen by argument.
  mkdir -p "$work/in" "$work/out" "$work/out.node"
  printf 'The quick brown fox jumps over the lazy dog.\n' >"$work/in/text.txt"
  run speech --dir "$work/in::/in" --dir "$work/out::/out" "$art" \
    -voice slt -f /in/text.txt -o /out/speech.wav
  check "flite -f -o exits 0" [ "$status" = 0 ]
  local wav=$work/out/speech.wav
  if [ -f "$wav" ]; then
    # RIFF/WAVE, PCM (1), one channel, 16000 Hz for slt (a 16 kHz voice),
    # 16 bits per sample; the data chunk fills the rest of the file.
    check "WAV header says RIFF WAVE" \
      [ "$(head -c 4 "$wav")$(dd if="$wav" bs=1 skip=8 count=4 2>/dev/null)" = RIFFWAVE ]
    check "WAV is PCM, mono, 16 bit" \
      [ "$(le "$wav" 20 2) $(le "$wav" 22 2) $(le "$wav" 34 2)" = "1 1 16" ]
    check "WAV rate is slt's 16000 Hz" [ "$(le "$wav" 24 4)" = 16000 ]
    local size data
    size=$(stat -c %s "$wav")
    data=$(le "$wav" 40 4)
    check "WAV data chunk fills the file" [ $((data + 44)) = "$size" ]
    # Nine words at a speaking pace: between 1.5 and 6 seconds.
    check "speech lasts 1.5-6 s" between "$data" 48000 192000
  else
    fail "flite wrote no /out/speech.wav"
  fi
  reference speech --dir "$work/in::/in" --dir "$work/out.node::/out" "$flite" \
    -voice slt -f /in/text.txt -o /out/speech.wav
  check "Node.js's WASI runs the same command" [ "$ref_status" = 0 ]
  check "the WAV is byte-identical to Node.js's" \
    same_file "$wav" "$work/out.node/speech.wav"

  # A missing input file is the program's own error (flite says so and
  # exits 0), not a crash.
  run missing --dir "$work/in::/in" "$art" -f /in/absent.txt -o none
  check "a missing text file is reported by flite" \
    grep -q 'failed to open file "/in/absent.txt"' "$work/missing.err"
  reference missing --dir "$work/in::/in" "$flite" -f /in/absent.txt -o none
  check "and exits as under Node.js ($ref_status)" [ "$status" = "$ref_status" ]
}

case_fpga() {
  local yosys=$programs/yosys/package/gen/yosys.core.wasm
  local pnr_dir=$programs/nextpnr-ice40/package/gen
  local share=$programs/yosys/fs/share
  # yosys is 30 MB of Wasm: the fast tier compiles it in well under a
  # minute here, the default tier takes minutes (docs/wasi-conformance.md);
  # the others get the default tier.
  compile yosys "$yosys" --fast
  compile nextpnr "$pnr_dir/nextpnr-ice40.core.wasm"
  compile icepack "$pnr_dir/icepack.core.wasm"
  compile icepll "$pnr_dir/icepll.core.wasm"
  local a=$work/artifacts

  mkdir -p "$work/design" "$work/scratch" "$work/node/design" \
    "$work/node/scratch"
  cat >"$work/design/adder.v" <<'V'
module adder(input [7:0] a, input [7:0] b, output [8:0] y);
  assign y = a + b;
endmodule
V
  cat >"$work/design/blink.v" <<'V'
module top(input clk, output led);
  reg [23:0] counter = 0;
  always @(posedge clk) counter <= counter + 1;
  assign led = counter[23];
endmodule
V
  printf 'set_io clk 21\nset_io led 99\n' >"$work/design/blink.pcf"
  cp "$work/design"/* "$work/node/design/"

  # Yosys evaluates the adder: 200 + 100 = 300 = 9'b100101100.
  run eval --dir "$work/design::/design" "$a/yosys.so" \
    -p "read_verilog /design/adder.v; eval -set a 200 -set b 100 -show y"
  check "yosys eval exits 0" [ "$status" = 0 ]
  check "yosys eval: 200 + 100 = 9'b100101100" \
    grep -qF "\\y = 9'100101100" "$work/eval.out"

  # Synthesis for an iCE40. ABC's scratch files go to $TMPDIR, which is
  # a preopen of its own (there is no /tmp): the environment reaches it.
  local synth="read_verilog /design/blink.v; synth_ice40 -top top -json /design/blink.json; tee -o /design/stat.txt stat"
  run synth --env TMPDIR=/scratch --dir "$work/design::/design" \
    --dir "$work/scratch::/scratch" --dir "$share::/share" "$a/yosys.so" \
    -q -p "$synth"
  check "yosys synth_ice40 exits 0" [ "$status" = 0 ]
  # A 24-bit counter is 24 flip-flops.
  check "synthesis made one SB_DFF per counter bit" \
    grep -qE '^ +SB_DFF +24$' "$work/design/stat.txt"
  check "the netlist is JSON with top's ports clk and led" python3 -c '
import json, sys
top = json.load(open(sys.argv[1]))["modules"]["top"]
assert sorted(top["ports"]) == ["clk", "led"], top["ports"]' \
    "$work/design/blink.json"
  check "ABC cleaned its scratch directory" \
    [ -z "$(ls -A "$work/scratch")" ]
  reference synth --env TMPDIR=/scratch --dir "$work/node/design::/design" \
    --dir "$work/node/scratch::/scratch" --dir "$share::/share" "$yosys" \
    -q -p "$synth"
  check "Node.js's WASI runs the same synthesis" [ "$ref_status" = 0 ]
  check "the netlist is byte-identical to Node.js's" \
    same_file "$work/design/blink.json" "$work/node/design/blink.json"

  # Without $TMPDIR and without /tmp, yosys reports the failure itself.
  run notmp --dir "$work/design::/design" --dir "$share::/share" \
    "$a/yosys.so" -q -p "$synth"
  check "synthesis without a scratch directory fails cleanly" \
    failed_cleanly

  # Place and route on an HX1K, chip database read from a preopen.
  local pnr_args=(--hx1k --package tq144 --json /design/blink.json
    --pcf /design/blink.pcf --asc /design/blink.asc --seed 1)
  run pnr --dir "$work/design::/design" --dir "$pnr_dir/share::/share" \
    "$a/nextpnr.so" "${pnr_args[@]}"
  check "nextpnr-ice40 exits 0" [ "$status" = 0 ]
  check "nextpnr-ice40 finished normally" \
    grep -q 'Program finished normally' "$work/pnr.err"
  check "the .asc is for a 1k device" grep -qx '.device 1k' "$work/design/blink.asc"
  reference pnr --dir "$work/node/design::/design" \
    --dir "$pnr_dir/share::/share" "$pnr_dir/nextpnr-ice40.core.wasm" \
    "${pnr_args[@]}"
  check "the placement is byte-identical to Node.js's" \
    same_file "$work/design/blink.asc" "$work/node/design/blink.asc"

  # The bitstream: an iCE40 HX1K image is 32220 bytes (IceStorm's docs).
  run icepack --dir "$work/design::/design" "$a/icepack.so" \
    /design/blink.asc /design/blink.bin
  check "icepack exits 0" [ "$status" = 0 ]
  check "the HX1K bitstream is 32220 bytes" \
    [ "$(stat -c %s "$work/design/blink.bin" 2>/dev/null)" = 32220 ]
  reference icepack --dir "$work/node/design::/design" \
    "$pnr_dir/icepack.core.wasm" /design/blink.asc /design/blink.bin
  check "the bitstream is byte-identical to Node.js's" \
    same_file "$work/design/blink.bin" "$work/node/design/blink.bin"

  # icepll's PLL settings must give the requested clock by the iCE40
  # formula F_OUT = F_IN * (DIVF + 1) / (2^DIVQ * (DIVR + 1)).
  run icepll "$a/icepll.so" -i 12 -o 48
  check "icepll exits 0" [ "$status" = 0 ]
  local divr divf divq
  divr=$(sed -nE 's/^DIVR: +([0-9]+).*/\1/p' "$work/icepll.out")
  divf=$(sed -nE 's/^DIVF: +([0-9]+).*/\1/p' "$work/icepll.out")
  divq=$(sed -nE 's/^DIVQ: +([0-9]+).*/\1/p' "$work/icepll.out")
  if [ -n "$divr" ] && [ -n "$divf" ] && [ -n "$divq" ]; then
    check "icepll's DIVR/DIVF/DIVQ give 48 MHz from 12 MHz" \
      [ $((12000 * (divf + 1) / ((1 << divq) * (divr + 1)))) = 48000 ]
  else
    fail "icepll printed no DIVR/DIVF/DIVQ"
  fi
}

"case_$case_name"
echo "$case_name: $checks passed, $failures failed"
[ "$failures" = 0 ]
