/* The baseline code generator: one pass over a function's instructions,
 * straight to x86-64 machine code, for the fast tier. LLVM at -O0 (FastISel
 * and the fast register allocator) generates about 1 MB of Wasm code per
 * second and core; a yosys-sized module then takes 20 s before its first
 * instruction runs. This generator keeps every Wasm local and operand in a
 * stack slot of its own and only defers constants and local reads to the
 * instruction that uses them, so it runs at tens of MB/s and its code
 * runs about as fast as -O0's.
 *
 * It covers the scalar part of Wasm: integer and float arithmetic,
 * conversions, memory 0 (32-bit) and its bulk operations, globals,
 * calls, every control instruction. A function using anything else (SIMD,
 * atomics, references, exceptions, tail calls, more than one result, a
 * 64-bit memory, ...) is left to LLVM, in another piece, as is a module
 * with exception handling or LLVM's tailcc. The functions follow
 * the artifact ABI of LLVM's code exactly (artifact_format.h): the C
 * calling convention with vmctx first, the vmctx layout, the helper
 * table, traps through the TRAP helper, the stack check against
 * vmctx->stack_limit and, when counting, the entry counters. */
#ifndef WASMAOT_BASELINE_H
#define WASMAOT_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "artifact_format.h"
#include "codegen_target.h"
#include "wasm_module.h"

/* Whether any function of `m` may be compiled by the baseline generator
 * for `t`: an x86-64 target, a module without exception handling (its
 * frames would need unwind tables) whose calls use the C convention
 * (`tail_cc` false: lower_module_needs_tailcc). */
bool baseline_module_eligible(const wasm_module *m, const codegen_target *t,
                              bool tail_cc);

/* Whether the baseline generator compiles function `func_index` (a defined
 * one) of an eligible module. Reads its body. */
bool baseline_function_supported(const wasm_module *m, const codegen_target *t,
                                 uint32_t func_index);

/* Compiles the functions funcs[0..count) (all supported) into a
 * relocatable ELF object defining each as the hidden global
 * symbols[index], as the LLVM pieces do. On failure returns false with a
 * reason in errbuf. */
bool baseline_compile(const wasm_module *m, const codegen_target *t,
                      const wasmaot_vmctx_layout *layout, const uint32_t *funcs,
                      uint32_t count, const char *const *symbols, void **obj,
                      size_t *size, char *errbuf, size_t errlen);

#endif
