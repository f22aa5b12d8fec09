/* The x86-64 baseline generator (baseline.h): control flow, locals and
 * globals, and a function's frame from prologue to trap stubs. */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <elf.h>

#include "array_reserve.h"
#include "baseline.h"
#include "baseline_x86_64.h"

/* ---- Control ----------------------------------------------------------- */

static void blocktype_types(const bl_func *f, const wasm_blocktype *bt,
                            bl_frame *fr) {
  fr->nparams = fr->nresults = 0;
  fr->params = fr->results = NULL;
  if (bt->kind == WASM_BLOCKTYPE_VALUE) {
    fr->nresults = 1;
    fr->single = bt->value;
  } else if (bt->kind == WASM_BLOCKTYPE_TYPE_INDEX) {
    const wasm_functype *t = &f->m->types[bt->type_index];
    fr->nparams = t->param_count;
    fr->nresults = t->result_count;
    fr->params = wasm_functype_params(t);
    fr->results = wasm_functype_results(t);
  }
}

static bl_frame *push_frame(bl_func *f, frame_kind kind) {
  if (!array_reserve((void **)&f->frames, &f->frames_cap, f->nframes + 1,
                     sizeof *f->frames)) {
    f->failed = true;
    return NULL;
  }
  bl_frame *fr = &f->frames[f->nframes++];
  memset(fr, 0, sizeof *fr);
  fr->kind = (uint8_t)kind;
  return fr;
}

static void count_entry(bl_func *f) {
  if (!f->layout->entry_counts)
    return;
  x_load(f->code, X_RAX, x_at(X_RBX, (int32_t)f->layout->entry_counts), 8);
  uint32_t defined = f->func_index - f->m->import_func_count;
  x_alu_mi8(f->code, XA_ADD, x_at(X_RAX, (int32_t)(8 * defined)), 1);
}

static void emit_return(bl_func *f) {
  if (f->type->result_count == 1) {
    if (is_float_type(wasm_functype_results(f->type)[0]))
      bl_load_xmm(f, 0, f->sp - 1);
    else
      bl_load_value(f, X_RAX, f->sp - 1);
  }
  x_lea(f->code, X_RSP, x_at(X_RBP, -f->slots_at));
  for (uint32_t i = f->nsaved; i-- > 0;)
    x_pop(f->code, f->saved[i]);
  x_pop(f->code, X_R12);
  x_pop(f->code, X_RBX);
  x_pop(f->code, X_RBP);
  x_ret(f->code);
}

/* Copies the top `n` operands (all in slots) down to `height`. */
static void move_values(bl_func *f, uint32_t n, uint32_t height) {
  uint32_t from = f->sp - n;
  if (from == height)
    return;
  for (uint32_t i = 0; i < n; i++) {
    x_load(f->code, X_RAX, slot_mem(f, from + i), 8);
    x_store(f->code, slot_mem(f, height + i), X_RAX, 8);
  }
}

static uint32_t branch_arity(const bl_frame *fr) {
  return fr->kind == FR_LOOP ? fr->nparams : fr->nresults;
}

/* Moves the branch's values and jumps to (or returns from) the frame at
 * `depth`. All operands are in slots. */
static void emit_branch(bl_func *f, uint32_t depth) {
  bl_frame *fr = &f->frames[f->nframes - 1 - depth];
  if (fr->kind == FR_FUNC) {
    emit_return(f);
    return;
  }
  move_values(f, branch_arity(fr), fr->height);
  bl_jmp_to(f, fr->label);
}

/* Whether a branch to `depth` needs no moves: a jump straight there. */
static bool branch_is_direct(const bl_func *f, uint32_t depth) {
  const bl_frame *fr = &f->frames[f->nframes - 1 - depth];
  return fr->kind != FR_FUNC && f->sp - branch_arity(fr) == fr->height;
}

static void enter_block(bl_func *f, const wasm_instr *in, frame_kind kind) {
  bl_frame tmp = {0};
  blocktype_types(f, &in->imm.block, &tmp);
  x_cond cond = XC_NE;
  if (kind == FR_IF)
    cond = bl_pop_condition(f);
  bl_materialize_all(f); /* moves only: the flags survive */
  bl_frame *fr = push_frame(f, kind);
  if (!fr)
    return;
  fr->nparams = tmp.nparams;
  fr->nresults = tmp.nresults;
  fr->params = tmp.params;
  fr->results = tmp.results;
  fr->single = tmp.single;
  fr->height = f->sp - fr->nparams;
  fr->label = bl_new_label(f);
  if (kind == FR_LOOP) {
    bl_bind_label(f, fr->label);
    count_entry(f);
  } else if (kind == FR_IF) {
    fr->else_label = bl_new_label(f);
    bl_jcc_to(f, invert(cond), fr->else_label);
  }
}

/* The operand stack at a join: the frame's parameters or results, in
 * their slots. */
static void reset_stack(bl_func *f, const bl_frame *fr, bool results) {
  uint32_t n = results ? fr->nresults : fr->nparams;
  const wasm_type *types = results ? fr->results : fr->params;
  f->sp = fr->height;
  for (uint32_t i = 0; i < n; i++)
    bl_push_slot(f, is64_type(types ? types[i] : fr->single));
}

static void lower_else(bl_func *f) {
  bl_frame *fr = &f->frames[f->nframes - 1];
  if (!f->unreachable) {
    bl_materialize_all(f);
    bl_jmp_to(f, fr->label);
  }
  bl_bind_label(f, fr->else_label);
  fr->has_else = true;
  reset_stack(f, fr, false);
  f->unreachable = false;
}

/* Returns true at the function's final end. */
static bool lower_end(bl_func *f) {
  bl_frame *fr = &f->frames[f->nframes - 1];
  if (fr->kind == FR_FUNC) {
    if (!f->unreachable)
      emit_return(f);
    f->nframes--;
    return true;
  }
  if (!f->unreachable)
    bl_materialize_all(f);
  if (fr->kind == FR_IF && !fr->has_else)
    bl_bind_label(f, fr->else_label);
  if (fr->kind != FR_LOOP)
    bl_bind_label(f, fr->label);
  reset_stack(f, fr, true);
  f->nframes--;
  f->unreachable = false;
  return false;
}

static void lower_br_if(bl_func *f, uint32_t depth) {
  x_cond cond = bl_pop_condition(f);
  bl_materialize_all(f); /* moves only: the flags survive */
  if (branch_is_direct(f, depth)) {
    bl_jcc_to(f, cond, f->frames[f->nframes - 1 - depth].label);
    return;
  }
  int skip = bl_new_label(f);
  bl_jcc_to(f, invert(cond), skip);
  emit_branch(f, depth);
  bl_bind_label(f, skip);
}

static void lower_br_table(bl_func *f, const wasm_instr *in) {
  bl_pop_into(f, X_RAX);
  bl_materialize_all(f);
  uint32_t n = in->imm.br_table.target_count;
  uint32_t *depths = malloc(((size_t)n + 1) * sizeof *depths);
  int *stubs = calloc(f->nframes, sizeof *stubs);
  if (!depths || !stubs) {
    free(depths);
    free(stubs);
    f->failed = true;
    return;
  }
  wasm_br_table_iter it = wasm_br_table_begin(in);
  for (uint32_t i = 0; i < n && wasm_br_table_next(&it, &depths[i]); i++)
    ;
  depths[n] = in->imm.br_table.default_label;
  /* A target that needs moves gets a stub (one per frame). */
  for (uint32_t i = 0; i <= n; i++)
    if (!branch_is_direct(f, depths[i]) && !stubs[depths[i]])
      stubs[depths[i]] = bl_new_label(f) + 1;
#define TARGET_OF(d)                                                           \
  (stubs[d] ? stubs[d] - 1 : f->frames[f->nframes - 1 - (d)].label)
  bytebuf *c = f->code;
  x_alu_ri(c, XA_CMP, false, X_RAX, (int32_t)n);
  bl_jcc_to(f, XC_AE, TARGET_OF(depths[n]));
  int table = bl_new_label(f);
  bl_add_fixup(f, x_lea_rip(c, X_RCX), table, FIX_REL32, 0);
  x_load_signed(c, true, X_RAX, (x_mem){X_RCX, X_RAX, 4, 0}, 4);
  x_alu_rr(c, XA_ADD, true, X_RAX, X_RCX);
  x_jmp_reg(c, X_RAX);
  bl_bind_label(f, table);
  size_t base = c->len;
  for (uint32_t i = 0; i < n; i++) {
    bl_add_fixup(f, c->len, TARGET_OF(depths[i]), FIX_TABLE, base);
    bytebuf_append(c, "\0\0\0\0", 4);
  }
  for (uint32_t d = 0; d < f->nframes; d++)
    if (stubs[d]) {
      bl_bind_label(f, stubs[d] - 1);
      emit_branch(f, d);
    }
#undef TARGET_OF
  free(depths);
  free(stubs);
  f->unreachable = true;
}

/* ---- Variables --------------------------------------------------------- */

static void lower_local_set(bl_func *f, uint32_t l, bool tee) {
  bl_value v = f->stack[f->sp - 1];
  f->sp--;
  if (!(v.kind == VK_LOCAL && v.local == l)) {
    bl_materialize_reads_of(f, l);
    f->sp++; /* v's own slot stays readable while it is stored */
    int lr = f->local_reg[l];
    if (lr >= XREG) {
      bl_load_xmm(f, lr - XREG, f->sp - 1);
    } else if (lr >= 0) {
      bl_load_value(f, lr, f->sp - 1);
    } else if (v.kind == VK_CONST && fits_imm32(v.c)) {
      x_store_imm(f->code, local_mem(f, l), (int32_t)v.c);
    } else if (value_reg(f, f->sp - 1) >= 0) {
      bl_store_reg(f, local_mem(f, l), value_reg(f, f->sp - 1));
    } else {
      bl_load_value(f, X_RAX, f->sp - 1);
      x_store(f->code, local_mem(f, l), X_RAX, 8);
    }
    f->sp--;
  }
  if (tee)
    bl_push_value(f, (bl_value){.kind = VK_LOCAL,
                                .is64 = is64_type(f->local_types[l]),
                                .local = l});
}

static x_mem global_cell(bl_func *f, uint32_t g) {
  const wasm_module *m = f->m;
  if (g < m->import_global_count) {
    x_load(f->code, X_RDX,
           x_at(X_RBX, (int32_t)(f->layout->imported_globals + 8 * g)), 8);
    return x_at(X_RDX, 0);
  }
  return x_at(X_RBX, (int32_t)(f->layout->defined_globals +
                               16 * (g - m->import_global_count)));
}

static void lower_global(bl_func *f, const wasm_instr *in) {
  uint32_t g = in->imm.global;
  bool w = is64_type(f->m->globals[g].type.type);
  if (in->op == WASM_OP_GLOBAL_GET) {
    x_load(f->code, X_RAX, global_cell(f, g), w ? 8 : 4);
    bl_push_reg(f, X_RAX, w);
  } else {
    bl_pop_into(f, X_RCX);
    x_store(f->code, global_cell(f, g), X_RCX, w ? 8 : 4);
  }
}

static void lower_select(bl_func *f) {
  bl_pop_into(f, X_RDX);
  bl_pop_into(f, X_RCX);
  bool w = f->stack[f->sp - 1].is64;
  bl_pop_into(f, X_RAX);
  x_test_rr(f->code, false, X_RDX, X_RDX);
  x_cmov(f->code, XC_E, true, X_RAX, X_RCX);
  bl_push_reg(f, X_RAX, w);
}

/* ---- Functions --------------------------------------------------------- */

static bool skip_unreachable(bl_func *f, wasm_opcode op) {
  if (!f->unreachable)
    return false;
  if (op == WASM_OP_BLOCK || op == WASM_OP_LOOP || op == WASM_OP_IF) {
    f->skip_depth++;
    return true;
  }
  if (op == WASM_OP_END && f->skip_depth) {
    f->skip_depth--;
    return true;
  }
  if ((op == WASM_OP_END || op == WASM_OP_ELSE) && !f->skip_depth)
    return false;
  return true;
}

/* Returns false for an instruction it does not know (a bug: the support
 * check admitted it). *done at the function's end. */
static bool lower_instr(bl_func *f, const wasm_instr *in, bool *done) {
  wasm_opcode op = in->op;
  if (skip_unreachable(f, op))
    return true;
  if (f->sp > 0 && f->stack[f->sp - 1].kind == VK_COND && op != WASM_OP_BR_IF &&
      op != WASM_OP_IF)
    bl_cond_to_reg(f);
  switch (op) {
  case WASM_OP_NOP:
    return true;
  case WASM_OP_UNREACHABLE:
    bl_jmp_to(f, bl_trap_label(f, WASMAOT_TRAP_UNREACHABLE));
    f->unreachable = true;
    return true;
  case WASM_OP_BLOCK:
    enter_block(f, in, FR_BLOCK);
    return true;
  case WASM_OP_LOOP:
    enter_block(f, in, FR_LOOP);
    return true;
  case WASM_OP_IF:
    enter_block(f, in, FR_IF);
    return true;
  case WASM_OP_ELSE:
    lower_else(f);
    return true;
  case WASM_OP_END:
    *done = lower_end(f);
    return true;
  case WASM_OP_BR:
    bl_materialize_all(f);
    emit_branch(f, in->imm.label);
    f->unreachable = true;
    return true;
  case WASM_OP_BR_IF:
    lower_br_if(f, in->imm.label);
    return true;
  case WASM_OP_BR_TABLE:
    lower_br_table(f, in);
    return true;
  case WASM_OP_RETURN:
    emit_return(f);
    f->unreachable = true;
    return true;
  case WASM_OP_CALL:
    bl_lower_call(f, in->imm.func);
    return true;
  case WASM_OP_CALL_INDIRECT:
    bl_lower_call_indirect(f, in);
    return true;
  case WASM_OP_DROP:
    f->sp--;
    return true;
  case WASM_OP_SELECT:
  case WASM_OP_SELECT_T:
    lower_select(f);
    return true;
  case WASM_OP_LOCAL_GET:
    bl_push_value(f,
                  (bl_value){.kind = VK_LOCAL,
                             .is64 = is64_type(f->local_types[in->imm.local]),
                             .local = in->imm.local});
    return true;
  case WASM_OP_LOCAL_SET:
  case WASM_OP_LOCAL_TEE:
    lower_local_set(f, in->imm.local, op == WASM_OP_LOCAL_TEE);
    return true;
  case WASM_OP_GLOBAL_GET:
  case WASM_OP_GLOBAL_SET:
    lower_global(f, in);
    return true;
  case WASM_OP_I32_CONST:
    bl_push_value(f, (bl_value){.kind = VK_CONST, .c = in->imm.i32});
    return true;
  case WASM_OP_I64_CONST:
    bl_push_value(f,
                  (bl_value){.kind = VK_CONST, .is64 = true, .c = in->imm.i64});
    return true;
  case WASM_OP_F32_CONST:
    bl_push_value(f, (bl_value){.kind = VK_CONST, .c = in->imm.f32_bits});
    return true;
  case WASM_OP_F64_CONST:
    bl_push_value(f, (bl_value){.kind = VK_CONST,
                                .is64 = true,
                                .c = (int64_t)in->imm.f64_bits});
    return true;
  case WASM_OP_MEMORY_SIZE:
  case WASM_OP_MEMORY_GROW:
  case WASM_OP_MEMORY_FILL:
  case WASM_OP_MEMORY_COPY:
    bl_lower_memory_misc(f, op);
    return true;
  default:
    break;
  }
  if (op >= WASM_OP_I32_LOAD && op <= WASM_OP_I64_LOAD32_U) {
    bl_lower_load(f, in);
    return true;
  }
  if (op >= WASM_OP_I32_STORE && op <= WASM_OP_I64_STORE32) {
    bl_lower_store(f, in);
    return true;
  }
  return bl_lower_numeric(f, op) || bl_lower_float(f, op);
}

static void emit_prologue(bl_func *f) {
  bytebuf *c = f->code;
  x_push(c, X_RBP);
  x_mov_rr(c, true, X_RBP, X_RSP);
  x_push(c, X_RBX);
  x_push(c, X_R12);
  for (uint32_t i = 0; i < f->nsaved; i++)
    x_push(c, f->saved[i]);
  /* sub rsp, imm32: the frame's size is known at the end. */
  static const uint8_t sub_rsp[] = {0x48, 0x81, 0xEC};
  bytebuf_append(c, sub_rsp, sizeof sub_rsp);
  f->frame_size_at = c->len;
  bytebuf_append(c, "\0\0\0\0", 4);
  x_mov_rr(c, true, X_RBX, X_RDI);
  /* Before the frame is written: zeroing a frame too large for the stack
   * could write past its guard. */
  x_alu_rm(c, XA_CMP, true, X_RSP,
           x_at(X_RBX, offsetof(wasmaot_vmctx_header, stack_limit)));
  bl_jcc_to(f, XC_B, bl_trap_label(f, WASMAOT_TRAP_STACK_EXHAUSTED));
  uint32_t np = f->type->param_count;
  int next_int = 1, next_xmm = 0;
  uint32_t next_stack = 0;
  for (uint32_t j = 0; j < np; j++) {
    arg_place a = bl_place_arg(f->type, j, &next_int, &next_xmm, &next_stack);
    if (a.reg >= 0) {
      x_store(c, local_mem(f, j), a.reg, 8);
    } else if (a.xmm >= 0) {
      x_sse_rm(c, 0xF2, false, 0x11, a.xmm, local_mem(f, j)); /* movsd */
    } else {
      x_load(c, X_RAX, x_at(X_RBP, (int32_t)(16 + 8 * a.stack)), 8);
      x_store(c, local_mem(f, j), X_RAX, 8);
    }
  }
  uint32_t zeroed = f->nlocals - np;
  x_alu_rr(c, XA_XOR, false, X_RAX, X_RAX);
  if (zeroed <= 8) {
    for (uint32_t l = np; l < f->nlocals; l++)
      x_store(c, local_mem(f, l), X_RAX, 8);
  } else { /* rep stosq from the lowest local up */
    x_lea(c, X_RDI, local_mem(f, f->nlocals - 1));
    x_mov_imm(c, X_RCX, zeroed);
    static const uint8_t rep_stosq[] = {0xF3, 0x48, 0xAB};
    bytebuf_append(c, rep_stosq, sizeof rep_stosq);
  }
  for (uint32_t l = 0; l < f->nlocals; l++) {
    int r = f->local_reg[l];
    if (r >= XREG && l < np)
      x_sse_rm(c, 0xF2, false, 0x10, r - XREG, local_mem(f, l)); /* movsd */
    else if (r >= XREG)
      x_sse_rr(c, 0, false, 0x57, r - XREG, r - XREG); /* xorps */
    else if (r >= 0 && l < np)
      x_load(c, r, local_mem(f, l), 8);
    else if (r >= 0)
      x_alu_rr(c, XA_XOR, false, r, r);
  }
  if (f->m->memory_count > 0)
    x_load(c, X_R12, x_at(X_RBX, offsetof(wasmaot_vmctx_header, memory0_base)),
           8);
  count_entry(f);
}

static void emit_trap_stubs(bl_func *f) {
  bytebuf *c = f->code;
  for (int k = 0; k < WASMAOT_TRAP_COUNT; k++) {
    if (f->trap_label[k] < 0)
      continue;
    bl_bind_label(f, f->trap_label[k]);
    x_mov_rr(c, true, X_RDI, X_RBX);
    x_mov_imm(c, X_RSI, (uint32_t)k);
    x_load(c, X_RAX, x_at(X_RBX, offsetof(wasmaot_vmctx_header, helpers)), 8);
    x_call_mem(c, x_at(X_RAX, 8 * WASMAOT_HELPER_TRAP));
    bytebuf_append_byte(c, 0xCC); /* TRAP never returns */
  }
}

static bool setup_locals(bl_func *f) {
  const wasm_module *m = f->m;
  const wasm_func *fn = &m->funcs[f->func_index - m->import_func_count];
  f->nlocals = (uint32_t)(f->type->param_count + fn->local_count);
  f->local_types = malloc((f->nlocals ? f->nlocals : 1) * sizeof(wasm_type));
  if (!f->local_types)
    return false;
  uint32_t n = 0;
  for (uint32_t j = 0; j < f->type->param_count; j++)
    f->local_types[n++] = wasm_functype_params(f->type)[j];
  for (uint32_t r = 0; r < fn->local_run_count; r++)
    for (uint32_t k = 0; k < fn->local_runs[r].count; k++)
      f->local_types[n++] = fn->local_runs[r].type;
  return true;
}

/* Whether an instruction calls out (a function or a helper), clobbering
 * the caller-saved registers. */
static bool instr_calls(wasm_opcode op) {
  return op == WASM_OP_CALL || op == WASM_OP_CALL_INDIRECT ||
         op == WASM_OP_MEMORY_GROW || op == WASM_OP_MEMORY_FILL ||
         op == WASM_OP_MEMORY_COPY;
}

/* Local reads and writes, weighted by loop nesting (8x a level). */
static bool count_local_uses(bl_func *f, const wasm_func *fn, uint64_t *uses,
                             bool *calls) {
  const wasm_module *m = f->m;
  wasm_error err = {0};
  wasm_reader r = {.bytes = m->bytes,
                   .pos = fn->code_offset,
                   .end = fn->code_end,
                   .err = &err};
  uint8_t *is_loop = NULL;
  size_t cap = 0;
  uint32_t depth = 0, loops = 0;
  *calls = false;
  while (r.pos < r.end) {
    wasm_instr in;
    if (!wasm_read_instr(&r, m, &in))
      break;
    switch (in.op) {
    case WASM_OP_BLOCK:
    case WASM_OP_LOOP:
    case WASM_OP_IF: {
      if (!array_reserve((void **)&is_loop, &cap, depth + 1, 1)) {
        free(is_loop);
        return false;
      }
      is_loop[depth++] = in.op == WASM_OP_LOOP;
      loops += in.op == WASM_OP_LOOP;
      break;
    }
    case WASM_OP_END:
      if (depth > 0)
        loops -= is_loop[--depth];
      break;
    case WASM_OP_LOCAL_GET:
    case WASM_OP_LOCAL_SET:
    case WASM_OP_LOCAL_TEE:
      uses[in.imm.local] += UINT64_C(1) << (3 * (loops < 16 ? loops : 16));
      break;
    default:
      *calls = *calls || instr_calls(in.op);
      break;
    }
  }
  free(is_loop);
  return true;
}

/* The most used local among those of the class without a register, or
 * UINT32_MAX. */
static uint32_t most_used_local(const bl_func *f, const uint64_t *uses,
                                bool is_float) {
  uint32_t best = UINT32_MAX;
  for (uint32_t l = 0; l < f->nlocals; l++)
    if (f->local_reg[l] < 0 && uses[l] > 1 &&
        is_float_type(f->local_types[l]) == is_float &&
        (best == UINT32_MAX || uses[l] > uses[best]))
      best = l;
  return best;
}

/* Gives the most used locals registers for the whole function: r13-r15
 * (saved in the prologue), and in a function that calls nothing also
 * rsi and rdi (taken from the operands' pool) and xmm8-xmm15. */
static bool assign_local_regs(bl_func *f, const wasm_func *fn) {
  static const int8_t callee_saved[] = {X_R13, X_R14, X_R15};
  static const int8_t leaf_gprs[] = {X_RSI, X_RDI};
  f->local_reg = malloc(f->nlocals ? f->nlocals : 1);
  uint64_t *uses = calloc(f->nlocals ? f->nlocals : 1, sizeof *uses);
  bool calls = true;
  if (!f->local_reg || !uses || !count_local_uses(f, fn, uses, &calls)) {
    free(uses);
    return false;
  }
  memset(f->local_reg, -1, f->nlocals);
  static const int8_t all_pool[] = {X_RSI, X_RDI, X_R8, X_R9, X_R10, X_R11};
  uint32_t leaf_taken = 0;
  for (int i = 0; !calls && i < 2; i++) {
    uint32_t l = most_used_local(f, uses, false);
    if (l == UINT32_MAX)
      break;
    f->local_reg[l] = leaf_gprs[i];
    leaf_taken++;
  }
  f->nsaved = 0;
  for (int i = 0; i < 3; i++) {
    uint32_t l = most_used_local(f, uses, false);
    if (l == UINT32_MAX)
      break;
    f->local_reg[l] = callee_saved[i];
    f->saved[f->nsaved++] = callee_saved[i];
  }
  f->gpr_pool_size = 0;
  for (uint32_t i = leaf_taken; i < 6; i++)
    f->gpr_pool[f->gpr_pool_size++] = all_pool[i];
  for (int i = 0; !calls && i < 8; i++) {
    uint32_t l = most_used_local(f, uses, true);
    if (l == UINT32_MAX)
      break;
    f->local_reg[l] = (int8_t)(XREG + 8 + i);
  }
  f->slots_at = 16 + 8 * (int32_t)f->nsaved;
  free(uses);
  return true;
}

static bool compile_function(bl_func *f, char *errbuf, size_t errlen) {
  const wasm_module *m = f->m;
  const wasm_func *fn = &m->funcs[f->func_index - m->import_func_count];
  for (int k = 0; k < WASMAOT_TRAP_COUNT; k++)
    f->trap_label[k] = -1;
  if (!setup_locals(f) || !assign_local_regs(f, fn))
    return false;
  size_t start = f->code->len;
  emit_prologue(f);
  bl_frame *top = push_frame(f, FR_FUNC);
  if (top) {
    top->nresults = f->type->result_count;
    top->results = wasm_functype_results(f->type);
  }
  wasm_error err = {0};
  wasm_reader r = {.bytes = m->bytes,
                   .pos = fn->code_offset,
                   .end = fn->code_end,
                   .err = &err};
  bool done = false;
  while (!done && !f->failed && r.pos < r.end) {
    wasm_instr in;
    if (!wasm_read_instr(&r, m, &in) || !lower_instr(f, &in, &done)) {
      snprintf(errbuf, errlen, "baseline: function %u: unsupported at 0x%zx",
               f->func_index, in.offset);
      return false;
    }
  }
  emit_trap_stubs(f);
  /* rsp is 16-byte aligned after the frame (an odd number of saved
   * registers leaves it 8 off before). */
  uint32_t saved = 8 * f->nsaved;
  uint32_t frame =
      ((8 * (f->nlocals + f->max_depth) + saved + 15) & ~15u) - saved;
  memcpy(f->code->data + f->frame_size_at, &frame, 4);
  bl_resolve_fixups(f);
  uint32_t sym = bl_function_symbol(f, f->func_index);
  f->obj->symbols[sym].defined = true;
  f->obj->symbols[sym].value = start;
  f->obj->symbols[sym].size = f->code->len - start;
  return !f->failed;
}

static void reset_func(bl_func *f) {
  free(f->local_types);
  f->local_types = NULL;
  free(f->local_reg);
  f->local_reg = NULL;
  f->sp = f->max_depth = 0;
  f->nframes = f->nlabels = 0;
  f->nfixups = 0;
  f->unreachable = false;
  f->skip_depth = 0;
}

bool baseline_compile(const wasm_module *m, const codegen_target *t,
                      const wasmaot_vmctx_layout *layout, const uint32_t *funcs,
                      uint32_t count, const char *const *symbols, void **obj,
                      size_t *size, char *errbuf, size_t errlen) {
  (void)t;
  bl_object o = {0};
  bl_func f = {
      .m = m, .layout = layout, .obj = &o, .code = &o.text, .symbols = symbols};
  f.symbol_of = malloc((m->func_count ? m->func_count : 1) * sizeof(uint32_t));
  bool ok = f.symbol_of != NULL;
  if (ok)
    memset(f.symbol_of, 0xFF, m->func_count * sizeof(uint32_t));
  errbuf[0] = 0;
  for (uint32_t i = 0; ok && i < count; i++) {
    while (o.text.len % 16)
      bytebuf_append_byte(&o.text, 0xCC);
    f.func_index = funcs[i];
    f.type = wasm_func_type(m, funcs[i]);
    ok = compile_function(&f, errbuf, errlen);
    reset_func(&f);
  }
  ok = ok && bl_object_write(&o, EM_X86_64, obj, size);
  if (!ok && !errbuf[0])
    snprintf(errbuf, errlen, "baseline: out of memory");
  free(f.symbol_of);
  free(f.stack);
  free(f.frames);
  free(f.labels);
  free(f.fixups);
  free(f.local_types);
  free(f.local_reg);
  bl_object_free(&o);
  return ok;
}
