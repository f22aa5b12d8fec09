/* Structured control flow, calls and the parametric instructions.
 *
 * Branch values travel through phi nodes: a branch to a block or if adds
 * its top-of-stack values to the phis at the start of the construct's end
 * block; a branch to a loop adds them to the phis of the loop header. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

static const wasm_type single_types[] = {
    WASM_TYPE_I32,  WASM_TYPE_I64,     WASM_TYPE_F32,      WASM_TYPE_F64,
    WASM_TYPE_V128, WASM_TYPE_FUNCREF, WASM_TYPE_EXTERNREF};

/* Code generation needs only the LLVM type, and every reference is a
 * pointer: any reference type stands for all. */
static const wasm_type *single_type(wasm_type t) {
  if (wasm_type_is_ref(t))
    t = WASM_TYPE_FUNCREF;
  for (size_t i = 0; i < sizeof single_types / sizeof *single_types; i++)
    if (single_types[i] == t)
      return &single_types[i];
  return &single_types[0];
}

static void frame_signature(lower_module_ctx *mc, const wasm_blocktype *bt,
                            lower_frame *fr) {
  switch (bt->kind) {
  case WASM_BLOCKTYPE_EMPTY:
    break;
  case WASM_BLOCKTYPE_VALUE:
    fr->result_count = 1;
    fr->results = single_type(bt->value);
    break;
  case WASM_BLOCKTYPE_TYPE_INDEX: {
    const wasm_functype *t = &mc->m->types[bt->type_index];
    fr->param_count = t->param_count;
    fr->params = wasm_functype_params(t);
    fr->result_count = t->result_count;
    fr->results = wasm_functype_results(t);
    break;
  }
  }
}

/* Phis at the start of the empty block `bb`, one per type. */
static LLVMValueRef *create_phis(lower_func_ctx *f, LLVMBasicBlockRef bb,
                                 uint32_t n, const wasm_type *types) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef *phis = calloc(n ? n : 1, sizeof *phis);
  if (!phis)
    abort();
  LLVMBasicBlockRef saved = LLVMGetInsertBlock(mc->builder);
  LLVMPositionBuilderAtEnd(mc->builder, bb);
  for (uint32_t i = 0; i < n; i++)
    phis[i] = LLVMBuildPhi(mc->builder, lower_value_type(mc, types[i]), "");
  LLVMPositionBuilderAtEnd(mc->builder, saved);
  return phis;
}

/* Adds the top n stack values as incoming from the current block. */
static void add_incoming_from_stack(lower_func_ctx *f, LLVMValueRef *phis,
                                    uint32_t n) {
  LLVMBasicBlockRef from = LLVMGetInsertBlock(f->mc->builder);
  LLVMValueRef *vals = f->stack + f->stack_size - n;
  for (uint32_t i = 0; i < n; i++)
    LLVMAddIncoming(phis[i], &vals[i], &from, 1);
}

void lower_free_frame(lower_frame *fr) {
  free(fr->end_phis);
  free(fr->loop_phis);
  free(fr->if_params);
  fr->end_phis = fr->loop_phis = fr->if_params = NULL;
}

static lower_frame *frame_at_depth(lower_func_ctx *f, uint32_t depth) {
  return &f->frames[f->frame_count - 1 - depth];
}

static LLVMBasicBlockRef new_block(lower_func_ctx *f, const char *name) {
  return LLVMAppendBasicBlockInContext(f->mc->llctx, f->fn, name);
}

LLVMBasicBlockRef lower_new_block(lower_func_ctx *f, const char *name) {
  return new_block(f, name);
}

LLVMBasicBlockRef lower_branch_to_frame(lower_func_ctx *f, size_t frame,
                                        LLVMValueRef *vals) {
  lower_frame *fr = &f->frames[frame];
  LLVMBasicBlockRef from = LLVMGetInsertBlock(f->mc->builder);
  bool loop = fr->kind == LOWER_FRAME_LOOP;
  uint32_t n = loop ? fr->param_count : fr->result_count;
  for (uint32_t i = 0; i < n; i++)
    LLVMAddIncoming(loop ? fr->loop_phis[i] : fr->end_phis[i], &vals[i], &from,
                    1);
  if (loop)
    return fr->loop_bb;
  fr->end_reachable = true;
  return fr->end_bb;
}

/* Records the branch's values at the target and returns where to jump. */
static LLVMBasicBlockRef branch_target(lower_func_ctx *f, uint32_t depth) {
  lower_frame *fr = frame_at_depth(f, depth);
  if (fr->kind == LOWER_FRAME_LOOP) {
    add_incoming_from_stack(f, fr->loop_phis, fr->param_count);
    return fr->loop_bb;
  }
  add_incoming_from_stack(f, fr->end_phis, fr->result_count);
  fr->end_reachable = true;
  return fr->end_bb;
}

static void enter_dead_code(lower_func_ctx *f) {
  f->dead = true;
  f->dead_depth = 0;
}

void lower_enter_dead_code(lower_func_ctx *f) {
  enter_dead_code(f);
}

void lower_open_function_frame(lower_func_ctx *f) {
  lower_frame *fr = lower_push_frame(f);
  fr->kind = LOWER_FRAME_FUNC;
  fr->result_count = f->type->result_count;
  fr->results = wasm_functype_results(f->type);
  fr->end_bb = new_block(f, "return");
  fr->end_phis = create_phis(f, fr->end_bb, fr->result_count, fr->results);
}

static lower_frame *open_frame(lower_func_ctx *f, lower_frame_kind kind,
                               const wasm_blocktype *bt) {
  return lower_open_frame(f, kind, bt);
}

lower_frame *lower_open_frame(lower_func_ctx *f, lower_frame_kind kind,
                              const wasm_blocktype *bt) {
  lower_frame *fr = lower_push_frame(f);
  fr->kind = kind;
  frame_signature(f->mc, bt, fr);
  fr->stack_height = f->stack_size - fr->param_count;
  fr->end_bb = new_block(f, "end");
  fr->end_phis = create_phis(f, fr->end_bb, fr->result_count, fr->results);
  return fr;
}

static void lower_loop(lower_func_ctx *f, const wasm_instr *in) {
  lower_frame *fr = open_frame(f, LOWER_FRAME_LOOP, &in->imm.block);
  fr->loop_bb = new_block(f, "loop");
  fr->loop_phis = create_phis(f, fr->loop_bb, fr->param_count, fr->params);
  add_incoming_from_stack(f, fr->loop_phis, fr->param_count);
  LLVMBuildBr(f->mc->builder, fr->loop_bb);
  f->stack_size -= fr->param_count;
  LLVMPositionBuilderAtEnd(f->mc->builder, fr->loop_bb);
  lower_count_entry(f);
  for (uint32_t i = 0; i < fr->param_count; i++)
    lower_push(f, fr->loop_phis[i]);
}

static void lower_if(lower_func_ctx *f, const wasm_instr *in) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef cond = lower_pop(f);
  lower_frame *fr = open_frame(f, LOWER_FRAME_IF, &in->imm.block);
  fr->if_params =
      calloc(fr->param_count ? fr->param_count : 1, sizeof *fr->if_params);
  if (!fr->if_params)
    abort();
  if (fr->param_count)
    memcpy(fr->if_params, f->stack + fr->stack_height,
           fr->param_count * sizeof *fr->if_params);
  LLVMBasicBlockRef then_bb = new_block(f, "then");
  fr->else_bb = new_block(f, "else");
  LLVMValueRef nz = LLVMBuildICmp(mc->builder, LLVMIntNE, cond,
                                  LLVMConstInt(mc->t_i32, 0, false), "");
  LLVMBuildCondBr(mc->builder, nz, then_bb, fr->else_bb);
  LLVMPositionBuilderAtEnd(mc->builder, then_bb);
}

/* The live path falls into the end of the current frame. */
static void fall_through_to_end(lower_func_ctx *f, lower_frame *fr) {
  if (f->dead)
    return;
  add_incoming_from_stack(f, fr->end_phis, fr->result_count);
  fr->end_reachable = true;
  LLVMBuildBr(f->mc->builder, fr->end_bb);
}

void lower_fall_through_to_end(lower_func_ctx *f, lower_frame *fr) {
  fall_through_to_end(f, fr);
}

static void lower_else(lower_func_ctx *f) {
  lower_frame *fr = frame_at_depth(f, 0);
  fall_through_to_end(f, fr);
  f->stack_size = fr->stack_height;
  LLVMPositionBuilderAtEnd(f->mc->builder, fr->else_bb);
  for (uint32_t i = 0; i < fr->param_count; i++)
    lower_push(f, fr->if_params[i]);
  fr->kind = LOWER_FRAME_ELSE;
  f->dead = false;
  f->dead_depth = 0;
}

static void build_function_return(lower_func_ctx *f, lower_frame *fr) {
  LLVMBuilderRef b = f->mc->builder;
  if (fr->result_count == 0)
    LLVMBuildRetVoid(b);
  else if (fr->result_count == 1)
    LLVMBuildRet(b, fr->end_phis[0]);
  else
    LLVMBuildAggregateRet(b, fr->end_phis, fr->result_count);
}

static void lower_end(lower_func_ctx *f) {
  lower_module_ctx *mc = f->mc;
  lower_frame *fr = frame_at_depth(f, 0);
  lower_exception_fall_through(f, fr);
  fall_through_to_end(f, fr);
  if (lower_is_try_kind(fr->kind))
    lower_exception_close(f, fr);
  if (fr->kind == LOWER_FRAME_IF) {
    /* No else: the false edge carries the params through unchanged. */
    LLVMPositionBuilderAtEnd(mc->builder, fr->else_bb);
    for (uint32_t i = 0; i < fr->param_count; i++)
      LLVMAddIncoming(fr->end_phis[i], &fr->if_params[i], &fr->else_bb, 1);
    fr->end_reachable = true;
    LLVMBuildBr(mc->builder, fr->end_bb);
  }
  f->stack_size = fr->stack_height;
  LLVMPositionBuilderAtEnd(mc->builder, fr->end_bb);
  if (!fr->end_reachable) {
    for (uint32_t i = 0; i < fr->result_count; i++)
      LLVMInstructionEraseFromParent(fr->end_phis[i]);
    LLVMBuildUnreachable(mc->builder);
    enter_dead_code(f);
  } else if (fr->kind == LOWER_FRAME_FUNC) {
    build_function_return(f, fr);
    enter_dead_code(f);
  } else {
    for (uint32_t i = 0; i < fr->result_count; i++)
      lower_push(f, fr->end_phis[i]);
    f->dead = false;
  }
  lower_free_frame(fr);
  f->frame_count--;
}

static void lower_br_table(lower_func_ctx *f, const wasm_instr *in) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef index = lower_pop(f);
  LLVMBasicBlockRef dflt = branch_target(f, in->imm.br_table.default_label);
  LLVMValueRef sw =
      LLVMBuildSwitch(mc->builder, index, dflt, in->imm.br_table.target_count);
  wasm_br_table_iter it = wasm_br_table_begin(in);
  uint32_t depth, i = 0;
  while (wasm_br_table_next(&it, &depth)) {
    /* Each case is its own edge, so each adds its own phi entry. */
    LLVMAddCase(sw, LLVMConstInt(mc->t_i32, i++, false),
                branch_target(f, depth));
  }
  enter_dead_code(f);
}

/* What a call instruction calls: `code(env, args...)` with the Wasm type
 * `type_index`. `tailcc`: code is a defined function of a tailcc module
 * (lower.h). `ref`: the funcref of an indirect or imported call, whose
 * tail_entry a tail call in a tailcc module may jump to; NULL otherwise. */
typedef struct lower_callee {
  uint32_t type_index;
  LLVMValueRef code, env;
  bool tailcc;
  LLVMValueRef ref;
} lower_callee;

/* The arguments of the callee's type, popped, env first; freed by the
 * caller. */
static LLVMValueRef *pop_call_args(lower_func_ctx *f, const lower_callee *c) {
  const wasm_functype *t = &f->mc->m->types[c->type_index];
  uint32_t n = t->param_count;
  LLVMValueRef *args = malloc((n + 1) * sizeof *args);
  if (!args)
    abort();
  args[0] = c->env;
  if (n) /* the stack may still be unallocated (NULL) */
    memcpy(args + 1, f->stack + f->stack_size - n, n * sizeof *args);
  f->stack_size -= n;
  return args;
}

static LLVMValueRef build_call_to(lower_func_ctx *f, uint32_t type_index,
                                  LLVMValueRef code, LLVMValueRef *args,
                                  bool tailcc) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef call =
      LLVMBuildCall2(mc->builder, mc->func_types[type_index], code, args,
                     mc->m->types[type_index].param_count + 1, "");
  if (tailcc)
    LLVMSetInstructionCallConv(call, LOWER_TAIL_CALL_CONV);
  return call;
}

static void push_call_results(lower_func_ctx *f, uint32_t type_index,
                              LLVMValueRef call) {
  lower_module_ctx *mc = f->mc;
  const wasm_functype *t = &mc->m->types[type_index];
  if (t->result_count == 1) {
    lower_push(f, call);
  } else {
    for (uint32_t i = 0; i < t->result_count; i++)
      lower_push(f, LLVMBuildExtractValue(mc->builder, call, i, ""));
  }
}

/* Pops the arguments of the callee's type, calls it and pushes the
 * results. */
static void emit_call(lower_func_ctx *f, const lower_callee *c) {
  LLVMValueRef *args = pop_call_args(f, c);
  lower_module_ctx *mc = f->mc;
  LLVMValueRef call =
      lower_build_call(f, mc->func_types[c->type_index], c->code, args,
                       mc->m->types[c->type_index].param_count + 1);
  if (c->tailcc)
    LLVMSetInstructionCallConv(call, LOWER_TAIL_CALL_CONV);
  free(args);
  /* Recursion must use the stack so that runaway recursion traps: without
   * this, tail-recursion elimination turns `(func $f (call $f))` into an
   * endless loop. */
  if (LLVMIsACallInst(call))
    LLVMSetTailCallKind(call, LLVMTailCallKindNoTail);
  push_call_results(f, c->type_index, call);
}

/* A `musttail` call and its `ret`: a jump on every target at every
 * optimisation level. */
static void build_must_tail(lower_func_ctx *f, uint32_t type_index,
                            LLVMValueRef code, LLVMValueRef *args,
                            bool tailcc) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef call = build_call_to(f, type_index, code, args, tailcc);
  LLVMSetTailCallKind(call, LLVMTailCallKindMustTail);
  if (mc->m->types[type_index].result_count == 0)
    LLVMBuildRetVoid(mc->builder);
  else
    LLVMBuildRet(mc->builder, call);
}

/* A call marked `tail` (a jump where LLVM manages, not promised) whose
 * results the function then returns. */
static void build_hinted_tail(lower_func_ctx *f, uint32_t type_index,
                              LLVMValueRef code, LLVMValueRef *args,
                              bool tailcc) {
  LLVMValueRef call = build_call_to(f, type_index, code, args, tailcc);
  LLVMSetTailCallKind(call, LLVMTailCallKindTail);
  push_call_results(f, type_index, call);
  LLVMBuildBr(f->mc->builder, branch_target(f, (uint32_t)f->frame_count - 1));
}

/* A tail call through a funcref in a tailcc module: a callee with a
 * tailcc entry (a function of a tailcc module) is jumped to there;
 * another (a host function, a function of a module without tailcc) is
 * called through its C entry and its results returned, which is not a
 * guaranteed jump. */
static void build_funcref_tail(lower_func_ctx *f, const lower_callee *c,
                               LLVMValueRef *args) {
  lower_module_ctx *mc = f->mc;
  LLVMBuilderRef b = mc->builder;
  LLVMValueRef off =
      LLVMConstInt(mc->t_i64, offsetof(wasmaot_funcref, tail_entry), false);
  LLVMValueRef entry = LLVMBuildLoad2(
      b, mc->t_i32, LLVMBuildInBoundsGEP2(b, mc->t_i8, c->ref, &off, 1, ""),
      "tail_entry");
  LLVMBasicBlockRef jump = new_block(f, "tail_jump");
  LLVMBasicBlockRef call = new_block(f, "tail_call");
  LLVMBuildCondBr(
      b,
      LLVMBuildICmp(b, LLVMIntNE, entry, LLVMConstInt(mc->t_i32, 0, false), ""),
      jump, call);
  LLVMPositionBuilderAtEnd(b, jump);
  LLVMValueRef delta = LLVMBuildSExt(b, entry, mc->t_i64, "");
  LLVMValueRef tail_code =
      LLVMBuildInBoundsGEP2(b, mc->t_i8, c->code, &delta, 1, "tail_code");
  build_must_tail(f, c->type_index, tail_code, args, true);
  LLVMPositionBuilderAtEnd(b, call);
  build_hinted_tail(f, c->type_index, c->code, args, false);
}

/* return_call, return_call_indirect. When caller and callee have the
 * same convention and LLVM prototype the call is `musttail`, a jump on
 * every target and at every optimisation level, so unbounded (mutual)
 * recursion runs in constant stack. Between different prototypes that
 * needs the callee-popped arguments of `tailcc`: a module with such tail
 * calls has all its functions in tailcc (lower.h), and they jump to
 * each other, directly and through funcrefs' tail entries. What is left
 * (a callee of the C convention from a tailcc caller: a host function or
 * another module's; more results than return registers, which come back
 * through memory: lower_results_in_registers) is a call marked `tail`, which
 * LLVM turns into a jump where it can, and the function returns its results. */
static void emit_return_call(lower_func_ctx *f, const lower_callee *c) {
  lower_module_ctx *mc = f->mc;
  uint32_t caller_type = mc->m->func_types[f->func_index];
  bool same = mc->func_types[c->type_index] == mc->func_types[caller_type];
  bool in_registers = lower_results_in_registers(&mc->m->types[c->type_index]);
  LLVMValueRef *args = pop_call_args(f, c);
  lower_exception_leave(f, 0);
  if (c->tailcc && (same || in_registers))
    build_must_tail(f, c->type_index, c->code, args, true);
  else if (same && !mc->tail_cc)
    build_must_tail(f, c->type_index, c->code, args, false);
  else if (mc->tail_cc && c->ref && (same || in_registers))
    build_funcref_tail(f, c, args);
  else
    build_hinted_tail(f, c->type_index, c->code, args, c->tailcc);
  free(args);
  enter_dead_code(f);
}

/* Loads code and env of a funcref whose fields never change. */
static void load_funcref(lower_func_ctx *f, LLVMValueRef ref, bool invariant,
                         LLVMValueRef *code, LLVMValueRef *env) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef env_off =
      LLVMConstInt(mc->t_i64, offsetof(wasmaot_funcref, env), false);
  LLVMValueRef env_ptr =
      LLVMBuildInBoundsGEP2(mc->builder, mc->t_i8, ref, &env_off, 1, "");
  *code = LLVMBuildLoad2(mc->builder, mc->t_ptr, ref, "code");
  *env = LLVMBuildLoad2(mc->builder, mc->t_ptr, env_ptr, "env");
  if (invariant) {
    lower_mark_invariant(mc, *code);
    lower_mark_invariant(mc, *env);
  }
}

typedef void (*call_emitter)(lower_func_ctx *f, const lower_callee *c);

static void lower_call(lower_func_ctx *f, uint32_t func_index,
                       call_emitter emit) {
  lower_module_ctx *mc = f->mc;
  const wasm_module *m = mc->m;
  lower_callee c = {.type_index = m->func_types[func_index]};
  if (func_index >= m->import_func_count) {
    c.code = lower_func_decl(mc, func_index);
    c.env = f->vmctx;
    c.tailcc = mc->tail_cc;
    emit(f, &c);
    return;
  }
  LLVMValueRef ref = lower_vmctx_load(
      f, mc->t_ptr, mc->layout.imported_funcs + 8 * func_index, true);
  load_funcref(f, ref, true, &c.code, &c.env);
  c.ref = ref;
  emit(f, &c);
}

static void lower_call_indirect(lower_func_ctx *f, const wasm_instr *in,
                                call_emitter emit) {
  lower_module_ctx *mc = f->mc;
  LLVMBuilderRef b = mc->builder;
  uint32_t type_index = in->imm.call_indirect.type_index;
  LLVMValueRef index = lower_pop(f);

  uint32_t table_index = in->imm.call_indirect.table;
  LLVMValueRef table =
      lower_vmctx_load(f, mc->t_ptr, mc->layout.tables + 8 * table_index, true);
  /* A table whose limits fix its size (min == max, as wasm-ld writes
   * them) can never grow, so its size and element array never change:
   * LLVM may then keep them in registers across calls and loops, which
   * takes a dependent load off every indirect call. Imported ones too:
   * a matching table's size lies between the import's min and max. */
  const wasm_limits *limits = &mc->m->tables[table_index].limits;
  bool fixed_size = limits->has_max && limits->max == limits->min;
  LLVMValueRef size_off =
      LLVMConstInt(mc->t_i64, offsetof(wasmaot_table_obj, size), false);
  LLVMValueRef size = LLVMBuildLoad2(
      b, mc->t_i32, LLVMBuildInBoundsGEP2(b, mc->t_i8, table, &size_off, 1, ""),
      "size");
  lower_trap_if(f, lower_table_index_out_of_bounds(f, index, size),
                WASMAOT_TRAP_UNDEFINED_ELEMENT);

  LLVMValueRef elems = LLVMBuildLoad2(b, mc->t_ptr, table, "elems");
  if (fixed_size) {
    lower_mark_invariant(mc, size);
    lower_mark_invariant(mc, elems);
  }
  LLVMValueRef idx64 = index; /* a 64-bit table's index is an i64 already */
  if (LLVMTypeOf(index) != mc->t_i64)
    idx64 = LLVMBuildZExt(b, index, mc->t_i64, "");
  LLVMValueRef ref = LLVMBuildLoad2(
      b, mc->t_ptr, LLVMBuildInBoundsGEP2(b, mc->t_ptr, elems, &idx64, 1, ""),
      "ref");
  lower_trap_if(f, LLVMBuildIsNull(b, ref, ""),
                WASMAOT_TRAP_UNINITIALIZED_ELEMENT);

  LLVMValueRef tid_off =
      LLVMConstInt(mc->t_i64, offsetof(wasmaot_funcref, type_id), false);
  LLVMValueRef actual = LLVMBuildLoad2(
      b, mc->t_i32, LLVMBuildInBoundsGEP2(b, mc->t_i8, ref, &tid_off, 1, ""),
      "type_id");
  LLVMValueRef expected = lower_vmctx_load(
      f, mc->t_i32, mc->layout.type_ids + 4 * type_index, true);
  LLVMValueRef differ = LLVMBuildICmp(b, LLVMIntNE, actual, expected, "");
  if (mc->m->types[type_index].is_final) {
    /* Only the type itself matches a final type: one comparison. */
    lower_trap_if(f, differ, WASMAOT_TRAP_INDIRECT_CALL_TYPE);
  } else {
    /* A declared subtype matches too: asked of the runtime only when the
     * ids differ, so the matching call pays nothing more. */
    LLVMBasicBlockRef slow = new_block(f, "call_indirect.subtype");
    LLVMBasicBlockRef cont = new_block(f, "call_indirect.typed");
    LLVMBuildCondBr(b, differ, slow, cont);
    LLVMPositionBuilderAtEnd(b, slow);
    LLVMValueRef args[2] = {actual, expected};
    LLVMValueRef ok =
        lower_call_helper(f, WASMAOT_HELPER_FUNC_SUBTYPE, mc->t_i32, args, 2);
    lower_trap_if(f, LLVMBuildIsNull(b, ok, ""),
                  WASMAOT_TRAP_INDIRECT_CALL_TYPE);
    LLVMBuildBr(b, cont);
    LLVMPositionBuilderAtEnd(b, cont);
  }

  lower_callee c = {.type_index = type_index, .ref = ref};
  load_funcref(f, ref, false, &c.code, &c.env);
  emit(f, &c);
}

/* call_ref, return_call_ref: a null reference traps, and the validator
 * proved the type, so no signature check. */
static void lower_call_ref(lower_func_ctx *f, const wasm_instr *in,
                           call_emitter emit) {
  LLVMValueRef ref = lower_pop(f);
  lower_trap_if(f, LLVMBuildIsNull(f->mc->builder, ref, ""),
                WASMAOT_TRAP_NULL_FUNC_REF);
  /* As call_indirect's: return_call_ref jumps through the ref's tail
   * entry when it has one. */
  lower_callee c = {.type_index = in->imm.type_index, .ref = ref};
  load_funcref(f, ref, false, &c.code, &c.env);
  emit(f, &c);
}

/* br_on_null: branch (without the reference) when it is null. */
static void lower_br_on_null(lower_func_ctx *f, const wasm_instr *in) {
  LLVMBuilderRef b = f->mc->builder;
  LLVMValueRef ref = lower_pop(f);
  LLVMValueRef is_null = LLVMBuildIsNull(b, ref, "");
  LLVMBasicBlockRef cont = new_block(f, "br_on_null.cont");
  LLVMBuildCondBr(b, is_null, branch_target(f, in->imm.label), cont);
  LLVMPositionBuilderAtEnd(b, cont);
  lower_push(f, ref);
}

/* br_on_non_null: branch with the reference when it is not null; fall
 * through without it. */
static void lower_br_on_non_null(lower_func_ctx *f, const wasm_instr *in) {
  LLVMBuilderRef b = f->mc->builder;
  LLVMValueRef ref = f->stack[f->stack_size - 1];
  LLVMValueRef is_null = LLVMBuildIsNull(b, ref, "");
  LLVMBasicBlockRef cont = new_block(f, "br_on_non_null.cont");
  LLVMBuildCondBr(b, is_null, cont, branch_target(f, in->imm.label));
  LLVMPositionBuilderAtEnd(b, cont);
  f->stack_size--;
}

static void lower_select(lower_func_ctx *f) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef cond = lower_pop(f);
  LLVMValueRef b = lower_pop(f);
  LLVMValueRef a = lower_pop(f);
  LLVMValueRef nz = LLVMBuildICmp(mc->builder, LLVMIntNE, cond,
                                  LLVMConstInt(mc->t_i32, 0, false), "");
  lower_push(f, LLVMBuildSelect(mc->builder, nz, a, b, ""));
}

bool lower_control(lower_func_ctx *f, const wasm_instr *in) {
  lower_module_ctx *mc = f->mc;
  switch (in->op) {
  case WASM_OP_UNREACHABLE:
    lower_trap(f, WASMAOT_TRAP_UNREACHABLE);
    enter_dead_code(f);
    return true;
  case WASM_OP_NOP:
    return true;
  case WASM_OP_BLOCK:
    open_frame(f, LOWER_FRAME_BLOCK, &in->imm.block);
    return true;
  case WASM_OP_LOOP:
    lower_loop(f, in);
    return true;
  case WASM_OP_IF:
    lower_if(f, in);
    return true;
  case WASM_OP_ELSE:
    lower_else(f);
    return true;
  case WASM_OP_END:
    lower_end(f);
    return true;
  case WASM_OP_BR:
    lower_exception_leave(f, f->frame_count - 1 - in->imm.label);
    LLVMBuildBr(mc->builder, branch_target(f, in->imm.label));
    enter_dead_code(f);
    return true;
  case WASM_OP_BR_IF: {
    LLVMValueRef cond = lower_pop(f);
    LLVMValueRef nz = LLVMBuildICmp(mc->builder, LLVMIntNE, cond,
                                    LLVMConstInt(mc->t_i32, 0, false), "");
    LLVMBasicBlockRef cont = new_block(f, "br_if.cont");
    size_t target = f->frame_count - 1 - in->imm.label;
    if (lower_exception_leaves_catch(f, target)) {
      /* The taken edge frees what the catch sections it leaves caught. */
      LLVMBasicBlockRef taken = new_block(f, "br_if.leave");
      LLVMBuildCondBr(mc->builder, nz, taken, cont);
      LLVMPositionBuilderAtEnd(mc->builder, taken);
      lower_exception_leave(f, target);
      LLVMBuildBr(mc->builder, branch_target(f, in->imm.label));
    } else {
      LLVMBuildCondBr(mc->builder, nz, branch_target(f, in->imm.label), cont);
    }
    LLVMPositionBuilderAtEnd(mc->builder, cont);
    return true;
  }
  case WASM_OP_BR_TABLE:
    lower_br_table(f, in);
    return true;
  case WASM_OP_RETURN:
    lower_exception_leave(f, 0);
    LLVMBuildBr(mc->builder, branch_target(f, (uint32_t)f->frame_count - 1));
    enter_dead_code(f);
    return true;
  case WASM_OP_CALL:
    lower_call(f, in->imm.func, emit_call);
    return true;
  case WASM_OP_CALL_INDIRECT:
    lower_call_indirect(f, in, emit_call);
    return true;
  case WASM_OP_RETURN_CALL:
    lower_call(f, in->imm.func, emit_return_call);
    return true;
  case WASM_OP_RETURN_CALL_INDIRECT:
    lower_call_indirect(f, in, emit_return_call);
    return true;
  case WASM_OP_CALL_REF:
    lower_call_ref(f, in, emit_call);
    return true;
  case WASM_OP_RETURN_CALL_REF:
    lower_call_ref(f, in, emit_return_call);
    return true;
  case WASM_OP_REF_AS_NON_NULL:
    lower_trap_if(f,
                  LLVMBuildIsNull(mc->builder, f->stack[f->stack_size - 1], ""),
                  WASMAOT_TRAP_NULL_REFERENCE);
    return true;
  case WASM_OP_BR_ON_NULL:
    lower_br_on_null(f, in);
    return true;
  case WASM_OP_BR_ON_NON_NULL:
    lower_br_on_non_null(f, in);
    return true;
  case WASM_OP_DROP:
    lower_keep_dropped_load(lower_pop(f));
    return true;
  case WASM_OP_SELECT:
  case WASM_OP_SELECT_T:
    lower_select(f);
    return true;
  default:
    return wasm_error_set(mc->err, in->offset,
                          "%s is not a control instruction",
                          wasm_op_name(in->op));
  }
}

void lower_end_frame(lower_func_ctx *f) {
  lower_end(f);
}
