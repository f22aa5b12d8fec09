#!/usr/bin/env python3
"""Turns the results that bench/run.sh left in OUT (BUILD/bench) into the
Markdown report and an SVG chart of the ratios to native.

    python3 bench/report.py OUT [--md FILE] [--svg FILE]

Without --md the report goes to stdout. Standard library only."""

import argparse
import glob
import json
import math
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compile_report  # noqa: E402  (bench/compile_report.py)

VARIANTS = ["native", "native-host", "wasmaot", "wasmaot-fast", "wasm2c",
            "node"]
PEERS = VARIANTS[1:]
COLORS = {"native-host": "#868e96", "wasmaot": "#d9480f",
          "wasmaot-fast": "#f08c00", "wasm2c": "#1971c2", "node": "#2f9e44"}
LABELS = {
    "native": "native (clang-19 -O2)",
    "native-host": "native -march=native",
    "wasmaot": "wasmaot run",
    "wasmaot-fast": "wasmaot run, --fast tier",
    "wasm2c": "wasm2c + clang-19 -O2",
    "node": "node WASI",
}

# What each program covers, in the order of the report.
PROGRAMS = [
    ("matmul", "dense float: double matrix multiply, 4 rounds", "n"),
    ("nbody", "dense float: 40-body gravity, leapfrog", "steps"),
    ("sieve", "integer: sieve of Eratosthenes (odd numbers, bytes)", "bound"),
    ("fannkuch", "integer, branchy: pancake flips over permutations of 11",
     "thousand permutations"),
    ("interp", "branchy: switch-dispatched stack bytecode VM (Collatz)",
     "bound"),
    ("sha256", "hashing: SHA-256 over 64 KiB chunks", "MiB"),
    ("lz", "compression: LZ77 compress + decompress round trip, 4 rounds",
     "KiB"),
    ("sort", "sorting: quicksort, merge sort of records, radix sort",
     "keys"),
    ("bintrees", "malloc-heavy: build/walk/free binary trees", "max depth"),
    ("hashmap", "hash map: open addressing, insert/lookup/delete", "keys"),
    ("tokenizer", "strings: JSON-like text, tokenizer + recursive descent, "
     "12 passes", "KiB"),
    ("dispatch", "indirect calls: op table + hand-made vtables",
     "million calls"),
    ("stream", "memory-bound: memset/memcpy/memmove + streaming passes",
     "MiB"),
    ("simd", "SIMD (-msimd128 intrinsics): 3x3 blur, i16 dot, f32 axpy",
     "passes"),
]


# Caveats that hold for every run of this suite on this toolchain.
NOTES = [
    "The native builds use clang's default x86-64 target (SSE2, no "
    "`-march=native`) and may auto-vectorise; the Wasm builds (except "
    "`simd`) are compiled without `-msimd128`, so their loops are scalar. "
    "`matmul` shows this gap most: its inner loop is vectorised natively "
    "and scalar in Wasm whatever the runtime.",
    "clang-19's default Wasm features do not include bulk memory, so "
    "`memcpy`/`memset` in the Wasm builds are wasi-libc's C loops, not "
    "`memory.copy`/`memory.fill` (this weighs on `stream`).",
    "Times are whole processes: the ~0.5 ms exec of a native program, "
    "wasmaot's load and instantiate, node's start-up (~40–70 ms) and its "
    "Wasm compilation are all inside them.",
    "node 20 crashed (SIGSEGV at exit, after the program's output) in about "
    "half the runs of programs with 100 MiB or more of linear memory "
    "(`sieve`, `lz`, `sort`, `stream`, `tokenizer`); "
    "`--single-threaded-gc` avoids it. The runner's check run would "
    "report such a crash as a failure.",
    "wabt 1.0.32's `wasm2c` aborts on modules that use SIMD, so `simd` has "
    "no wasm2c figure. `simd`'s native builds use SSE2 intrinsics that "
    "mirror its Wasm SIMD intrinsics one for one.",
    "`wasmaot` is linked dynamically against libc alone (its float "
    "libcalls are its own, not libm's); its cold start includes ld.so "
    "mapping libc and binding its symbols, which `wasmaot-static` does "
    "not pay.",
    "wasmaot's compiled code has no frame pointers, like native code at "
    "-O2 (`aot-compile --frame-pointers` keeps them for profiling).",
    "wasmaot compiles for the host CPU by default, and V8 uses the host's "
    "features too, while the `native` and wasm2c builds target generic "
    "x86-64 (SSE2); the native-host column shows what the CPU target "
    "alone is worth.",
]


def read_meta(out):
    meta = {}
    path = os.path.join(out, "meta.txt")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    meta[k] = v
    return meta


def read_status(out):
    """{(program, variant): (status, note)}; later lines win."""
    st = {}
    path = os.path.join(out, "status.tsv")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                while len(parts) < 4:
                    parts.append("")
                st[(parts[0], parts[1])] = (parts[2], parts[3].strip())
    return st


def read_times(out, name):
    """Pools every run of every round: {variant: [seconds...]}."""
    times = {}
    paths = glob.glob(os.path.join(out, "json", name + ".*.json"))
    paths += glob.glob(os.path.join(out, "json", name + ".json"))
    for path in sorted(paths):
        with open(path) as f:
            data = json.load(f)
        for r in data.get("results", []):
            times.setdefault(r["command"], []).extend(r["times"])
    return times


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def fmt_s(t):
    if t is None:
        return "–"
    if t < 0.01:
        return "%.2f ms" % (t * 1000)
    return "%.3f s" % t


def fmt_ratio(r):
    return "–" if r is None else "%.2f×" % r


def human(n):
    if n >= 2**20:
        return "%.1f MiB" % (n / 2**20)
    return "%.0f KiB" % (n / 2**10)


def spread(ts):
    """Relative spread of a sample: (max - min) / median."""
    m = statistics.median(ts)
    return (max(ts) - min(ts)) / m if m > 0 else 0.0


class Results:
    def __init__(self, out):
        self.out = out
        self.meta = read_meta(out)
        self.status = read_status(out)
        self.programs = []
        self.median = {}  # (p, v) -> seconds
        self.ratio = {}  # (p, v) -> median / native median
        self.samples = {}
        self.max_spread = 0.0
        self.spreads = []
        known = [p for p, _, _ in PROGRAMS]
        present = sorted(
            ({os.path.basename(f).split(".")[0]
              for f in glob.glob(os.path.join(out, "json", "*.json"))}
             | {p for (p, _) in self.status}) - {"hello", "coldstart"})
        ordered = [p for p in known if p in present]
        ordered += [p for p in present if p not in known]
        for p in ordered:
            self.programs.append(p)
            times = read_times(out, p)
            for v, ts in times.items():
                if ts:
                    self.median[(p, v)] = statistics.median(ts)
                    self.samples[(p, v)] = len(ts)
                    self.spreads.append(spread(ts))
                    self.max_spread = max(self.max_spread, spread(ts))
            nat = self.median.get((p, "native"))
            for v in PEERS:
                if nat and (p, v) in self.median:
                    self.ratio[(p, v)] = self.median[(p, v)] / nat
        self.cold = read_times(out, "coldstart")

    def why_missing(self, p, v):
        st, note = self.status.get((p, v), ("", ""))
        if not st or st == "ok":
            st, note = self.status.get((p, "all"), ("", ""))
        if not st:
            st, note = self.status.get((p, "native"), ("", ""))
            if st != "failed":
                st, note = "failed", "no timing"
        return st, note

    def geomeans(self):
        """{variant: (geomean over the programs it ran, count)} and the
        geomean over the programs that every present runtime ran."""
        per = {}
        for v in PEERS:
            rs = [self.ratio[(p, v)] for p in self.programs
                  if (p, v) in self.ratio]
            per[v] = (geomean(rs), len(rs))
        ran = [v for v in PEERS if per[v][1] > 0]
        common = [p for p in self.programs
                  if all((p, v) in self.ratio for v in ran)]
        per_common = {v: geomean([self.ratio[(p, v)] for p in common])
                      for v in ran}
        return per, common, per_common


# ---------------------------------------------------------------- SVG ----

def esc(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def svg_chart(res):
    per, _, _ = res.geomeans()
    rows = [(p, {v: res.ratio.get((p, v)) for v in PEERS}, False)
            for p in res.programs]
    rows.append(("geomean", {v: per[v][0] for v in PEERS}, True))
    bar_h, gap, left, right, top = 11, 10, 96, 70, 64
    plot_w = 560
    width = left + plot_w + right
    group_h = len(PEERS) * bar_h + gap
    height = top + len(rows) * group_h + 44
    vals = [r for _, d, _ in rows for r in d.values() if r]
    xmax = max([2.0] + vals)
    xmax = min(math.ceil(xmax * 2) / 2, 12.0)

    def x(r):
        return left + plot_w * min(r, xmax) / xmax

    o = []
    o.append('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">'
             % (width, height, width, height))
    o.append('<rect width="100%" height="100%" fill="white"/>')
    o.append('<text x="%d" y="18" font-size="14" font-weight="bold">'
             'Time relative to native (median wall time, lower is better)'
             '</text>' % left)
    # legend
    lx = left
    for v in PEERS:
        o.append('<rect x="%d" y="30" width="12" height="10" fill="%s"/>'
                 % (lx, COLORS[v]))
        o.append('<text x="%d" y="39">%s</text>' % (lx + 16, esc(LABELS[v])))
        lx += 16 + 6 * len(LABELS[v]) + 22
    # grid
    step = 0.5 if xmax <= 4 else 1.0 if xmax <= 8 else 2.0
    g = 0.0
    while g <= xmax + 1e-9:
        gx = x(g)
        o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" '
                 'stroke-width="%s"/>'
                 % (gx, top - 6, gx, height - 34,
                    "#333" if g == 1.0 else "#ddd",
                    "1.5" if g == 1.0 else "1"))
        o.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#555">'
                 '%g×</text>' % (gx, height - 20, g))
        g += step
    o.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#333">'
             'native</text>' % (x(1.0), top - 10))
    y = top
    for name, d, bold in rows:
        o.append('<text x="%d" y="%.1f" text-anchor="end"%s>%s</text>'
                 % (left - 8, y + len(PEERS) * bar_h / 2 + 4,
                    ' font-weight="bold"' if bold else "", esc(name)))
        for i, v in enumerate(PEERS):
            by = y + i * bar_h
            r = d.get(v)
            if r is None:
                st = "n/a" if bold else res.why_missing(name, v)[0]
                o.append('<text x="%d" y="%.1f" fill="%s" font-size="9">'
                         '%s: %s</text>'
                         % (x(1.0) + 4, by + bar_h - 2, COLORS[v], v, st))
                continue
            o.append('<rect x="%d" y="%.1f" width="%.1f" height="%d" '
                     'fill="%s"/>' % (left, by + 1, x(r) - left, bar_h - 2,
                                      COLORS[v]))
            o.append('<text x="%.1f" y="%.1f" font-size="9">%.2f×%s</text>'
                     % (x(r) + 3, by + bar_h - 2, r,
                        " (off scale)" if r > xmax else ""))
        y += group_h
    m = res.meta
    o.append('<text x="%d" y="%d" fill="#777" font-size="9">%s</text>' % (
        left, height - 3, esc(
            "geomean: over the programs each runtime ran. %s, %s cores, "
            "%s. bench/run.sh" % (m.get("cpu", "?"), m.get("cores", "?"),
                                   m.get("date", "")))))
    o.append("</svg>")
    return "\n".join(o) + "\n"


# ----------------------------------------------------------- Markdown ----


def measured_table(res, name, w, needs):
    """The table a bench script wrote to BUILD/bench/NAME, or None after
    saying it was not measured and what that needs."""
    try:
        with open(os.path.join(res.out, name)) as f:
            return f.read().strip()
    except OSError:
        w("Not measured (%s)." % needs)
        w("")
        return None


def containers_section(res, w):
    """bench/containers.sh's table: the shim, the runc shim with
    wasmaot-oci, and runc, side by side under one containerd."""
    w("## Container start latency and throughput")
    w("")
    table = measured_table(res, "containers.md", w,
                           "needs root, containerd and dockerd")
    if table is None:
        return
    w("`bench/containers.sh --docker` (run by the runner): one private "
      "containerd, hello started with `ctr run --rm` through "
      "containerd-shim-wasmaot-v1 (`--runtime io.containerd.wasmaot.v1`), "
      "through containerd's runc shim with wasmaot-oci, and through the "
      "runc shim with runc on a one-binary image of the same program built "
      "static natively; every container's output is checked. Then `docker "
      "run --rm` under a private dockerd, `--runtime=wasmaot` "
      "(wasmaot-oci) against runc on the static native image. The "
      "\"one client\" columns start the same containers from one "
      "long-lived process (`bench/ctrbench`, containerd's Go client "
      "library: what an orchestrator or runwasi's benchmark does) instead "
      "of a `ctr` process per container.")
    w("")
    w(table)
    w("")
    w("\"vs runc\" is the runtime's figure over runc's: below 1 for "
      "latency is faster, above 1 for throughput is more. Under `ctr` the "
      "concurrent figure is bound by what every runtime pays per "
      "container: a `ctr` client process, containerd's task service and "
      "snapshots, and the `delete` subcommand containerd runs after each "
      "shim disconnects; the one-client figure is without the first.")
    w("")

def exceptions_section(res, w):
    """bench/exceptions.sh's table: throw+catch and the no-throw cost of
    a handler, wasmaot's two encodings against native C++."""
    w("## Exceptions")
    w("")
    table = measured_table(res, "exceptions.md", w,
                           "needs g++, node and the script reader")
    if table is None:
        return
    w("`bench/exceptions.sh` (run by the runner): a loop of rounds, each "
      "calling a function that recurses a few frames and throws an i32 "
      "that the round's handler catches (`bench/exceptions/`: a legacy "
      "`try`/`catch`, a `try_table`/`catch`, and the same in C++ built "
      "with g++ -O2). The throw+catch cost is the rounds' time minus the "
      "same rounds not throwing, per round; the no-throw overhead is the "
      "rounds with a handler and no throw against the same loop without "
      "any handler. The benchmark programs above have no exception code, "
      "and their code is byte-identical to what the compiler produced "
      "before exceptions existed (`docs/exceptions.md`).")
    w("")
    w(table)
    w("")
    w("A throw is a forced unwind with no search phase and no type "
      "matching, which is why it costs less than C++'s. A few percent "
      "either way in the last column is this machine's run-to-run noise "
      "(the same three loops measured 0.32-0.36 s each in repeated runs).")
    w("")


def markdown(res, svg_name):
    m = res.meta
    per, common, per_common = res.geomeans()
    ran = [v for v in PEERS if per[v][1] > 0]
    n = len(res.programs)
    L = []
    w = L.append
    w("# Benchmarks")
    w("")
    w("Generated by `bench/run.sh` (do not edit by hand). Regenerate with")
    w("")
    w("    bash bench/run.sh            # or: bash bench/run.sh --build build-bench")
    w("")
    el = int(m.get("elapsed", "0") or 0)
    w("The last run took %d min %02d s on the machine below (%s runs × %s "
      "rounds per variant, plus one warm-up per round and one checking run)."
      % (el // 60, el % 60, m.get("runs", "?"), m.get("rounds", "?")))
    w("")
    if m.get("note"):
        w("**Note:** %s" % m["note"])
        w("")
    if m.get("build_warning"):
        w("**Warning:** %s." % m["build_warning"])
        w("")
    w("## Machine and versions")
    w("")
    w("| | |")
    w("|---|---|")
    for key, label in [("cpu", "CPU"), ("cores", "cores"), ("mem", "memory"),
                       ("os", "OS"), ("kernel", "kernel"),
                       ("wasmaot", "wasmaot"), ("wasmaot_commit", "commit"),
                       ("buildtype", "wasmaot meson buildtype"),
                       ("clang", "clang"), ("wabt", "wabt (wasm2c)"),
                       ("node", "node"), ("hyperfine", "hyperfine"),
                       ("date", "date (UTC)")]:
        w("| %s | %s |" % (label, m.get(key, "not installed")
                           if key in ("wabt", "node")
                           else m.get(key, "?")))
    w("")
    w("## Method")
    w("")
    w("- Each program in `bench/programs/` is plain C (stdio/stdlib), takes a "
      "size in `argv[1]` and prints a checksum. It is built natively with "
      "`clang-19 -O2` (the physical limit: same compiler, same "
      "optimisations, no Wasm sandbox) and to Wasm with "
      "`clang-19 --target=wasm32-wasi --sysroot=/usr -O2` (`-msimd128` for "
      "`simd`).")
    w("- **native-host**: the same C built with `clang-19 -O2 "
      "-march=native -ffp-contract=off`, i.e. for this CPU as wasmaot "
      "compiles by default (FMA contraction off: Wasm forbids it and it "
      "would change the checksums). It shows how much of a runtime's "
      "result comes from targeting the host CPU; the ratios stay relative "
      "to the generic native build.")
    w("- Runtimes: **wasmaot** — `wasmaot aot-compile` (default options: "
      "LLVM O2 for the host CPU) "
      "ahead of the timing, then `wasmaot run prog.so SIZE`; **wasm2c** — "
      "`wasm2c` output plus `/usr/share/wabt/wasm2c/wasm-rt-impl.c` and the "
      "WASI shim in `bench/wasm2c/wasi_shim.c`, compiled with "
      "`clang-19 -O2` (guard-page bounds checks); **node** — "
      "`node:wasi` (`version: 'preview1'`) via `bench/node/wasi-run.mjs`, "
      "V8's default tiering (Liftoff, then TurboFan), run with "
      "`--single-threaded-gc` (see the notes).")
    w("- Before timing, every variant runs once and its output must equal "
      "the native output byte for byte; a variant that fails to build, "
      "crashes or prints something else is reported below and not timed.")
    w("- Timing: `hyperfine --shell=none --warmup 1 --runs %s` with all "
      "variants of a program in one invocation, %s passes over the whole "
      "suite with the variants' order reversed on every other pass; the "
      "runs are pooled and the **median** wall time of the whole process "
      "(exec to exit, so start-up and compilation of node are included) is "
      "reported. Ratio = median / native median. Noise, as (max − min) / "
      "median of one cell's runs: %.0f%% in the median cell, %.0f%% at "
      "worst."
      % (m.get("runs", "?"), m.get("rounds", "?"),
         100 * (statistics.median(res.spreads) if res.spreads else 0),
         res.max_spread * 100))
    w("")
    w("## Results")
    w("")
    w("![ratios to native](%s)" % svg_name)
    w("")
    hdr = "| program | size | native |" + "".join(
        " %s |" % v for v in PEERS)
    w(hdr)
    w("|---|---:|---:|" + "---:|" * len(PEERS))
    failures = []
    for p in res.programs:
        cells = []
        nat = res.median.get((p, "native"))
        for v in PEERS:
            if (p, v) in res.ratio:
                cells.append("%s (%s)" % (fmt_ratio(res.ratio[(p, v)]),
                                         fmt_s(res.median[(p, v)])))
            else:
                st, note = res.why_missing(p, v)
                cells.append("**%s**" % st)
                failures.append((p, v, st, note))
        w("| %s | %s | %s |%s" % (p, m.get("size." + p, ""), fmt_s(nat),
                                   "".join(" %s |" % c for c in cells)))
    w("| **geomean** | | 1.00× |" + "".join(
        " **%s** (%d/%d) |" % (fmt_ratio(per[v][0]), per[v][1], n)
        for v in PEERS))
    w("")
    if len(common) != n and ran:
        w("Over the %d programs that every runtime ran (%s): %s."
          % (len(common), ", ".join(common) or "none",
             ", ".join("%s %s" % (v, fmt_ratio(per_common[v])) for v in ran)))
        w("")
    w("Cells: time relative to native (median). The geomean row counts "
      "only the programs a runtime ran (shown as ran/total).")
    w("")
    w("## Failures and skips")
    w("")
    if failures:
        for p, v, st, note in failures:
            w("- `%s` under %s: %s%s" % (p, v, st,
                                         " — " + note if note else ""))
    else:
        w("None: every variant of every program built and printed the "
          "native checksum.")
    w("")
    w("## Cold start")
    w("")
    w("`examples/hello/hello.c` (prints one line), exec to exit, "
      "`hyperfine --shell=none --warmup 10 --runs 200` per round, as many "
      "rounds as for the programs with the order reversed every other "
      "round, all runs pooled. "
      "native-static: `clang-19 -O2 -static`; wasmaot: `wasmaot run hello.so` "
      "on the precompiled artifact; wasmaot-static: the same with the "
      "statically linked loader (`wasmaot-static`, no compiler, for "
      "FROM-scratch images); wasm2c-static: the wasm2c build, also "
      "linked statically.")
    w("")
    cold = res.cold
    base = statistics.median(cold["native-static"]) \
        if cold.get("native-static") else None
    if cold:
        w("| variant | median | mean | min | ratio to native-static |")
        w("|---|---:|---:|---:|---:|")
        for v, ts in cold.items():
            med = statistics.median(ts)
            w("| %s | %s | %s | %s | %s |" % (
                v, fmt_s(med), fmt_s(statistics.mean(ts)), fmt_s(min(ts)),
                fmt_ratio(med / base) if base else "–"))
        w("")
    st, note = res.status.get(("hello", "wasmaot"), ("", ""))
    if st:
        w("wasmaot cold start not measured: %s%s." % (st, ": " + note
                                                      if note else ""))
        w("")
    w("## Instantiation")
    w("")
    inst = {}
    try:
        with open(os.path.join(res.out, "instantiate.txt")) as f:
            for field in f.read().split():
                k, _, v = field.partition("=")
                inst[k] = v
    except OSError:
        pass
    if inst:
        med = float(inst["instantiate_median_us"])
        w("`bench/instantiate/bench_instantiate` loads "
          "`tests/loader/bigdata.so` (a module with a 16 MiB active data "
          "segment, 20 MiB of memory) once, then times "
          "`wasmaot_instantiate()` %s times: **median %.1f µs** (min %.1f, "
          "max %.1f). Data segments of a page or more are mapped "
          "copy-on-write from the artifact, not copied. Resident memory "
          "added per live, untouched instance: %s KiB. Target ≤ 50 µs: %s."
          % (inst["rounds"], med, float(inst["instantiate_min_us"]),
             float(inst["instantiate_max_us"]),
             inst["rss_per_instance_kib"], "met" if med <= 50 else
             "**not met**"))
    else:
        w("Not measured.")
    w("")
    w("## Compile speed")
    w("")
    tsv = os.path.join(res.out, "compile.tsv")
    if os.path.exists(tsv):
        w(compile_report.section(tsv).rstrip("\n"))
    else:
        w("Not measured (the runner fetches sql.js with npm).")
    w("")
    w("## Container starts through containerd")
    w("")
    try:
        with open(os.path.join(res.out, "containerd.txt")) as f:
            line = f.read().strip()
        w("`tests/oci/test_containerd.sh` (run by the runner): a private "
          "containerd, images imported from tars, 20 `ctr run --rm` of "
          "hello one after another through the runc shim — wasmaot-oci on "
          "the Wasm image (precompiled artifact), runc on a one-binary "
          "image of the same program built static natively — in the same "
          "run:")
        w("")
        w("    " + line.replace("containerd-starts: ", ""))
    except OSError:
        w("Not measured (needs root and containerd).")
    w("")
    containers_section(res, w)
    exceptions_section(res, w)
    w("## The wasmaot binary")
    w("")
    try:
        size = int(m.get("wasmaot_size", "0"))
        stripped = int(m.get("wasmaot_stripped_size", "0"))
        w("`%s` build: %s bytes (%s) as built, **%s bytes (%s) "
          "stripped** (`strip -o`)." % (
              m.get("buildtype", "?"), format(size, ","), human(size),
              format(stripped, ","), human(stripped)))
    except ValueError:
        pass
    if m.get("wasmaot_static_stripped_size"):
        ss = int(m["wasmaot_static_stripped_size"])
        w("")
        w("`wasmaot-static`, the statically linked loader for images "
          "built FROM scratch (no compiler): %s bytes (%s) stripped, no "
          "shared libraries." % (format(ss, ","), human(ss)))
    if m.get("compiler_stripped_size"):
        cs = int(m["compiler_stripped_size"])
        w("")
        w("`wasmaot run` of a precompiled artifact does not load the "
          "compiler; `aot-compile` loads `libwasmaot-compiler.so` (%s "
          "stripped%s) on demand."
          % (human(cs), ", linked to " + m["compiler_llvm"]
             if m.get("compiler_llvm") else ""))
    w("")
    w("`ldd` of it:")
    w("")
    w("```")
    try:
        with open(os.path.join(res.out, "ldd.txt")) as f:
            for line in f:
                w(line.rstrip().replace("\t", "    "))
    except OSError:
        w("(not measured)")
    w("```")
    w("")
    w("## Targets")
    w("")
    g = per.get("wasmaot", (None, 0))
    if g[0] is None:
        w("- Execution speed (aim: native speed): **not measured** — no "
          "program ran under wasmaot.")
    else:
        worst = max((res.ratio[(p, "wasmaot")], p) for p in res.programs
                    if (p, "wasmaot") in res.ratio)
        w("- Execution speed (aim: native speed): wasmaot's geomean is "
          "%s of native over %d/%d programs; the slowest is `%s` at %s. %s"
          % (fmt_ratio(g[0]), g[1], n, worst[1], fmt_ratio(worst[0]),
             "Met within 10%." if g[0] <= 1.10 else "**Not met.**"))
        if per_common.get("native-host") and per_common.get("wasmaot"):
            w("- Against native code for the same CPU (`-march=native`): "
              "wasmaot %s vs native-host %s over the common programs, i.e. "
              "wasmaot at %s of native-host."
              % (fmt_ratio(per_common["wasmaot"]),
                 fmt_ratio(per_common["native-host"]),
                 fmt_ratio(per_common["wasmaot"] / per_common["native-host"])))
        if per_common.get("wasm2c") and per_common.get("wasmaot"):
            w("- Against wasm2c (same clang back end, C in between): wasmaot "
              "%s vs wasm2c %s over the common programs — %s."
              % (fmt_ratio(per_common["wasmaot"]),
                 fmt_ratio(per_common["wasm2c"]),
                 "wasmaot is faster" if per_common["wasmaot"]
                 < per_common["wasm2c"] else "**wasmaot is not faster**"))
    fast = [res.ratio[(p, "wasmaot-fast")] / res.ratio[(p, "wasmaot")]
            for p in res.programs
            if (p, "wasmaot-fast") in res.ratio and (p, "wasmaot") in res.ratio]
    if fast:
        gf = geomean(fast)
        worst = max(fast)
        w("- Fast tier (`aot-compile --fast`) at most 3× slower than the "
          "default tier: geomean %s of the default tier's time over %d "
          "programs, worst %s — %s."
          % (fmt_ratio(gf), len(fast), fmt_ratio(worst),
             "met" if worst <= 3.0 else "met on the geomean, **not for "
             "every program**" if gf <= 3.0 else "**not met**"))
    if base and cold.get("wasmaot"):
        for v in ("wasmaot", "wasmaot-static"):
            if not cold.get(v):
                continue
            r = statistics.median(cold[v]) / base
            w("- Cold start ≤ 2× a static native hello world (%s): %s — %s."
              % (v, fmt_ratio(r), "met" if r <= 2.0 else "**not met**"))
    else:
        w("- Cold start ≤ 2× a static native hello world: **not measured**.")
    fails = [f for f in failures if f[1] == "wasmaot"]
    if fails:
        w("- Programs that do not run under wasmaot yet: %s."
          % ", ".join("`%s`" % f[0] for f in fails))
    w("")
    w("## Notes")
    w("")
    for line in NOTES:
        w("- " + line)
    w("")
    w("## Programs")
    w("")
    w("| program | covers | size unit |")
    w("|---|---|---|")
    for p, what, unit in PROGRAMS:
        w("| `%s` | %s | %s |" % (p, what, unit))
    w("")
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--md")
    ap.add_argument("--svg")
    a = ap.parse_args()
    res = Results(a.out)
    svg_name = os.path.basename(a.svg) if a.svg else "benchmarks.svg"
    text = markdown(res, svg_name)
    if a.svg:
        with open(a.svg, "w") as f:
            f.write(svg_chart(res))
    if a.md:
        with open(a.md, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
