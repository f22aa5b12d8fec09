#!/usr/bin/env python3
"""Runs the official WASI test suite's preview 1 tests through `wasmaot run`.

    run_wasi_testsuite.py --wasmaot PATH --expectations FILE [--cache-dir DIR]
                          [--filter GLOB] [--timeout S] [--tier TIER]
                          [--compiler PATH --target TRIPLE] SUITE_DIR...

With --compiler and --target each module is first compiled ahead of time
for TRIPLE by the `wasmaot` at PATH (into the cache directory) and
`--wasmaot` runs the artifact: that is how the suite runs on aarch64
under qemu, with a loader that has no compiler (tests/cross).

Each SUITE_DIR holds NAME.wasm tests, an optional NAME.json spec beside
each, and a manifest.json naming the suite. A spec's fields are mapped onto
the command line the way upstream's adapters map them for Wasmtime:

    args      -> arguments after the module
    env       -> --env K=V
    root      -> --dir COPY::/      (the directory preopened as /)
    dirs      -> --dir COPY::NAME   (older form: each preopened by its name)
    stdout, stderr -> the stream must be exactly this text
    exit_code -> the expected exit status (default 0)

Directories are copied fresh for every test, since tests change them. A
spec field this runner does not know is a failure of that test, never a
skip. The expectations file uses upstream's format (expectations/*.toml):
`[[suite]] name = ...` with `[[suite.test]] name = ..., action = "skip"`
(plus a `reason`, which this runner requires) or `expected = "fail"`.

Prints one line per test and closes with `N passed, M failed, K skipped`;
exits 1 if any test failed (an expected failure that passes is a failure
too: the expectations file must be kept true).
"""

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib

KNOWN_FIELDS = {"args", "env", "root", "dirs", "stdout", "stderr", "exit_code"}


class SpecError(Exception):
    """A spec this runner cannot honour: the test counts as failed."""


def load_expectations(path):
    """{suite name: {test name: ("skip" | "fail", reason)}}"""
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    if doc.get("version") != 1:
        raise SystemExit(f"{path}: expected version = 1")
    table = {}
    for suite in doc.get("suite", []):
        tests = table.setdefault(suite["name"], {})
        for t in suite.get("test", []):
            reason = t.get("reason", "")
            if t.get("action") == "skip":
                if not reason:
                    raise SystemExit(f"{path}: skip of {t['name']} gives no reason")
                tests[t["name"]] = ("skip", reason)
            elif t.get("expected") == "fail":
                tests[t["name"]] = ("fail", reason)
            else:
                raise SystemExit(f"{path}: {t['name']}: neither skip nor expected fail")
    return table


def suite_name(suite_dir):
    manifest = os.path.join(suite_dir, "manifest.json")
    with open(manifest, encoding="utf-8") as f:
        return json.load(f)["name"]


def load_spec(wasm_path):
    spec_path = wasm_path[: -len(".wasm")] + ".json"
    if not os.path.exists(spec_path):
        return {}
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    if not isinstance(spec, dict):
        raise SpecError("spec is not a JSON object")
    unknown = sorted(set(spec) - KNOWN_FIELDS)
    if unknown:
        raise SpecError("spec fields this runner does not know: " + ", ".join(unknown))
    return spec


def copy_dir(suite_dir, name, work):
    src = os.path.join(suite_dir, name)
    if not os.path.isdir(src):
        raise SpecError(f"directory {name} is not in the suite")
    dst = os.path.join(work, "dirs", os.path.basename(os.path.normpath(name)))
    # symlinks=True: the suite's dangling and looping links must stay links.
    shutil.copytree(src, dst, symlinks=True)
    return dst


def precompile(args, suite_dir, wasm):
    """The artifact of `wasm` for --target, compiled once per cache dir."""
    # Test names are unique within a suite only: a folder per suite.
    suite_key = re.sub(r"[^A-Za-z0-9.-]+", "_", suite_name(suite_dir))
    out_dir = os.path.join(args.cache_dir, args.target, suite_key)
    os.makedirs(out_dir, exist_ok=True)
    artifact = os.path.join(out_dir, os.path.basename(wasm)[:-5] + ".so")
    if not os.path.exists(artifact):
        proc = subprocess.run([args.compiler, "aot-compile", "--target",
                               args.target, wasm, "-o", artifact],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise SpecError("aot-compile --target " + args.target + ": "
                            + proc.stderr.strip())
    return artifact


def command_line(args, suite_dir, wasm, spec, work):
    argv = [args.wasmaot, "run"]
    if args.cache_dir and not args.compiler:
        argv += ["--cache-dir", args.cache_dir]
    if not args.compiler:
        argv += ["--tier", args.tier]
    env = spec.get("env", {})
    if not isinstance(env, dict):
        raise SpecError("env is not an object")
    for k, v in env.items():
        argv += ["--env", f"{k}={v}"]
    if "root" in spec:
        argv += ["--dir", copy_dir(suite_dir, spec["root"], work) + "::/"]
    for d in spec.get("dirs", []):
        argv += ["--dir", copy_dir(suite_dir, d, work) + "::" + d]
    argv.append(precompile(args, suite_dir, wasm) if args.compiler else wasm)
    test_args = spec.get("args", [])
    if not all(isinstance(a, str) for a in test_args):
        raise SpecError("args are not all strings")
    return argv + test_args


def run_one(args, suite_dir, wasm, spec):
    """Returns a list of reasons the test failed (empty: it passed)."""
    work = tempfile.mkdtemp(prefix="wasi-testsuite.")
    try:
        argv = command_line(args, suite_dir, wasm, spec, work)
        # stdin is a pipe that stays open and empty, as upstream's runner
        # gives it: a read from fd 0 blocks (the wasi-threads tests rely
        # on a thread blocked there being ended by another's proc_exit).
        stdin_r, stdin_w = os.pipe()
        try:
            proc = subprocess.run(argv, stdin=stdin_r,
                                  capture_output=True, timeout=args.timeout,
                                  cwd=work)
        except subprocess.TimeoutExpired:
            return [f"no exit within {args.timeout} s"]
        finally:
            os.close(stdin_r)
            os.close(stdin_w)
        problems = []
        want_code = spec.get("exit_code", 0)
        if proc.returncode != want_code:
            problems.append(f"exit status {proc.returncode}, expected {want_code}")
        for stream in ("stdout", "stderr"):
            if stream in spec:
                got = getattr(proc, stream).decode("utf-8", "replace")
                if got != spec[stream]:
                    problems.append(f"{stream} {got!r}, expected {spec[stream]!r}")
        if problems:
            err = proc.stderr.decode("utf-8", "replace").strip()
            if err:
                problems.append("stderr: " + err[-2000:])
        return problems
    finally:
        # A test may leave read-only files or directories behind.
        for root, dirs, _ in os.walk(work):
            for d in dirs:
                p = os.path.join(root, d)
                if not os.path.islink(p):
                    os.chmod(p, 0o700)
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wasmaot", required=True)
    ap.add_argument("--expectations", required=True)
    ap.add_argument("--cache-dir")
    ap.add_argument("--filter", default="*", help="glob on test names")
    ap.add_argument("--timeout", type=float, default=120)
    # Not `tiered` (wasmaot's default for large modules): it leaves an
    # optimising compile running in the background after each test.
    ap.add_argument("--tier", default="optimized",
                    choices=["tiered", "optimized", "fast"],
                    help="`wasmaot run --tier` for the modules (default optimized)")
    ap.add_argument("--compiler", help="wasmaot that compiles for --target")
    ap.add_argument("--target", help="target triple of the artifacts")
    ap.add_argument("suites", nargs="+")
    args = ap.parse_args()
    if bool(args.compiler) != bool(args.target) or (args.compiler and not args.cache_dir):
        ap.error("--compiler and --target go together, with --cache-dir")
    if args.compiler:
        args.compiler = os.path.abspath(args.compiler)
    # Tests run in a scratch directory: every path given here is made
    # absolute first.
    args.wasmaot = os.path.abspath(args.wasmaot)
    if args.cache_dir:
        args.cache_dir = os.path.abspath(args.cache_dir)
    args.suites = [os.path.abspath(s) for s in args.suites]

    expectations = load_expectations(args.expectations)
    passed = failed = skipped = 0
    per_suite = []
    for suite_dir in args.suites:
        before = (passed, failed, skipped)
        name = suite_name(suite_dir)
        expected = expectations.get(name, {})
        tests = sorted(f[:-5] for f in os.listdir(suite_dir) if f.endswith(".wasm"))
        print(f"== {name}: {len(tests)} tests")
        unused = set(expected) - set(tests)
        if unused:
            print(f"FAIL expectations name tests not in {name}: {sorted(unused)}")
            failed += 1
        for test in tests:
            if not fnmatch.fnmatch(test, args.filter):
                continue
            action, reason = expected.get(test, (None, ""))
            if action == "skip":
                print(f"SKIP {test}: {reason}")
                skipped += 1
                continue
            wasm = os.path.join(suite_dir, test + ".wasm")
            try:
                problems = run_one(args, suite_dir, wasm, load_spec(wasm))
            except (SpecError, OSError, ValueError) as e:
                problems = [str(e)]
            if action == "fail":
                if problems:
                    print(f"XFAIL {test}: {reason}")
                    skipped += 1
                else:
                    print(f"FAIL {test}: passes but is listed as expected to fail")
                    failed += 1
            elif problems:
                print(f"FAIL {test}: " + "; ".join(problems))
                failed += 1
            else:
                print(f"PASS {test}")
                passed += 1
            sys.stdout.flush()
        per_suite.append((name, passed - before[0], failed - before[1],
                          skipped - before[2]))
    for name, p, f, k in per_suite:
        print(f"{name}: {p} passed, {f} failed, {k} skipped")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
