/* Tables and references.
 *
 * A funcref is a pointer to a wasmaot_funcref (NULL is ref.null); an
 * externref is an opaque host pointer. table.get/set/size are inline; the
 * operations that may move or bulk-write elements go to runtime helpers.
 * A 64-bit table (memory64) takes i64 indices: they are compared with the
 * zero-extended size, and its bulk operations call the helpers' 64-bit
 * variants, so a 32-bit table's code is what it was before memory64. */
#include <stddef.h>

#include "lower.h"

static LLVMValueRef table_object(lower_func_ctx *f, uint32_t table) {
  return lower_vmctx_load(f, f->mc->t_ptr, f->mc->layout.tables + 8 * table,
                          true);
}

static LLVMValueRef table_size(lower_func_ctx *f, LLVMValueRef table) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef off =
      LLVMConstInt(mc->t_i64, offsetof(wasmaot_table_obj, size), false);
  return LLVMBuildLoad2(
      mc->builder, mc->t_i32,
      LLVMBuildInBoundsGEP2(mc->builder, mc->t_i8, table, &off, 1, ""), "");
}

LLVMValueRef lower_table_index_out_of_bounds(lower_func_ctx *f,
                                             LLVMValueRef index,
                                             LLVMValueRef size) {
  lower_module_ctx *mc = f->mc;
  if (LLVMTypeOf(index) == mc->t_i64)
    size = LLVMBuildZExt(mc->builder, size, mc->t_i64, "");
  return LLVMBuildICmp(mc->builder, LLVMIntUGE, index, size, "");
}

/* Address of element `index` after checking it is in bounds. */
static LLVMValueRef checked_element(lower_func_ctx *f, uint32_t table_index,
                                    LLVMValueRef index) {
  lower_module_ctx *mc = f->mc;
  LLVMBuilderRef b = mc->builder;
  LLVMValueRef table = table_object(f, table_index);
  LLVMValueRef oob =
      lower_table_index_out_of_bounds(f, index, table_size(f, table));
  lower_trap_if(f, oob, WASMAOT_TRAP_TABLE_OUT_OF_BOUNDS);
  LLVMValueRef elems = LLVMBuildLoad2(b, mc->t_ptr, table, "");
  LLVMValueRef idx = index;
  if (LLVMTypeOf(index) != mc->t_i64)
    idx = LLVMBuildZExt(b, index, mc->t_i64, "");
  return LLVMBuildInBoundsGEP2(b, mc->t_ptr, elems, &idx, 1, "");
}

static LLVMValueRef func_ref(lower_func_ctx *f, uint32_t func_index) {
  lower_module_ctx *mc = f->mc;
  const wasm_module *m = mc->m;
  if (func_index < m->import_func_count)
    return lower_vmctx_load(f, mc->t_ptr,
                            mc->layout.imported_funcs + 8 * func_index, true);
  uint32_t defined = func_index - m->import_func_count;
  return lower_vmctx_field(f, mc->layout.defined_funcrefs +
                                  (uint32_t)sizeof(wasmaot_funcref) * defined);
}

static LLVMValueRef const_u32(lower_func_ctx *f, uint32_t v) {
  return LLVMConstInt(f->mc->t_i32, v, false);
}

static bool is64(lower_func_ctx *f, uint32_t table) {
  return f->mc->m->tables[table].is64;
}

/* The operand on top of the stack, zero-extended to i64 when `wide`. */
static LLVMValueRef pop_operand(lower_func_ctx *f, bool wide) {
  LLVMValueRef v = lower_pop(f);
  if (wide && LLVMTypeOf(v) != f->mc->t_i64)
    v = LLVMBuildZExt(f->mc->builder, v, f->mc->t_i64, "");
  return v;
}

bool lower_table(lower_func_ctx *f, const wasm_instr *in) {
  lower_module_ctx *mc = f->mc;
  LLVMBuilderRef b = mc->builder;
  LLVMValueRef args[5];
  switch (in->op) {
  case WASM_OP_TABLE_GET: {
    LLVMValueRef slot = checked_element(f, in->imm.table, lower_pop(f));
    lower_push(f, LLVMBuildLoad2(b, mc->t_ptr, slot, ""));
    return true;
  }
  case WASM_OP_TABLE_SET: {
    LLVMValueRef value = lower_pop(f);
    LLVMValueRef slot = checked_element(f, in->imm.table, lower_pop(f));
    LLVMBuildStore(b, value, slot);
    return true;
  }
  case WASM_OP_TABLE_SIZE: {
    LLVMValueRef size = table_size(f, table_object(f, in->imm.table));
    if (is64(f, in->imm.table))
      size = LLVMBuildZExt(b, size, mc->t_i64, "");
    lower_push(f, size);
    return true;
  }
  case WASM_OP_TABLE_GROW: { /* [init, n] */
    bool wide = is64(f, in->imm.table);
    args[0] = const_u32(f, in->imm.table);
    args[2] = lower_pop(f);
    args[1] = lower_pop(f);
    lower_push(f, lower_call_helper(f,
                                    wide ? WASMAOT_HELPER_TABLE_GROW64
                                         : WASMAOT_HELPER_TABLE_GROW,
                                    wide ? mc->t_i64 : mc->t_i32, args, 3));
    return true;
  }
  case WASM_OP_TABLE_FILL: { /* [i, val, n] */
    bool wide = is64(f, in->imm.table);
    args[0] = const_u32(f, in->imm.table);
    args[3] = lower_pop(f);
    args[2] = lower_pop(f);
    args[1] = lower_pop(f);
    lower_call_helper(
        f, wide ? WASMAOT_HELPER_TABLE_FILL64 : WASMAOT_HELPER_TABLE_FILL,
        mc->t_void, args, 4);
    return true;
  }
  case WASM_OP_TABLE_COPY: { /* [d, s, n] */
    bool wide =
        is64(f, in->imm.table_copy.dst) || is64(f, in->imm.table_copy.src);
    args[0] = const_u32(f, in->imm.table_copy.dst);
    args[1] = const_u32(f, in->imm.table_copy.src);
    args[4] = pop_operand(f, wide);
    args[3] = pop_operand(f, wide);
    args[2] = pop_operand(f, wide);
    lower_call_helper(
        f, wide ? WASMAOT_HELPER_TABLE_COPY64 : WASMAOT_HELPER_TABLE_COPY,
        mc->t_void, args, 5);
    return true;
  }
  case WASM_OP_TABLE_INIT: { /* [d, s, n] */
    bool wide = is64(f, in->imm.table_init.table);
    args[0] = const_u32(f, in->imm.table_init.table);
    args[1] = const_u32(f, in->imm.table_init.elem);
    args[4] = pop_operand(f, wide);
    args[3] = pop_operand(f, wide);
    args[2] = pop_operand(f, wide);
    lower_call_helper(
        f, wide ? WASMAOT_HELPER_TABLE_INIT64 : WASMAOT_HELPER_TABLE_INIT,
        mc->t_void, args, 5);
    return true;
  }
  case WASM_OP_ELEM_DROP:
    args[0] = const_u32(f, in->imm.elem);
    lower_call_helper(f, WASMAOT_HELPER_ELEM_DROP, mc->t_void, args, 1);
    return true;
  case WASM_OP_REF_NULL:
    lower_push(f, LLVMConstNull(mc->t_ptr));
    return true;
  case WASM_OP_REF_IS_NULL: {
    LLVMValueRef is_null = LLVMBuildIsNull(b, lower_pop(f), "");
    lower_push(f, LLVMBuildZExt(b, is_null, mc->t_i32, ""));
    return true;
  }
  case WASM_OP_REF_FUNC:
    lower_push(f, func_ref(f, in->imm.func));
    return true;
  default:
    return wasm_error_set(mc->err, in->offset, "%s is not a table instruction",
                          wasm_op_name(in->op));
  }
}
