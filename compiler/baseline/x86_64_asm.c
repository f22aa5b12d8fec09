#include "x86_64_asm.h"

#include <string.h>

enum { NO_PREFIX = -1 };

static void put(bytebuf *b, uint8_t byte) {
  bytebuf_append_byte(b, byte);
}

static void put32(bytebuf *b, uint32_t v) {
  uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                   (uint8_t)(v >> 24)};
  bytebuf_append(b, le, 4);
}

static void put_rex(bytebuf *b, bool w, int reg, int index, int base) {
  uint8_t rex = (uint8_t)(0x40 | (w ? 8 : 0) | (reg >= 8 ? 4 : 0) |
                          (index >= 8 ? 2 : 0) | (base >= 8 ? 1 : 0));
  if (rex != 0x40)
    put(b, rex);
}

static void put_opcode(bytebuf *b, const uint8_t *op, int oplen) {
  bytebuf_append(b, op, (size_t)oplen);
}

/* ModRM (and SIB, displacement) for reg and [m]. */
static void put_modrm_mem(bytebuf *b, int reg, x_mem m) {
  int base = m.base & 7;
  bool sib = m.index != X_NONE || base == 4;
  int mod = (m.disp == 0 && base != 5)          ? 0
            : (m.disp >= -128 && m.disp <= 127) ? 1
                                                : 2;
  put(b, (uint8_t)(mod << 6 | (reg & 7) << 3 | (sib ? 4 : base)));
  if (sib) {
    int scale = m.scale == 8 ? 3 : m.scale == 4 ? 2 : 0;
    int index = m.index == X_NONE ? 4 : (m.index & 7);
    put(b, (uint8_t)(scale << 6 | index << 3 | base));
  }
  if (mod == 1)
    put(b, (uint8_t)(int8_t)m.disp);
  else if (mod == 2)
    put32(b, (uint32_t)m.disp);
}

static void op_mem(bytebuf *b, int prefix, bool w, const uint8_t *op, int oplen,
                   int reg, x_mem m) {
  if (prefix != NO_PREFIX)
    put(b, (uint8_t)prefix);
  put_rex(b, w, reg, m.index == X_NONE ? 0 : m.index, m.base);
  put_opcode(b, op, oplen);
  put_modrm_mem(b, reg, m);
}

static void op_rr(bytebuf *b, int prefix, bool w, const uint8_t *op, int oplen,
                  int reg, int rm) {
  if (prefix != NO_PREFIX)
    put(b, (uint8_t)prefix);
  put_rex(b, w, reg, 0, rm);
  put_opcode(b, op, oplen);
  put(b, (uint8_t)(0xC0 | (reg & 7) << 3 | (rm & 7)));
}

void x_load(bytebuf *b, int reg, x_mem m, unsigned bytes) {
  static const uint8_t movzx8[] = {0x0F, 0xB6}, movzx16[] = {0x0F, 0xB7},
                       mov[] = {0x8B};
  if (bytes == 1)
    op_mem(b, NO_PREFIX, false, movzx8, 2, reg, m);
  else if (bytes == 2)
    op_mem(b, NO_PREFIX, false, movzx16, 2, reg, m);
  else
    op_mem(b, NO_PREFIX, bytes == 8, mov, 1, reg, m);
}

void x_load_signed(bytebuf *b, bool w, int reg, x_mem m, unsigned bytes) {
  static const uint8_t movsx8[] = {0x0F, 0xBE}, movsx16[] = {0x0F, 0xBF},
                       movsxd[] = {0x63};
  if (bytes == 1)
    op_mem(b, NO_PREFIX, w, movsx8, 2, reg, m);
  else if (bytes == 2)
    op_mem(b, NO_PREFIX, w, movsx16, 2, reg, m);
  else
    op_mem(b, NO_PREFIX, true, movsxd, 1, reg, m);
}

void x_store(bytebuf *b, x_mem m, int reg, unsigned bytes) {
  static const uint8_t mov8[] = {0x88}, mov[] = {0x89};
  if (bytes == 1)
    op_mem(b, NO_PREFIX, false, mov8, 1, reg, m);
  else if (bytes == 2)
    op_mem(b, 0x66, false, mov, 1, reg, m);
  else
    op_mem(b, NO_PREFIX, bytes == 8, mov, 1, reg, m);
}

void x_store_imm(bytebuf *b, x_mem m, int32_t imm) {
  static const uint8_t op[] = {0xC7};
  op_mem(b, NO_PREFIX, true, op, 1, 0, m);
  put32(b, (uint32_t)imm);
}

void x_lea(bytebuf *b, int reg, x_mem m) {
  static const uint8_t op[] = {0x8D};
  op_mem(b, NO_PREFIX, true, op, 1, reg, m);
}

void x_mov_rr(bytebuf *b, bool w, int dst, int src) {
  static const uint8_t op[] = {0x8B};
  op_rr(b, NO_PREFIX, w, op, 1, dst, src);
}

void x_mov_imm(bytebuf *b, int reg, uint64_t imm) {
  if (imm <= UINT32_MAX) { /* mov r32, imm32 zero-extends */
    put_rex(b, false, 0, 0, reg);
    put(b, (uint8_t)(0xB8 + (reg & 7)));
    put32(b, (uint32_t)imm);
  } else if ((int64_t)imm >= INT32_MIN && (int64_t)imm < 0) {
    static const uint8_t op[] = {0xC7}; /* sign-extended imm32 */
    op_rr(b, NO_PREFIX, true, op, 1, 0, reg);
    put32(b, (uint32_t)imm);
  } else {
    put_rex(b, true, 0, 0, reg);
    put(b, (uint8_t)(0xB8 + (reg & 7)));
    put32(b, (uint32_t)imm);
    put32(b, (uint32_t)(imm >> 32));
  }
}

void x_alu_rr(bytebuf *b, x_alu op, bool w, int dst, int src) {
  uint8_t code = (uint8_t)(op << 3 | 1); /* op r/m, reg */
  op_rr(b, NO_PREFIX, w, &code, 1, src, dst);
}

void x_alu_rm(bytebuf *b, x_alu op, bool w, int dst, x_mem m) {
  uint8_t code = (uint8_t)(op << 3 | 3); /* op reg, r/m */
  op_mem(b, NO_PREFIX, w, &code, 1, dst, m);
}

void x_alu_ri(bytebuf *b, x_alu op, bool w, int dst, int32_t imm) {
  bool small = imm >= -128 && imm <= 127;
  uint8_t code = small ? 0x83 : 0x81;
  op_rr(b, NO_PREFIX, w, &code, 1, op, dst);
  if (small)
    put(b, (uint8_t)(int8_t)imm);
  else
    put32(b, (uint32_t)imm);
}

void x_alu_mi8(bytebuf *b, x_alu op, x_mem m, int8_t imm) {
  static const uint8_t code[] = {0x83};
  op_mem(b, NO_PREFIX, true, code, 1, op, m);
  put(b, (uint8_t)imm);
}

void x_imul_rr(bytebuf *b, bool w, int dst, int src) {
  static const uint8_t op[] = {0x0F, 0xAF};
  op_rr(b, NO_PREFIX, w, op, 2, dst, src);
}

void x_shift_cl(bytebuf *b, x_shift op, bool w, int reg) {
  static const uint8_t code[] = {0xD3};
  op_rr(b, NO_PREFIX, w, code, 1, op, reg);
}

void x_shift_imm(bytebuf *b, x_shift op, bool w, int reg, uint8_t n) {
  static const uint8_t code[] = {0xC1};
  op_rr(b, NO_PREFIX, w, code, 1, op, reg);
  put(b, n);
}

void x_test_rr(bytebuf *b, bool w, int a, int c) {
  static const uint8_t op[] = {0x85};
  op_rr(b, NO_PREFIX, w, op, 1, c, a);
}

void x_sign_extend_rdx(bytebuf *b, bool w) {
  if (w)
    put(b, 0x48);
  put(b, 0x99);
}

void x_div(bytebuf *b, bool w, bool signed_div, int reg) {
  static const uint8_t op[] = {0xF7};
  op_rr(b, NO_PREFIX, w, op, 1, signed_div ? 7 : 6, reg);
}

void x_setcc(bytebuf *b, x_cond c, int reg8) {
  uint8_t op[] = {0x0F, (uint8_t)(0x90 | c)};
  op_rr(b, NO_PREFIX, false, op, 2, 0, reg8);
}

void x_movzx8(bytebuf *b, int dst, int src) {
  static const uint8_t op[] = {0x0F, 0xB6};
  op_rr(b, NO_PREFIX, false, op, 2, dst, src);
}

void x_movsx_rr(bytebuf *b, bool w, int dst, int src, unsigned bytes) {
  static const uint8_t movsx8[] = {0x0F, 0xBE}, movsx16[] = {0x0F, 0xBF},
                       movsxd[] = {0x63};
  if (bytes == 1)
    op_rr(b, NO_PREFIX, w, movsx8, 2, dst, src);
  else if (bytes == 2)
    op_rr(b, NO_PREFIX, w, movsx16, 2, dst, src);
  else
    op_rr(b, NO_PREFIX, true, movsxd, 1, dst, src);
}

void x_cmov(bytebuf *b, x_cond c, bool w, int dst, int src) {
  uint8_t op[] = {0x0F, (uint8_t)(0x40 | c)};
  op_rr(b, NO_PREFIX, w, op, 2, dst, src);
}

void x_bsr(bytebuf *b, bool w, int dst, int src) {
  static const uint8_t op[] = {0x0F, 0xBD};
  op_rr(b, NO_PREFIX, w, op, 2, dst, src);
}

void x_bsf(bytebuf *b, bool w, int dst, int src) {
  static const uint8_t op[] = {0x0F, 0xBC};
  op_rr(b, NO_PREFIX, w, op, 2, dst, src);
}

void x_popcnt(bytebuf *b, bool w, int dst, int src) {
  static const uint8_t op[] = {0x0F, 0xB8};
  op_rr(b, 0xF3, w, op, 2, dst, src);
}

void x_push(bytebuf *b, int reg) {
  put_rex(b, false, 0, 0, reg);
  put(b, (uint8_t)(0x50 + (reg & 7)));
}

void x_pop(bytebuf *b, int reg) {
  put_rex(b, false, 0, 0, reg);
  put(b, (uint8_t)(0x58 + (reg & 7)));
}

void x_ret(bytebuf *b) {
  put(b, 0xC3);
}

void x_call_mem(bytebuf *b, x_mem m) {
  static const uint8_t op[] = {0xFF};
  op_mem(b, NO_PREFIX, false, op, 1, 2, m);
}

void x_jmp_reg(bytebuf *b, int reg) {
  static const uint8_t op[] = {0xFF};
  op_rr(b, NO_PREFIX, false, op, 1, 4, reg);
}

size_t x_jmp_rel32(bytebuf *b) {
  put(b, 0xE9);
  size_t at = b->len;
  put32(b, 0);
  return at;
}

size_t x_jcc_rel32(bytebuf *b, x_cond c) {
  put(b, 0x0F);
  put(b, (uint8_t)(0x80 | c));
  size_t at = b->len;
  put32(b, 0);
  return at;
}

size_t x_call_rel32(bytebuf *b) {
  put(b, 0xE8);
  size_t at = b->len;
  put32(b, 0);
  return at;
}

size_t x_lea_rip(bytebuf *b, int reg) {
  put_rex(b, true, reg, 0, 0);
  put(b, 0x8D);
  put(b, (uint8_t)(0x05 | (reg & 7) << 3));
  size_t at = b->len;
  put32(b, 0);
  return at;
}

void x_sse_rr(bytebuf *b, uint8_t prefix, bool w, uint8_t op, int dst,
              int src) {
  uint8_t code[] = {0x0F, op};
  op_rr(b, prefix ? prefix : NO_PREFIX, w, code, 2, dst, src);
}

void x_sse_rm(bytebuf *b, uint8_t prefix, bool w, uint8_t op, int reg,
              x_mem m) {
  uint8_t code[] = {0x0F, op};
  op_mem(b, prefix ? prefix : NO_PREFIX, w, code, 2, reg, m);
}

void x_round(bytebuf *b, bool f64, int dst, int src, uint8_t mode) {
  uint8_t code[] = {0x0F, 0x3A, f64 ? 0x0B : 0x0A};
  op_rr(b, 0x66, false, code, 3, dst, src);
  put(b, (uint8_t)(mode | 8));
}
