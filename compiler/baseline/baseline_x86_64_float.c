/* The x86-64 baseline generator: float instructions. Operands travel as
 * their bits (locals, globals, select, reinterpretations need nothing
 * else) until arithmetic needs them in an xmm register, where its result
 * stays; xmm0 and xmm1 are the scratch registers. */

#include <string.h>

#include "baseline_x86_64.h"

static uint64_t f64_bits(double d) {
  uint64_t b;
  memcpy(&b, &d, sizeof b);
  return b;
}

static uint32_t f32_bits(float v) {
  uint32_t b;
  memcpy(&b, &v, sizeof b);
  return b;
}

/* xmm <- a constant float (through rax). */
static void xmm_const(bl_func *f, int xmm, bool f64, double v) {
  x_mov_imm(f->code, X_RAX, f64 ? f64_bits(v) : f32_bits((float)v));
  x_sse_rr(f->code, 0x66, f64, 0x6E, xmm, X_RAX);
}

/* ucomiss / ucomisd a, b. */
static void ucomis(bl_func *f, bool f64, int a, int b) {
  x_sse_rr(f->code, f64 ? 0x66 : 0, false, 0x2E, a, b);
}

static void lower_float_binary(bl_func *f, bool f64, uint8_t op) {
  uint32_t b = f->sp - 1, a = f->sp - 2;
  int dst = own_xmm(f, a) >= 0 ? own_xmm(f, a) : 0;
  int rb = value_reg(f, b);
  x_mem m;
  if (dst == 0)
    bl_load_xmm(f, 0, a);
  if (rb >= XREG) {
    x_sse_rr(f->code, scalar_prefix(f64), false, op, dst, rb - XREG);
  } else if (bl_value_mem(f, b, &m)) {
    x_sse_rm(f->code, scalar_prefix(f64), false, op, dst, m);
  } else {
    bl_load_xmm(f, 1, b);
    x_sse_rr(f->code, scalar_prefix(f64), false, op, dst, 1);
  }
  f->sp -= 2;
  bl_push_xmm(f, dst, f64);
}

/* min and max: NaN if either is (a + b keeps a quiet payload), -0 below
 * +0, minss / maxss otherwise. */
static void lower_min_max(bl_func *f, bool f64, bool is_max) {
  bytebuf *c = f->code;
  bl_pop_xmm(f, 1);
  bl_pop_xmm(f, 0);
  int nan = bl_new_label(f), differ = bl_new_label(f), done = bl_new_label(f);
  ucomis(f, f64, 0, 1);
  bl_jcc_to(f, XC_P, nan);
  bl_jcc_to(f, XC_NE, differ);
  x_sse_rr(c, 0, false, is_max ? 0x54 : 0x56, 0, 1); /* andps / orps */
  bl_jmp_to(f, done);
  bl_bind_label(f, nan);
  x_sse_rr(c, scalar_prefix(f64), false, 0x58, 0, 1);
  bl_jmp_to(f, done);
  bl_bind_label(f, differ);
  x_sse_rr(c, scalar_prefix(f64), false, is_max ? 0x5F : 0x5D, 0, 1);
  bl_bind_label(f, done);
  bl_push_xmm(f, 0, f64);
}

/* abs, neg, copysign on the bits. */
static void lower_sign(bl_func *f, wasm_opcode op, bool f64) {
  bytebuf *c = f->code;
  uint64_t sign = f64 ? UINT64_C(1) << 63 : UINT64_C(1) << 31;
  bool copysign = op == WASM_OP_F32_COPYSIGN || op == WASM_OP_F64_COPYSIGN;
  if (copysign)
    bl_pop_into(f, X_RDX);
  bl_pop_into(f, X_RAX);
  if (op == WASM_OP_F32_NEG || op == WASM_OP_F64_NEG) {
    x_mov_imm(c, X_RCX, sign);
    x_alu_rr(c, XA_XOR, f64, X_RAX, X_RCX);
  } else {
    x_mov_imm(c, X_RCX, f64 ? ~sign : (uint32_t)~sign);
    x_alu_rr(c, XA_AND, f64, X_RAX, X_RCX);
    if (copysign) {
      x_mov_imm(c, X_RCX, sign);
      x_alu_rr(c, XA_AND, f64, X_RDX, X_RCX);
      x_alu_rr(c, XA_OR, f64, X_RAX, X_RDX);
    }
  }
  bl_push_reg(f, X_RAX, f64);
}

static void lower_float_compare(bl_func *f, wasm_opcode op, bool f64) {
  bytebuf *c = f->code;
  bl_pop_xmm(f, 1);
  bl_pop_xmm(f, 0);
  int k = f64 ? (int)(op - WASM_OP_F64_EQ) : (int)(op - WASM_OP_F32_EQ);
  /* eq ne lt gt le ge; unordered compares set ZF, PF and CF. */
  if (k <= 1) {
    ucomis(f, f64, 0, 1);
    x_setcc(c, k == 0 ? XC_E : XC_NE, X_RAX);
    x_setcc(c, k == 0 ? XC_NP : XC_P, X_RCX);
    x_movzx8(c, X_RAX, X_RAX);
    x_movzx8(c, X_RCX, X_RCX);
    x_alu_rr(c, k == 0 ? XA_AND : XA_OR, false, X_RAX, X_RCX);
  } else {
    bool swap = k == 2 || k == 4; /* a < b is b > a */
    ucomis(f, f64, swap ? 1 : 0, swap ? 0 : 1);
    x_setcc(c, k <= 3 ? XC_A : XC_AE, X_RAX);
    x_movzx8(c, X_RAX, X_RAX);
  }
  bl_push_reg(f, X_RAX, false);
}

static void lower_convert(bl_func *f, bool to64, bool from64, bool is_signed) {
  bytebuf *c = f->code;
  uint8_t p = scalar_prefix(to64);
  bl_pop_into(f, X_RAX); /* an i32 zero-extends into rax */
  if (!from64 || is_signed) {
    x_sse_rr(c, p, from64 || !is_signed, 0x2A, 0, X_RAX);
    bl_push_xmm(f, 0, to64);
    return;
  }
  /* u64: halve values with the top bit set (keeping the low bit, so the
   * rounding is right), convert, double. */
  int big = bl_new_label(f), done = bl_new_label(f);
  x_test_rr(c, true, X_RAX, X_RAX);
  bl_add_fixup(f, x_jcc_rel32(c, (x_cond)8 /* S */), big, FIX_REL32, 0);
  x_sse_rr(c, p, true, 0x2A, 0, X_RAX);
  bl_jmp_to(f, done);
  bl_bind_label(f, big);
  x_mov_rr(c, true, X_RCX, X_RAX);
  x_shift_imm(c, XS_SHR, true, X_RCX, 1);
  x_alu_ri(c, XA_AND, false, X_RAX, 1);
  x_alu_rr(c, XA_OR, true, X_RCX, X_RAX);
  x_sse_rr(c, p, true, 0x2A, 0, X_RCX);
  x_sse_rr(c, p, false, 0x58, 0, 0);
  bl_bind_label(f, done);
  bl_push_xmm(f, 0, to64);
}

/* Float to integer: trapping (Wasm's trunc) or saturating (trunc_sat).
 * The valid inputs lie between `low` (exclusive unless low_inclusive) and
 * `high` (exclusive). */
static void lower_trunc(bl_func *f, bool from64, bool to64, bool is_signed,
                        bool saturating) {
  bytebuf *c = f->code;
  uint8_t p = scalar_prefix(from64);
  double high =
      to64 ? (is_signed ? 0x1p63 : 0x1p64) : (is_signed ? 0x1p31 : 0x1p32);
  bool low_inclusive = is_signed && (to64 || !from64);
  double low = !is_signed ? -1.0
               : to64     ? -0x1p63
               : from64   ? -0x1p31 - 1
                          : -0x1p31;
  bl_pop_xmm(f, 0);
  int nan = saturating ? bl_new_label(f)
                       : bl_trap_label(f, WASMAOT_TRAP_INVALID_CONVERSION);
  int under = saturating ? bl_new_label(f)
                         : bl_trap_label(f, WASMAOT_TRAP_INT_OVERFLOW);
  int over = saturating ? bl_new_label(f) : under;
  int done = bl_new_label(f);
  ucomis(f, from64, 0, 0);
  bl_jcc_to(f, XC_P, nan);
  xmm_const(f, 1, from64, low);
  ucomis(f, from64, 0, 1);
  bl_jcc_to(f, low_inclusive ? XC_B : XC_BE, under);
  xmm_const(f, 1, from64, high);
  ucomis(f, from64, 0, 1);
  bl_jcc_to(f, XC_AE, over);
  if (to64 && !is_signed) {
    /* At or above 2^63: convert x - 2^63 and set the top bit. */
    int big = bl_new_label(f);
    xmm_const(f, 1, from64, 0x1p63);
    ucomis(f, from64, 0, 1);
    bl_jcc_to(f, XC_AE, big);
    x_sse_rr(c, p, true, 0x2C, X_RAX, 0);
    bl_jmp_to(f, done);
    bl_bind_label(f, big);
    x_sse_rr(c, p, false, 0x5C, 0, 1);
    x_sse_rr(c, p, true, 0x2C, X_RAX, 0);
    x_mov_imm(c, X_RCX, UINT64_C(1) << 63);
    x_alu_rr(c, XA_XOR, true, X_RAX, X_RCX);
  } else {
    /* u32 through the 64-bit conversion: its range fits. */
    x_sse_rr(c, p, to64 || !is_signed, 0x2C, X_RAX, 0);
  }
  if (saturating) {
    uint64_t min = !is_signed ? 0
                   : to64     ? UINT64_C(1) << 63
                              : UINT32_C(1) << 31;
    uint64_t max = to64 ? (is_signed ? INT64_MAX : UINT64_MAX)
                        : (is_signed ? INT32_MAX : UINT32_MAX);
    bl_jmp_to(f, done);
    bl_bind_label(f, nan);
    x_mov_imm(c, X_RAX, 0);
    bl_jmp_to(f, done);
    bl_bind_label(f, under);
    x_mov_imm(c, X_RAX, min);
    bl_jmp_to(f, done);
    bl_bind_label(f, over);
    x_mov_imm(c, X_RAX, max);
  }
  bl_bind_label(f, done);
  bl_push_reg(f, X_RAX, to64);
}

bool bl_lower_float(bl_func *f, wasm_opcode op) {
  if (op >= WASM_OP_F32_EQ && op <= WASM_OP_F64_GE) {
    lower_float_compare(f, op, op >= WASM_OP_F64_EQ);
    return true;
  }
  if (op >= WASM_OP_F32_ABS && op <= WASM_OP_F64_COPYSIGN) {
    bool f64 = op >= WASM_OP_F64_ABS;
    int k = f64 ? (int)(op - WASM_OP_F64_ABS) : (int)(op - WASM_OP_F32_ABS);
    /* abs neg ceil floor trunc nearest sqrt add sub mul div min max
     * copysign */
    static const uint8_t modes[] = {2, 1, 3, 0};
    static const uint8_t arith[] = {0x58, 0x5C, 0x59, 0x5E};
    if (k <= 1 || k == 13) {
      lower_sign(f, op, f64);
    } else if (k <= 5) {
      bl_pop_xmm(f, 0);
      x_round(f->code, f64, 0, 0, modes[k - 2]);
      bl_push_xmm(f, 0, f64);
    } else if (k == 6) {
      bl_pop_xmm(f, 0);
      x_sse_rr(f->code, scalar_prefix(f64), false, 0x51, 0, 0);
      bl_push_xmm(f, 0, f64);
    } else if (k <= 10) {
      lower_float_binary(f, f64, arith[k - 7]);
    } else {
      lower_min_max(f, f64, k == 12);
    }
    return true;
  }
  switch (op) {
  case WASM_OP_I32_TRUNC_F32_S:
  case WASM_OP_I32_TRUNC_F32_U:
  case WASM_OP_I32_TRUNC_F64_S:
  case WASM_OP_I32_TRUNC_F64_U:
  case WASM_OP_I64_TRUNC_F32_S:
  case WASM_OP_I64_TRUNC_F32_U:
  case WASM_OP_I64_TRUNC_F64_S:
  case WASM_OP_I64_TRUNC_F64_U: {
    int k = (int)(op - WASM_OP_I32_TRUNC_F32_S);
    if (op >= WASM_OP_I64_TRUNC_F32_S)
      k = 4 + (int)(op - WASM_OP_I64_TRUNC_F32_S);
    lower_trunc(f, k & 2, k >= 4, !(k & 1), false);
    return true;
  }
  case WASM_OP_I32_TRUNC_SAT_F32_S:
  case WASM_OP_I32_TRUNC_SAT_F32_U:
  case WASM_OP_I32_TRUNC_SAT_F64_S:
  case WASM_OP_I32_TRUNC_SAT_F64_U:
  case WASM_OP_I64_TRUNC_SAT_F32_S:
  case WASM_OP_I64_TRUNC_SAT_F32_U:
  case WASM_OP_I64_TRUNC_SAT_F64_S:
  case WASM_OP_I64_TRUNC_SAT_F64_U: {
    int k = (int)(op - WASM_OP_I32_TRUNC_SAT_F32_S);
    lower_trunc(f, k & 2, k >= 4, !(k & 1), true);
    return true;
  }
  case WASM_OP_F32_CONVERT_I32_S:
  case WASM_OP_F32_CONVERT_I32_U:
  case WASM_OP_F32_CONVERT_I64_S:
  case WASM_OP_F32_CONVERT_I64_U:
    lower_convert(f, false, op >= WASM_OP_F32_CONVERT_I64_S,
                  op == WASM_OP_F32_CONVERT_I32_S ||
                      op == WASM_OP_F32_CONVERT_I64_S);
    return true;
  case WASM_OP_F64_CONVERT_I32_S:
  case WASM_OP_F64_CONVERT_I32_U:
  case WASM_OP_F64_CONVERT_I64_S:
  case WASM_OP_F64_CONVERT_I64_U:
    lower_convert(f, true, op >= WASM_OP_F64_CONVERT_I64_S,
                  op == WASM_OP_F64_CONVERT_I32_S ||
                      op == WASM_OP_F64_CONVERT_I64_S);
    return true;
  case WASM_OP_F32_DEMOTE_F64:
  case WASM_OP_F64_PROMOTE_F32: {
    bool to64 = op == WASM_OP_F64_PROMOTE_F32;
    bl_pop_xmm(f, 0);
    x_sse_rr(f->code, scalar_prefix(!to64), false, 0x5A, 0, 0);
    bl_push_xmm(f, 0, to64);
    return true;
  }
  case WASM_OP_I32_REINTERPRET_F32:
  case WASM_OP_I64_REINTERPRET_F64:
  case WASM_OP_F32_REINTERPRET_I32:
  case WASM_OP_F64_REINTERPRET_I64:
    return true; /* the same bits, the same width */
  default:
    return false;
  }
}
