/* Lowering one function: its frame (locals, stack check), the operand
 * stack, the shared helpers of the family files, and the dispatch loop. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "array_reserve.h"
#include "lower.h"

LLVMTypeRef lower_value_type(lower_module_ctx *mc, wasm_type t) {
  switch (t) {
  case WASM_TYPE_I32:
    return mc->t_i32;
  case WASM_TYPE_I64:
    return mc->t_i64;
  case WASM_TYPE_F32:
    return mc->t_f32;
  case WASM_TYPE_F64:
    return mc->t_f64;
  case WASM_TYPE_V128:
    return mc->t_v128;
  default:
    return mc->t_ptr; /* funcref, externref */
  }
}

static LLVMValueRef zero_value(lower_module_ctx *mc, wasm_type t) {
  return LLVMConstNull(lower_value_type(mc, t));
}

void lower_push(lower_func_ctx *f, LLVMValueRef v) {
  if (!array_reserve((void **)&f->stack, &f->stack_cap, f->stack_size + 1,
                     sizeof *f->stack))
    abort(); /* out of memory while compiling: nothing sensible to do */
  f->stack[f->stack_size++] = v;
}

LLVMValueRef lower_pop(lower_func_ctx *f) {
  /* Validation guarantees live code never pops below its frame. */
  return f->stack[--f->stack_size];
}

LLVMValueRef lower_peek(lower_func_ctx *f, size_t depth_from_top) {
  return f->stack[f->stack_size - 1 - depth_from_top];
}

lower_frame *lower_push_frame(lower_func_ctx *f) {
  if (!array_reserve((void **)&f->frames, &f->frame_cap, f->frame_count + 1,
                     sizeof *f->frames))
    abort();
  lower_frame *fr = &f->frames[f->frame_count++];
  memset(fr, 0, sizeof *fr);
  fr->outer_handler = f->handler;
  fr->close_handler = f->handler;
  return fr;
}

LLVMValueRef lower_vmctx_field(lower_func_ctx *f, uint32_t offset) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef idx = LLVMConstInt(mc->t_i64, offset, false);
  return LLVMBuildInBoundsGEP2(mc->builder, mc->t_i8, f->vmctx, &idx, 1, "");
}

void lower_mark_invariant(lower_module_ctx *mc, LLVMValueRef load) {
  unsigned kind = LLVMGetMDKindIDInContext(mc->llctx, "invariant.load", 14);
  LLVMSetMetadata(load, kind, LLVMMDNodeInContext(mc->llctx, NULL, 0));
}

LLVMValueRef lower_vmctx_load(lower_func_ctx *f, LLVMTypeRef type,
                              uint32_t offset, bool invariant) {
  LLVMValueRef v =
      LLVMBuildLoad2(f->mc->builder, type, lower_vmctx_field(f, offset), "");
  if (invariant)
    lower_mark_invariant(f->mc, v);
  return v;
}

static LLVMValueRef call_helper(lower_func_ctx *f, wasmaot_helper_index h,
                                LLVMTypeRef ret, LLVMValueRef *args,
                                unsigned nargs, bool unwinding) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef all[8];
  LLVMTypeRef types[8];
  if (nargs + 1 > 8)
    abort();
  all[0] = f->vmctx;
  types[0] = mc->t_ptr;
  for (unsigned i = 0; i < nargs; i++) {
    all[i + 1] = args[i];
    types[i + 1] = LLVMTypeOf(args[i]);
  }
  LLVMTypeRef fnty = LLVMFunctionType(ret, types, nargs + 1, false);
  LLVMValueRef table = lower_vmctx_load(
      f, mc->t_ptr, offsetof(wasmaot_vmctx_header, helpers), true);
  LLVMValueRef idx = LLVMConstInt(mc->t_i64, h, false);
  LLVMValueRef slot =
      LLVMBuildInBoundsGEP2(mc->builder, mc->t_ptr, table, &idx, 1, "");
  LLVMValueRef fn = LLVMBuildLoad2(mc->builder, mc->t_ptr, slot, "");
  lower_mark_invariant(mc, fn);
  if (unwinding)
    return lower_build_call(f, fnty, fn, all, nargs + 1);
  return LLVMBuildCall2(mc->builder, fnty, fn, all, nargs + 1, "");
}

LLVMValueRef lower_call_helper(lower_func_ctx *f, wasmaot_helper_index h,
                               LLVMTypeRef ret, LLVMValueRef *args,
                               unsigned nargs) {
  return call_helper(f, h, ret, args, nargs, false);
}

LLVMValueRef lower_call_helper_unwinding(lower_func_ctx *f,
                                         wasmaot_helper_index h,
                                         LLVMTypeRef ret, LLVMValueRef *args,
                                         unsigned nargs) {
  return call_helper(f, h, ret, args, nargs, true);
}

LLVMValueRef lower_entry_alloca(lower_func_ctx *f, LLVMTypeRef type,
                                unsigned align) {
  LLVMBuilderRef b = f->mc->builder;
  LLVMBasicBlockRef saved = LLVMGetInsertBlock(b);
  LLVMValueRef first = LLVMGetFirstInstruction(f->entry_bb);
  if (first)
    LLVMPositionBuilderBefore(b, first);
  else
    LLVMPositionBuilderAtEnd(b, f->entry_bb);
  LLVMValueRef slot = LLVMBuildAlloca(b, type, "");
  LLVMSetAlignment(slot, align);
  LLVMPositionBuilderAtEnd(b, saved);
  return slot;
}

LLVMValueRef lower_call_intrinsic(lower_func_ctx *f, const char *name,
                                  LLVMTypeRef *overloads, unsigned noverloads,
                                  LLVMValueRef *args, unsigned nargs) {
  lower_module_ctx *mc = f->mc;
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  LLVMValueRef fn =
      LLVMGetIntrinsicDeclaration(mc->llmod, id, overloads, noverloads);
  LLVMTypeRef fnty = LLVMIntrinsicGetType(mc->llctx, id, overloads, noverloads);
  return LLVMBuildCall2(mc->builder, fnty, fn, args, nargs, "");
}

/* One trap block per kind and function keeps the checks small: every
 * check is a compare and a branch to the shared block. */
static LLVMBasicBlockRef trap_block(lower_func_ctx *f, wasmaot_trap_kind kind) {
  if (f->trap_bbs[kind])
    return f->trap_bbs[kind];
  lower_module_ctx *mc = f->mc;
  LLVMBasicBlockRef saved = LLVMGetInsertBlock(mc->builder);
  LLVMBasicBlockRef bb =
      LLVMAppendBasicBlockInContext(mc->llctx, f->fn, "trap");
  LLVMPositionBuilderAtEnd(mc->builder, bb);
  LLVMValueRef k = LLVMConstInt(mc->t_i32, kind, false);
  LLVMValueRef call =
      lower_call_helper(f, WASMAOT_HELPER_TRAP, mc->t_void, &k, 1);
  unsigned noreturn = LLVMGetEnumAttributeKindForName("noreturn", 8);
  unsigned cold = LLVMGetEnumAttributeKindForName("cold", 4);
  LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                           LLVMCreateEnumAttribute(mc->llctx, noreturn, 0));
  LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                           LLVMCreateEnumAttribute(mc->llctx, cold, 0));
  LLVMBuildUnreachable(mc->builder);
  LLVMPositionBuilderAtEnd(mc->builder, saved);
  f->trap_bbs[kind] = bb;
  return bb;
}

/* Marks a conditional branch as almost never taken towards its first
 * successor. */
static void set_unlikely(lower_module_ctx *mc, LLVMValueRef br) {
  LLVMMetadataRef ops[3] = {
      LLVMMDStringInContext2(mc->llctx, "branch_weights", 14),
      LLVMValueAsMetadata(LLVMConstInt(mc->t_i32, 1, false)),
      LLVMValueAsMetadata(LLVMConstInt(mc->t_i32, 1u << 20, false)),
  };
  LLVMMetadataRef node = LLVMMDNodeInContext2(mc->llctx, ops, 3);
  LLVMSetMetadata(br, LLVMGetMDKindIDInContext(mc->llctx, "prof", 4),
                  LLVMMetadataAsValue(mc->llctx, node));
}

void lower_trap_if(lower_func_ctx *f, LLVMValueRef cond,
                   wasmaot_trap_kind kind) {
  lower_module_ctx *mc = f->mc;
  LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(mc->llctx, f->fn, "");
  LLVMValueRef br =
      LLVMBuildCondBr(mc->builder, cond, trap_block(f, kind), cont);
  set_unlikely(mc, br);
  LLVMPositionBuilderAtEnd(mc->builder, cont);
}

void lower_trap(lower_func_ctx *f, wasmaot_trap_kind kind) {
  LLVMBuildBr(f->mc->builder, trap_block(f, kind));
}

/* Functions check the stack before doing anything, so deep or infinite
 * recursion traps with "call stack exhausted" instead of running off the
 * thread's stack. The stack pointer is read as a register (the frame
 * address would force a frame pointer on every checked function), and
 * the limit does not change while Wasm runs on a thread (every entry
 * from the host writes the same value), so its load is invariant. */
static void build_stack_check(lower_func_ctx *f) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef limit = lower_vmctx_load(
      f, mc->t_i64, offsetof(wasmaot_vmctx_header, stack_limit), true);
  const char *reg =
      strncmp(mc->target->triple, "x86_64", 6) == 0 ? "rsp" : "sp";
  LLVMMetadataRef name = LLVMMDStringInContext2(mc->llctx, reg, strlen(reg));
  LLVMValueRef md =
      LLVMMetadataAsValue(mc->llctx, LLVMMDNodeInContext2(mc->llctx, &name, 1));
  LLVMTypeRef i64 = mc->t_i64;
  LLVMValueRef sp =
      lower_call_intrinsic(f, "llvm.read_register", &i64, 1, &md, 1);
  /* Compiled code never moves the stack pointer inside a function body
   * (no dynamic allocas), so reading it has no effect and no dependence
   * on memory: an inlined callee's check then folds into the caller's,
   * and none is left in a loop. */
  unsigned memory = LLVMGetEnumAttributeKindForName("memory", 6);
  LLVMAddCallSiteAttribute(sp, LLVMAttributeFunctionIndex,
                           LLVMCreateEnumAttribute(mc->llctx, memory, 0));
  LLVMValueRef low = LLVMBuildICmp(mc->builder, LLVMIntULT, sp, limit, "");
  lower_trap_if(f, low, WASMAOT_TRAP_STACK_EXHAUSTED);
}

/* Plain loads and stores, which FastISel selects (it hands atomic ones,
 * even unordered, to SelectionDAG, which costs compile time and code):
 * threads counting at once may lose increments, which a profile does not
 * mind, and the code that counts is never optimised, so nothing reasons
 * about the race. */
void lower_count_entry(lower_func_ctx *f) {
  lower_module_ctx *mc = f->mc;
  if (!mc->layout.entry_counts)
    return;
  LLVMValueRef counts =
      lower_vmctx_load(f, mc->t_ptr, mc->layout.entry_counts, true);
  LLVMValueRef index =
      LLVMConstInt(mc->t_i32, f->func_index - mc->m->import_func_count, false);
  LLVMValueRef slot =
      LLVMBuildInBoundsGEP2(mc->builder, mc->t_i64, counts, &index, 1, "");
  LLVMValueRef old = LLVMBuildLoad2(mc->builder, mc->t_i64, slot, "");
  LLVMValueRef inc =
      LLVMBuildAdd(mc->builder, old, LLVMConstInt(mc->t_i64, 1, false), "");
  LLVMBuildStore(mc->builder, inc, slot);
}

/* A function that calls nothing adds one frame to the stack and cannot
 * recurse: when that frame is small it fits in the margin the runtime
 * keeps below the limit (and the stack guard catches the rest), so it
 * needs no check of its own. Small leaves are what call-heavy code calls
 * most, and without the check they need no frame at all. */
enum { LEAF_MAX_CODE_BYTES = 16384, LEAF_MAX_LOCALS = 1024 };

static bool needs_stack_check(lower_module_ctx *mc, const wasm_func *fn,
                              const wasm_functype *type) {
  const wasm_module *m = mc->m;
  if (fn->code_end - fn->code_offset > LEAF_MAX_CODE_BYTES ||
      fn->local_count + type->param_count > LEAF_MAX_LOCALS)
    return true;
  wasm_reader r = {.bytes = m->bytes,
                   .pos = fn->code_offset,
                   .end = fn->code_end,
                   .err = mc->err};
  while (r.pos < r.end) {
    wasm_instr in;
    if (!wasm_read_instr(&r, m, &in))
      return true;
    if (in.op == WASM_OP_CALL || in.op == WASM_OP_CALL_INDIRECT ||
        in.op == WASM_OP_RETURN_CALL || in.op == WASM_OP_RETURN_CALL_INDIRECT ||
        in.op == WASM_OP_CALL_REF || in.op == WASM_OP_RETURN_CALL_REF)
      return true;
  }
  return false;
}

static bool setup_locals(lower_func_ctx *f) {
  lower_module_ctx *mc = f->mc;
  const wasm_module *m = mc->m;
  const wasm_func *fn = &m->funcs[f->func_index - m->import_func_count];
  uint64_t total = f->type->param_count + fn->local_count;
  f->local_count = (uint32_t)total;
  f->locals = calloc(total ? total : 1, sizeof *f->locals);
  f->local_types = calloc(total ? total : 1, sizeof *f->local_types);
  if (!f->locals || !f->local_types)
    return wasm_error_set(mc->err, fn->body_offset, "out of memory");

  uint32_t n = 0;
  for (uint32_t i = 0; i < f->type->param_count; i++, n++) {
    wasm_type t = wasm_functype_params(f->type)[i];
    f->local_types[n] = t;
    f->locals[n] =
        LLVMBuildAlloca(mc->builder, lower_value_type(mc, t), "param");
    LLVMBuildStore(mc->builder, LLVMGetParam(f->fn, i + 1), f->locals[n]);
  }
  for (uint32_t r = 0; r < fn->local_run_count; r++) {
    wasm_type t = fn->local_runs[r].type;
    for (uint32_t k = 0; k < fn->local_runs[r].count; k++, n++) {
      f->local_types[n] = t;
      f->locals[n] =
          LLVMBuildAlloca(mc->builder, lower_value_type(mc, t), "local");
      LLVMBuildStore(mc->builder, zero_value(mc, t), f->locals[n]);
    }
  }
  return true;
}

/* Instructions inside dead code are skipped, but their blocks must still
 * be counted so the right `else`/`end` ends the dead stretch. Returns true
 * when `in` was consumed here. */
static bool skip_dead(lower_func_ctx *f, const wasm_instr *in) {
  if (!f->dead)
    return false;
  switch (in->op) {
  case WASM_OP_BLOCK:
  case WASM_OP_LOOP:
  case WASM_OP_IF:
  case WASM_OP_TRY:
  case WASM_OP_TRY_TABLE:
    f->dead_depth++;
    return true;
  case WASM_OP_ELSE:
  case WASM_OP_CATCH:
  case WASM_OP_CATCH_ALL:
    return f->dead_depth > 0;
  case WASM_OP_END:
  case WASM_OP_DELEGATE: /* closes a legacy try */
    if (f->dead_depth == 0)
      return false;
    f->dead_depth--;
    return true;
  default:
    return true;
  }
}

static bool is_memory_op(const wasm_instr *in) {
  switch (wasm_op_imm(in->op)) {
  case WASM_IMM_MEMARG:
  case WASM_IMM_MEMARG_LANE:
  case WASM_IMM_MEMORY:
  case WASM_IMM_MEMORY_INIT:
  case WASM_IMM_MEMORY_COPY:
  case WASM_IMM_DATA:
    return true;
  default:
    return false;
  }
}

static bool lower_instr(lower_func_ctx *f, const wasm_instr *in) {
  if (skip_dead(f, in))
    return true;
  switch (in->op) {
  case WASM_OP_LOCAL_GET:
  case WASM_OP_LOCAL_SET:
  case WASM_OP_LOCAL_TEE:
  case WASM_OP_GLOBAL_GET:
  case WASM_OP_GLOBAL_SET:
    return lower_variable(f, in);
  case WASM_OP_TABLE_GET:
  case WASM_OP_TABLE_SET:
  case WASM_OP_TABLE_INIT:
  case WASM_OP_ELEM_DROP:
  case WASM_OP_TABLE_COPY:
  case WASM_OP_TABLE_GROW:
  case WASM_OP_TABLE_SIZE:
  case WASM_OP_TABLE_FILL:
  case WASM_OP_REF_NULL:
  case WASM_OP_REF_IS_NULL:
  case WASM_OP_REF_FUNC:
    return lower_table(f, in);
  case WASM_OP_REF_AS_NON_NULL:
  case WASM_OP_BR_ON_NULL:
  case WASM_OP_BR_ON_NON_NULL:
    return lower_control(f, in);
  case WASM_OP_TRY:
  case WASM_OP_CATCH:
  case WASM_OP_THROW:
  case WASM_OP_RETHROW:
  case WASM_OP_THROW_REF:
  case WASM_OP_DELEGATE:
  case WASM_OP_CATCH_ALL:
  case WASM_OP_TRY_TABLE:
    return lower_exception(f, in);
  default:
    break;
  }
  if (in->op <= WASM_OP_SELECT_T)
    return lower_control(f, in);
  if (wasm_op_prefix(in->op) == 0xFD)
    return lower_simd(f, in);
  if (wasm_op_is_atomic(in->op))
    return lower_atomic(f, in);
  if (is_memory_op(in))
    return lower_memory(f, in);
  return lower_numeric(f, in);
}

static void free_func_ctx(lower_func_ctx *f) {
  for (size_t i = 0; i < f->frame_count; i++)
    lower_free_frame(&f->frames[i]);
  free(f->frames);
  free(f->stack);
  free(f->locals);
  free(f->local_types);
}

bool lower_function(lower_module_ctx *mc, uint32_t func_index) {
  const wasm_module *m = mc->m;
  const wasm_func *fn = &m->funcs[func_index - m->import_func_count];
  lower_func_ctx f = {.mc = mc, .func_index = func_index, .handler = -1};
  f.type = wasm_func_type(m, func_index);
  f.fn = lower_func_decl(mc, func_index);
  f.vmctx = LLVMGetParam(f.fn, 0);

  LLVMBasicBlockRef entry =
      LLVMAppendBasicBlockInContext(mc->llctx, f.fn, "entry");
  LLVMPositionBuilderAtEnd(mc->builder, entry);
  f.entry_bb = entry;
  bool ok = setup_locals(&f);
  if (ok) {
    if (m->memory_count > 0)
      f.memory0_base = lower_vmctx_load(
          &f, mc->t_ptr, offsetof(wasmaot_vmctx_header, memory0_base), true);
    if (needs_stack_check(mc, fn, f.type))
      build_stack_check(&f);
    lower_count_entry(&f);
    lower_open_function_frame(&f);
  }

  wasm_reader r = {.bytes = m->bytes,
                   .pos = fn->code_offset,
                   .end = fn->code_end,
                   .err = mc->err};
  while (ok && r.pos < r.end) {
    wasm_instr in;
    ok = wasm_read_instr(&r, m, &in) && lower_instr(&f, &in);
  }
  free_func_ctx(&f);
  return ok;
}
