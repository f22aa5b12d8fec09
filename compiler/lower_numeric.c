/* Constants, integer and float operators, conversions.
 *
 * LLVM leaves open several corners that Wasm pins down, so the lowering
 * adds what LLVM would treat as undefined or poison:
 *   - shift counts are taken modulo the width;
 *   - clz/ctz of zero give the width;
 *   - division by zero, div_s overflow and float-to-int conversions of NaN
 *     or out-of-range values trap instead of being undefined;
 *   - float constants keep their exact bits, NaN payloads included.
 * Float operations carry no fast-math flags: LLVM's default semantics
 * (IEEE-754, round to nearest even, FP exceptions unobserved) are Wasm's,
 * with one gap: LLVM may hand back a signalling NaN operand unquieted,
 * where Wasm wants a quiet one. quiet_nan() closes it for min/max and for
 * identity operations with a literal constant (x * 1.0); an identity
 * constant that LLVM only discovers after inlining or propagation through
 * locals still folds, passing a signalling NaN through. Closing that too
 * would take constrained FP intrinsics everywhere, which cost far more
 * optimisation than signalling NaNs are worth.
 *
 * Operand types come from the values themselves (an i32.add and an
 * i64.add differ only in the width LLVM already knows), so one helper
 * serves both widths. */
#include <math.h>

#include "lower.h"

static LLVMBuilderRef builder(lower_func_ctx *f) {
  return f->mc->builder;
}

/* The single result type of a numeric instruction, from opcodes.def. */
static LLVMTypeRef result_type(lower_func_ctx *f, wasm_opcode op) {
  wasm_op_signature sig;
  wasm_op_get_signature(op, &sig);
  return lower_value_type(f->mc, sig.results[0]);
}

static unsigned int_width(LLVMValueRef v) {
  return LLVMGetIntTypeWidth(LLVMTypeOf(v));
}

static bool is_f32(LLVMValueRef v) {
  return LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMFloatTypeKind;
}

/* Wasm booleans are i32 0 or 1. */
static void push_bool(lower_func_ctx *f, LLVMValueRef cond) {
  lower_push(f, LLVMBuildZExt(builder(f), cond, f->mc->t_i32, ""));
}

/* Skips checks that constant folding already proved never fire (the
 * divisor of `x / 10`), so the function gets no dead trap edges. */
static void trap_if(lower_func_ctx *f, LLVMValueRef cond,
                    wasmaot_trap_kind kind) {
  if (LLVMIsAConstantInt(cond) && LLVMConstIntGetZExtValue(cond) == 0)
    return;
  lower_trap_if(f, cond, kind);
}

/* ---- Constants ---------------------------------------------------------- */

/* Going through the integer bits, rather than a double, keeps signalling
 * NaNs and NaN payloads exactly as written. */
static LLVMValueRef float_from_bits(LLVMTypeRef float_type,
                                    LLVMTypeRef int_type, uint64_t bits) {
  return LLVMConstBitCast(LLVMConstInt(int_type, bits, false), float_type);
}

static bool lower_constant(lower_func_ctx *f, const wasm_instr *in) {
  lower_module_ctx *mc = f->mc;
  switch (in->op) {
  case WASM_OP_I32_CONST:
    lower_push(f, LLVMConstInt(mc->t_i32, (uint32_t)in->imm.i32, false));
    return true;
  case WASM_OP_I64_CONST:
    lower_push(f, LLVMConstInt(mc->t_i64, (uint64_t)in->imm.i64, false));
    return true;
  case WASM_OP_F32_CONST:
    lower_push(f, float_from_bits(mc->t_f32, mc->t_i32, in->imm.f32_bits));
    return true;
  case WASM_OP_F64_CONST:
    lower_push(f, float_from_bits(mc->t_f64, mc->t_i64, in->imm.f64_bits));
    return true;
  default:
    return false;
  }
}

/* ---- Comparisons -------------------------------------------------------- */

static void int_eqz(lower_func_ctx *f) {
  LLVMValueRef v = lower_pop(f);
  push_bool(f, LLVMBuildICmp(builder(f), LLVMIntEQ, v,
                             LLVMConstNull(LLVMTypeOf(v)), ""));
}

static void int_compare(lower_func_ctx *f, LLVMIntPredicate pred) {
  LLVMValueRef rhs = lower_pop(f), lhs = lower_pop(f);
  push_bool(f, LLVMBuildICmp(builder(f), pred, lhs, rhs, ""));
}

/* Ordered predicates are false when either operand is NaN, as Wasm's
 * eq/lt/gt/le/ge are; `ne` uses the unordered one, true for NaN. */
static void float_compare(lower_func_ctx *f, LLVMRealPredicate pred) {
  LLVMValueRef rhs = lower_pop(f), lhs = lower_pop(f);
  push_bool(f, LLVMBuildFCmp(builder(f), pred, lhs, rhs, ""));
}

static bool lower_comparison(lower_func_ctx *f, wasm_opcode op) {
  switch (op) {
  case WASM_OP_I32_EQZ:
  case WASM_OP_I64_EQZ:
    int_eqz(f);
    return true;
  case WASM_OP_I32_EQ:
  case WASM_OP_I64_EQ:
    int_compare(f, LLVMIntEQ);
    return true;
  case WASM_OP_I32_NE:
  case WASM_OP_I64_NE:
    int_compare(f, LLVMIntNE);
    return true;
  case WASM_OP_I32_LT_S:
  case WASM_OP_I64_LT_S:
    int_compare(f, LLVMIntSLT);
    return true;
  case WASM_OP_I32_LT_U:
  case WASM_OP_I64_LT_U:
    int_compare(f, LLVMIntULT);
    return true;
  case WASM_OP_I32_GT_S:
  case WASM_OP_I64_GT_S:
    int_compare(f, LLVMIntSGT);
    return true;
  case WASM_OP_I32_GT_U:
  case WASM_OP_I64_GT_U:
    int_compare(f, LLVMIntUGT);
    return true;
  case WASM_OP_I32_LE_S:
  case WASM_OP_I64_LE_S:
    int_compare(f, LLVMIntSLE);
    return true;
  case WASM_OP_I32_LE_U:
  case WASM_OP_I64_LE_U:
    int_compare(f, LLVMIntULE);
    return true;
  case WASM_OP_I32_GE_S:
  case WASM_OP_I64_GE_S:
    int_compare(f, LLVMIntSGE);
    return true;
  case WASM_OP_I32_GE_U:
  case WASM_OP_I64_GE_U:
    int_compare(f, LLVMIntUGE);
    return true;
  case WASM_OP_F32_EQ:
  case WASM_OP_F64_EQ:
    float_compare(f, LLVMRealOEQ);
    return true;
  case WASM_OP_F32_NE:
  case WASM_OP_F64_NE:
    float_compare(f, LLVMRealUNE);
    return true;
  case WASM_OP_F32_LT:
  case WASM_OP_F64_LT:
    float_compare(f, LLVMRealOLT);
    return true;
  case WASM_OP_F32_GT:
  case WASM_OP_F64_GT:
    float_compare(f, LLVMRealOGT);
    return true;
  case WASM_OP_F32_LE:
  case WASM_OP_F64_LE:
    float_compare(f, LLVMRealOLE);
    return true;
  case WASM_OP_F32_GE:
  case WASM_OP_F64_GE:
    float_compare(f, LLVMRealOGE);
    return true;
  default:
    return false;
  }
}

/* ---- Integer arithmetic ------------------------------------------------- */

/* llvm.ctlz/cttz with is_zero_poison = false: zero counts as `width`
 * leading/trailing zeros, which is what Wasm's clz/ctz return. */
static void int_count_zeros(lower_func_ctx *f, const char *intrinsic) {
  LLVMValueRef v = lower_pop(f);
  LLVMTypeRef t = LLVMTypeOf(v);
  LLVMValueRef args[2] = {v, LLVMConstNull(f->mc->t_i1)};
  lower_push(f, lower_call_intrinsic(f, intrinsic, &t, 1, args, 2));
}

static void int_popcnt(lower_func_ctx *f) {
  LLVMValueRef v = lower_pop(f);
  LLVMTypeRef t = LLVMTypeOf(v);
  lower_push(f, lower_call_intrinsic(f, "llvm.ctpop", &t, 1, &v, 1));
}

static void int_binary(lower_func_ctx *f, LLVMOpcode op) {
  LLVMValueRef rhs = lower_pop(f), lhs = lower_pop(f);
  lower_push(f, LLVMBuildBinOp(builder(f), op, lhs, rhs, ""));
}

/* LLVM shifts by >= width are poison; Wasm takes the count modulo the
 * width. The mask costs nothing on x86 and AArch64, whose shift
 * instructions mask the count the same way. */
static void int_shift(lower_func_ctx *f, LLVMOpcode op) {
  LLVMValueRef rhs = lower_pop(f), lhs = lower_pop(f);
  LLVMValueRef mask = LLVMConstInt(LLVMTypeOf(rhs), int_width(rhs) - 1, false);
  LLVMValueRef count = LLVMBuildAnd(builder(f), rhs, mask, "");
  lower_push(f, LLVMBuildBinOp(builder(f), op, lhs, count, ""));
}

/* A funnel shift of a value with itself is a rotate; the intrinsics take
 * the count modulo the width already. */
static void int_rotate(lower_func_ctx *f, const char *intrinsic) {
  LLVMValueRef rhs = lower_pop(f), lhs = lower_pop(f);
  LLVMTypeRef t = LLVMTypeOf(lhs);
  LLVMValueRef args[3] = {lhs, lhs, rhs};
  lower_push(f, lower_call_intrinsic(f, intrinsic, &t, 1, args, 3));
}

static LLVMValueRef int_min_value(LLVMTypeRef t) {
  return LLVMConstInt(t, 1ull << (LLVMGetIntTypeWidth(t) - 1), false);
}

static void trap_if_zero(lower_func_ctx *f, LLVMValueRef divisor) {
  LLVMValueRef is_zero = LLVMBuildICmp(builder(f), LLVMIntEQ, divisor,
                                       LLVMConstNull(LLVMTypeOf(divisor)), "");
  trap_if(f, is_zero, WASMAOT_TRAP_INT_DIV_BY_ZERO);
}

/* div_u and rem_u: only a zero divisor is undefined. */
static void int_unsigned_div_rem(lower_func_ctx *f, LLVMOpcode op) {
  LLVMValueRef rhs = lower_pop(f), lhs = lower_pop(f);
  trap_if_zero(f, rhs);
  lower_push(f, LLVMBuildBinOp(builder(f), op, lhs, rhs, ""));
}

/* INT_MIN / -1 does not fit: Wasm traps with "integer overflow". */
static void int_div_s(lower_func_ctx *f) {
  LLVMBuilderRef b = builder(f);
  LLVMValueRef rhs = lower_pop(f), lhs = lower_pop(f);
  LLVMTypeRef t = LLVMTypeOf(rhs);
  trap_if_zero(f, rhs);
  LLVMValueRef minus_one =
      LLVMBuildICmp(b, LLVMIntEQ, rhs, LLVMConstAllOnes(t), "");
  if (!LLVMIsAConstantInt(minus_one) || LLVMConstIntGetZExtValue(minus_one)) {
    LLVMValueRef is_min =
        LLVMBuildICmp(b, LLVMIntEQ, lhs, int_min_value(t), "");
    trap_if(f, LLVMBuildAnd(b, is_min, minus_one, ""),
            WASMAOT_TRAP_INT_OVERFLOW);
  }
  lower_push(f, LLVMBuildSDiv(b, lhs, rhs, ""));
}

/* Every x rem -1 is 0, but INT_MIN rem -1 is undefined in LLVM and faults
 * in x86's idiv. Dividing by 1 instead gives the same 0 for every x. */
static void int_rem_s(lower_func_ctx *f) {
  LLVMBuilderRef b = builder(f);
  LLVMValueRef rhs = lower_pop(f), lhs = lower_pop(f);
  LLVMTypeRef t = LLVMTypeOf(rhs);
  trap_if_zero(f, rhs);
  LLVMValueRef minus_one =
      LLVMBuildICmp(b, LLVMIntEQ, rhs, LLVMConstAllOnes(t), "");
  LLVMValueRef divisor =
      LLVMBuildSelect(b, minus_one, LLVMConstInt(t, 1, false), rhs, "");
  lower_push(f, LLVMBuildSRem(b, lhs, divisor, ""));
}

static bool lower_int_arith(lower_func_ctx *f, wasm_opcode op) {
  switch (op) {
  case WASM_OP_I32_CLZ:
  case WASM_OP_I64_CLZ:
    int_count_zeros(f, "llvm.ctlz");
    return true;
  case WASM_OP_I32_CTZ:
  case WASM_OP_I64_CTZ:
    int_count_zeros(f, "llvm.cttz");
    return true;
  case WASM_OP_I32_POPCNT:
  case WASM_OP_I64_POPCNT:
    int_popcnt(f);
    return true;
  case WASM_OP_I32_ADD:
  case WASM_OP_I64_ADD:
    int_binary(f, LLVMAdd);
    return true;
  case WASM_OP_I32_SUB:
  case WASM_OP_I64_SUB:
    int_binary(f, LLVMSub);
    return true;
  case WASM_OP_I32_MUL:
  case WASM_OP_I64_MUL:
    int_binary(f, LLVMMul);
    return true;
  case WASM_OP_I32_AND:
  case WASM_OP_I64_AND:
    int_binary(f, LLVMAnd);
    return true;
  case WASM_OP_I32_OR:
  case WASM_OP_I64_OR:
    int_binary(f, LLVMOr);
    return true;
  case WASM_OP_I32_XOR:
  case WASM_OP_I64_XOR:
    int_binary(f, LLVMXor);
    return true;
  case WASM_OP_I32_SHL:
  case WASM_OP_I64_SHL:
    int_shift(f, LLVMShl);
    return true;
  case WASM_OP_I32_SHR_S:
  case WASM_OP_I64_SHR_S:
    int_shift(f, LLVMAShr);
    return true;
  case WASM_OP_I32_SHR_U:
  case WASM_OP_I64_SHR_U:
    int_shift(f, LLVMLShr);
    return true;
  case WASM_OP_I32_ROTL:
  case WASM_OP_I64_ROTL:
    int_rotate(f, "llvm.fshl");
    return true;
  case WASM_OP_I32_ROTR:
  case WASM_OP_I64_ROTR:
    int_rotate(f, "llvm.fshr");
    return true;
  case WASM_OP_I32_DIV_S:
  case WASM_OP_I64_DIV_S:
    int_div_s(f);
    return true;
  case WASM_OP_I32_DIV_U:
  case WASM_OP_I64_DIV_U:
    int_unsigned_div_rem(f, LLVMUDiv);
    return true;
  case WASM_OP_I32_REM_S:
  case WASM_OP_I64_REM_S:
    int_rem_s(f);
    return true;
  case WASM_OP_I32_REM_U:
  case WASM_OP_I64_REM_U:
    int_unsigned_div_rem(f, LLVMURem);
    return true;
  default:
    return false;
  }
}

/* ---- Float arithmetic --------------------------------------------------- */

static void float_unary_intrinsic(lower_func_ctx *f, const char *intrinsic) {
  LLVMValueRef v = lower_pop(f);
  LLVMTypeRef t = LLVMTypeOf(v);
  lower_push(f, lower_call_intrinsic(f, intrinsic, &t, 1, &v, 1));
}

/* fneg only flips the sign bit, even of a NaN, as Wasm's neg must; an
 * fsub from -0.0 would be an arithmetic operation on NaNs. */
static void float_neg(lower_func_ctx *f) {
  lower_push(f, LLVMBuildFNeg(builder(f), lower_pop(f), ""));
}

/* Wasm wants a NaN result of arithmetic to be quiet, even when an operand
 * was a signalling NaN. LLVM does not: its NaN rules let an operation
 * return a NaN operand unchanged, so folds like x * 1.0 -> x and the x86
 * expansion of llvm.minimum pass signalling NaNs through. Setting the
 * quiet bit with integer operations is exact, and no optimisation may
 * undo it; non-NaN values are left alone. */
static LLVMValueRef quiet_nan(lower_func_ctx *f, LLVMValueRef v) {
  LLVMBuilderRef b = builder(f);
  bool single = is_f32(v);
  LLVMTypeRef bits_type = single ? f->mc->t_i32 : f->mc->t_i64;
  LLVMValueRef quiet_bit =
      LLVMConstInt(bits_type, single ? 1ull << 22 : 1ull << 51, false);
  LLVMValueRef is_nan = LLVMBuildFCmp(b, LLVMRealUNO, v, v, "");
  LLVMValueRef set =
      LLVMBuildSelect(b, is_nan, quiet_bit, LLVMConstNull(bits_type), "");
  LLVMValueRef bits = LLVMBuildBitCast(b, v, bits_type, "");
  return LLVMBuildBitCast(b, LLVMBuildOr(b, bits, set, ""), LLVMTypeOf(v), "");
}

static bool is_float_const(LLVMValueRef v, double value) {
  if (!LLVMIsAConstantFP(v))
    return false;
  LLVMBool loses_info;
  double d = LLVMConstRealGetDouble(v, &loses_info);
  return d == value && signbit(d) == signbit(value);
}

static bool is_plus_or_minus_one(LLVMValueRef v) {
  return is_float_const(v, 1.0) || is_float_const(v, -1.0);
}

/* The operations LLVM simplifies to one of the operands or its negation
 * (x + -0, x - 0, -0 - x, x * +-1, x / +-1), whatever the operand is.
 * Only a constant written right there is seen; one that reaches the
 * operation through a local is folded later, unseen. */
static bool folds_to_operand(LLVMOpcode op, LLVMValueRef lhs,
                             LLVMValueRef rhs) {
  switch (op) {
  case LLVMFAdd:
    return is_float_const(lhs, -0.0) || is_float_const(rhs, -0.0);
  case LLVMFSub:
    return is_float_const(rhs, 0.0) || is_float_const(lhs, -0.0);
  case LLVMFMul:
    return is_plus_or_minus_one(lhs) || is_plus_or_minus_one(rhs);
  case LLVMFDiv:
    return is_plus_or_minus_one(rhs);
  default:
    return false;
  }
}

static void float_binary(lower_func_ctx *f, LLVMOpcode op) {
  LLVMValueRef rhs = lower_pop(f), lhs = lower_pop(f);
  LLVMValueRef r = LLVMBuildBinOp(builder(f), op, lhs, rhs, "");
  lower_push(f, folds_to_operand(op, lhs, rhs) ? quiet_nan(f, r) : r);
}

/* llvm.minimum/maximum are Wasm's min/max (NaN if either operand is NaN,
 * -0 < +0) except that the NaN may be a signalling operand. */
static void float_min_max(lower_func_ctx *f, const char *intrinsic) {
  LLVMValueRef rhs = lower_pop(f), lhs = lower_pop(f);
  LLVMTypeRef t = LLVMTypeOf(lhs);
  LLVMValueRef args[2] = {lhs, rhs};
  LLVMValueRef r = lower_call_intrinsic(f, intrinsic, &t, 1, args, 2);
  lower_push(f, quiet_nan(f, r));
}

/* A pure bit operation, like Wasm's: a NaN's sign changes, nothing else. */
static void float_copysign(lower_func_ctx *f) {
  LLVMValueRef rhs = lower_pop(f), lhs = lower_pop(f);
  LLVMTypeRef t = LLVMTypeOf(lhs);
  LLVMValueRef args[2] = {lhs, rhs};
  lower_push(f, lower_call_intrinsic(f, "llvm.copysign", &t, 1, args, 2));
}

static bool lower_float_arith(lower_func_ctx *f, wasm_opcode op) {
  switch (op) {
  case WASM_OP_F32_ABS:
  case WASM_OP_F64_ABS:
    float_unary_intrinsic(f, "llvm.fabs");
    return true;
  case WASM_OP_F32_NEG:
  case WASM_OP_F64_NEG:
    float_neg(f);
    return true;
  case WASM_OP_F32_CEIL:
  case WASM_OP_F64_CEIL:
    float_unary_intrinsic(f, "llvm.ceil");
    return true;
  case WASM_OP_F32_FLOOR:
  case WASM_OP_F64_FLOOR:
    float_unary_intrinsic(f, "llvm.floor");
    return true;
  case WASM_OP_F32_TRUNC:
  case WASM_OP_F64_TRUNC:
    float_unary_intrinsic(f, "llvm.trunc");
    return true;
  case WASM_OP_F32_NEAREST:
  case WASM_OP_F64_NEAREST:
    /* Rounds ties to even in the default rounding mode, the only one
     * Wasm code runs in. Unlike llvm.roundeven, its libcall fallback
     * (nearbyint, without SSE4.1) is in every C library. */
    float_unary_intrinsic(f, "llvm.nearbyint");
    return true;
  case WASM_OP_F32_SQRT:
  case WASM_OP_F64_SQRT:
    float_unary_intrinsic(f, "llvm.sqrt");
    return true;
  case WASM_OP_F32_ADD:
  case WASM_OP_F64_ADD:
    float_binary(f, LLVMFAdd);
    return true;
  case WASM_OP_F32_SUB:
  case WASM_OP_F64_SUB:
    float_binary(f, LLVMFSub);
    return true;
  case WASM_OP_F32_MUL:
  case WASM_OP_F64_MUL:
    float_binary(f, LLVMFMul);
    return true;
  case WASM_OP_F32_DIV:
  case WASM_OP_F64_DIV:
    float_binary(f, LLVMFDiv);
    return true;
  case WASM_OP_F32_MIN:
  case WASM_OP_F64_MIN:
    float_min_max(f, "llvm.minimum");
    return true;
  case WASM_OP_F32_MAX:
  case WASM_OP_F64_MAX:
    float_min_max(f, "llvm.maximum");
    return true;
  case WASM_OP_F32_COPYSIGN:
  case WASM_OP_F64_COPYSIGN:
    float_copysign(f);
    return true;
  default:
    return false;
  }
}

/* ---- Conversions -------------------------------------------------------- */

/* The source values a float-to-int truncation accepts: lo < x < hi, or
 * lo <= x when lo_inclusive. Written as the exact mathematical bounds
 * where the float type can hold them; where it cannot, the nearest
 * representable bound that accepts exactly the same floats. */
typedef struct trunc_range {
  double lo;
  bool lo_inclusive;
  double hi;
} trunc_range;

static trunc_range trunc_range_for(bool from_f32, unsigned to_bits,
                                   bool is_signed) {
  double two_to_bits = to_bits == 32 ? 4294967296.0 : 18446744073709551616.0;
  /* Unsigned: anything above -1.0 truncates to 0 or more. */
  if (!is_signed)
    return (trunc_range){-1.0, false, two_to_bits};
  double min = -two_to_bits / 2;
  /* Signed: x truncates to min or more iff x > min - 1. f64 holds
   * -2^31 - 1 exactly; for f32 and for 64-bit results min - 1 is not
   * representable and no float lies strictly between it and min, so
   * x >= min accepts the same values. */
  if (!from_f32 && to_bits == 32)
    return (trunc_range){min - 1.0, false, -min};
  return (trunc_range){min, true, -min};
}

/* NaN traps as an invalid conversion; anything else outside the range as
 * an overflow. Afterwards fptosi/fptoui are defined. */
static void check_trunc_range(lower_func_ctx *f, LLVMValueRef x,
                              trunc_range r) {
  LLVMBuilderRef b = builder(f);
  LLVMTypeRef t = LLVMTypeOf(x);
  trap_if(f, LLVMBuildFCmp(b, LLVMRealUNO, x, x, ""),
          WASMAOT_TRAP_INVALID_CONVERSION);
  LLVMValueRef too_low =
      LLVMBuildFCmp(b, r.lo_inclusive ? LLVMRealOLT : LLVMRealOLE, x,
                    LLVMConstReal(t, r.lo), "");
  LLVMValueRef too_high =
      LLVMBuildFCmp(b, LLVMRealOGE, x, LLVMConstReal(t, r.hi), "");
  trap_if(f, LLVMBuildOr(b, too_low, too_high, ""), WASMAOT_TRAP_INT_OVERFLOW);
}

static void trunc_trapping(lower_func_ctx *f, wasm_opcode op, bool is_signed) {
  LLVMValueRef x = lower_pop(f);
  LLVMTypeRef to = result_type(f, op);
  check_trunc_range(
      f, x, trunc_range_for(is_f32(x), LLVMGetIntTypeWidth(to), is_signed));
  lower_push(f, is_signed ? LLVMBuildFPToSI(builder(f), x, to, "")
                          : LLVMBuildFPToUI(builder(f), x, to, ""));
}

/* llvm.fpto[su]i.sat are exactly Wasm's trunc_sat: NaN gives 0, out of
 * range values clamp to the integer's limits. */
static void trunc_saturating(lower_func_ctx *f, wasm_opcode op,
                             bool is_signed) {
  LLVMValueRef x = lower_pop(f);
  LLVMTypeRef types[2] = {result_type(f, op), LLVMTypeOf(x)};
  const char *name = is_signed ? "llvm.fptosi.sat" : "llvm.fptoui.sat";
  lower_push(f, lower_call_intrinsic(f, name, types, 2, &x, 1));
}

/* wrap, extend, convert, demote, promote, reinterpret. */
static void convert_cast(lower_func_ctx *f, wasm_opcode op, LLVMOpcode cast) {
  LLVMValueRef v = lower_pop(f);
  lower_push(f, LLVMBuildCast(builder(f), cast, v, result_type(f, op), ""));
}

/* LLVM folds demote(promote(x)) to x, which would let a signalling NaN
 * through unquieted (see quiet_nan). */
static void float_demote(lower_func_ctx *f) {
  LLVMValueRef v = lower_pop(f);
  LLVMValueRef r = LLVMBuildFPTrunc(builder(f), v, f->mc->t_f32, "");
  lower_push(f, LLVMIsAFPExtInst(v) ? quiet_nan(f, r) : r);
}

/* i32.extend8_s and friends: the low `bits` bits, sign-extended back. */
static void sign_extend_low(lower_func_ctx *f, unsigned bits) {
  LLVMBuilderRef b = builder(f);
  LLVMValueRef v = lower_pop(f);
  LLVMTypeRef narrow = LLVMIntTypeInContext(f->mc->llctx, bits);
  LLVMValueRef low = LLVMBuildTrunc(b, v, narrow, "");
  lower_push(f, LLVMBuildSExt(b, low, LLVMTypeOf(v), ""));
}

static bool lower_truncation(lower_func_ctx *f, wasm_opcode op) {
  switch (op) {
  case WASM_OP_I32_TRUNC_F32_S:
  case WASM_OP_I32_TRUNC_F64_S:
  case WASM_OP_I64_TRUNC_F32_S:
  case WASM_OP_I64_TRUNC_F64_S:
    trunc_trapping(f, op, true);
    return true;
  case WASM_OP_I32_TRUNC_F32_U:
  case WASM_OP_I32_TRUNC_F64_U:
  case WASM_OP_I64_TRUNC_F32_U:
  case WASM_OP_I64_TRUNC_F64_U:
    trunc_trapping(f, op, false);
    return true;
  case WASM_OP_I32_TRUNC_SAT_F32_S:
  case WASM_OP_I32_TRUNC_SAT_F64_S:
  case WASM_OP_I64_TRUNC_SAT_F32_S:
  case WASM_OP_I64_TRUNC_SAT_F64_S:
    trunc_saturating(f, op, true);
    return true;
  case WASM_OP_I32_TRUNC_SAT_F32_U:
  case WASM_OP_I32_TRUNC_SAT_F64_U:
  case WASM_OP_I64_TRUNC_SAT_F32_U:
  case WASM_OP_I64_TRUNC_SAT_F64_U:
    trunc_saturating(f, op, false);
    return true;
  default:
    return false;
  }
}

static bool lower_conversion(lower_func_ctx *f, wasm_opcode op) {
  switch (op) {
  case WASM_OP_I32_WRAP_I64:
    convert_cast(f, op, LLVMTrunc);
    return true;
  case WASM_OP_I64_EXTEND_I32_S:
    convert_cast(f, op, LLVMSExt);
    return true;
  case WASM_OP_I64_EXTEND_I32_U:
    convert_cast(f, op, LLVMZExt);
    return true;
  case WASM_OP_F32_CONVERT_I32_S:
  case WASM_OP_F32_CONVERT_I64_S:
  case WASM_OP_F64_CONVERT_I32_S:
  case WASM_OP_F64_CONVERT_I64_S:
    convert_cast(f, op, LLVMSIToFP);
    return true;
  case WASM_OP_F32_CONVERT_I32_U:
  case WASM_OP_F32_CONVERT_I64_U:
  case WASM_OP_F64_CONVERT_I32_U:
  case WASM_OP_F64_CONVERT_I64_U:
    convert_cast(f, op, LLVMUIToFP);
    return true;
  case WASM_OP_F32_DEMOTE_F64:
    float_demote(f);
    return true;
  case WASM_OP_F64_PROMOTE_F32:
    convert_cast(f, op, LLVMFPExt);
    return true;
  case WASM_OP_I32_REINTERPRET_F32:
  case WASM_OP_I64_REINTERPRET_F64:
  case WASM_OP_F32_REINTERPRET_I32:
  case WASM_OP_F64_REINTERPRET_I64:
    convert_cast(f, op, LLVMBitCast);
    return true;
  case WASM_OP_I32_EXTEND8_S:
  case WASM_OP_I64_EXTEND8_S:
    sign_extend_low(f, 8);
    return true;
  case WASM_OP_I32_EXTEND16_S:
  case WASM_OP_I64_EXTEND16_S:
    sign_extend_low(f, 16);
    return true;
  case WASM_OP_I64_EXTEND32_S:
    sign_extend_low(f, 32);
    return true;
  default:
    return lower_truncation(f, op);
  }
}

bool lower_numeric(lower_func_ctx *f, const wasm_instr *in) {
  if (lower_constant(f, in) || lower_comparison(f, in->op) ||
      lower_int_arith(f, in->op) || lower_float_arith(f, in->op) ||
      lower_conversion(f, in->op))
    return true;
  return wasm_error_set(f->mc->err, in->offset,
                        "%s is not a numeric instruction",
                        wasm_op_name(in->op));
}
