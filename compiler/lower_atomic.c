/* The threads proposal's 0xFE instructions: atomic loads, stores,
 * read-modify-write and compare-exchange, atomic.fence, and
 * memory.atomic.wait32/wait64/notify.
 *
 * Atomic accesses are LLVM atomics with sequentially consistent ordering
 * (the only ordering Wasm's atomics have) at their natural alignment, on
 * the same `base + zext(address) + offset` as plain accesses, so an
 * out-of-bounds one faults in the guard pages like any other. What plain
 * accesses lack is the alignment rule: an address that is not a multiple
 * of the access size traps "unaligned atomic". The check is one test and
 * an unlikely branch; the cold path first asks whether the access is also
 * out of bounds, which the spec checks first.
 *
 * wait and notify need a queue of waiting threads per memory: they call
 * runtime helpers (loader/atomic_wait.c) with the effective address as a
 * 64-bit value, and the helper checks bounds, alignment and sharedness. */
#include <stddef.h>

#include "lower.h"

/* What an atomic access reads or writes, and what is on the stack. */
typedef struct atomic_shape {
  LLVMTypeRef mem_type;
  LLVMTypeRef val_type;
} atomic_shape;

static atomic_shape shape_of(lower_module_ctx *mc, wasm_opcode op) {
  LLVMTypeRef by_size[4] = {mc->t_i8, mc->t_i16, mc->t_i32, mc->t_i64};
  int align = wasm_op_natural_align_log2(op);
  /* Each instruction's name starts with its stack type. */
  bool is64 = wasm_op_name(op)[1] == '6';
  return (atomic_shape){by_size[align], is64 ? mc->t_i64 : mc->t_i32};
}

/* Traps unless idx is a multiple of 2^align_log2 (out of bounds first, as
 * the spec orders the checks), then returns the address of the access. */
static LLVMValueRef aligned_address(lower_func_ctx *f, uint32_t memory,
                                    LLVMValueRef idx, int align_log2) {
  lower_module_ctx *mc = f->mc;
  LLVMBuilderRef b = mc->builder;
  if (align_log2 > 0) {
    LLVMValueRef low = LLVMBuildAnd(
        b, idx, LLVMConstInt(mc->t_i64, (1u << align_log2) - 1, false), "");
    LLVMValueRef unaligned =
        LLVMBuildICmp(b, LLVMIntNE, low, LLVMConstInt(mc->t_i64, 0, false), "");
    LLVMValueRef expect_args[2] = {unaligned, LLVMConstInt(mc->t_i1, 0, false)};
    LLVMTypeRef i1 = mc->t_i1;
    unaligned = lower_call_intrinsic(f, "llvm.expect", &i1, 1, expect_args, 2);
    LLVMBasicBlockRef cold =
        LLVMAppendBasicBlockInContext(mc->llctx, f->fn, "unaligned");
    LLVMBasicBlockRef cont =
        LLVMAppendBasicBlockInContext(mc->llctx, f->fn, "");
    LLVMBuildCondBr(b, unaligned, cold, cont);
    LLVMPositionBuilderAtEnd(b, cold);
    LLVMValueRef end = LLVMBuildAdd(
        b, idx, LLVMConstInt(mc->t_i64, 1u << align_log2, false), "");
    LLVMValueRef oob = LLVMBuildICmp(
        b, LLVMIntUGT, end,
        lower_memory_size_bytes(f, memory, LLVMAtomicOrderingNotAtomic), "");
    lower_trap_if(f, oob, WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
    lower_trap(f, WASMAOT_TRAP_UNALIGNED_ATOMIC);
    LLVMPositionBuilderAtEnd(b, cont);
  }
  return LLVMBuildInBoundsGEP2(b, mc->t_i8, lower_memory_base(f, memory), &idx,
                               1, "");
}

/* A 64-bit memory's bounds are checked before the alignment, in
 * lower_memory_index(); a 32-bit memory's fault in the guard pages, or
 * in the unaligned path's own check. */
static LLVMValueRef atomic_address(lower_func_ctx *f, const wasm_instr *in,
                                   LLVMValueRef addr) {
  return aligned_address(f, in->memarg.memory, lower_memory_index(f, in, addr),
                         wasm_op_natural_align_log2(in->op));
}

static void set_atomic(LLVMValueRef inst, atomic_shape s) {
  LLVMSetOrdering(inst, LLVMAtomicOrderingSequentiallyConsistent);
  LLVMSetAlignment(inst, LLVMGetIntTypeWidth(s.mem_type) / 8);
}

static void lower_atomic_load(lower_func_ctx *f, const wasm_instr *in) {
  LLVMBuilderRef b = f->mc->builder;
  atomic_shape s = shape_of(f->mc, in->op);
  LLVMValueRef ptr = atomic_address(f, in, lower_pop(f));
  LLVMValueRef v = LLVMBuildLoad2(b, s.mem_type, ptr, "");
  set_atomic(v, s);
  if (s.mem_type != s.val_type)
    v = LLVMBuildZExt(b, v, s.val_type, "");
  lower_push(f, v);
}

static void lower_atomic_store(lower_func_ctx *f, const wasm_instr *in) {
  LLVMBuilderRef b = f->mc->builder;
  atomic_shape s = shape_of(f->mc, in->op);
  LLVMValueRef value = lower_pop(f);
  LLVMValueRef ptr = atomic_address(f, in, lower_pop(f));
  if (s.mem_type != s.val_type)
    value = LLVMBuildTrunc(b, value, s.mem_type, "");
  set_atomic(LLVMBuildStore(b, value, ptr), s);
}

/* The operation of an rmw instruction: seven widths per operation, in
 * the order of opcodes.def. */
static LLVMAtomicRMWBinOp rmw_op(wasm_opcode op) {
  static const LLVMAtomicRMWBinOp by_group[] = {
      LLVMAtomicRMWBinOpAdd, LLVMAtomicRMWBinOpSub, LLVMAtomicRMWBinOpAnd,
      LLVMAtomicRMWBinOpOr,  LLVMAtomicRMWBinOpXor, LLVMAtomicRMWBinOpXchg,
  };
  return by_group[(op - WASM_OP_I32_ATOMIC_RMW_ADD) / 7];
}

static void lower_atomic_rmw(lower_func_ctx *f, const wasm_instr *in) {
  LLVMBuilderRef b = f->mc->builder;
  atomic_shape s = shape_of(f->mc, in->op);
  LLVMValueRef value = lower_pop(f);
  LLVMValueRef ptr = atomic_address(f, in, lower_pop(f));
  if (s.mem_type != s.val_type)
    value = LLVMBuildTrunc(b, value, s.mem_type, "");
  LLVMValueRef old =
      LLVMBuildAtomicRMW(b, rmw_op(in->op), ptr, value,
                         LLVMAtomicOrderingSequentiallyConsistent, false);
  LLVMSetAlignment(old, LLVMGetIntTypeWidth(s.mem_type) / 8);
  if (s.mem_type != s.val_type)
    old = LLVMBuildZExt(b, old, s.val_type, "");
  lower_push(f, old);
}

/* A narrow cmpxchg compares the loaded value with the expected operand
 * wrapped to the access width, so an expected value with high bits set
 * may still match. */
static void lower_atomic_cmpxchg(lower_func_ctx *f, const wasm_instr *in) {
  LLVMBuilderRef b = f->mc->builder;
  atomic_shape s = shape_of(f->mc, in->op);
  LLVMValueRef replacement = lower_pop(f);
  LLVMValueRef expected = lower_pop(f);
  LLVMValueRef ptr = atomic_address(f, in, lower_pop(f));
  if (s.mem_type != s.val_type) {
    replacement = LLVMBuildTrunc(b, replacement, s.mem_type, "");
    expected = LLVMBuildTrunc(b, expected, s.mem_type, "");
  }
  LLVMValueRef pair = LLVMBuildAtomicCmpXchg(
      b, ptr, expected, replacement, LLVMAtomicOrderingSequentiallyConsistent,
      LLVMAtomicOrderingSequentiallyConsistent, false);
  LLVMSetAlignment(pair, LLVMGetIntTypeWidth(s.mem_type) / 8);
  LLVMValueRef old = LLVMBuildExtractValue(b, pair, 0, "");
  if (s.mem_type != s.val_type)
    old = LLVMBuildZExt(b, old, s.val_type, "");
  lower_push(f, old);
}

/* wait32/wait64 [addr, expected, timeout] and notify [addr, count]: the
 * helper gets (memory, effective address, the other operands). */
static void lower_wait_notify(lower_func_ctx *f, const wasm_instr *in) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef args[4];
  unsigned operands = in->op == WASM_OP_MEMORY_ATOMIC_NOTIFY ? 1 : 2;
  for (unsigned i = operands; i > 0; i--)
    args[1 + i] = lower_pop(f);
  args[0] = LLVMConstInt(mc->t_i32, in->memarg.memory, false);
  args[1] = lower_memory_index(f, in, lower_pop(f));
  wasmaot_helper_index h =
      in->op == WASM_OP_MEMORY_ATOMIC_NOTIFY   ? WASMAOT_HELPER_ATOMIC_NOTIFY
      : in->op == WASM_OP_MEMORY_ATOMIC_WAIT32 ? WASMAOT_HELPER_ATOMIC_WAIT32
                                               : WASMAOT_HELPER_ATOMIC_WAIT64;
  lower_push(f, lower_call_helper(f, h, mc->t_i32, args, 2 + operands));
}

bool lower_atomic(lower_func_ctx *f, const wasm_instr *in) {
  wasm_opcode op = in->op;
  switch (op) {
  case WASM_OP_MEMORY_ATOMIC_NOTIFY:
  case WASM_OP_MEMORY_ATOMIC_WAIT32:
  case WASM_OP_MEMORY_ATOMIC_WAIT64:
    lower_wait_notify(f, in);
    return true;
  case WASM_OP_ATOMIC_FENCE:
    LLVMBuildFence(f->mc->builder, LLVMAtomicOrderingSequentiallyConsistent,
                   false, "");
    return true;
  default:
    break;
  }
  if (op >= WASM_OP_I32_ATOMIC_LOAD && op <= WASM_OP_I64_ATOMIC_LOAD32_U)
    lower_atomic_load(f, in);
  else if (op >= WASM_OP_I32_ATOMIC_STORE && op <= WASM_OP_I64_ATOMIC_STORE32)
    lower_atomic_store(f, in);
  else if (op >= WASM_OP_I32_ATOMIC_RMW_ADD &&
           op <= WASM_OP_I64_ATOMIC_RMW32_XCHG_U)
    lower_atomic_rmw(f, in);
  else if (op >= WASM_OP_I32_ATOMIC_RMW_CMPXCHG &&
           op <= WASM_OP_I64_ATOMIC_RMW32_CMPXCHG_U)
    lower_atomic_cmpxchg(f, in);
  else
    return wasm_error_set(f->mc->err, in->offset,
                          "%s: not supported by the code generator",
                          wasm_op_name(op));
  return true;
}
