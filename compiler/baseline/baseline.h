/* The baseline code generator: one pass over a function's instructions,
 * straight to x86-64 machine code, for the fast tier. LLVM at -O0 (FastISel
 * and the fast register allocator) generates about 1 MB of Wasm code per
 * second and core; a yosys-sized module then takes 20 s before its first
 * instruction runs. This generator makes one pass, keeping the most used
 * locals in registers and each operand where it is (a constant, a local,
 * a register, the flags of a compare) until an instruction uses it
 * (baseline_x86_64.h), so it runs at tens of MB/s and its code runs
 * about 1.6 times slower than the default tier's.
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
#include "wasm_instr.h"
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

/* Whether `op` converts between integer widths (wrap, extend): the
 * instructions the support check and the lowering treat as one group. */
bool baseline_is_int_conversion(wasm_opcode op);

/* Compiles the functions funcs[0..count) (all supported) into a
 * relocatable ELF object defining each as the hidden global
 * symbols[index], as the LLVM pieces do. On failure returns false with a
 * reason in errbuf. */
bool baseline_compile(const wasm_module *m, const codegen_target *t,
                      const wasmaot_vmctx_layout *layout, const uint32_t *funcs,
                      uint32_t count, const char *const *symbols, void **obj,
                      size_t *size, char *errbuf, size_t errlen);

#endif
