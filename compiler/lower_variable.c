/* local.get/set/tee and global.get/set.
 *
 * Locals are allocas that mem2reg turns into SSA values. Defined globals
 * live in 16-byte cells inside vmctx, so the C stack pointer global costs
 * one load from vmctx; imported globals are reached through a pointer to
 * the exporting instance's cell, which is how they are shared. */
#include "lower.h"

static LLVMValueRef global_address(lower_func_ctx *f, uint32_t index) {
  lower_module_ctx *mc = f->mc;
  const wasm_module *m = mc->m;
  if (index < m->import_global_count)
    return lower_vmctx_load(f, mc->t_ptr,
                            mc->layout.imported_globals + 8 * index, true);
  uint32_t defined = index - m->import_global_count;
  return lower_vmctx_field(f, mc->layout.defined_globals + 16 * defined);
}

bool lower_variable(lower_func_ctx *f, const wasm_instr *in) {
  lower_module_ctx *mc = f->mc;
  LLVMBuilderRef b = mc->builder;
  switch (in->op) {
  case WASM_OP_LOCAL_GET: {
    uint32_t i = in->imm.local;
    lower_push(f, LLVMBuildLoad2(b, lower_value_type(mc, f->local_types[i]),
                                 f->locals[i], ""));
    return true;
  }
  case WASM_OP_LOCAL_SET:
    LLVMBuildStore(b, lower_pop(f), f->locals[in->imm.local]);
    return true;
  case WASM_OP_LOCAL_TEE:
    LLVMBuildStore(b, lower_peek(f, 0), f->locals[in->imm.local]);
    return true;
  case WASM_OP_GLOBAL_GET: {
    const wasm_global *g = &mc->m->globals[in->imm.global];
    LLVMValueRef v = LLVMBuildLoad2(b, lower_value_type(mc, g->type.type),
                                    global_address(f, in->imm.global), "");
    if (!g->type.is_mutable)
      lower_mark_invariant(mc, v);
    lower_push(f, v);
    return true;
  }
  case WASM_OP_GLOBAL_SET:
    LLVMBuildStore(b, lower_pop(f), global_address(f, in->imm.global));
    return true;
  default:
    return wasm_error_set(mc->err, in->offset,
                          "%s is not a variable instruction",
                          wasm_op_name(in->op));
  }
}
