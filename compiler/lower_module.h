/* Entry point of the Wasm-to-LLVM lowering. */
#ifndef WASMAOT_LOWER_MODULE_H
#define WASMAOT_LOWER_MODULE_H

#include <llvm-c/Core.h>

#include "aot_compile.h"
#include "artifact_format.h"
#include "codegen_target.h"
#include "wasm_module.h"

/* Lowers a validated module into a new LLVM module in `llctx`, configured
 * for `target`; fills the vmctx layout the code assumes and reports each
 * function lowered to `progress` (may be NULL). NULL + *err on failure
 * (an instruction the code generator does not support yet). */
LLVMModuleRef lower_module(const wasm_module *m, const codegen_target *target,
                           LLVMContextRef llctx, wasmaot_vmctx_layout *layout,
                           const aot_progress *progress, wasm_error *err);

/* A piece of a module compiled on its own (see codegen_parallel.h): the
 * defined functions funcs[0..count) (function indices), and whether this
 * piece also holds the module-wide parts (trampolines, function and
 * trampoline tables). Every defined function is a hidden global named
 * symbols[index] (from lower_piece_symbols, the same for all pieces), so
 * the pieces' objects link with each other. */
typedef struct lower_partition {
  const uint32_t *funcs; /* function indices, ascending */
  uint32_t count;
  unsigned function_align; /* bytes, for the piece's functions; 0: LLVM's */
  bool tables;
  const char *const *symbols;
  bool tail_cc; /* lower_module_needs_tailcc(), asked once per module */
} lower_partition;

/* Whether the guaranteed tail calls of `m` need LLVM's tailcc convention
 * for all its functions: a return_call or return_call_indirect whose
 * callee's LLVM prototype differs from the caller's and returns at most
 * one value (more would be returned through memory, which no tail call
 * can forward). Reads every body once. */
bool lower_module_needs_tailcc(const wasm_module *m);

/* The symbol of every defined function (NULL for imports): its readable
 * "wasm:NAME", made unique in the module. NULL if out of memory. */
char **lower_piece_symbols(const wasm_module *m);
void lower_free_piece_symbols(const wasm_module *m, char **symbols);

/* lower_module for one piece; `part` NULL is the whole module. Progress
 * counts the piece's functions. */
LLVMModuleRef lower_module_part(const wasm_module *m,
                                const codegen_target *target,
                                LLVMContextRef llctx,
                                const lower_partition *part,
                                wasmaot_vmctx_layout *layout,
                                const aot_progress *progress, wasm_error *err);

/* The vmctx layout for a module; a pure function of its index spaces. */
void lower_compute_vmctx_layout(const wasm_module *m, bool count_entries,
                                wasmaot_vmctx_layout *l);

#endif
