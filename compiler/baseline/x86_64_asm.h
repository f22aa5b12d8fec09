/* The few x86-64 instructions the baseline code generator emits, encoded
 * into a bytebuf. Memory operands are [base + disp] or
 * [base + index + disp] (scale 1, 4 or 8); `w` selects the 64-bit form
 * (REX.W). Registers are numbered as the encoding numbers them. */
#ifndef WASMAOT_X86_64_ASM_H
#define WASMAOT_X86_64_ASM_H

#include <stdbool.h>
#include <stdint.h>

#include "bytebuf.h"

enum {
  X_RAX,
  X_RCX,
  X_RDX,
  X_RBX,
  X_RSP,
  X_RBP,
  X_RSI,
  X_RDI,
  X_R8,
  X_R9,
  X_R10,
  X_R11,
  X_R12,
  X_R13,
  X_R14,
  X_R15,
  X_NONE = -1
};

/* Condition codes, as the low nibble of jcc / setcc / cmovcc. */
typedef enum x_cond {
  XC_B = 2,
  XC_AE = 3,
  XC_E = 4,
  XC_NE = 5,
  XC_BE = 6,
  XC_A = 7,
  XC_P = 10,
  XC_NP = 11,
  XC_L = 12,
  XC_GE = 13,
  XC_LE = 14,
  XC_G = 15
} x_cond;

/* Operations of the 0x01.. ALU group, by their /n digit. */
typedef enum x_alu {
  XA_ADD = 0,
  XA_OR = 1,
  XA_AND = 4,
  XA_SUB = 5,
  XA_XOR = 6,
  XA_CMP = 7
} x_alu;

/* Shifts and rotates by cl (0xD3 /n). */
typedef enum x_shift {
  XS_ROL = 0,
  XS_ROR = 1,
  XS_SHL = 4,
  XS_SHR = 5,
  XS_SAR = 7
} x_shift;

typedef struct x_mem {
  int base, index; /* index X_NONE for none */
  int scale;       /* 1, 4 or 8 */
  int32_t disp;
} x_mem;

static inline x_mem x_at(int base, int32_t disp) {
  return (x_mem){base, X_NONE, 1, disp};
}

/* reg <- [m], zero-extended from `bytes` (1, 2, 4 or 8). */
void x_load(bytebuf *b, int reg, x_mem m, unsigned bytes);
/* reg <- [m], sign-extended from `bytes` (1, 2 or 4) to 32 or 64 bits. */
void x_load_signed(bytebuf *b, bool w, int reg, x_mem m, unsigned bytes);
/* [m] <- the low `bytes` of reg. reg must be RAX..RBX for bytes == 1. */
void x_store(bytebuf *b, x_mem m, int reg, unsigned bytes);
/* [m] (8 bytes) <- sign-extended imm32. */
void x_store_imm(bytebuf *b, x_mem m, int32_t imm);
void x_lea(bytebuf *b, int reg, x_mem m);
void x_mov_rr(bytebuf *b, bool w, int dst, int src);
/* reg <- imm, in the shortest form that gives the 64-bit value. */
void x_mov_imm(bytebuf *b, int reg, uint64_t imm);
void x_alu_rr(bytebuf *b, x_alu op, bool w, int dst, int src);
void x_alu_rm(bytebuf *b, x_alu op, bool w, int dst, x_mem m);
void x_alu_ri(bytebuf *b, x_alu op, bool w, int dst, int32_t imm);
/* [m] (8 bytes) op= imm8: the entry counters' increment. */
void x_alu_mi8(bytebuf *b, x_alu op, x_mem m, int8_t imm);
void x_imul_rr(bytebuf *b, bool w, int dst, int src);
void x_shift_cl(bytebuf *b, x_shift op, bool w, int reg);
void x_shift_imm(bytebuf *b, x_shift op, bool w, int reg, uint8_t n);
void x_test_rr(bytebuf *b, bool w, int a, int c);
/* Sign-extends rax into rdx (cdq / cqo). */
void x_sign_extend_rdx(bytebuf *b, bool w);
/* rdx:rax / reg: idiv when `signed_div`, else div. */
void x_div(bytebuf *b, bool w, bool signed_div, int reg);
void x_setcc(bytebuf *b, x_cond c, int reg8);
/* dst <- the low byte / word / dword of src, extended to 32 or 64 bits. */
void x_movzx8(bytebuf *b, int dst, int src);
void x_movsx_rr(bytebuf *b, bool w, int dst, int src, unsigned bytes);
void x_cmov(bytebuf *b, x_cond c, bool w, int dst, int src);
void x_bsr(bytebuf *b, bool w, int dst, int src);
void x_bsf(bytebuf *b, bool w, int dst, int src);
void x_popcnt(bytebuf *b, bool w, int dst, int src);
void x_push(bytebuf *b, int reg);
void x_pop(bytebuf *b, int reg);
void x_ret(bytebuf *b);
void x_call_mem(bytebuf *b, x_mem m);
void x_jmp_reg(bytebuf *b, int reg);
/* SSE scalar instructions: prefix (0x66, 0xF2, 0xF3 or 0 for none), then
 * 0x0F `op`, xmm registers numbered 0..15. x_sse_rr's `src` and `dst`
 * may name general registers where the instruction takes one (movd,
 * cvtsi2sd, cvttsd2si); `w` is REX.W. */
void x_sse_rr(bytebuf *b, uint8_t prefix, bool w, uint8_t op, int dst, int src);
void x_sse_rm(bytebuf *b, uint8_t prefix, bool w, uint8_t op, int reg, x_mem m);
/* roundss / roundsd (SSE4.1) with rounding mode `mode`, exceptions
 * suppressed. */
void x_round(bytebuf *b, bool f64, int dst, int src, uint8_t mode);
/* Branches with a 32-bit displacement, 0 for now: each returns the offset
 * of its rel32 field, to be patched. */
size_t x_jmp_rel32(bytebuf *b);
size_t x_jcc_rel32(bytebuf *b, x_cond c);
size_t x_call_rel32(bytebuf *b);
/* lea reg, [rip + rel32]: returns the rel32 field's offset. */
size_t x_lea_rip(bytebuf *b, int reg);

#endif
