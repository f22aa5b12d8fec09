/* The v128 instructions (Wasm 2.0's fixed-width SIMD).
 *
 * Every v128 on the operand stack is the canonical <2 x i64>; each
 * instruction bitcasts its operands to the vector type of its shape
 * (<16 x i8>, <8 x i16>, <4 x i32>, <2 x i64>, <4 x float>, <2 x double>),
 * works on that, and bitcasts the result back. The bitcasts are free and
 * let LLVM see the real lane types.
 *
 * The lowering sticks to generic IR and target-independent intrinsics, so
 * the same code serves SSE4.1/AVX2 and NEON: LLVM's instruction selection
 * recognises the usual shapes (saturating truncation -> packsswb, rounded
 * average -> pavgb, widening multiply-add -> pmaddwd, a lane-by-lane
 * variable permute -> pshufb/tbl). Where Wasm pins down a corner LLVM
 * leaves open, the lowering spells it out:
 *   - shift counts are taken modulo the lane width;
 *   - swizzle indices of 16 or more select zero;
 *   - float min/max results that are NaN are quiet, and arithmetic that
 *     LLVM folds to an operand (x * 1.0) is quietened (see
 *     lower_numeric.c's quiet_nan for why);
 *   - pmin/pmax are the exact compare-and-select Wasm defines;
 *   - narrowing saturates, q15mulr saturates its single overflow case.
 *
 * Where LLVM 19 turns a generic form into poor code for one target, that
 * target gets another formulation (target_is_x86, target_has_neon):
 * trunc_sat on x86 is spelt out as clamps around cvttps2dq, and on
 * AArch64 q15mulr is sqrdmulh and the f64x2 trunc_sat narrows with
 * sqxtn/uqxtn. Everything else is the same IR for every target.
 *
 * Most instructions fall into a few families that differ only in shape and
 * in one LLVM opcode, predicate or intrinsic; the table `simd_ops` says
 * which, and the rest have their own functions. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lower.h"

typedef enum simd_shape {
  SHAPE_I8X16,
  SHAPE_I16X8,
  SHAPE_I32X4,
  SHAPE_I64X2,
  SHAPE_F32X4,
  SHAPE_F64X2,
} simd_shape;

typedef enum simd_form {
  FORM_NONE, /* not in the table: handled by lower_special() */
  FORM_INT_BINARY,
  FORM_FLOAT_BINARY,
  FORM_INT_COMPARE,
  FORM_FLOAT_COMPARE,
  FORM_UNARY_INTRINSIC,
  FORM_BINARY_INTRINSIC,
  FORM_FLOAT_MIN_MAX,
  FORM_PMIN,
  FORM_PMAX,
  FORM_INT_ABS,
  FORM_INT_NEG,
  FORM_FLOAT_NEG,
  FORM_SHIFT,
  FORM_ALL_TRUE,
  FORM_BITMASK,
  FORM_EXTEND,
  FORM_EXTMUL,
  FORM_EXTADD_PAIRWISE,
  FORM_NARROW,
  FORM_AVGR_U,
  FORM_SPLAT,
  FORM_EXTRACT_LANE,
  FORM_REPLACE_LANE,
  FORM_TRUNC_SAT,
  FORM_CONVERT,
  FORM_LOAD_SPLAT,
  FORM_LOAD_EXTEND,
  FORM_LOAD_ZERO,
  FORM_LOAD_LANE,
  FORM_STORE_LANE,
} simd_form;

/* How one instruction is lowered. `shape` is the shape of the result,
 * except for comparisons (the operands') and conversions (see
 * lower_trunc_sat and lower_convert). */
typedef struct simd_op {
  simd_form form;
  simd_shape shape;
  int code;              /* an LLVMOpcode, LLVMIntPredicate or
                            LLVMRealPredicate, by form */
  const char *intrinsic; /* *_INTRINSIC and FLOAT_MIN_MAX */
  bool is_signed;        /* extends, narrows, conversions, extract_lane */
  bool high;             /* extend/extmul: the upper half of the lanes */
} simd_op;

/* clang-format off */
#define ENTRY(id, ...) [WASM_OP_##id] = {__VA_ARGS__}
#define INT_BINARY(id, s, opc) ENTRY(id, .form = FORM_INT_BINARY, .shape = SHAPE_##s, .code = opc)
#define FLOAT_BINARY(id, s, opc) ENTRY(id, .form = FORM_FLOAT_BINARY, .shape = SHAPE_##s, .code = opc)
#define ICMP(id, s, pred) ENTRY(id, .form = FORM_INT_COMPARE, .shape = SHAPE_##s, .code = pred)
#define FCMP(id, s, pred) ENTRY(id, .form = FORM_FLOAT_COMPARE, .shape = SHAPE_##s, .code = pred)
#define UNARY_INTRINSIC(id, s, name) ENTRY(id, .form = FORM_UNARY_INTRINSIC, .shape = SHAPE_##s, .intrinsic = name)
#define BINARY_INTRINSIC(id, s, name) ENTRY(id, .form = FORM_BINARY_INTRINSIC, .shape = SHAPE_##s, .intrinsic = name)
#define MIN_MAX(id, s, name) ENTRY(id, .form = FORM_FLOAT_MIN_MAX, .shape = SHAPE_##s, .intrinsic = name)
#define SHAPED(id, f, s) ENTRY(id, .form = FORM_##f, .shape = SHAPE_##s)
#define SHIFT(id, s, opc) ENTRY(id, .form = FORM_SHIFT, .shape = SHAPE_##s, .code = opc)
#define SIGNED(id, f, s, sign) ENTRY(id, .form = FORM_##f, .shape = SHAPE_##s, .is_signed = sign)
#define HALF(id, f, s, sign, hi) ENTRY(id, .form = FORM_##f, .shape = SHAPE_##s, .is_signed = sign, .high = hi)

static const simd_op simd_ops[WASM_OP_COUNT] = {
  SHAPED(V128_LOAD8_SPLAT, LOAD_SPLAT, I8X16),
  SHAPED(V128_LOAD16_SPLAT, LOAD_SPLAT, I16X8),
  SHAPED(V128_LOAD32_SPLAT, LOAD_SPLAT, I32X4),
  SHAPED(V128_LOAD64_SPLAT, LOAD_SPLAT, I64X2),
  SIGNED(V128_LOAD8X8_S, LOAD_EXTEND, I16X8, true),
  SIGNED(V128_LOAD8X8_U, LOAD_EXTEND, I16X8, false),
  SIGNED(V128_LOAD16X4_S, LOAD_EXTEND, I32X4, true),
  SIGNED(V128_LOAD16X4_U, LOAD_EXTEND, I32X4, false),
  SIGNED(V128_LOAD32X2_S, LOAD_EXTEND, I64X2, true),
  SIGNED(V128_LOAD32X2_U, LOAD_EXTEND, I64X2, false),
  SHAPED(V128_LOAD32_ZERO, LOAD_ZERO, I32X4),
  SHAPED(V128_LOAD64_ZERO, LOAD_ZERO, I64X2),
  SHAPED(V128_LOAD8_LANE, LOAD_LANE, I8X16),
  SHAPED(V128_LOAD16_LANE, LOAD_LANE, I16X8),
  SHAPED(V128_LOAD32_LANE, LOAD_LANE, I32X4),
  SHAPED(V128_LOAD64_LANE, LOAD_LANE, I64X2),
  SHAPED(V128_STORE8_LANE, STORE_LANE, I8X16),
  SHAPED(V128_STORE16_LANE, STORE_LANE, I16X8),
  SHAPED(V128_STORE32_LANE, STORE_LANE, I32X4),
  SHAPED(V128_STORE64_LANE, STORE_LANE, I64X2),

  SHAPED(I8X16_SPLAT, SPLAT, I8X16),
  SHAPED(I16X8_SPLAT, SPLAT, I16X8),
  SHAPED(I32X4_SPLAT, SPLAT, I32X4),
  SHAPED(I64X2_SPLAT, SPLAT, I64X2),
  SHAPED(F32X4_SPLAT, SPLAT, F32X4),
  SHAPED(F64X2_SPLAT, SPLAT, F64X2),
  SIGNED(I8X16_EXTRACT_LANE_S, EXTRACT_LANE, I8X16, true),
  SIGNED(I8X16_EXTRACT_LANE_U, EXTRACT_LANE, I8X16, false),
  SIGNED(I16X8_EXTRACT_LANE_S, EXTRACT_LANE, I16X8, true),
  SIGNED(I16X8_EXTRACT_LANE_U, EXTRACT_LANE, I16X8, false),
  SHAPED(I32X4_EXTRACT_LANE, EXTRACT_LANE, I32X4),
  SHAPED(I64X2_EXTRACT_LANE, EXTRACT_LANE, I64X2),
  SHAPED(F32X4_EXTRACT_LANE, EXTRACT_LANE, F32X4),
  SHAPED(F64X2_EXTRACT_LANE, EXTRACT_LANE, F64X2),
  SHAPED(I8X16_REPLACE_LANE, REPLACE_LANE, I8X16),
  SHAPED(I16X8_REPLACE_LANE, REPLACE_LANE, I16X8),
  SHAPED(I32X4_REPLACE_LANE, REPLACE_LANE, I32X4),
  SHAPED(I64X2_REPLACE_LANE, REPLACE_LANE, I64X2),
  SHAPED(F32X4_REPLACE_LANE, REPLACE_LANE, F32X4),
  SHAPED(F64X2_REPLACE_LANE, REPLACE_LANE, F64X2),

  ICMP(I8X16_EQ, I8X16, LLVMIntEQ),
  ICMP(I8X16_NE, I8X16, LLVMIntNE),
  ICMP(I8X16_LT_S, I8X16, LLVMIntSLT),
  ICMP(I8X16_LT_U, I8X16, LLVMIntULT),
  ICMP(I8X16_GT_S, I8X16, LLVMIntSGT),
  ICMP(I8X16_GT_U, I8X16, LLVMIntUGT),
  ICMP(I8X16_LE_S, I8X16, LLVMIntSLE),
  ICMP(I8X16_LE_U, I8X16, LLVMIntULE),
  ICMP(I8X16_GE_S, I8X16, LLVMIntSGE),
  ICMP(I8X16_GE_U, I8X16, LLVMIntUGE),
  ICMP(I16X8_EQ, I16X8, LLVMIntEQ),
  ICMP(I16X8_NE, I16X8, LLVMIntNE),
  ICMP(I16X8_LT_S, I16X8, LLVMIntSLT),
  ICMP(I16X8_LT_U, I16X8, LLVMIntULT),
  ICMP(I16X8_GT_S, I16X8, LLVMIntSGT),
  ICMP(I16X8_GT_U, I16X8, LLVMIntUGT),
  ICMP(I16X8_LE_S, I16X8, LLVMIntSLE),
  ICMP(I16X8_LE_U, I16X8, LLVMIntULE),
  ICMP(I16X8_GE_S, I16X8, LLVMIntSGE),
  ICMP(I16X8_GE_U, I16X8, LLVMIntUGE),
  ICMP(I32X4_EQ, I32X4, LLVMIntEQ),
  ICMP(I32X4_NE, I32X4, LLVMIntNE),
  ICMP(I32X4_LT_S, I32X4, LLVMIntSLT),
  ICMP(I32X4_LT_U, I32X4, LLVMIntULT),
  ICMP(I32X4_GT_S, I32X4, LLVMIntSGT),
  ICMP(I32X4_GT_U, I32X4, LLVMIntUGT),
  ICMP(I32X4_LE_S, I32X4, LLVMIntSLE),
  ICMP(I32X4_LE_U, I32X4, LLVMIntULE),
  ICMP(I32X4_GE_S, I32X4, LLVMIntSGE),
  ICMP(I32X4_GE_U, I32X4, LLVMIntUGE),
  ICMP(I64X2_EQ, I64X2, LLVMIntEQ),
  ICMP(I64X2_NE, I64X2, LLVMIntNE),
  ICMP(I64X2_LT_S, I64X2, LLVMIntSLT),
  ICMP(I64X2_GT_S, I64X2, LLVMIntSGT),
  ICMP(I64X2_LE_S, I64X2, LLVMIntSLE),
  ICMP(I64X2_GE_S, I64X2, LLVMIntSGE),
  /* Ordered predicates are false for NaN, as Wasm's eq/lt/gt/le/ge are;
   * `ne` is the unordered one, true for NaN. */
  FCMP(F32X4_EQ, F32X4, LLVMRealOEQ),
  FCMP(F32X4_NE, F32X4, LLVMRealUNE),
  FCMP(F32X4_LT, F32X4, LLVMRealOLT),
  FCMP(F32X4_GT, F32X4, LLVMRealOGT),
  FCMP(F32X4_LE, F32X4, LLVMRealOLE),
  FCMP(F32X4_GE, F32X4, LLVMRealOGE),
  FCMP(F64X2_EQ, F64X2, LLVMRealOEQ),
  FCMP(F64X2_NE, F64X2, LLVMRealUNE),
  FCMP(F64X2_LT, F64X2, LLVMRealOLT),
  FCMP(F64X2_GT, F64X2, LLVMRealOGT),
  FCMP(F64X2_LE, F64X2, LLVMRealOLE),
  FCMP(F64X2_GE, F64X2, LLVMRealOGE),

  INT_BINARY(V128_AND, I64X2, LLVMAnd),
  INT_BINARY(V128_OR, I64X2, LLVMOr),
  INT_BINARY(V128_XOR, I64X2, LLVMXor),

  SHAPED(I8X16_ABS, INT_ABS, I8X16),
  SHAPED(I16X8_ABS, INT_ABS, I16X8),
  SHAPED(I32X4_ABS, INT_ABS, I32X4),
  SHAPED(I64X2_ABS, INT_ABS, I64X2),
  SHAPED(I8X16_NEG, INT_NEG, I8X16),
  SHAPED(I16X8_NEG, INT_NEG, I16X8),
  SHAPED(I32X4_NEG, INT_NEG, I32X4),
  SHAPED(I64X2_NEG, INT_NEG, I64X2),
  UNARY_INTRINSIC(I8X16_POPCNT, I8X16, "llvm.ctpop"),
  SHAPED(I8X16_ALL_TRUE, ALL_TRUE, I8X16),
  SHAPED(I16X8_ALL_TRUE, ALL_TRUE, I16X8),
  SHAPED(I32X4_ALL_TRUE, ALL_TRUE, I32X4),
  SHAPED(I64X2_ALL_TRUE, ALL_TRUE, I64X2),
  SHAPED(I8X16_BITMASK, BITMASK, I8X16),
  SHAPED(I16X8_BITMASK, BITMASK, I16X8),
  SHAPED(I32X4_BITMASK, BITMASK, I32X4),
  SHAPED(I64X2_BITMASK, BITMASK, I64X2),

  SIGNED(I8X16_NARROW_I16X8_S, NARROW, I8X16, true),
  SIGNED(I8X16_NARROW_I16X8_U, NARROW, I8X16, false),
  SIGNED(I16X8_NARROW_I32X4_S, NARROW, I16X8, true),
  SIGNED(I16X8_NARROW_I32X4_U, NARROW, I16X8, false),
  HALF(I16X8_EXTEND_LOW_I8X16_S, EXTEND, I16X8, true, false),
  HALF(I16X8_EXTEND_HIGH_I8X16_S, EXTEND, I16X8, true, true),
  HALF(I16X8_EXTEND_LOW_I8X16_U, EXTEND, I16X8, false, false),
  HALF(I16X8_EXTEND_HIGH_I8X16_U, EXTEND, I16X8, false, true),
  HALF(I32X4_EXTEND_LOW_I16X8_S, EXTEND, I32X4, true, false),
  HALF(I32X4_EXTEND_HIGH_I16X8_S, EXTEND, I32X4, true, true),
  HALF(I32X4_EXTEND_LOW_I16X8_U, EXTEND, I32X4, false, false),
  HALF(I32X4_EXTEND_HIGH_I16X8_U, EXTEND, I32X4, false, true),
  HALF(I64X2_EXTEND_LOW_I32X4_S, EXTEND, I64X2, true, false),
  HALF(I64X2_EXTEND_HIGH_I32X4_S, EXTEND, I64X2, true, true),
  HALF(I64X2_EXTEND_LOW_I32X4_U, EXTEND, I64X2, false, false),
  HALF(I64X2_EXTEND_HIGH_I32X4_U, EXTEND, I64X2, false, true),
  HALF(I16X8_EXTMUL_LOW_I8X16_S, EXTMUL, I16X8, true, false),
  HALF(I16X8_EXTMUL_HIGH_I8X16_S, EXTMUL, I16X8, true, true),
  HALF(I16X8_EXTMUL_LOW_I8X16_U, EXTMUL, I16X8, false, false),
  HALF(I16X8_EXTMUL_HIGH_I8X16_U, EXTMUL, I16X8, false, true),
  HALF(I32X4_EXTMUL_LOW_I16X8_S, EXTMUL, I32X4, true, false),
  HALF(I32X4_EXTMUL_HIGH_I16X8_S, EXTMUL, I32X4, true, true),
  HALF(I32X4_EXTMUL_LOW_I16X8_U, EXTMUL, I32X4, false, false),
  HALF(I32X4_EXTMUL_HIGH_I16X8_U, EXTMUL, I32X4, false, true),
  HALF(I64X2_EXTMUL_LOW_I32X4_S, EXTMUL, I64X2, true, false),
  HALF(I64X2_EXTMUL_HIGH_I32X4_S, EXTMUL, I64X2, true, true),
  HALF(I64X2_EXTMUL_LOW_I32X4_U, EXTMUL, I64X2, false, false),
  HALF(I64X2_EXTMUL_HIGH_I32X4_U, EXTMUL, I64X2, false, true),
  SIGNED(I16X8_EXTADD_PAIRWISE_I8X16_S, EXTADD_PAIRWISE, I16X8, true),
  SIGNED(I16X8_EXTADD_PAIRWISE_I8X16_U, EXTADD_PAIRWISE, I16X8, false),
  SIGNED(I32X4_EXTADD_PAIRWISE_I16X8_S, EXTADD_PAIRWISE, I32X4, true),
  SIGNED(I32X4_EXTADD_PAIRWISE_I16X8_U, EXTADD_PAIRWISE, I32X4, false),

  SHIFT(I8X16_SHL, I8X16, LLVMShl),
  SHIFT(I8X16_SHR_S, I8X16, LLVMAShr),
  SHIFT(I8X16_SHR_U, I8X16, LLVMLShr),
  SHIFT(I16X8_SHL, I16X8, LLVMShl),
  SHIFT(I16X8_SHR_S, I16X8, LLVMAShr),
  SHIFT(I16X8_SHR_U, I16X8, LLVMLShr),
  SHIFT(I32X4_SHL, I32X4, LLVMShl),
  SHIFT(I32X4_SHR_S, I32X4, LLVMAShr),
  SHIFT(I32X4_SHR_U, I32X4, LLVMLShr),
  SHIFT(I64X2_SHL, I64X2, LLVMShl),
  SHIFT(I64X2_SHR_S, I64X2, LLVMAShr),
  SHIFT(I64X2_SHR_U, I64X2, LLVMLShr),

  INT_BINARY(I8X16_ADD, I8X16, LLVMAdd),
  INT_BINARY(I8X16_SUB, I8X16, LLVMSub),
  INT_BINARY(I16X8_ADD, I16X8, LLVMAdd),
  INT_BINARY(I16X8_SUB, I16X8, LLVMSub),
  INT_BINARY(I16X8_MUL, I16X8, LLVMMul),
  INT_BINARY(I32X4_ADD, I32X4, LLVMAdd),
  INT_BINARY(I32X4_SUB, I32X4, LLVMSub),
  INT_BINARY(I32X4_MUL, I32X4, LLVMMul),
  INT_BINARY(I64X2_ADD, I64X2, LLVMAdd),
  INT_BINARY(I64X2_SUB, I64X2, LLVMSub),
  INT_BINARY(I64X2_MUL, I64X2, LLVMMul),
  BINARY_INTRINSIC(I8X16_ADD_SAT_S, I8X16, "llvm.sadd.sat"),
  BINARY_INTRINSIC(I8X16_ADD_SAT_U, I8X16, "llvm.uadd.sat"),
  BINARY_INTRINSIC(I8X16_SUB_SAT_S, I8X16, "llvm.ssub.sat"),
  BINARY_INTRINSIC(I8X16_SUB_SAT_U, I8X16, "llvm.usub.sat"),
  BINARY_INTRINSIC(I16X8_ADD_SAT_S, I16X8, "llvm.sadd.sat"),
  BINARY_INTRINSIC(I16X8_ADD_SAT_U, I16X8, "llvm.uadd.sat"),
  BINARY_INTRINSIC(I16X8_SUB_SAT_S, I16X8, "llvm.ssub.sat"),
  BINARY_INTRINSIC(I16X8_SUB_SAT_U, I16X8, "llvm.usub.sat"),
  BINARY_INTRINSIC(I8X16_MIN_S, I8X16, "llvm.smin"),
  BINARY_INTRINSIC(I8X16_MIN_U, I8X16, "llvm.umin"),
  BINARY_INTRINSIC(I8X16_MAX_S, I8X16, "llvm.smax"),
  BINARY_INTRINSIC(I8X16_MAX_U, I8X16, "llvm.umax"),
  BINARY_INTRINSIC(I16X8_MIN_S, I16X8, "llvm.smin"),
  BINARY_INTRINSIC(I16X8_MIN_U, I16X8, "llvm.umin"),
  BINARY_INTRINSIC(I16X8_MAX_S, I16X8, "llvm.smax"),
  BINARY_INTRINSIC(I16X8_MAX_U, I16X8, "llvm.umax"),
  BINARY_INTRINSIC(I32X4_MIN_S, I32X4, "llvm.smin"),
  BINARY_INTRINSIC(I32X4_MIN_U, I32X4, "llvm.umin"),
  BINARY_INTRINSIC(I32X4_MAX_S, I32X4, "llvm.smax"),
  BINARY_INTRINSIC(I32X4_MAX_U, I32X4, "llvm.umax"),
  SHAPED(I8X16_AVGR_U, AVGR_U, I8X16),
  SHAPED(I16X8_AVGR_U, AVGR_U, I16X8),

  UNARY_INTRINSIC(F32X4_ABS, F32X4, "llvm.fabs"),
  UNARY_INTRINSIC(F64X2_ABS, F64X2, "llvm.fabs"),
  SHAPED(F32X4_NEG, FLOAT_NEG, F32X4),
  SHAPED(F64X2_NEG, FLOAT_NEG, F64X2),
  UNARY_INTRINSIC(F32X4_SQRT, F32X4, "llvm.sqrt"),
  UNARY_INTRINSIC(F64X2_SQRT, F64X2, "llvm.sqrt"),
  UNARY_INTRINSIC(F32X4_CEIL, F32X4, "llvm.ceil"),
  UNARY_INTRINSIC(F64X2_CEIL, F64X2, "llvm.ceil"),
  UNARY_INTRINSIC(F32X4_FLOOR, F32X4, "llvm.floor"),
  UNARY_INTRINSIC(F64X2_FLOOR, F64X2, "llvm.floor"),
  UNARY_INTRINSIC(F32X4_TRUNC, F32X4, "llvm.trunc"),
  UNARY_INTRINSIC(F64X2_TRUNC, F64X2, "llvm.trunc"),
  /* Ties to even in the default rounding mode, the only one Wasm code
   * runs in; same choice as the scalar nearest. */
  UNARY_INTRINSIC(F32X4_NEAREST, F32X4, "llvm.nearbyint"),
  UNARY_INTRINSIC(F64X2_NEAREST, F64X2, "llvm.nearbyint"),
  FLOAT_BINARY(F32X4_ADD, F32X4, LLVMFAdd),
  FLOAT_BINARY(F32X4_SUB, F32X4, LLVMFSub),
  FLOAT_BINARY(F32X4_MUL, F32X4, LLVMFMul),
  FLOAT_BINARY(F32X4_DIV, F32X4, LLVMFDiv),
  FLOAT_BINARY(F64X2_ADD, F64X2, LLVMFAdd),
  FLOAT_BINARY(F64X2_SUB, F64X2, LLVMFSub),
  FLOAT_BINARY(F64X2_MUL, F64X2, LLVMFMul),
  FLOAT_BINARY(F64X2_DIV, F64X2, LLVMFDiv),
  MIN_MAX(F32X4_MIN, F32X4, "llvm.minimum"),
  MIN_MAX(F32X4_MAX, F32X4, "llvm.maximum"),
  MIN_MAX(F64X2_MIN, F64X2, "llvm.minimum"),
  MIN_MAX(F64X2_MAX, F64X2, "llvm.maximum"),
  SHAPED(F32X4_PMIN, PMIN, F32X4),
  SHAPED(F32X4_PMAX, PMAX, F32X4),
  SHAPED(F64X2_PMIN, PMIN, F64X2),
  SHAPED(F64X2_PMAX, PMAX, F64X2),

  /* Conversions: the shape is the float side. */
  SIGNED(I32X4_TRUNC_SAT_F32X4_S, TRUNC_SAT, F32X4, true),
  SIGNED(I32X4_TRUNC_SAT_F32X4_U, TRUNC_SAT, F32X4, false),
  SIGNED(I32X4_TRUNC_SAT_F64X2_S_ZERO, TRUNC_SAT, F64X2, true),
  SIGNED(I32X4_TRUNC_SAT_F64X2_U_ZERO, TRUNC_SAT, F64X2, false),
  SIGNED(F32X4_CONVERT_I32X4_S, CONVERT, F32X4, true),
  SIGNED(F32X4_CONVERT_I32X4_U, CONVERT, F32X4, false),
  SIGNED(F64X2_CONVERT_LOW_I32X4_S, CONVERT, F64X2, true),
  SIGNED(F64X2_CONVERT_LOW_I32X4_U, CONVERT, F64X2, false),
};

#undef ENTRY
#undef INT_BINARY
#undef FLOAT_BINARY
#undef ICMP
#undef FCMP
#undef UNARY_INTRINSIC
#undef BINARY_INTRINSIC
#undef MIN_MAX
#undef SHAPED
#undef SHIFT
#undef SIGNED
#undef HALF
/* clang-format on */

/* ---- Shapes and vector plumbing --------------------------------------- */

static LLVMBuilderRef builder(lower_func_ctx *f) {
  return f->mc->builder;
}

/* Where generic IR is right everywhere but one target's lowering of it is
 * poor, the lowering picks another generic formulation, or an intrinsic
 * of a feature every CPU of the architecture has. */
static bool target_is_x86(lower_func_ctx *f) {
  return strncmp(f->mc->target->triple, "x86_64", 6) == 0;
}

/* NEON is part of every AArch64 CPU unless explicitly switched off. */
static bool target_has_neon(lower_func_ctx *f) {
  const codegen_target *t = f->mc->target;
  return strncmp(t->triple, "aarch64", 7) == 0 && !strstr(t->features, "-neon");
}

static unsigned lane_count(simd_shape s) {
  static const unsigned counts[] = {16, 8, 4, 2, 4, 2};
  return counts[s];
}

static unsigned lane_bits(simd_shape s) {
  static const unsigned bits[] = {8, 16, 32, 64, 32, 64};
  return bits[s];
}

/* The integer shape with the same lanes: where a float comparison's
 * all-ones / all-zeros masks live. */
static simd_shape int_shape_of(simd_shape s) {
  if (s == SHAPE_F32X4)
    return SHAPE_I32X4;
  if (s == SHAPE_F64X2)
    return SHAPE_I64X2;
  return s;
}

/* The integer shape with lanes half as wide and twice as many: the source
 * of an extend, the result of a narrow. */
static simd_shape narrower_shape(simd_shape s) {
  return (simd_shape)(s - 1);
}

static LLVMTypeRef lane_type(lower_module_ctx *mc, simd_shape s) {
  switch (s) {
  case SHAPE_I8X16:
    return mc->t_i8;
  case SHAPE_I16X8:
    return mc->t_i16;
  case SHAPE_I32X4:
    return mc->t_i32;
  case SHAPE_I64X2:
    return mc->t_i64;
  case SHAPE_F32X4:
    return mc->t_f32;
  default:
    return mc->t_f64;
  }
}

static LLVMTypeRef vector_type(lower_module_ctx *mc, simd_shape s) {
  return LLVMVectorType(lane_type(mc, s), lane_count(s));
}

/* The same number of lanes as `v`, of `elem` type. */
static LLVMTypeRef vector_like(LLVMValueRef v, LLVMTypeRef elem) {
  return LLVMVectorType(elem, LLVMGetVectorSize(LLVMTypeOf(v)));
}

static LLVMValueRef as_shape(lower_func_ctx *f, LLVMValueRef v, simd_shape s) {
  return LLVMBuildBitCast(builder(f), v, vector_type(f->mc, s), "");
}

static LLVMValueRef pop_shape(lower_func_ctx *f, simd_shape s) {
  return as_shape(f, lower_pop(f), s);
}

/* Pushes a 128-bit vector of any shape in the canonical representation. */
static void push_vector(lower_func_ctx *f, LLVMValueRef v) {
  lower_push(f, LLVMBuildBitCast(builder(f), v, f->mc->t_v128, ""));
}

static LLVMValueRef const_i32(lower_func_ctx *f, uint64_t v) {
  return LLVMConstInt(f->mc->t_i32, v, false);
}

/* A vector of `type` with `value` in every lane (an integer vector). */
static LLVMValueRef splat_int_const(LLVMTypeRef type, uint64_t value) {
  LLVMValueRef lanes[16];
  unsigned n = LLVMGetVectorSize(type);
  for (unsigned i = 0; i < n; i++)
    lanes[i] = LLVMConstInt(LLVMGetElementType(type), value, false);
  return LLVMConstVector(lanes, n);
}

/* A shuffle of `a` and `b` (b may be NULL) picking lanes first,
 * first + step, ... (count of them); indices at or past a's size pick
 * from b. */
static LLVMValueRef shuffle_range(lower_func_ctx *f, LLVMValueRef a,
                                  LLVMValueRef b, unsigned first, unsigned step,
                                  unsigned count) {
  LLVMValueRef mask[32];
  for (unsigned i = 0; i < count; i++)
    mask[i] = const_i32(f, first + i * step);
  if (!b)
    b = LLVMGetPoison(LLVMTypeOf(a));
  return LLVMBuildShuffleVector(builder(f), a, b, LLVMConstVector(mask, count),
                                "");
}

static LLVMValueRef splat_value(lower_func_ctx *f, LLVMValueRef scalar,
                                unsigned count) {
  LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(scalar), count);
  LLVMValueRef one = LLVMBuildInsertElement(builder(f), LLVMGetPoison(vt),
                                            scalar, const_i32(f, 0), "");
  LLVMValueRef zeros = LLVMConstNull(LLVMVectorType(f->mc->t_i32, count));
  return LLVMBuildShuffleVector(builder(f), one, LLVMGetPoison(vt), zeros, "");
}

/* The low or high half of v's lanes. */
static LLVMValueRef half_of(lower_func_ctx *f, LLVMValueRef v, bool high) {
  unsigned n = LLVMGetVectorSize(LLVMTypeOf(v)) / 2;
  return shuffle_range(f, v, NULL, high ? n : 0, 1, n);
}

/* v's lanes followed by as many zero lanes: the `_zero` results. */
static LLVMValueRef pad_with_zeros(lower_func_ctx *f, LLVMValueRef v) {
  unsigned n = LLVMGetVectorSize(LLVMTypeOf(v));
  return shuffle_range(f, v, LLVMConstNull(LLVMTypeOf(v)), 0, 1, 2 * n);
}

static LLVMValueRef extend(lower_func_ctx *f, LLVMValueRef v, LLVMTypeRef elem,
                           bool is_signed) {
  LLVMTypeRef t = vector_like(v, elem);
  return is_signed ? LLVMBuildSExt(builder(f), v, t, "")
                   : LLVMBuildZExt(builder(f), v, t, "");
}

static LLVMValueRef call1(lower_func_ctx *f, const char *intrinsic,
                          LLVMValueRef a) {
  LLVMTypeRef t = LLVMTypeOf(a);
  return lower_call_intrinsic(f, intrinsic, &t, 1, &a, 1);
}

static LLVMValueRef call2(lower_func_ctx *f, const char *intrinsic,
                          LLVMValueRef a, LLVMValueRef b) {
  LLVMTypeRef t = LLVMTypeOf(a);
  LLVMValueRef args[2] = {a, b};
  return lower_call_intrinsic(f, intrinsic, &t, 1, args, 2);
}

/* ---- Memory ------------------------------------------------------------ */

/* Wasm promises no alignment: the memarg's is only a hint. */
static LLVMValueRef load_unaligned(lower_func_ctx *f, LLVMTypeRef t,
                                   const wasm_instr *in) {
  LLVMValueRef ptr = lower_memory_address(f, in, lower_pop(f));
  LLVMValueRef v = LLVMBuildLoad2(builder(f), t, ptr, "");
  LLVMSetAlignment(v, 1);
  lower_memory_tag_access(f, in->memarg.memory, v);
  return v;
}

static void store_unaligned(lower_func_ctx *f, LLVMValueRef v,
                            const wasm_instr *in) {
  LLVMValueRef ptr = lower_memory_address(f, in, lower_pop(f));
  LLVMValueRef st = LLVMBuildStore(builder(f), v, ptr);
  LLVMSetAlignment(st, 1);
  lower_memory_tag_access(f, in->memarg.memory, st);
}

static void lower_load_splat(lower_func_ctx *f, const wasm_instr *in,
                             simd_shape s) {
  LLVMValueRef x = load_unaligned(f, lane_type(f->mc, s), in);
  push_vector(f, splat_value(f, x, lane_count(s)));
}

/* load8x8_s and friends: half as many lanes of half the width, extended. */
static void lower_load_extend(lower_func_ctx *f, const wasm_instr *in,
                              const simd_op *op) {
  lower_module_ctx *mc = f->mc;
  simd_shape narrow = narrower_shape(op->shape);
  LLVMTypeRef t = LLVMVectorType(lane_type(mc, narrow), lane_count(op->shape));
  LLVMValueRef v = load_unaligned(f, t, in);
  push_vector(f, extend(f, v, lane_type(mc, op->shape), op->is_signed));
}

static void lower_load_zero(lower_func_ctx *f, const wasm_instr *in,
                            simd_shape s) {
  LLVMValueRef x = load_unaligned(f, lane_type(f->mc, s), in);
  LLVMValueRef zero = LLVMConstNull(vector_type(f->mc, s));
  push_vector(f,
              LLVMBuildInsertElement(builder(f), zero, x, const_i32(f, 0), ""));
}

/* [addr, v] -> v with one lane loaded. */
static void lower_load_lane(lower_func_ctx *f, const wasm_instr *in,
                            simd_shape s) {
  LLVMValueRef v = pop_shape(f, s);
  LLVMValueRef x = load_unaligned(f, lane_type(f->mc, s), in);
  push_vector(
      f, LLVMBuildInsertElement(builder(f), v, x, const_i32(f, in->lane), ""));
}

/* [addr, v] -> [], one lane stored. */
static void lower_store_lane(lower_func_ctx *f, const wasm_instr *in,
                             simd_shape s) {
  LLVMValueRef v = pop_shape(f, s);
  LLVMValueRef x =
      LLVMBuildExtractElement(builder(f), v, const_i32(f, in->lane), "");
  store_unaligned(f, x, in);
}

/* ---- Constants, lanes, shuffles ------------------------------------------ */

/* Built from the immediate's bytes as two little-endian i64s, so every bit
 * (NaN payloads included) is exactly as written. */
static void lower_const(lower_func_ctx *f, const wasm_instr *in) {
  LLVMValueRef halves[2];
  for (unsigned h = 0; h < 2; h++) {
    uint64_t bits = 0;
    for (unsigned i = 0; i < 8; i++)
      bits |= (uint64_t)in->imm.v128[8 * h + i] << (8 * i);
    halves[h] = LLVMConstInt(f->mc->t_i64, bits, false);
  }
  lower_push(f, LLVMConstVector(halves, 2));
}

/* i8x16.splat and i16x8.splat take the low bits of an i32. */
static LLVMValueRef scalar_to_lane(lower_func_ctx *f, LLVMValueRef x,
                                   simd_shape s) {
  LLVMTypeRef t = lane_type(f->mc, s);
  return LLVMTypeOf(x) == t ? x : LLVMBuildTrunc(builder(f), x, t, "");
}

static void lower_splat(lower_func_ctx *f, simd_shape s) {
  LLVMValueRef x = scalar_to_lane(f, lower_pop(f), s);
  push_vector(f, splat_value(f, x, lane_count(s)));
}

static void lower_extract_lane(lower_func_ctx *f, const wasm_instr *in,
                               const simd_op *op) {
  LLVMValueRef v = pop_shape(f, op->shape);
  LLVMValueRef x =
      LLVMBuildExtractElement(builder(f), v, const_i32(f, in->lane), "");
  if (lane_bits(op->shape) < 32)
    x = op->is_signed ? LLVMBuildSExt(builder(f), x, f->mc->t_i32, "")
                      : LLVMBuildZExt(builder(f), x, f->mc->t_i32, "");
  lower_push(f, x);
}

static void lower_replace_lane(lower_func_ctx *f, const wasm_instr *in,
                               simd_shape s) {
  LLVMValueRef x = scalar_to_lane(f, lower_pop(f), s);
  LLVMValueRef v = pop_shape(f, s);
  push_vector(
      f, LLVMBuildInsertElement(builder(f), v, x, const_i32(f, in->lane), ""));
}

/* Lane indices 0-15 pick from the first operand, 16-31 from the second:
 * exactly shufflevector's convention. */
static void lower_shuffle(lower_func_ctx *f, const wasm_instr *in) {
  LLVMValueRef b = pop_shape(f, SHAPE_I8X16);
  LLVMValueRef a = pop_shape(f, SHAPE_I8X16);
  LLVMValueRef mask[16];
  for (unsigned i = 0; i < 16; i++)
    mask[i] = const_i32(f, in->imm.v128[i]);
  push_vector(f, LLVMBuildShuffleVector(builder(f), a, b,
                                        LLVMConstVector(mask, 16), ""));
}

/* result[i] = idx[i] < 16 ? a[idx[i]] : 0. IR has no variable shuffle, so
 * this is sixteen variable-index extracts, which x86 (SSSE3) turns into
 * one pshufb and AArch64 into one tbl; other targets still get correct
 * code. An extract with an index of 16 or more gives a poison lane, which
 * the select replaces with zero: a vector select takes each lane from one
 * side only, so the poison never reaches the result. */
static void lower_swizzle(lower_func_ctx *f) {
  LLVMBuilderRef b = builder(f);
  LLVMValueRef idx = pop_shape(f, SHAPE_I8X16);
  LLVMValueRef a = pop_shape(f, SHAPE_I8X16);
  LLVMTypeRef vt = LLVMTypeOf(a);
  LLVMValueRef r = LLVMGetPoison(vt);
  for (unsigned i = 0; i < 16; i++) {
    LLVMValueRef j = LLVMBuildExtractElement(b, idx, const_i32(f, i), "");
    LLVMValueRef x = LLVMBuildExtractElement(b, a, j, "");
    r = LLVMBuildInsertElement(b, r, x, const_i32(f, i), "");
  }
  LLVMValueRef valid =
      LLVMBuildICmp(b, LLVMIntULT, idx, splat_int_const(vt, 16), "");
  push_vector(f, LLVMBuildSelect(b, valid, r, LLVMConstNull(vt), ""));
}

/* ---- Bitwise and boolean ------------------------------------------------- */

static void lower_not(lower_func_ctx *f) {
  lower_push(f, LLVMBuildNot(builder(f), lower_pop(f), ""));
}

/* a & ~b */
static void lower_andnot(lower_func_ctx *f) {
  LLVMValueRef b = lower_pop(f), a = lower_pop(f);
  lower_push(f,
             LLVMBuildAnd(builder(f), a, LLVMBuildNot(builder(f), b, ""), ""));
}

/* (v1 & c) | (v2 & ~c): bits of v1 where c is set, of v2 elsewhere. */
static void lower_bitselect(lower_func_ctx *f) {
  LLVMBuilderRef b = builder(f);
  LLVMValueRef c = lower_pop(f), v2 = lower_pop(f), v1 = lower_pop(f);
  LLVMValueRef from1 = LLVMBuildAnd(b, v1, c, "");
  LLVMValueRef from2 = LLVMBuildAnd(b, v2, LLVMBuildNot(b, c, ""), "");
  lower_push(f, LLVMBuildOr(b, from1, from2, ""));
}

/* The whole vector as one i128 compared with zero: ptest on SSE4.1. */
static void lower_any_true(lower_func_ctx *f) {
  LLVMBuilderRef b = builder(f);
  LLVMTypeRef i128 = LLVMIntTypeInContext(f->mc->llctx, 128);
  LLVMValueRef bits = LLVMBuildBitCast(b, lower_pop(f), i128, "");
  LLVMValueRef nz = LLVMBuildICmp(b, LLVMIntNE, bits, LLVMConstNull(i128), "");
  lower_push(f, LLVMBuildZExt(b, nz, f->mc->t_i32, ""));
}

static void lower_all_true(lower_func_ctx *f, simd_shape s) {
  LLVMBuilderRef b = builder(f);
  LLVMValueRef v = pop_shape(f, s);
  LLVMValueRef nz =
      LLVMBuildICmp(b, LLVMIntNE, v, LLVMConstNull(LLVMTypeOf(v)), "");
  LLVMTypeRef t = LLVMTypeOf(nz);
  LLVMValueRef all =
      lower_call_intrinsic(f, "llvm.vector.reduce.and", &t, 1, &nz, 1);
  lower_push(f, LLVMBuildZExt(b, all, f->mc->t_i32, ""));
}

/* The lanes' sign bits as an <N x i1>, read as an N-bit integer: lane 0
 * is bit 0 (pmovmskb on x86). */
static void lower_bitmask(lower_func_ctx *f, simd_shape s) {
  LLVMBuilderRef b = builder(f);
  LLVMValueRef v = pop_shape(f, s);
  LLVMValueRef neg =
      LLVMBuildICmp(b, LLVMIntSLT, v, LLVMConstNull(LLVMTypeOf(v)), "");
  LLVMTypeRef bits_type = LLVMIntTypeInContext(f->mc->llctx, lane_count(s));
  LLVMValueRef bits = LLVMBuildBitCast(b, neg, bits_type, "");
  lower_push(f, LLVMBuildZExt(b, bits, f->mc->t_i32, ""));
}

/* ---- Integer arithmetic -------------------------------------------------- */

static void lower_int_binary(lower_func_ctx *f, const simd_op *op) {
  LLVMValueRef rhs = pop_shape(f, op->shape), lhs = pop_shape(f, op->shape);
  push_vector(f,
              LLVMBuildBinOp(builder(f), (LLVMOpcode)op->code, lhs, rhs, ""));
}

/* Comparisons give all ones in the lanes where they hold. */
static void lower_int_compare(lower_func_ctx *f, const simd_op *op) {
  LLVMValueRef rhs = pop_shape(f, op->shape), lhs = pop_shape(f, op->shape);
  LLVMValueRef c =
      LLVMBuildICmp(builder(f), (LLVMIntPredicate)op->code, lhs, rhs, "");
  push_vector(f, LLVMBuildSExt(builder(f), c, LLVMTypeOf(lhs), ""));
}

static void lower_binary_intrinsic(lower_func_ctx *f, const simd_op *op) {
  LLVMValueRef rhs = pop_shape(f, op->shape), lhs = pop_shape(f, op->shape);
  push_vector(f, call2(f, op->intrinsic, lhs, rhs));
}

static void lower_unary_intrinsic(lower_func_ctx *f, const simd_op *op) {
  push_vector(f, call1(f, op->intrinsic, pop_shape(f, op->shape)));
}

/* llvm.abs with is_int_min_poison = false: abs(INT_MIN) is INT_MIN, as
 * Wasm's wrapping abs gives. */
static void lower_int_abs(lower_func_ctx *f, simd_shape s) {
  LLVMValueRef v = pop_shape(f, s);
  LLVMTypeRef t = LLVMTypeOf(v);
  LLVMValueRef args[2] = {v, LLVMConstNull(f->mc->t_i1)};
  push_vector(f, lower_call_intrinsic(f, "llvm.abs", &t, 1, args, 2));
}

static void lower_int_neg(lower_func_ctx *f, simd_shape s) {
  push_vector(f, LLVMBuildNeg(builder(f), pop_shape(f, s), ""));
}

/* Wasm takes the count modulo the lane width, where LLVM's shifts by the
 * width or more are poison. The count is the same for every lane, which
 * x86 and AArch64 shift instructions take directly. */
static void lower_shift(lower_func_ctx *f, const simd_op *op) {
  LLVMBuilderRef b = builder(f);
  LLVMValueRef count = lower_pop(f);
  LLVMValueRef v = pop_shape(f, op->shape);
  count = LLVMBuildAnd(b, count, const_i32(f, lane_bits(op->shape) - 1), "");
  count = LLVMBuildIntCast2(b, count, lane_type(f->mc, op->shape), false, "");
  LLVMValueRef counts = splat_value(f, count, lane_count(op->shape));
  push_vector(f, LLVMBuildBinOp(b, (LLVMOpcode)op->code, v, counts, ""));
}

/* (a + b + 1) >> 1 without overflow, in lanes twice as wide; LLVM knows
 * this as pavgb/pavgw and urhadd. */
static void lower_avgr_u(lower_func_ctx *f, simd_shape s) {
  LLVMBuilderRef b = builder(f);
  LLVMValueRef rhs = pop_shape(f, s), lhs = pop_shape(f, s);
  LLVMTypeRef wide = LLVMIntTypeInContext(f->mc->llctx, 2 * lane_bits(s));
  LLVMValueRef sum = LLVMBuildAdd(b, extend(f, lhs, wide, false),
                                  extend(f, rhs, wide, false), "");
  LLVMTypeRef wt = LLVMTypeOf(sum);
  sum = LLVMBuildAdd(b, sum, splat_int_const(wt, 1), "");
  LLVMValueRef avg = LLVMBuildLShr(b, sum, splat_int_const(wt, 1), "");
  push_vector(f, LLVMBuildTrunc(b, avg, LLVMTypeOf(lhs), ""));
}

/* Both operands' lanes, each clamped to the narrow lane's range (signed or
 * unsigned; the inputs are signed either way) and truncated. */
static void lower_narrow(lower_func_ctx *f, const simd_op *op) {
  LLVMBuilderRef b = builder(f);
  simd_shape wide = (simd_shape)(op->shape + 1);
  LLVMValueRef rhs = pop_shape(f, wide), lhs = pop_shape(f, wide);
  unsigned n = lane_count(op->shape), bits = lane_bits(op->shape);
  LLVMValueRef both = shuffle_range(f, lhs, rhs, 0, 1, n);
  LLVMTypeRef t = LLVMTypeOf(both);
  uint64_t lo = op->is_signed ? ~0ull << (bits - 1) : 0;
  uint64_t hi = op->is_signed ? (1ull << (bits - 1)) - 1 : (1ull << bits) - 1;
  LLVMValueRef v = call2(f, "llvm.smax", both, splat_int_const(t, lo));
  v = call2(f, "llvm.smin", v, splat_int_const(t, hi));
  push_vector(f, LLVMBuildTrunc(b, v, vector_type(f->mc, op->shape), ""));
}

static void lower_extend(lower_func_ctx *f, const simd_op *op) {
  LLVMValueRef v = pop_shape(f, narrower_shape(op->shape));
  LLVMValueRef half = half_of(f, v, op->high);
  push_vector(f, extend(f, half, lane_type(f->mc, op->shape), op->is_signed));
}

/* The product of extended halves; LLVM picks pmullw/pmuldq or smull. */
static void lower_extmul(lower_func_ctx *f, const simd_op *op) {
  simd_shape narrow = narrower_shape(op->shape);
  LLVMTypeRef lane = lane_type(f->mc, op->shape);
  LLVMValueRef rhs = pop_shape(f, narrow), lhs = pop_shape(f, narrow);
  LLVMValueRef a = extend(f, half_of(f, lhs, op->high), lane, op->is_signed);
  LLVMValueRef b = extend(f, half_of(f, rhs, op->high), lane, op->is_signed);
  push_vector(f, LLVMBuildMul(builder(f), a, b, ""));
}

/* Adds the even lanes to the odd ones of an already widened vector. */
static LLVMValueRef add_pairs(lower_func_ctx *f, LLVMValueRef wide) {
  unsigned n = LLVMGetVectorSize(LLVMTypeOf(wide)) / 2;
  LLVMValueRef even = shuffle_range(f, wide, NULL, 0, 2, n);
  LLVMValueRef odd = shuffle_range(f, wide, NULL, 1, 2, n);
  return LLVMBuildAdd(builder(f), even, odd, "");
}

static void lower_extadd_pairwise(lower_func_ctx *f, const simd_op *op) {
  LLVMValueRef v = pop_shape(f, narrower_shape(op->shape));
  LLVMValueRef wide = extend(f, v, lane_type(f->mc, op->shape), op->is_signed);
  push_vector(f, add_pairs(f, wide));
}

/* Products of signed 16-bit lanes summed in pairs, wrapping (only
 * -32768 * -32768 twice overflows): pmaddwd's pattern. */
static void lower_dot(lower_func_ctx *f) {
  LLVMValueRef rhs = pop_shape(f, SHAPE_I16X8), lhs = pop_shape(f, SHAPE_I16X8);
  LLVMValueRef a = extend(f, lhs, f->mc->t_i32, true);
  LLVMValueRef b = extend(f, rhs, f->mc->t_i32, true);
  push_vector(f, add_pairs(f, LLVMBuildMul(builder(f), a, b, "")));
}

/* (a * b + 0x4000) >> 15, saturated. Only -32768 * -32768 exceeds the
 * i16 range (giving 32768), and never below it, so one smin suffices.
 * NEON's sqrdmulh is exactly this operation. */
static void lower_q15mulr_sat(lower_func_ctx *f) {
  LLVMBuilderRef b = builder(f);
  LLVMValueRef rhs = pop_shape(f, SHAPE_I16X8), lhs = pop_shape(f, SHAPE_I16X8);
  if (target_has_neon(f)) {
    push_vector(f, call2(f, "llvm.aarch64.neon.sqrdmulh", lhs, rhs));
    return;
  }
  LLVMValueRef p = LLVMBuildMul(b, extend(f, lhs, f->mc->t_i32, true),
                                extend(f, rhs, f->mc->t_i32, true), "");
  LLVMTypeRef t = LLVMTypeOf(p);
  p = LLVMBuildAdd(b, p, splat_int_const(t, 0x4000), "");
  p = LLVMBuildAShr(b, p, splat_int_const(t, 15), "");
  p = call2(f, "llvm.smin", p, splat_int_const(t, 0x7fff));
  push_vector(f, LLVMBuildTrunc(b, p, LLVMTypeOf(lhs), ""));
}

/* ---- Float arithmetic ---------------------------------------------------- */

/* Sets the quiet bit of every NaN lane and leaves the others alone; see
 * lower_numeric.c's quiet_nan for why Wasm needs this where LLVM may hand
 * back a signalling NaN operand. */
static LLVMValueRef quiet_nan(lower_func_ctx *f, LLVMValueRef v, simd_shape s) {
  LLVMBuilderRef b = builder(f);
  LLVMTypeRef bits_type = vector_type(f->mc, int_shape_of(s));
  uint64_t quiet_bit = s == SHAPE_F32X4 ? 1ull << 22 : 1ull << 51;
  LLVMValueRef is_nan = LLVMBuildFCmp(b, LLVMRealUNO, v, v, "");
  LLVMValueRef set =
      LLVMBuildSelect(b, is_nan, splat_int_const(bits_type, quiet_bit),
                      LLVMConstNull(bits_type), "");
  LLVMValueRef bits = LLVMBuildBitCast(b, v, bits_type, "");
  return LLVMBuildBitCast(b, LLVMBuildOr(b, bits, set, ""), LLVMTypeOf(v), "");
}

/* The bits of one element of a constant vector. */
static bool element_bits(LLVMValueRef e, uint64_t *bits) {
  if (e && LLVMIsAConstantInt(e)) {
    *bits = LLVMConstIntGetZExtValue(e);
    return true;
  }
  if (!e || !LLVMIsAConstantFP(e))
    return false;
  /* Exact for every value but NaN payloads, which never match an
   * identity constant anyway. */
  LLVMBool loses_info;
  double d = LLVMConstRealGetDouble(e, &loses_info);
  if (LLVMGetTypeKind(LLVMTypeOf(e)) == LLVMFloatTypeKind) {
    float x = (float)d;
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    *bits = u;
  } else {
    memcpy(bits, &d, sizeof *bits);
  }
  return true;
}

/* The 16 bytes of a constant vector, lane 0 first, looking through the
 * bitcasts between shapes: the IR builder folds a bitcast of a constant
 * only between vectors with the same number of lanes, so a v128.const
 * used as f32x4 arrives as a bitcast expression. */
static bool constant_bytes(LLVMValueRef v, uint8_t bytes[16]) {
  while (LLVMIsAConstantExpr(v) && LLVMGetConstOpcode(v) == LLVMBitCast)
    v = LLVMGetOperand(v, 0);
  if (!LLVMIsConstant(v) ||
      LLVMGetTypeKind(LLVMTypeOf(v)) != LLVMVectorTypeKind)
    return false;
  unsigned n = LLVMGetVectorSize(LLVMTypeOf(v)), lane_bytes = 16 / n;
  for (unsigned i = 0; i < n; i++) {
    uint64_t bits;
    if (!element_bits(LLVMGetAggregateElement(v, i), &bits))
      return false;
    for (unsigned k = 0; k < lane_bytes; k++)
      bytes[i * lane_bytes + k] = (uint8_t)(bits >> (8 * k));
  }
  return true;
}

static uint64_t float_bits(simd_shape s, double value) {
  uint64_t bits = 0;
  if (s == SHAPE_F32X4) {
    float x = (float)value;
    memcpy(&bits, &x, sizeof x); /* little-endian host, as LLVM's hosts */
  } else {
    memcpy(&bits, &value, sizeof value);
  }
  return bits;
}

/* True when `v` is a constant whose every lane, as shape `s`, is exactly
 * `a` or `b` (signs of zeros count). */
static bool every_lane_is(LLVMValueRef v, simd_shape s, double a, double b) {
  uint8_t bytes[16];
  if (!constant_bytes(v, bytes))
    return false;
  unsigned size = lane_bits(s) / 8;
  for (unsigned i = 0; i < lane_count(s); i++) {
    uint64_t bits = 0;
    for (unsigned k = 0; k < size; k++)
      bits |= (uint64_t)bytes[i * size + k] << (8 * k);
    if (bits != float_bits(s, a) && bits != float_bits(s, b))
      return false;
  }
  return true;
}

/* The vector forms of lower_numeric.c's folds_to_operand: operations LLVM
 * may simplify to an operand (or its negation), NaN payload and all. */
static bool folds_to_operand(LLVMOpcode op, simd_shape s, LLVMValueRef lhs,
                             LLVMValueRef rhs) {
  switch (op) {
  case LLVMFAdd:
    return every_lane_is(lhs, s, -0.0, -0.0) ||
           every_lane_is(rhs, s, -0.0, -0.0);
  case LLVMFSub:
    return every_lane_is(rhs, s, 0.0, 0.0) || every_lane_is(lhs, s, -0.0, -0.0);
  case LLVMFMul:
    return every_lane_is(lhs, s, 1.0, -1.0) || every_lane_is(rhs, s, 1.0, -1.0);
  case LLVMFDiv:
    return every_lane_is(rhs, s, 1.0, -1.0);
  default:
    return false;
  }
}

static void lower_float_binary(lower_func_ctx *f, const simd_op *op) {
  LLVMValueRef rhs = pop_shape(f, op->shape), lhs = pop_shape(f, op->shape);
  LLVMOpcode opcode = (LLVMOpcode)op->code;
  LLVMValueRef r = LLVMBuildBinOp(builder(f), opcode, lhs, rhs, "");
  if (folds_to_operand(opcode, op->shape, lhs, rhs))
    r = quiet_nan(f, r, op->shape);
  push_vector(f, r);
}

static void lower_float_compare(lower_func_ctx *f, const simd_op *op) {
  LLVMValueRef rhs = pop_shape(f, op->shape), lhs = pop_shape(f, op->shape);
  LLVMValueRef c =
      LLVMBuildFCmp(builder(f), (LLVMRealPredicate)op->code, lhs, rhs, "");
  push_vector(f,
              LLVMBuildSExt(builder(f), c,
                            vector_type(f->mc, int_shape_of(op->shape)), ""));
}

/* fneg flips only the sign bit, NaN or not, as Wasm's neg must. */
static void lower_float_neg(lower_func_ctx *f, simd_shape s) {
  push_vector(f, LLVMBuildFNeg(builder(f), pop_shape(f, s), ""));
}

/* llvm.minimum/maximum are Wasm's min/max (NaN wins, -0 < +0) except that
 * the NaN may be a signalling operand, returned as it is. */
static void lower_float_min_max(lower_func_ctx *f, const simd_op *op) {
  LLVMValueRef rhs = pop_shape(f, op->shape), lhs = pop_shape(f, op->shape);
  LLVMValueRef r = call2(f, op->intrinsic, lhs, rhs);
  push_vector(f, quiet_nan(f, r, op->shape));
}

/* pmin(a, b) = b < a ? b : a and pmax(a, b) = a < b ? b : a, bit for bit:
 * NaNs and zeros of either sign pass through as the comparison picks
 * them, which is what minps/maxps (with the operands in this order) and
 * NEON's compare-and-select do. */
static void lower_pseudo_min_max(lower_func_ctx *f, const simd_op *op) {
  LLVMBuilderRef bld = builder(f);
  LLVMValueRef b = pop_shape(f, op->shape), a = pop_shape(f, op->shape);
  bool is_max = op->form == FORM_PMAX;
  LLVMValueRef b_wins = is_max ? LLVMBuildFCmp(bld, LLVMRealOLT, a, b, "")
                               : LLVMBuildFCmp(bld, LLVMRealOLT, b, a, "");
  push_vector(f, LLVMBuildSelect(bld, b_wins, b, a, ""));
}

/* ---- Conversions --------------------------------------------------------- */

static LLVMValueRef splat_float_const(LLVMTypeRef type, double value) {
  LLVMValueRef lanes[4];
  unsigned n = LLVMGetVectorSize(type);
  for (unsigned i = 0; i < n; i++)
    lanes[i] = LLVMConstReal(LLVMGetElementType(type), value);
  return LLVMConstVector(lanes, n);
}

/* trunc_sat as explicit steps, for x86, where LLVM 19 splits
 * llvm.fpto[su]i.sat on vectors into scalar conversions: NaN becomes 0,
 * and lanes are clamped into the range, after which the conversion is
 * defined (cvttps2dq/cvttpd2dq and a few compares and blends). f64 holds
 * the upper limit exactly, so it is clamped to; f32 does not (2^31 - 1
 * rounds to 2^31), so lanes at or above 2^31 (2^32 unsigned) are set to
 * the limit after converting. */
static LLVMValueRef trunc_sat_clamped(lower_func_ctx *f, LLVMValueRef v,
                                      bool is_signed) {
  LLVMBuilderRef b = builder(f);
  LLVMTypeRef ft = LLVMTypeOf(v), it = vector_like(v, f->mc->t_i32);
  bool from_f64 = LLVMGetElementType(ft) == f->mc->t_f64;
  LLVMValueRef zero = LLVMConstNull(ft);
  LLVMValueRef is_number = LLVMBuildFCmp(b, LLVMRealORD, v, v, "");
  v = LLVMBuildSelect(b, is_number, v, zero, "");
  LLVMValueRef lo = splat_float_const(ft, is_signed ? -2147483648.0 : 0.0);
  LLVMValueRef too_low = LLVMBuildFCmp(b, LLVMRealOLT, v, lo, "");
  v = LLVMBuildSelect(b, too_low, lo, v, "");
  uint64_t max = is_signed ? 0x7fffffff : 0xffffffff;
  if (from_f64) {
    LLVMValueRef hi = splat_float_const(ft, (double)max);
    LLVMValueRef too_high = LLVMBuildFCmp(b, LLVMRealOGT, v, hi, "");
    v = LLVMBuildSelect(b, too_high, hi, v, "");
    return is_signed ? LLVMBuildFPToSI(b, v, it, "")
                     : LLVMBuildFPToUI(b, v, it, "");
  }
  LLVMValueRef end = splat_float_const(ft, (double)max + 1.0);
  LLVMValueRef too_high = LLVMBuildFCmp(b, LLVMRealOGE, v, end, "");
  v = LLVMBuildSelect(b, too_high, zero, v, "");
  LLVMValueRef r =
      is_signed ? LLVMBuildFPToSI(b, v, it, "") : LLVMBuildFPToUI(b, v, it, "");
  return LLVMBuildSelect(b, too_high, splat_int_const(it, max), r, "");
}

/* llvm.fpto[su]i.sat are Wasm's trunc_sat lane by lane (NaN -> 0, out of
 * range -> the nearest limit). LLVM 19 splits f64 -> i32 into scalars on
 * AArch64, so there it converts to i64 lanes (fcvtzs) and narrows with
 * saturation (sqxtn), which gives the same values. */
static LLVMValueRef trunc_sat_intrinsic(lower_func_ctx *f, LLVMValueRef v,
                                        bool is_signed) {
  lower_module_ctx *mc = f->mc;
  bool via_i64 =
      LLVMGetElementType(LLVMTypeOf(v)) == mc->t_f64 && target_has_neon(f);
  LLVMTypeRef types[2] = {vector_like(v, via_i64 ? mc->t_i64 : mc->t_i32),
                          LLVMTypeOf(v)};
  const char *name = is_signed ? "llvm.fptosi.sat" : "llvm.fptoui.sat";
  LLVMValueRef r = lower_call_intrinsic(f, name, types, 2, &v, 1);
  if (!via_i64)
    return r;
  LLVMTypeRef narrow = vector_like(r, mc->t_i32);
  return lower_call_intrinsic(
      f, is_signed ? "llvm.aarch64.neon.sqxtn" : "llvm.aarch64.neon.uqxtn",
      &narrow, 1, &r, 1);
}

/* From f64x2 there are two results, and the upper two lanes are zero. */
static void lower_trunc_sat(lower_func_ctx *f, const simd_op *op) {
  LLVMValueRef v = pop_shape(f, op->shape);
  LLVMValueRef r = target_is_x86(f) ? trunc_sat_clamped(f, v, op->is_signed)
                                    : trunc_sat_intrinsic(f, v, op->is_signed);
  push_vector(f, lane_count(op->shape) == 4 ? r : pad_with_zeros(f, r));
}

/* f32x4.convert_i32x4_* converts all four lanes, f64x2.convert_low_* the
 * low two. */
static void lower_convert(lower_func_ctx *f, const simd_op *op) {
  LLVMValueRef v = pop_shape(f, SHAPE_I32X4);
  if (lane_count(op->shape) == 2)
    v = half_of(f, v, false);
  LLVMTypeRef to = vector_type(f->mc, op->shape);
  push_vector(f, op->is_signed ? LLVMBuildSIToFP(builder(f), v, to, "")
                               : LLVMBuildUIToFP(builder(f), v, to, ""));
}

static void lower_demote(lower_func_ctx *f) {
  LLVMValueRef v = pop_shape(f, SHAPE_F64X2);
  LLVMValueRef r =
      LLVMBuildFPTrunc(builder(f), v, vector_like(v, f->mc->t_f32), "");
  push_vector(f, pad_with_zeros(f, r));
}

static void lower_promote(lower_func_ctx *f) {
  LLVMValueRef low = half_of(f, pop_shape(f, SHAPE_F32X4), false);
  push_vector(
      f, LLVMBuildFPExt(builder(f), low, vector_like(low, f->mc->t_f64), ""));
}

/* ---- Dispatch ------------------------------------------------------------ */

/* The instructions with a shape of their own. */
static bool lower_special(lower_func_ctx *f, const wasm_instr *in) {
  switch (in->op) {
  case WASM_OP_V128_LOAD:
    /* Pushed as the load itself, so a dropped one still traps (see
     * lower_keep_dropped_load). */
    lower_push(f, load_unaligned(f, f->mc->t_v128, in));
    return true;
  case WASM_OP_V128_STORE: {
    LLVMValueRef v = lower_pop(f);
    store_unaligned(f, v, in);
    return true;
  }
  case WASM_OP_V128_CONST:
    lower_const(f, in);
    return true;
  case WASM_OP_I8X16_SHUFFLE:
    lower_shuffle(f, in);
    return true;
  case WASM_OP_I8X16_SWIZZLE:
    lower_swizzle(f);
    return true;
  case WASM_OP_V128_NOT:
    lower_not(f);
    return true;
  case WASM_OP_V128_ANDNOT:
    lower_andnot(f);
    return true;
  case WASM_OP_V128_BITSELECT:
    lower_bitselect(f);
    return true;
  case WASM_OP_V128_ANY_TRUE:
    lower_any_true(f);
    return true;
  case WASM_OP_I32X4_DOT_I16X8_S:
    lower_dot(f);
    return true;
  case WASM_OP_I16X8_Q15MULR_SAT_S:
    lower_q15mulr_sat(f);
    return true;
  case WASM_OP_F32X4_DEMOTE_F64X2_ZERO:
    lower_demote(f);
    return true;
  case WASM_OP_F64X2_PROMOTE_LOW_F32X4:
    lower_promote(f);
    return true;
  default:
    return wasm_error_set(f->mc->err, in->offset,
                          "%s: not supported by the code generator",
                          wasm_op_name(in->op));
  }
}

/* Each family's dispatcher returns false for forms not its own. */
static bool lower_memory_form(lower_func_ctx *f, const wasm_instr *in,
                              const simd_op *op) {
  switch (op->form) {
  case FORM_LOAD_SPLAT:
    lower_load_splat(f, in, op->shape);
    return true;
  case FORM_LOAD_EXTEND:
    lower_load_extend(f, in, op);
    return true;
  case FORM_LOAD_ZERO:
    lower_load_zero(f, in, op->shape);
    return true;
  case FORM_LOAD_LANE:
    lower_load_lane(f, in, op->shape);
    return true;
  case FORM_STORE_LANE:
    lower_store_lane(f, in, op->shape);
    return true;
  default:
    return false;
  }
}

static bool lower_lane_form(lower_func_ctx *f, const wasm_instr *in,
                            const simd_op *op) {
  switch (op->form) {
  case FORM_SPLAT:
    lower_splat(f, op->shape);
    return true;
  case FORM_EXTRACT_LANE:
    lower_extract_lane(f, in, op);
    return true;
  case FORM_REPLACE_LANE:
    lower_replace_lane(f, in, op->shape);
    return true;
  default:
    return false;
  }
}

static bool lower_int_form(lower_func_ctx *f, const simd_op *op) {
  switch (op->form) {
  case FORM_INT_BINARY:
    lower_int_binary(f, op);
    return true;
  case FORM_INT_COMPARE:
    lower_int_compare(f, op);
    return true;
  case FORM_INT_ABS:
    lower_int_abs(f, op->shape);
    return true;
  case FORM_INT_NEG:
    lower_int_neg(f, op->shape);
    return true;
  case FORM_SHIFT:
    lower_shift(f, op);
    return true;
  case FORM_ALL_TRUE:
    lower_all_true(f, op->shape);
    return true;
  case FORM_BITMASK:
    lower_bitmask(f, op->shape);
    return true;
  case FORM_AVGR_U:
    lower_avgr_u(f, op->shape);
    return true;
  default:
    return false;
  }
}

static bool lower_widening_form(lower_func_ctx *f, const simd_op *op) {
  switch (op->form) {
  case FORM_EXTEND:
    lower_extend(f, op);
    return true;
  case FORM_EXTMUL:
    lower_extmul(f, op);
    return true;
  case FORM_EXTADD_PAIRWISE:
    lower_extadd_pairwise(f, op);
    return true;
  case FORM_NARROW:
    lower_narrow(f, op);
    return true;
  default:
    return false;
  }
}

static bool lower_float_form(lower_func_ctx *f, const simd_op *op) {
  switch (op->form) {
  case FORM_FLOAT_BINARY:
    lower_float_binary(f, op);
    return true;
  case FORM_FLOAT_COMPARE:
    lower_float_compare(f, op);
    return true;
  case FORM_FLOAT_NEG:
    lower_float_neg(f, op->shape);
    return true;
  case FORM_FLOAT_MIN_MAX:
    lower_float_min_max(f, op);
    return true;
  case FORM_PMIN:
  case FORM_PMAX:
    lower_pseudo_min_max(f, op);
    return true;
  case FORM_TRUNC_SAT:
    lower_trunc_sat(f, op);
    return true;
  case FORM_CONVERT:
    lower_convert(f, op);
    return true;
  default:
    return false;
  }
}

/* Intrinsics that take and give one shape, integer or float. */
static bool lower_intrinsic_form(lower_func_ctx *f, const simd_op *op) {
  switch (op->form) {
  case FORM_UNARY_INTRINSIC:
    lower_unary_intrinsic(f, op);
    return true;
  case FORM_BINARY_INTRINSIC:
    lower_binary_intrinsic(f, op);
    return true;
  default:
    return false;
  }
}

/* Relaxed SIMD: where the spec allows several results, wasmaot gives
 * the deterministic one, the same on x86-64 and aarch64: the 2.0
 * instruction's (swizzle, trunc_sat, bitselect, min/max with NaN
 * propagation, q15mulr_sat), so these are aliases. madd/nmadd and the
 * dot products are lower_relaxed_*. */
static wasm_opcode relaxed_alias(wasm_opcode op) {
  switch (op) {
  case WASM_OP_I8X16_RELAXED_SWIZZLE:
    return WASM_OP_I8X16_SWIZZLE;
  case WASM_OP_I32X4_RELAXED_TRUNC_F32X4_S:
    return WASM_OP_I32X4_TRUNC_SAT_F32X4_S;
  case WASM_OP_I32X4_RELAXED_TRUNC_F32X4_U:
    return WASM_OP_I32X4_TRUNC_SAT_F32X4_U;
  case WASM_OP_I32X4_RELAXED_TRUNC_F64X2_S_ZERO:
    return WASM_OP_I32X4_TRUNC_SAT_F64X2_S_ZERO;
  case WASM_OP_I32X4_RELAXED_TRUNC_F64X2_U_ZERO:
    return WASM_OP_I32X4_TRUNC_SAT_F64X2_U_ZERO;
  case WASM_OP_I8X16_RELAXED_LANESELECT:
  case WASM_OP_I16X8_RELAXED_LANESELECT:
  case WASM_OP_I32X4_RELAXED_LANESELECT:
  case WASM_OP_I64X2_RELAXED_LANESELECT:
    return WASM_OP_V128_BITSELECT;
  case WASM_OP_F32X4_RELAXED_MIN:
    return WASM_OP_F32X4_MIN;
  case WASM_OP_F32X4_RELAXED_MAX:
    return WASM_OP_F32X4_MAX;
  case WASM_OP_F64X2_RELAXED_MIN:
    return WASM_OP_F64X2_MIN;
  case WASM_OP_F64X2_RELAXED_MAX:
    return WASM_OP_F64X2_MAX;
  case WASM_OP_I16X8_RELAXED_Q15MULR_S:
    return WASM_OP_I16X8_Q15MULR_SAT_S;
  default:
    return op;
  }
}

/* a * b + c (madd) or -(a * b) + c (nmadd), rounded twice: no fusion,
 * so both targets agree whether or not they have FMA. */
static void lower_relaxed_madd(lower_func_ctx *f, simd_shape s, bool negate) {
  LLVMBuilderRef b = builder(f);
  LLVMValueRef c = pop_shape(f, s), y = pop_shape(f, s), x = pop_shape(f, s);
  LLVMValueRef p = LLVMBuildFMul(b, x, y, "");
  if (negate)
    p = LLVMBuildFNeg(b, p, "");
  push_vector(f, LLVMBuildFAdd(b, p, c, ""));
}

/* Both operands' bytes signed (the i7 range makes the choice invisible
 * for the other operand's top bit), products summed in pairs, wrapping
 * in 16 bits. */
static void lower_relaxed_dot(lower_func_ctx *f) {
  LLVMValueRef rhs = pop_shape(f, SHAPE_I8X16), lhs = pop_shape(f, SHAPE_I8X16);
  LLVMValueRef a = extend(f, lhs, f->mc->t_i16, true);
  LLVMValueRef b = extend(f, rhs, f->mc->t_i16, true);
  push_vector(f, add_pairs(f, LLVMBuildMul(builder(f), a, b, "")));
}

/* The four signed products of each 32-bit lane summed exactly in 32
 * bits, plus the accumulator. */
static void lower_relaxed_dot_add(lower_func_ctx *f) {
  LLVMValueRef acc = pop_shape(f, SHAPE_I32X4);
  LLVMValueRef rhs = pop_shape(f, SHAPE_I8X16), lhs = pop_shape(f, SHAPE_I8X16);
  LLVMValueRef a = extend(f, lhs, f->mc->t_i32, true);
  LLVMValueRef b = extend(f, rhs, f->mc->t_i32, true);
  LLVMValueRef sums =
      add_pairs(f, add_pairs(f, LLVMBuildMul(builder(f), a, b, "")));
  push_vector(f, LLVMBuildAdd(builder(f), sums, acc, ""));
}

static bool lower_relaxed(lower_func_ctx *f, const wasm_instr *in) {
  switch (in->op) {
  case WASM_OP_F32X4_RELAXED_MADD:
  case WASM_OP_F32X4_RELAXED_NMADD:
    lower_relaxed_madd(f, SHAPE_F32X4, in->op == WASM_OP_F32X4_RELAXED_NMADD);
    return true;
  case WASM_OP_F64X2_RELAXED_MADD:
  case WASM_OP_F64X2_RELAXED_NMADD:
    lower_relaxed_madd(f, SHAPE_F64X2, in->op == WASM_OP_F64X2_RELAXED_NMADD);
    return true;
  case WASM_OP_I16X8_RELAXED_DOT_I8X16_I7X16_S:
    lower_relaxed_dot(f);
    return true;
  case WASM_OP_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S:
    lower_relaxed_dot_add(f);
    return true;
  default:
    return false;
  }
}

bool lower_simd(lower_func_ctx *f, const wasm_instr *in) {
  wasm_instr alias;
  if (relaxed_alias(in->op) != in->op) {
    alias = *in;
    alias.op = relaxed_alias(in->op);
    in = &alias;
  }
  if (lower_relaxed(f, in))
    return true;
  const simd_op *op = &simd_ops[in->op];
  if (op->form == FORM_NONE)
    return lower_special(f, in);
  return lower_memory_form(f, in, op) || lower_lane_form(f, in, op) ||
         lower_int_form(f, op) || lower_widening_form(f, op) ||
         lower_float_form(f, op) || lower_intrinsic_form(f, op);
}
