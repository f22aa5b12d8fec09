/* Entry point of the Wasm-to-LLVM lowering. */
#ifndef WASMAOT_LOWER_MODULE_H
#define WASMAOT_LOWER_MODULE_H

#include <llvm-c/Core.h>

#include "../loader/artifact_format.h"
#include "aot_compile.h"
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
 * defined functions first..end-1 (function indices), and whether this
 * piece also holds the module-wide parts (trampolines, function and
 * trampoline tables). Functions of other pieces are declared under their
 * shared symbol names, and the ones defined here are exported under them
 * (hidden), so the pieces' objects link with each other. */
typedef struct lower_partition {
  uint32_t first, end;
  bool tables;
} lower_partition;

/* lower_module for one piece; `part` NULL is the whole module. Progress
 * counts the piece's functions. */
LLVMModuleRef lower_module_part(const wasm_module *m,
                                const codegen_target *target,
                                LLVMContextRef llctx,
                                const lower_partition *part,
                                wasmaot_vmctx_layout *layout,
                                const aot_progress *progress, wasm_error *err);

/* The vmctx layout for a module; a pure function of its index spaces. */
void lower_compute_vmctx_layout(const wasm_module *m, wasmaot_vmctx_layout *l);

#endif
