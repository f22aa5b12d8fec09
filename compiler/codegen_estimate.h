/* Without a profile, which functions of a very large module get LLVM's
 * optimising pipeline (codegen_plan.h): a static guess at where the time
 * will go, so that the default tier's compile time stops growing with
 * the module past CODEGEN_ESTIMATE_BUDGET_BYTES of code.
 *
 * LLVM -O2 costs about 5-10 us of CPU per byte of Wasm, the baseline
 * generator (compiler/baseline/) some 50 times less, and its code runs
 * 1.5-2 times slower. yosys (27.8 MB of code) shows where a run's time
 * goes: one run of synth_ice40 enters or loops in 5,035 of its 34,004
 * functions, and 62 of them take 99 % of the counts, mostly small ones
 * that call little (hashing, comparisons, string and memory routines).
 * So the functions are ranked small first, and among those that call
 * less first, and taken in that order until the budget is spent; the
 * others are generated as a profile's cold ones are. Ranking by loop
 * nesting did worse. Measured on yosys (docs/compile-speed.md): the
 * 6 MiB budget (22 % of its code) compiles in a quarter of the CPU time
 * of optimising everything, and synth_ice40 runs about 3 % slower. A
 * real profile (aot-compile --profile) or --optimize-all does better
 * where it matters. */
#ifndef WASMAOT_CODEGEN_ESTIMATE_H
#define WASMAOT_CODEGEN_ESTIMATE_H

#include <stdbool.h>
#include <stdint.h>

#include "wasm_module.h"

/* Bytes of function bodies the default tier optimises without a profile;
 * a module with more code has them chosen by codegen_estimate_hot. */
#define CODEGEN_ESTIMATE_BUDGET_BYTES (6u * 1024u * 1024u)

/* A profile for codegen_plan_make: *counts (malloc'ed, one per defined
 * function) is 1 for the highest ranked functions whose bodies add up to
 * at least `budget` bytes (or all of them), 0 for the others. A pure
 * function of the module and the budget. False when out of memory. */
bool codegen_estimate_hot(const wasm_module *m, uint64_t budget,
                          uint64_t **counts);

#endif
