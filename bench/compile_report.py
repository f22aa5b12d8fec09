#!/usr/bin/env python3
"""The "Compile speed" section of docs/benchmarks.md from the TSV that
bench/compile.sh writes (medians over its rounds).

   compile_report.py OUT/compile.tsv        # markdown on stdout

bench/report.py includes it; it can also be run on its own after
`bench/compile.sh --modules sql,yosys`."""
import csv
import statistics
import sys

PHASES = [("decode", "decode"), ("validate", "validate"),
          ("ir", "IR build"), ("passes", "LLVM passes"),
          ("codegen", "codegen"), ("merge", "merge"), ("link", "link")]
NAMES = {"sql": "sql-wasm (sql.js 1.17.0, SQLite)",
         "yosys": "yosys 0.55 (`@yowasp/yosys` 0.55.944, `gen/yosys.core.wasm`)"}

# Before this compiler cut large modules into pieces (commit 4d3f2bb:
# whole-module default<O2>, or --jobs contiguous pieces of it).
BEFORE = [
    "| module | tier | wall | CPU | MB/s | peak RSS |",
    "|---|---|---:|---:|---:|---:|",
    "| yosys 0.55 | -O2 (`--jobs` 2) | 8 min 26 s | 787 s | 0.061 | 3.9 GB |",
    "| sql-wasm | -O2, `--jobs 1` | 33.2 s | 33.1 s | 0.021 | 210 MB |",
    "| sql-wasm | -O0, `--jobs 1` | 1.5 s | 1.4 s | 0.455 | 179 MB |",
]


# Where the time went before, measured once by hand (4d3f2bb had no
# per-phase --stats): WASMAOT_LLVM_ARGS=-time-passes for the pass
# pipeline, llc-19 -time-passes on the optimised IR for code generation.
BEFORE_PHASES = [
    "Where sql-wasm's 33 CPU-s went before (`--jobs 1`): decode, validate "
    "and IR building under 0.2 s together; `default<O2>` 18.0 s (InstCombine "
    "3.4 s, GVN 1.5, the inliner 1.3, SLP vectoriser 1.1, SimplifyCFG 1.1, "
    "loop unrolling 0.9, IPSCCP 0.7, ...: no single pass, the whole pipeline "
    "run over a module whose functions the inliner keeps growing); code "
    "generation about 14 s, of which, on the same IR with `llc-19 "
    "-time-passes`, SelectionDAG instruction selection 29 %, greedy "
    "register allocation 12 %, the post-RA scheduler 6 %, CodeGenPrepare "
    "4 %, the rest spread over ~80 machine passes. `perf` shows no hot "
    "spot: glibc malloc/free are the largest self time (~15 %). Debian's "
    "libLLVM-19 is a RelWithDebInfo build with assertions off "
    "(`llvm-config --assertion-mode`: OFF), so no checking overhead is "
    "hiding in there. Mem2reg and -O0 code generation (FastISel, fast "
    "register allocation) take 1.4 s for the same module: most of the "
    "cost is LLVM's optimising back end, which is why the default tier "
    "cannot reach Cranelift-like speeds while it keeps -O2 code "
    "generation.",
]


def median(rows, key):
    return statistics.median(float(r[key]) for r in rows)


def mb(n):
    return "%.1f MB" % (n / 1e6)


def fmt_wall(s):
    if s >= 60:
        return "%d min %02d s" % (s // 60, round(s % 60))
    return "%.2f s" % s if s < 10 else "%.1f s" % s


def section(path):
    with open(path) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    out = []
    w = out.append
    if not rows:
        return "Not measured (bench/compile.sh fetches the modules with npm).\n"
    groups = {}
    for r in rows:
        groups.setdefault((r["module"], r["tier"]), []).append(r)
    w("`bash bench/compile.sh --modules sql,yosys` (`bench/run.sh` runs it "
      "for sql only): `wasmaot aot-compile --stats --jobs %s` under `nice`, "
      "medians over the runs of each row. CPU is user+sys of the whole process "
      "(`/usr/bin/time`); MB/s is the `.wasm` size over wall time, MB/s/core "
      "the code section over CPU time. **Wall times were taken on a machine "
      "shared with other work**: compare CPU times. Where the time goes "
      "inside LLVM, and what would reach issue 13's targets: "
      "`docs/compile-speed.md`." %
      rows[0]["jobs"])
    w("")
    w("| module | size (code) | functions | tier | pieces | runs | wall | CPU "
      "| MB/s | MB/s/core | peak RSS |")
    w("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for (mod, tier), rs in groups.items():
        r0 = rs[0]
        wall, cpu = median(rs, "wall_s"), median(rs, "cpu_s")
        size, code = int(r0["wasm_bytes"]), int(r0["code_bytes"])
        w("| %s | %s (%s) | %s | %s | %s | %d | %s | %.1f s | %.3f | %.3f "
          "| %.0f MB |"
          % (NAMES.get(mod, mod), mb(size), mb(code),
             "{:,}".format(int(r0["functions"])),
             "fast (`--fast`)" if tier == "fast" else "default (-O2)",
             r0["pieces"], len(rs), fmt_wall(wall), cpu, size / 1e6 / wall,
             code / 1e6 / cpu, median(rs, "rss_kb") / 1024))
    w("")
    w("CPU seconds by phase (`--stats`, summed over the threads):")
    w("")
    w("| module | tier | " + " | ".join(n for _, n in PHASES) + " |")
    w("|---|---|" + "---:|" * len(PHASES))
    for (mod, tier), rs in groups.items():
        w("| %s | %s | " % (mod, tier) +
          " | ".join("%.2f" % median(rs, k) for k, _ in PHASES) + " |")
    w("")
    w("Before (commit 4d3f2bb, the issue's table and the same measurement "
      "of sql-wasm):")
    w("")
    out.extend(BEFORE)
    w("")
    out.extend(BEFORE_PHASES)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(section(sys.argv[1]))
