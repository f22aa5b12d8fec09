/* The x86-64 baseline generator: integer instructions. */

#include "baseline_x86_64.h"

/* dst op= the top operand, dst holding the one below (loaded unless it
 * is already there); pops both. */
static void lower_alu(bl_func *f, x_alu op, bool w, int dst) {
  uint32_t b = f->sp - 1, a = f->sp - 2;
  if (value_reg(f, a) != dst)
    bl_load_value(f, dst, a);
  const bl_value *vb = &f->stack[b];
  int rb = value_reg(f, b);
  x_mem m;
  if (vb->kind == VK_CONST && (w ? fits_imm32(vb->c) : true))
    x_alu_ri(f->code, op, w, dst, (int32_t)vb->c);
  else if (rb >= 0 && rb < XREG)
    x_alu_rr(f->code, op, w, dst, rb);
  else if (bl_value_mem(f, b, &m))
    x_alu_rm(f->code, op, w, dst, m);
  else {
    bl_load_value(f, X_RCX, b);
    x_alu_rr(f->code, op, w, dst, X_RCX);
  }
  f->sp -= 2;
}

/* The register an operation's result goes to: the consumed operand's
 * own, else a free one of the pool (the operands on top keep theirs: a
 * spill takes the deepest). */
static int result_gpr(bl_func *f, uint32_t depth) {
  int r = own_gpr(f, depth);
  return r >= 0 ? r : bl_alloc_reg(f, false);
}

static void lower_binary_alu(bl_func *f, x_alu op, bool w) {
  int dst = result_gpr(f, f->sp - 2);
  lower_alu(f, op, w, dst);
  bl_push_reg(f, dst, w);
}

static void push_cond(bl_func *f, x_cond c) {
  bl_push_value(f, (bl_value){.kind = VK_COND, .c = c});
}

static void lower_compare(bl_func *f, x_cond c, bool w) {
  int a = value_reg(f, f->sp - 2);
  lower_alu(f, XA_CMP, w, a >= 0 && a < XREG ? a : X_RAX);
  push_cond(f, c);
}

static void lower_eqz(bl_func *f, bool w) {
  int r = value_reg(f, f->sp - 1);
  if (r < 0 || r >= XREG) {
    bl_load_value(f, X_RAX, f->sp - 1);
    r = X_RAX;
  }
  f->sp--;
  x_test_rr(f->code, w, r, r);
  push_cond(f, XC_E);
}

/* The top operand, a VK_COND, as 0 or 1 in a register; setcc needs a
 * byte register, so through rax (a spill for the register does not touch
 * the flags). */
void bl_cond_to_reg(bl_func *f) {
  x_cond c = (x_cond)f->stack[f->sp - 1].c;
  f->sp--;
  int r = bl_alloc_reg(f, false);
  x_setcc(f->code, c, X_RAX);
  x_movzx8(f->code, r, X_RAX);
  bl_push_reg(f, r, false);
}

/* Pops a branch condition: the flags' condition under which it is
 * true, after the test that sets them when it was a value. */
x_cond bl_pop_condition(bl_func *f) {
  const bl_value *v = &f->stack[f->sp - 1];
  if (v->kind == VK_COND) {
    f->sp--;
    return (x_cond)v->c;
  }
  int r = value_reg(f, f->sp - 1);
  if (r < 0 || r >= XREG) {
    bl_load_value(f, X_RAX, f->sp - 1);
    r = X_RAX;
  }
  f->sp--;
  x_test_rr(f->code, false, r, r);
  return XC_NE;
}

static void lower_mul(bl_func *f, bool w) {
  uint32_t b = f->sp - 1, a = f->sp - 2;
  int dst = result_gpr(f, a);
  if (own_gpr(f, a) != dst)
    bl_load_value(f, dst, a);
  int rb = value_reg(f, b);
  if (rb < 0 || rb >= XREG) {
    bl_load_value(f, X_RCX, b);
    rb = X_RCX;
  }
  x_imul_rr(f->code, w, dst, rb);
  f->sp -= 2;
  bl_push_reg(f, dst, w);
}

static void lower_shift(bl_func *f, x_shift op, bool w) {
  const bl_value *vb = &f->stack[f->sp - 1];
  if (vb->kind == VK_CONST) {
    uint8_t n = (uint8_t)(vb->c & (w ? 63 : 31));
    f->sp--;
    bl_pop_into(f, X_RAX);
    if (n)
      x_shift_imm(f->code, op, w, X_RAX, n);
  } else {
    bl_pop_into(f, X_RCX);
    bl_pop_into(f, X_RAX);
    x_shift_cl(f->code, op, w, X_RAX);
  }
  bl_push_reg(f, X_RAX, w);
}

/* x86 traps (#DE) on a zero divisor and on MIN / -1; Wasm traps on the
 * first, on MIN / -1 for div_s, and defines MIN rem_s -1 as 0. */
static void lower_div(bl_func *f, bool w, bool is_signed, bool rem) {
  bytebuf *c = f->code;
  bl_pop_into(f, X_RCX);
  bl_pop_into(f, X_RAX);
  x_test_rr(c, w, X_RCX, X_RCX);
  bl_jcc_to(f, XC_E, bl_trap_label(f, WASMAOT_TRAP_INT_DIV_BY_ZERO));
  int done = bl_new_label(f);
  if (is_signed) {
    int divide = bl_new_label(f);
    x_alu_ri(c, XA_CMP, w, X_RCX, -1);
    bl_jcc_to(f, XC_NE, divide);
    if (rem) {
      x_alu_rr(c, XA_XOR, false, X_RDX, X_RDX);
      bl_jmp_to(f, done);
    } else {
      if (w) {
        x_mov_imm(c, X_RDX, UINT64_C(1) << 63);
        x_alu_rr(c, XA_CMP, true, X_RAX, X_RDX);
      } else {
        x_alu_ri(c, XA_CMP, false, X_RAX, INT32_MIN);
      }
      bl_jcc_to(f, XC_E, bl_trap_label(f, WASMAOT_TRAP_INT_OVERFLOW));
    }
    bl_bind_label(f, divide);
    x_sign_extend_rdx(c, w);
  } else {
    x_alu_rr(c, XA_XOR, false, X_RDX, X_RDX);
  }
  x_div(c, w, is_signed, X_RCX);
  bl_bind_label(f, done);
  bl_push_reg(f, rem ? X_RDX : X_RAX, w);
}

/* clz and ctz through bsr / bsf, which leave their destination undefined
 * for 0 (lzcnt and tzcnt are not in every x86-64). */
static void lower_bit_count(bl_func *f, wasm_opcode op, bool w) {
  bytebuf *c = f->code;
  bl_pop_into(f, X_RCX);
  bool clz = op == WASM_OP_I32_CLZ || op == WASM_OP_I64_CLZ;
  bool ctz = op == WASM_OP_I32_CTZ || op == WASM_OP_I64_CTZ;
  if (clz || ctz) {
    int zero = bl_new_label(f);
    x_mov_imm(c, X_RAX, w ? 64 : 32);
    x_test_rr(c, w, X_RCX, X_RCX);
    bl_jcc_to(f, XC_E, zero);
    if (clz) {
      x_bsr(c, w, X_RAX, X_RCX);
      x_alu_ri(c, XA_XOR, false, X_RAX, w ? 63 : 31);
    } else {
      x_bsf(c, w, X_RAX, X_RCX);
    }
    bl_bind_label(f, zero);
  } else {
    x_popcnt(c, w, X_RAX, X_RCX);
  }
  bl_push_reg(f, X_RAX, w);
}

static void lower_extend(bl_func *f, wasm_opcode op) {
  bl_pop_into(f, X_RAX);
  bool w = op != WASM_OP_I32_EXTEND8_S && op != WASM_OP_I32_EXTEND16_S &&
           op != WASM_OP_I32_WRAP_I64;
  switch (op) {
  case WASM_OP_I32_EXTEND8_S:
  case WASM_OP_I64_EXTEND8_S:
    x_movsx_rr(f->code, w, X_RAX, X_RAX, 1);
    break;
  case WASM_OP_I32_EXTEND16_S:
  case WASM_OP_I64_EXTEND16_S:
    x_movsx_rr(f->code, w, X_RAX, X_RAX, 2);
    break;
  case WASM_OP_I64_EXTEND32_S:
  case WASM_OP_I64_EXTEND_I32_S:
    x_movsx_rr(f->code, true, X_RAX, X_RAX, 4);
    break;
  case WASM_OP_I64_EXTEND_I32_U:
    x_mov_rr(f->code, false, X_RAX, X_RAX); /* clears the upper half */
    break;
  default: /* wrap: the low half is the value */
    break;
  }
  bl_push_reg(f, X_RAX, w);
}

bool bl_lower_numeric(bl_func *f, wasm_opcode op) {
  static const x_cond conds[] = {XC_E, XC_NE, XC_L,  XC_B,  XC_G,
                                 XC_A, XC_LE, XC_BE, XC_GE, XC_AE};
  if (op == WASM_OP_I32_EQZ || op == WASM_OP_I64_EQZ) {
    lower_eqz(f, op == WASM_OP_I64_EQZ);
    return true;
  }
  if (op >= WASM_OP_I32_EQ && op <= WASM_OP_I32_GE_U) {
    lower_compare(f, conds[op - WASM_OP_I32_EQ], false);
    return true;
  }
  if (op >= WASM_OP_I64_EQ && op <= WASM_OP_I64_GE_U) {
    lower_compare(f, conds[op - WASM_OP_I64_EQ], true);
    return true;
  }
  bool w = op >= WASM_OP_I64_CLZ && op <= WASM_OP_I64_ROTR;
  int k = w ? (int)(op - WASM_OP_I64_CLZ) : (int)(op - WASM_OP_I32_CLZ);
  if (op >= WASM_OP_I32_CLZ && op <= WASM_OP_I64_ROTR) {
    /* clz ctz popcnt add sub mul div_s div_u rem_s rem_u and or xor shl
     * shr_s shr_u rotl rotr, in both widths */
    switch (k) {
    case 0:
    case 1:
    case 2:
      lower_bit_count(f, op, w);
      return true;
    case 3:
      lower_binary_alu(f, XA_ADD, w);
      return true;
    case 4:
      lower_binary_alu(f, XA_SUB, w);
      return true;
    case 5:
      lower_mul(f, w);
      return true;
    case 6:
    case 7:
    case 8:
    case 9:
      lower_div(f, w, k == 6 || k == 8, k >= 8);
      return true;
    case 10:
      lower_binary_alu(f, XA_AND, w);
      return true;
    case 11:
      lower_binary_alu(f, XA_OR, w);
      return true;
    case 12:
      lower_binary_alu(f, XA_XOR, w);
      return true;
    case 13:
      lower_shift(f, XS_SHL, w);
      return true;
    case 14:
      lower_shift(f, XS_SAR, w);
      return true;
    case 15:
      lower_shift(f, XS_SHR, w);
      return true;
    case 16:
      lower_shift(f, XS_ROL, w);
      return true;
    case 17:
      lower_shift(f, XS_ROR, w);
      return true;
    }
  }
  if (!baseline_is_int_conversion(op))
    return false;
  lower_extend(f, op);
  return true;
}
