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

/* The vmctx layout for a module; a pure function of its index spaces. */
void lower_compute_vmctx_layout(const wasm_module *m, wasmaot_vmctx_layout *l);

#endif
