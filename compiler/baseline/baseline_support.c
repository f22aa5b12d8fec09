/* Which functions the baseline generator takes (baseline.h). */
#include <string.h>

#include "baseline.h"
#include "wasm_instr.h"

bool baseline_module_eligible(const wasm_module *m, const codegen_target *t,
                              bool tail_cc) {
  return strncmp(t->triple, "x86_64", 6) == 0 && !m->has_exception_code &&
         !tail_cc;
}

static bool is_number(wasm_type t) {
  return t == WASM_TYPE_I32 || t == WASM_TYPE_I64 || t == WASM_TYPE_F32 ||
         t == WASM_TYPE_F64;
}

static bool type_is_number(const wasm_functype *t) {
  if (t->result_count > 1)
    return false;
  for (uint32_t i = 0; i < t->param_count + t->result_count; i++)
    if (!is_number(t->types[i]))
      return false;
  return true;
}

static bool blocktype_is_number(const wasm_module *m,
                                const wasm_blocktype *bt) {
  if (bt->kind == WASM_BLOCKTYPE_VALUE)
    return is_number(bt->value);
  if (bt->kind == WASM_BLOCKTYPE_TYPE_INDEX) {
    if (bt->type_index >= m->type_count)
      return false;
    const wasm_functype *t = &m->types[bt->type_index];
    /* Block results stay in slots: any number of them works. */
    for (uint32_t i = 0; i < t->param_count + t->result_count; i++)
      if (!is_number(t->types[i]))
        return false;
  }
  return true;
}

static bool memory0_is32(const wasm_module *m, uint32_t memory) {
  return memory == 0 && m->memory_count > 0 && !m->memories[0].is64;
}

/* popcnt and SSE4.1's roundss are in x86-64-v2, and every CPU LLVM names
 * for this machine that has them lists them among its features. */
static bool has_feature(const codegen_target *t, const char *feature) {
  return strstr(t->features, feature) != NULL ||
         strncmp(t->cpu, "x86-64-v", 8) == 0;
}

bool baseline_is_int_conversion(wasm_opcode op) {
  switch (op) {
  case WASM_OP_I32_WRAP_I64:
  case WASM_OP_I64_EXTEND_I32_S:
  case WASM_OP_I64_EXTEND_I32_U:
  case WASM_OP_I32_EXTEND8_S:
  case WASM_OP_I32_EXTEND16_S:
  case WASM_OP_I64_EXTEND8_S:
  case WASM_OP_I64_EXTEND16_S:
  case WASM_OP_I64_EXTEND32_S:
    return true;
  default:
    return false;
  }
}

static bool is_rounding(wasm_opcode op) {
  return (op >= WASM_OP_F32_CEIL && op <= WASM_OP_F32_NEAREST) ||
         (op >= WASM_OP_F64_CEIL && op <= WASM_OP_F64_NEAREST);
}

/* Scalar float instructions (baseline_x86_64_float.c). */
static bool is_float_op(wasm_opcode op) {
  return op == WASM_OP_F32_CONST || op == WASM_OP_F64_CONST ||
         (op >= WASM_OP_F32_EQ && op <= WASM_OP_F64_GE) ||
         (op >= WASM_OP_F32_ABS && op <= WASM_OP_F64_COPYSIGN) ||
         (op >= WASM_OP_I32_WRAP_I64 && op <= WASM_OP_F64_REINTERPRET_I64) ||
         (op >= WASM_OP_I32_TRUNC_SAT_F32_S &&
          op <= WASM_OP_I64_TRUNC_SAT_F64_U);
}

/* Instructions with nothing to check beyond their opcode. */
static bool is_plain_integer_op(wasm_opcode op) {
  switch (op) {
  case WASM_OP_UNREACHABLE:
  case WASM_OP_NOP:
  case WASM_OP_ELSE:
  case WASM_OP_END:
  case WASM_OP_BR:
  case WASM_OP_BR_IF:
  case WASM_OP_BR_TABLE:
  case WASM_OP_RETURN:
  case WASM_OP_DROP:
  case WASM_OP_SELECT:
  case WASM_OP_LOCAL_GET:
  case WASM_OP_LOCAL_SET:
  case WASM_OP_LOCAL_TEE:
  case WASM_OP_I32_CONST:
  case WASM_OP_I64_CONST:
    return true;
  default:
    return baseline_is_int_conversion(op) ||
           (op >= WASM_OP_I32_EQZ && op <= WASM_OP_I64_GE_U) ||
           (op >= WASM_OP_I32_CLZ && op <= WASM_OP_I64_ROTR);
  }
}

static bool is_memory_access(wasm_opcode op) {
  return op >= WASM_OP_I32_LOAD && op <= WASM_OP_I64_STORE32;
}

static bool instr_supported(const wasm_module *m, const codegen_target *t,
                            const wasm_instr *in) {
  wasm_opcode op = in->op;
  if (op == WASM_OP_I32_POPCNT || op == WASM_OP_I64_POPCNT)
    return has_feature(t, "+popcnt");
  if (is_rounding(op))
    return has_feature(t, "+sse4.1");
  if (is_float_op(op))
    return true;
  if (op == WASM_OP_BR_TABLE) /* its bound is compared as an imm32 */
    return in->imm.br_table.target_count <= INT32_MAX;
  if (is_plain_integer_op(op))
    return true;
  if (is_memory_access(op))
    return memory0_is32(m, in->memarg.memory);
  switch (op) {
  case WASM_OP_BLOCK:
  case WASM_OP_LOOP:
  case WASM_OP_IF:
    return blocktype_is_number(m, &in->imm.block);
  case WASM_OP_SELECT_T:
    return in->imm.select_t.count == 1 && is_number(in->imm.select_t.type);
  case WASM_OP_GLOBAL_GET:
  case WASM_OP_GLOBAL_SET:
    return is_number(m->globals[in->imm.global].type.type);
  case WASM_OP_CALL:
    return type_is_number(wasm_func_type(m, in->imm.func));
  case WASM_OP_CALL_INDIRECT: {
    const wasm_functype *ft = &m->types[in->imm.call_indirect.type_index];
    return type_is_number(ft) && ft->is_final &&
           !m->tables[in->imm.call_indirect.table].is64;
  }
  case WASM_OP_MEMORY_SIZE:
  case WASM_OP_MEMORY_GROW:
  case WASM_OP_MEMORY_FILL:
    return memory0_is32(m, in->imm.memory);
  case WASM_OP_MEMORY_COPY:
    return memory0_is32(m, in->imm.memory_copy.dst) &&
           memory0_is32(m, in->imm.memory_copy.src);
  default:
    return false;
  }
}

bool baseline_function_supported(const wasm_module *m, const codegen_target *t,
                                 uint32_t func_index) {
  if (!type_is_number(wasm_func_type(m, func_index)))
    return false;
  const wasm_func *fn = &m->funcs[func_index - m->import_func_count];
  for (uint32_t i = 0; i < fn->local_run_count; i++)
    if (!is_number(fn->local_runs[i].type))
      return false;
  wasm_error err = {0};
  wasm_reader r = {.bytes = m->bytes,
                   .pos = fn->code_offset,
                   .end = fn->code_end,
                   .err = &err};
  while (r.pos < r.end) {
    wasm_instr in;
    if (!wasm_read_instr(&r, m, &in) || !instr_supported(m, t, &in))
      return false;
  }
  return true;
}
