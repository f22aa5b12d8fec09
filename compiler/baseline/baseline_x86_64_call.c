/* The x86-64 baseline generator: calls, in the C convention with vmctx
 * first (artifact_format.h). */

#include <stddef.h>

#include <elf.h>

#include "baseline_x86_64.h"

static const int arg_regs[] = {X_RDI, X_RSI, X_RDX, X_RCX, X_R8, X_R9};

arg_place bl_place_arg(const wasm_functype *t, uint32_t k, int *next_int,
                       int *next_xmm, uint32_t *next_stack) {
  arg_place a = {-1, -1, 0};
  if (is_float_type(wasm_functype_params(t)[k])) {
    if (*next_xmm < 8)
      a.xmm = (*next_xmm)++;
    else
      a.stack = (*next_stack)++;
  } else if (*next_int < 6) {
    a.reg = arg_regs[(*next_int)++];
  } else {
    a.stack = (*next_stack)++;
  }
  return a;
}

static uint32_t stack_words(const wasm_functype *t) {
  int next_int = 1, next_xmm = 0;
  uint32_t words = 0;
  for (uint32_t k = 0; k < t->param_count; k++)
    bl_place_arg(t, k, &next_int, &next_xmm, &words);
  return words;
}

/* Loads the top operands as the arguments of a call of type t (argument
 * 0, vmctx or env, is the caller's to load), those that do not fit in
 * registers into a stack area it reserves; returns that area's size, to
 * release after the call. Stack words and xmm registers first: a float
 * constant passes through rax. */
static int32_t load_call_args(bl_func *f, const wasm_functype *t) {
  uint32_t n = t->param_count, first = f->sp - n;
  int32_t area = (int32_t)((stack_words(t) * 8 + 15) & ~15u);
  if (area)
    x_alu_ri(f->code, XA_SUB, true, X_RSP, area);
  for (int pass = 0; pass < 2; pass++) {
    int next_int = 1, next_xmm = 0;
    uint32_t next_stack = 0;
    for (uint32_t k = 0; k < n; k++) {
      arg_place a = bl_place_arg(t, k, &next_int, &next_xmm, &next_stack);
      if (pass == 0 && a.xmm >= 0) {
        bl_load_xmm(f, a.xmm, first + k);
      } else if (pass == 0 && a.reg < 0) {
        bl_load_value(f, X_RAX, first + k);
        x_store(f->code, x_at(X_RSP, (int32_t)(8 * a.stack)), X_RAX, 8);
      } else if (pass == 1 && a.reg >= 0) {
        bl_load_value(f, a.reg, first + k);
      }
    }
  }
  f->sp -= n;
  return area;
}

static void finish_call(bl_func *f, int32_t area, const wasm_functype *t) {
  if (area)
    x_alu_ri(f->code, XA_ADD, true, X_RSP, area);
  if (t->result_count == 1) {
    wasm_type r = wasm_functype_results(t)[0];
    if (is_float_type(r))
      bl_push_xmm(f, 0, r == WASM_TYPE_F64);
    else
      bl_push_reg(f, X_RAX, is64_type(r));
  }
}

uint32_t bl_function_symbol(bl_func *f, uint32_t func_index) {
  if (f->symbol_of[func_index] == UINT32_MAX)
    f->symbol_of[func_index] = bl_object_add_symbol(
        f->obj, (bl_symbol){.name = f->symbols[func_index]});
  return f->symbol_of[func_index];
}

/* helpers[h](vmctx, 0 x zeros, the top `n` operands): the memory index
 * 0 goes before the operands; at most five arguments after vmctx. */
void bl_call_helper(bl_func *f, wasmaot_helper_index h, uint32_t zeros,
                    uint32_t n) {
  bl_spill_regs(f);
  uint32_t first = f->sp - n;
  int next = 1;
  for (uint32_t i = 0; i < zeros; i++)
    x_mov_imm(f->code, arg_regs[next++], 0);
  for (uint32_t k = 0; k < n; k++)
    bl_load_value(f, arg_regs[next++], first + k);
  f->sp -= n;
  x_mov_rr(f->code, true, X_RDI, X_RBX);
  x_load(f->code, X_RAX, x_at(X_RBX, offsetof(wasmaot_vmctx_header, helpers)),
         8);
  x_call_mem(f->code, x_at(X_RAX, (int32_t)(8 * h)));
}

void bl_lower_call(bl_func *f, uint32_t callee) {
  const wasm_module *m = f->m;
  const wasm_functype *t = wasm_func_type(m, callee);
  bl_spill_regs(f);
  if (callee < m->import_func_count) {
    x_load(f->code, X_R11,
           x_at(X_RBX, (int32_t)(f->layout->imported_funcs + 8 * callee)), 8);
    int32_t area = load_call_args(f, t);
    x_load(f->code, X_RDI, x_at(X_R11, offsetof(wasmaot_funcref, env)), 8);
    x_call_mem(f->code, x_at(X_R11, offsetof(wasmaot_funcref, code)));
    finish_call(f, area, t);
    return;
  }
  int32_t area = load_call_args(f, t);
  x_mov_rr(f->code, true, X_RDI, X_RBX);
  size_t at = x_call_rel32(f->code);
  bl_object_add_reloc(f->obj,
                      (bl_reloc){.offset = at,
                                 .symbol = bl_function_symbol(f, callee),
                                 .type = R_X86_64_PLT32,
                                 .addend = -4});
  finish_call(f, area, t);
}

void bl_lower_call_indirect(bl_func *f, const wasm_instr *in) {
  bytebuf *c = f->code;
  uint32_t type_index = in->imm.call_indirect.type_index;
  const wasm_functype *t = &f->m->types[type_index];
  bl_pop_into(f, X_RAX);
  bl_spill_regs(f);
  x_load(c, X_R11,
         x_at(X_RBX,
              (int32_t)(f->layout->tables + 8 * in->imm.call_indirect.table)),
         8);
  x_alu_rm(c, XA_CMP, false, X_RAX,
           x_at(X_R11, offsetof(wasmaot_table_obj, size)));
  bl_jcc_to(f, XC_AE, bl_trap_label(f, WASMAOT_TRAP_UNDEFINED_ELEMENT));
  x_load(c, X_R11, x_at(X_R11, offsetof(wasmaot_table_obj, elems)), 8);
  x_load(c, X_R11, (x_mem){X_R11, X_RAX, 8, 0}, 8);
  x_test_rr(c, true, X_R11, X_R11);
  bl_jcc_to(f, XC_E, bl_trap_label(f, WASMAOT_TRAP_UNINITIALIZED_ELEMENT));
  x_load(c, X_RAX, x_at(X_R11, offsetof(wasmaot_funcref, type_id)), 4);
  x_alu_rm(c, XA_CMP, false, X_RAX,
           x_at(X_RBX, (int32_t)(f->layout->type_ids + 4 * type_index)));
  bl_jcc_to(f, XC_NE, bl_trap_label(f, WASMAOT_TRAP_INDIRECT_CALL_TYPE));
  int32_t area = load_call_args(f, t);
  x_load(c, X_RDI, x_at(X_R11, offsetof(wasmaot_funcref, env)), 8);
  x_call_mem(c, x_at(X_R11, offsetof(wasmaot_funcref, code)));
  finish_call(f, area, t);
}
