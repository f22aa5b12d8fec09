#!/usr/bin/env python3
"""Writes a large generated module (WAT) for the reproducibility test, and
prints what its export `run` returns for the argument given.

   gen_large_module.py OUT.wat ARG        -> prints run(ARG)
   gen_large_module.py OUT.wat ARG cold   -> prints cold(ARG)
   gen_large_module.py OUT.wat ARG spin   -> prints spin(ARG)

Its code is over CODEGEN_WHOLE_MODULE_BYTES (compiler/codegen_plan.h), so
it is compiled in many pieces, and one function is over
CODEGEN_HUGE_FUNCTION_BYTES, so that path is taken too. Every function
calls the one before it, so calls cross pieces. The arithmetic is i32
with wrap-around, mirrored here to know the right answer. `cold` calls a
second chain of COLD functions that `run` never reaches: a profile of
`run` finds them cold (codegen_plan.h). `spin` loops ARG times, which
counts ARG loop iterations: enough of them make a profile a tiered run
takes (cache/run_source.h)."""
import sys

FUNCS = 3000
COLD = 300
COLD_BASE = 7000  # g_i has f_(COLD_BASE + i)'s body
HUGE_OPS = 14000  # ~7 bytes each: a body of about 100 KB and more
M = 0xFFFFFFFF


def body(i):
    # x = ((x * (2i+1)) ^ (i * 2654435761)) rotated by i % 31, per round
    return [
        "    (local.set 0 (i32.rotl (i32.xor (i32.mul (local.get 0)"
        f" (i32.const {2 * i + 1})) (i32.const {(i * 2654435761) & M}))"
        f" (i32.const {i % 31})))"
    ]


def rotl(x, n):
    n %= 32
    return ((x << n) | (x >> (32 - n))) & M if n else x


def step(i, x):
    k = (i * 2654435761) & M
    return rotl(((x * (2 * i + 1)) & M) ^ k, i % 31)


def main():
    out, arg = sys.argv[1], int(sys.argv[2])
    lines = ["(module"]
    for i in range(FUNCS):
        lines.append(f"  (func $f{i} (param i32) (result i32)")
        rounds = 1 + i % 5
        for _ in range(rounds):
            lines += body(i)
        if i:
            lines.append(f"    (i32.add (call $f{i - 1} (local.get 0))"
                         " (local.get 0)))")
        else:
            lines.append("    (local.get 0))")
    for i in range(COLD):
        lines.append(f"  (func $g{i} (param i32) (result i32)")
        for _ in range(1 + (COLD_BASE + i) % 5):
            lines += body(COLD_BASE + i)
        if i:
            lines.append(f"    (i32.add (call $g{i - 1} (local.get 0))"
                         " (local.get 0)))")
        else:
            lines.append("    (local.get 0))")
    lines.append(f"  (func (export \"cold\") (param i32) (result i32)")
    lines.append(f"    (call $g{COLD - 1} (local.get 0)))")
    lines.append("  (func $huge (param i32) (result i32)")
    for j in range(HUGE_OPS):
        lines.append(f"    (local.set 0 (i32.add (i32.mul (local.get 0)"
                     f" (i32.const {j * 2 + 3})) (i32.const {j})))")
    lines.append("    (local.get 0))")
    lines.append(f"  (func (export \"run\") (param i32) (result i32)")
    lines.append(f"    (i32.xor (call $f{FUNCS - 1} (local.get 0))"
                 " (call $huge (local.get 0))))")
    lines.append("  (func (export \"spin\") (param i32) (result i32)"
                 " (local i32 i32)")
    lines.append("    (block (loop"
                 " (br_if 1 (i32.ge_u (local.get 1) (local.get 0)))"
                 " (local.set 2 (i32.add (local.get 2) (local.get 1)))"
                 " (local.set 1 (i32.add (local.get 1) (i32.const 1)))"
                 " (br 0)))")
    lines.append("    (local.get 2))")
    lines[-1] += ")"  # closes the module
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")

    # f_i(x) = rounds of step, then + f_{i-1}(x') + x' (x' the stepped x)
    def call(i, x, base=0):
        # iterative, as Python's recursion limit is below FUNCS
        acc_stack = []
        for k in range(i, -1, -1):
            for _ in range(1 + (base + k) % 5):
                x = step(base + k, x)
            acc_stack.append(x)
        # f_0 returns its x; f_k returns f_{k-1}(x_k) + x_k
        result = acc_stack[-1]
        for xk in reversed(acc_stack[:-1]):
            result = (result + xk) & M
        return result

    if sys.argv[3:] == ["spin"]:
        n = arg & M
        r = (n * (n - 1) // 2) & M if n else 0
        print(r - (1 << 32) if r >= 1 << 31 else r)
        return
    if sys.argv[3:] == ["cold"]:
        r = call(COLD - 1, arg & M, COLD_BASE)
        print(r - (1 << 32) if r >= 1 << 31 else r)
        return
    h = arg & M
    for j in range(HUGE_OPS):
        h = (h * (j * 2 + 3) + j) & M
    r = call(FUNCS - 1, arg & M) ^ h
    print(r - (1 << 32) if r >= 1 << 31 else r)


main()
