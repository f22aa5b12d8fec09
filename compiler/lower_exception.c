/* Exceptions, both encodings, on LLVM's zero-cost unwinding
 * (docs/exceptions.md).
 *
 * Inside a try_table or a legacy try's body every call that may throw is
 * an invoke; its unwind edge goes to the frame's landing pad, a cleanup
 * pad (the runtime throws by forced unwind, which enters every pad), that
 * jumps to the frame's dispatch block with the exception pointer. Dispatch
 * compares the thrown tag with the instance's tag slots in clause order;
 * what no clause takes goes on to the handler that was in effect outside
 * the frame, or, outside every handler of the function, resumes the
 * unwind. The path that does not throw is unchanged: an invoke costs what
 * a call costs. */
#include <stddef.h>
#include <stdlib.h>

#include "lower.h"

bool lower_is_try_kind(lower_frame_kind kind) {
  return kind == LOWER_FRAME_TRY_TABLE || kind == LOWER_FRAME_TRY ||
         kind == LOWER_FRAME_CATCH;
}

static LLVMValueRef personality(lower_module_ctx *mc) {
  LLVMValueRef fn = LLVMGetNamedFunction(mc->llmod, WASMAOT_SYM_PERSONALITY);
  if (!fn) {
    LLVMTypeRef t = LLVMFunctionType(mc->t_i32, NULL, 0, true);
    fn = LLVMAddFunction(mc->llmod, WASMAOT_SYM_PERSONALITY, t);
  }
  return fn;
}

static LLVMTypeRef landing_pad_type(lower_module_ctx *mc) {
  LLVMTypeRef fields[2] = {mc->t_ptr, mc->t_i32};
  return LLVMStructTypeInContext(mc->llctx, fields, 2, false);
}

/* A cleanup landing pad in `fn` returning the exception pointer; the
 * builder is left after it. */
static LLVMValueRef build_landing_pad(lower_module_ctx *mc, LLVMValueRef fn) {
  if (!LLVMHasPersonalityFn(fn))
    LLVMSetPersonalityFn(fn, personality(mc));
  LLVMValueRef lp = LLVMBuildLandingPad(mc->builder, landing_pad_type(mc),
                                        personality(mc), 0, "");
  LLVMSetCleanup(lp, 1);
  return LLVMBuildExtractValue(mc->builder, lp, 0, "exn");
}

/* ---- Dispatch ------------------------------------------------------------ */

static LLVMValueRef exception_field(lower_func_ctx *f, LLVMValueRef exn,
                                    uint64_t offset) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef off = LLVMConstInt(mc->t_i64, offset, false);
  return LLVMBuildInBoundsGEP2(mc->builder, mc->t_i8, exn, &off, 1, "");
}

/* i1: the exception was thrown with tag `tag` of this instance. */
static LLVMValueRef tag_matches(lower_func_ctx *f, LLVMValueRef exn,
                                uint32_t tag) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef mine =
      lower_vmctx_load(f, mc->t_ptr, mc->layout.tags + 8 * tag, true);
  LLVMValueRef thrown = LLVMBuildLoad2(
      mc->builder, mc->t_ptr,
      exception_field(f, exn, offsetof(wasmaot_exception, tag)), "tag");
  return LLVMBuildICmp(mc->builder, LLVMIntEQ, thrown, mine, "");
}

static const wasm_functype *tag_type(lower_module_ctx *mc, uint32_t tag) {
  return &mc->m->types[mc->m->tag_types[tag]];
}

/* The payload of an exception of tag `tag`, loaded into vals[]. */
static void load_payload(lower_func_ctx *f, LLVMValueRef exn, uint32_t tag,
                         LLVMValueRef *vals) {
  lower_module_ctx *mc = f->mc;
  const wasm_functype *t = tag_type(mc, tag);
  for (uint32_t i = 0; i < t->param_count; i++) {
    LLVMValueRef p = exception_field(f, exn,
                                     offsetof(wasmaot_exception, values) +
                                         (uint64_t)i * WASMAOT_VALUE_SLOT_SIZE);
    vals[i] = LLVMBuildLoad2(
        mc->builder, lower_value_type(mc, wasm_functype_params(t)[i]), p, "");
    LLVMSetAlignment(vals[i], 16);
  }
}

/* exn->holds = op(exn->holds, k) */
static void update_holds(lower_func_ctx *f, LLVMValueRef exn, LLVMOpcode op,
                         uint32_t k) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef p = exception_field(f, exn, offsetof(wasmaot_exception, holds));
  LLVMValueRef v = LLVMBuildLoad2(mc->builder, mc->t_i32, p, "holds");
  v = LLVMBuildBinOp(mc->builder, op, v, LLVMConstInt(mc->t_i32, k, false), "");
  LLVMBuildStore(mc->builder, v, p);
}

/* An exnref to it is handed out: the runtime must never free it early. */
static void mark_captured(lower_func_ctx *f, LLVMValueRef exn) {
  update_holds(f, exn, LLVMOr, WASMAOT_EXCEPTION_CAPTURED);
}

static void release(lower_func_ctx *f, LLVMValueRef exn, uint32_t mode) {
  LLVMValueRef args[2] = {exn, LLVMConstInt(f->mc->t_i32, mode, false)};
  lower_call_helper(f, WASMAOT_HELPER_EXCEPTION_FREE, f->mc->t_void, args, 2);
}

static LLVMBasicBlockRef ensure_dispatch(lower_func_ctx *f, int frame);

/* From the current block, hands `exn` to the handler of frame `handler`,
 * or out of the function (-1). */
static void route_to_handler(lower_func_ctx *f, int handler, LLVMValueRef exn) {
  lower_module_ctx *mc = f->mc;
  if (handler < 0) {
    LLVMValueRef agg = LLVMGetUndef(landing_pad_type(mc));
    agg = LLVMBuildInsertValue(mc->builder, agg, exn, 0, "");
    agg = LLVMBuildInsertValue(mc->builder, agg,
                               LLVMConstInt(mc->t_i32, 0, false), 1, "");
    LLVMBuildResume(mc->builder, agg);
    return;
  }
  LLVMBasicBlockRef to = ensure_dispatch(f, handler);
  LLVMBasicBlockRef from = LLVMGetInsertBlock(mc->builder);
  LLVMAddIncoming(f->frames[handler].exn, &exn, &from, 1);
  LLVMBuildBr(mc->builder, to);
}

/* One try_table clause at the current block: a branch to its label when
 * it takes the exception; continues where it does not. */
static void build_clause(lower_func_ctx *f, size_t frame, const wasm_catch *c,
                         LLVMValueRef exn) {
  lower_module_ctx *mc = f->mc;
  LLVMBuilderRef b = mc->builder;
  /* Labels count from outside the try_table. */
  size_t target = frame - 1 - c->label;
  bool tagged = c->kind == WASM_CATCH || c->kind == WASM_CATCH_REF;
  bool ref = c->kind == WASM_CATCH_REF || c->kind == WASM_CATCH_ALL_REF;
  LLVMBasicBlockRef next = NULL;
  if (tagged) {
    LLVMBasicBlockRef take = lower_new_block(f, "catch");
    next = lower_new_block(f, "catch.next");
    LLVMBuildCondBr(b, tag_matches(f, exn, c->tag), take, next);
    LLVMPositionBuilderAtEnd(b, take);
  }
  uint32_t n = tagged ? tag_type(mc, c->tag)->param_count : 0;
  LLVMValueRef *vals = calloc(n + 1, sizeof *vals);
  if (!vals)
    abort();
  if (tagged)
    load_payload(f, exn, c->tag, vals);
  if (ref) {
    mark_captured(f, exn);
    vals[n] = exn;
  } else {
    release(f, exn, WASMAOT_RELEASE_UNHELD);
  }
  LLVMBuildBr(b, lower_branch_to_frame(f, target, vals));
  free(vals);
  if (next)
    LLVMPositionBuilderAtEnd(b, next);
}

/* The frame's dispatch block, created on first use: its exception phi,
 * and for a try_table all its clauses at once. */
static LLVMBasicBlockRef ensure_dispatch(lower_func_ctx *f, int frame) {
  lower_module_ctx *mc = f->mc;
  lower_frame *fr = &f->frames[frame];
  if (fr->dispatch_bb)
    return fr->dispatch_bb;
  LLVMBuilderRef b = mc->builder;
  LLVMBasicBlockRef saved = LLVMGetInsertBlock(b);
  fr->dispatch_bb = lower_new_block(f, "dispatch");
  LLVMPositionBuilderAtEnd(b, fr->dispatch_bb);
  fr->exn = LLVMBuildPhi(b, mc->t_ptr, "exn");
  /* A foreign exception (not thrown by wasmaot) is no Wasm handler's. */
  LLVMValueRef cls = LLVMBuildLoad2(b, mc->t_i64, fr->exn, "class");
  LLVMBasicBlockRef ours = lower_new_block(f, "dispatch.wasm");
  LLVMBasicBlockRef foreign = lower_new_block(f, "dispatch.foreign");
  LLVMBuildCondBr(
      b,
      LLVMBuildICmp(b, LLVMIntEQ, cls,
                    LLVMConstInt(mc->t_i64, WASMAOT_EXCEPTION_CLASS, false),
                    ""),
      ours, foreign);
  LLVMPositionBuilderAtEnd(b, foreign);
  route_to_handler(f, -1, fr->exn);
  LLVMPositionBuilderAtEnd(b, ours);
  fr->chain_bb = ours;
  if (fr->kind == LOWER_FRAME_TRY_TABLE) {
    wasm_instr holder = {.catches = fr->catches};
    wasm_catch_iter it = wasm_catch_begin(&holder);
    wasm_catch c;
    bool all = false;
    while (!all && wasm_catch_next(&it, &c)) {
      build_clause(f, (size_t)frame, &c, f->frames[frame].exn);
      all = c.kind == WASM_CATCH_ALL || c.kind == WASM_CATCH_ALL_REF;
    }
    fr = &f->frames[frame];
    if (!all)
      route_to_handler(f, fr->outer_handler, fr->exn);
    fr->chain_bb = NULL;
  }
  LLVMPositionBuilderAtEnd(b, saved);
  return f->frames[frame].dispatch_bb;
}

static LLVMBasicBlockRef ensure_pad(lower_func_ctx *f, int frame) {
  lower_frame *fr = &f->frames[frame];
  if (fr->pad_bb)
    return fr->pad_bb;
  LLVMBuilderRef b = f->mc->builder;
  LLVMBasicBlockRef saved = LLVMGetInsertBlock(b);
  LLVMBasicBlockRef pad = lower_new_block(f, "pad");
  f->frames[frame].pad_bb = pad;
  LLVMPositionBuilderAtEnd(b, pad);
  LLVMValueRef exn = build_landing_pad(f->mc, f->fn);
  route_to_handler(f, frame, exn);
  LLVMPositionBuilderAtEnd(b, saved);
  return pad;
}

LLVMValueRef lower_build_call(lower_func_ctx *f, LLVMTypeRef fnty,
                              LLVMValueRef fn, LLVMValueRef *args,
                              unsigned nargs) {
  LLVMBuilderRef b = f->mc->builder;
  if (f->handler < 0)
    return LLVMBuildCall2(b, fnty, fn, args, nargs, "");
  LLVMBasicBlockRef pad = ensure_pad(f, f->handler);
  LLVMBasicBlockRef cont = lower_new_block(f, "invoke.cont");
  LLVMValueRef inv = LLVMBuildInvoke2(b, fnty, fn, args, nargs, cont, pad, "");
  LLVMPositionBuilderAtEnd(b, cont);
  return inv;
}

/* ---- Throwing ------------------------------------------------------------ */

static void mark_noreturn(lower_module_ctx *mc, LLVMValueRef call) {
  unsigned noreturn = LLVMGetEnumAttributeKindForName("noreturn", 8);
  LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                           LLVMCreateEnumAttribute(mc->llctx, noreturn, 0));
}

/* After a helper that never returns: the rest is dead. */
static void end_in_unreachable(lower_func_ctx *f, LLVMValueRef call) {
  mark_noreturn(f->mc, call);
  LLVMBuildUnreachable(f->mc->builder);
  lower_enter_dead_code(f);
}

static void leave_by_throw(lower_func_ctx *f, bool rethrow);

static void lower_throw(lower_func_ctx *f, uint32_t tag) {
  lower_module_ctx *mc = f->mc;
  LLVMBuilderRef b = mc->builder;
  uint32_t n = tag_type(mc, tag)->param_count;
  LLVMValueRef slots = LLVMConstNull(mc->t_ptr);
  if (n) {
    LLVMTypeRef arr =
        LLVMArrayType2(mc->t_i8, (uint64_t)n * WASMAOT_VALUE_SLOT_SIZE);
    slots = lower_entry_alloca(f, arr, 16);
    for (uint32_t i = 0; i < n; i++) {
      LLVMValueRef v = f->stack[f->stack_size - n + i];
      LLVMValueRef off =
          LLVMConstInt(mc->t_i64, (uint64_t)i * WASMAOT_VALUE_SLOT_SIZE, false);
      LLVMValueRef p = LLVMBuildInBoundsGEP2(b, mc->t_i8, slots, &off, 1, "");
      LLVMSetAlignment(LLVMBuildStore(b, v, p), 16);
    }
    f->stack_size -= n;
  }
  leave_by_throw(f, false);
  LLVMValueRef args[2] = {LLVMConstInt(mc->t_i32, tag, false), slots};
  end_in_unreachable(f, lower_call_helper_unwinding(f, WASMAOT_HELPER_THROW,
                                                    mc->t_void, args, 2));
}

/* throw_ref's exnref is captured, never freed: the sections left may
 * release theirs. rethrow's may be one of them: kept. */
static void lower_throw_ref(lower_func_ctx *f, LLVMValueRef exn, bool rethrow) {
  leave_by_throw(f, rethrow);
  end_in_unreachable(f, lower_call_helper_unwinding(f, WASMAOT_HELPER_THROW_REF,
                                                    f->mc->t_void, &exn, 1));
}

/* ---- Frames ---------------------------------------------------------------
 */

static int top_index(lower_func_ctx *f) {
  return (int)f->frame_count - 1;
}

static void open_try_table(lower_func_ctx *f, const wasm_instr *in) {
  lower_frame *fr = lower_open_frame(f, LOWER_FRAME_TRY_TABLE, &in->imm.block);
  fr->catches = in->catches;
  f->handler = top_index(f);
}

static void open_try(lower_func_ctx *f, const wasm_instr *in) {
  lower_open_frame(f, LOWER_FRAME_TRY, &in->imm.block);
  f->handler = top_index(f);
}

/* Leaves a legacy try's body (or its previous catch) for a new handler
 * section; false when no call in the body could throw, so the section is
 * dead. */
static bool begin_catch_section(lower_func_ctx *f) {
  lower_frame *fr = &f->frames[top_index(f)];
  lower_exception_fall_through(f, fr);
  lower_fall_through_to_end(f, fr);
  if (fr->kind == LOWER_FRAME_TRY) {
    f->handler = fr->outer_handler;
    fr->kind = LOWER_FRAME_CATCH;
  }
  f->stack_size = fr->stack_height;
  if (!fr->chain_bb) {
    lower_enter_dead_code(f);
    return false;
  }
  LLVMPositionBuilderAtEnd(f->mc->builder, fr->chain_bb);
  f->dead = false;
  f->dead_depth = 0;
  return true;
}

/* ---- Freeing what legacy catches caught ------------------------------------
 *
 * A legacy catch section may `rethrow` its exception, and a rethrown one
 * may be caught again by a section inside it, so each section holds the
 * exception (exn->holds) from its entry until control leaves it: at its
 * end, on every br, br_if, return and tail call out of it, and on a
 * throw out of it; the last hold frees it. A section left by br_table, or
 * by a rethrow when the exception was also held elsewhere, leaves the
 * object to its engine. */

static void free_caught(lower_func_ctx *f, const lower_frame *fr) {
  release(f, fr->exn, WASMAOT_RELEASE_HOLD);
}

/* Before a throw from here: the catch sections it leaves (those above
 * the handler that will see it) give up their holds; a rethrow keeps the
 * objects alive, as the one in flight may be among them. */
static void leave_by_throw(lower_func_ctx *f, bool rethrow) {
  if (!f->mc->exceptions)
    return;
  for (size_t i = f->frame_count; i-- > 0 && (int)i > f->handler;)
    if (f->frames[i].kind == LOWER_FRAME_CATCH)
      release(f, f->frames[i].exn,
              rethrow ? WASMAOT_RELEASE_HOLD_KEEP : WASMAOT_RELEASE_HOLD);
}

/* A branch to frame `target` leaves the frames above it, and the target
 * itself unless it is a loop (its end is where the branch goes). */
static bool leaves(const lower_func_ctx *f, size_t frame, size_t target) {
  return frame > target ||
         (frame == target && f->frames[frame].kind != LOWER_FRAME_LOOP);
}

bool lower_exception_leaves_catch(const lower_func_ctx *f, size_t target) {
  if (!f->mc->exceptions)
    return false;
  for (size_t i = target; i < f->frame_count; i++)
    if (f->frames[i].kind == LOWER_FRAME_CATCH && leaves(f, i, target))
      return true;
  return false;
}

void lower_exception_leave(lower_func_ctx *f, size_t target) {
  if (!f->mc->exceptions)
    return;
  for (size_t i = f->frame_count; i-- > target;)
    if (f->frames[i].kind == LOWER_FRAME_CATCH && leaves(f, i, target))
      free_caught(f, &f->frames[i]);
}

void lower_exception_fall_through(lower_func_ctx *f, lower_frame *fr) {
  if (fr->kind == LOWER_FRAME_CATCH && !f->dead)
    free_caught(f, fr);
}

static void lower_catch(lower_func_ctx *f, uint32_t tag) {
  if (!begin_catch_section(f))
    return;
  lower_module_ctx *mc = f->mc;
  LLVMBuilderRef b = mc->builder;
  lower_frame *fr = &f->frames[top_index(f)];
  LLVMBasicBlockRef take = lower_new_block(f, "catch");
  LLVMBasicBlockRef next = lower_new_block(f, "catch.next");
  LLVMBuildCondBr(b, tag_matches(f, fr->exn, tag), take, next);
  fr->chain_bb = next;
  LLVMPositionBuilderAtEnd(b, take);
  update_holds(f, fr->exn, LLVMAdd, 1);
  uint32_t n = tag_type(mc, tag)->param_count;
  LLVMValueRef *vals = calloc(n ? n : 1, sizeof *vals);
  if (!vals)
    abort();
  load_payload(f, fr->exn, tag, vals);
  for (uint32_t i = 0; i < n; i++)
    lower_push(f, vals[i]);
  free(vals);
}

static void lower_catch_all(lower_func_ctx *f) {
  if (!begin_catch_section(f))
    return;
  lower_frame *fr = &f->frames[top_index(f)];
  LLVMBasicBlockRef take = lower_new_block(f, "catch_all");
  LLVMBuildBr(f->mc->builder, take);
  fr->chain_bb = NULL;
  LLVMPositionBuilderAtEnd(f->mc->builder, take);
  update_holds(f, fr->exn, LLVMAdd, 1);
}

void lower_exception_close(lower_func_ctx *f, lower_frame *fr) {
  if (fr->kind != LOWER_FRAME_CATCH)
    f->handler = fr->outer_handler;
  if (fr->kind == LOWER_FRAME_TRY_TABLE || !fr->chain_bb)
    return;
  LLVMPositionBuilderAtEnd(f->mc->builder, fr->chain_bb);
  route_to_handler(f, fr->close_handler, fr->exn);
  fr->chain_bb = NULL;
}

/* delegate l: what the try's body throws goes to the handler in effect
 * just inside label l (counted from outside the try), and the try ends. */
static void lower_delegate(lower_func_ctx *f, uint32_t label) {
  int self = top_index(f);
  int target = self - 1 - (int)label;
  lower_frame *t = &f->frames[target];
  f->frames[self].close_handler =
      t->kind == LOWER_FRAME_TRY || t->kind == LOWER_FRAME_TRY_TABLE
          ? target
          : t->outer_handler;
  lower_end_frame(f);
}

bool lower_exception(lower_func_ctx *f, const wasm_instr *in) {
  switch (in->op) {
  case WASM_OP_TRY_TABLE:
    open_try_table(f, in);
    return true;
  case WASM_OP_TRY:
    open_try(f, in);
    return true;
  case WASM_OP_CATCH:
    lower_catch(f, in->imm.tag);
    return true;
  case WASM_OP_CATCH_ALL:
    lower_catch_all(f);
    return true;
  case WASM_OP_DELEGATE:
    lower_delegate(f, in->imm.label);
    return true;
  case WASM_OP_THROW:
    lower_throw(f, in->imm.tag);
    return true;
  case WASM_OP_THROW_REF:
    lower_throw_ref(f, lower_pop(f), false);
    return true;
  case WASM_OP_RETHROW:
    lower_throw_ref(f, f->frames[top_index(f) - (int)in->imm.label].exn, true);
    return true;
  default:
    return wasm_error_set(f->mc->err, in->offset,
                          "%s is not an exception instruction",
                          wasm_op_name(in->op));
  }
}

/* ---- The host boundary --------------------------------------------------- */

LLVMValueRef lower_trampoline_call(lower_module_ctx *mc, LLVMValueRef tramp,
                                   LLVMTypeRef fnty, LLVMValueRef callee,
                                   LLVMValueRef *args, unsigned nargs) {
  LLVMBuilderRef b = mc->builder;
  if (!mc->exceptions)
    return LLVMBuildCall2(b, fnty, callee, args, nargs, "");
  LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(mc->llctx, tramp, "");
  LLVMBasicBlockRef pad = LLVMAppendBasicBlockInContext(mc->llctx, tramp, "");
  LLVMValueRef inv =
      LLVMBuildInvoke2(b, fnty, callee, args, nargs, cont, pad, "");
  LLVMPositionBuilderAtEnd(b, pad);
  LLVMValueRef exn = build_landing_pad(mc, tramp);
  LLVMValueRef env = args[0];
  LLVMValueRef off =
      LLVMConstInt(mc->t_i64, offsetof(wasmaot_vmctx_header, helpers), false);
  LLVMValueRef table = LLVMBuildLoad2(
      b, mc->t_ptr, LLVMBuildInBoundsGEP2(b, mc->t_i8, env, &off, 1, ""), "");
  LLVMValueRef idx =
      LLVMConstInt(mc->t_i64, WASMAOT_HELPER_EXCEPTION_ESCAPED, false);
  LLVMValueRef helper = LLVMBuildLoad2(
      b, mc->t_ptr, LLVMBuildInBoundsGEP2(b, mc->t_ptr, table, &idx, 1, ""),
      "");
  LLVMTypeRef params[2] = {mc->t_ptr, mc->t_ptr};
  LLVMValueRef hargs[2] = {env, exn};
  LLVMValueRef call = LLVMBuildCall2(
      b, LLVMFunctionType(mc->t_void, params, 2, false), helper, hargs, 2, "");
  mark_noreturn(mc, call);
  LLVMBuildUnreachable(b);
  LLVMPositionBuilderAtEnd(b, cont);
  return inv;
}
