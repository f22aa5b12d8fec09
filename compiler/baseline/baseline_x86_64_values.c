/* The x86-64 baseline generator's labels and operands: where each Wasm
 * operand is (baseline_x86_64.h) and moving it between registers and
 * slots. */

#include <string.h>

#include "array_reserve.h"

#include "baseline_x86_64.h"

/* ---- Labels ------------------------------------------------------------ */

int bl_new_label(bl_func *f) {
  if (!array_reserve((void **)&f->labels, &f->labels_cap, f->nlabels + 1,
                     sizeof *f->labels)) {
    f->failed = true;
    return 0;
  }
  f->labels[f->nlabels] = -1;
  return (int)f->nlabels++;
}

void bl_bind_label(bl_func *f, int label) {
  if (!f->failed)
    f->labels[label] = (int32_t)f->code->len;
}

void bl_add_fixup(bl_func *f, size_t at, int label, uint8_t kind, size_t base) {
  if (!array_reserve((void **)&f->fixups, &f->fixups_cap, f->nfixups + 1,
                     sizeof *f->fixups)) {
    f->failed = true;
    return;
  }
  f->fixups[f->nfixups++] = (bl_fixup){at, label, kind, base};
}

void bl_jmp_to(bl_func *f, int label) {
  bl_add_fixup(f, x_jmp_rel32(f->code), label, FIX_REL32, 0);
}

void bl_jcc_to(bl_func *f, x_cond c, int label) {
  bl_add_fixup(f, x_jcc_rel32(f->code, c), label, FIX_REL32, 0);
}

int bl_trap_label(bl_func *f, wasmaot_trap_kind kind) {
  if (f->trap_label[kind] < 0)
    f->trap_label[kind] = bl_new_label(f);
  return f->trap_label[kind];
}

void bl_resolve_fixups(bl_func *f) {
  for (size_t i = 0; i < f->nfixups && !f->failed && !f->code->failed; i++) {
    const bl_fixup *x = &f->fixups[i];
    int32_t target = f->labels[x->label];
    int32_t v = x->kind == FIX_TABLE ? target - (int32_t)x->base
                                     : target - (int32_t)(x->at + 4);
    memcpy(f->code->data + x->at, &v, 4);
  }
}

/* ---- Operands ---------------------------------------------------------- */

void bl_push_value(bl_func *f, bl_value v) {
  if (!array_reserve((void **)&f->stack, &f->stack_cap, f->sp + 1,
                     sizeof *f->stack)) {
    f->failed = true;
    f->sp++; /* keep depths consistent; nothing is emitted any more */
    return;
  }
  f->stack[f->sp++] = v;
  if (f->sp > f->max_depth)
    f->max_depth = f->sp;
}

/* A new operand in its slot; returns its depth. */
uint32_t bl_push_slot(bl_func *f, bool is64) {
  bl_push_value(f, (bl_value){.kind = VK_SLOT, .is64 = is64});
  return f->sp - 1;
}

/* Where the value at `depth` can be read as a memory operand. */
bool bl_value_mem(const bl_func *f, uint32_t depth, x_mem *out) {
  const bl_value *v = &f->stack[depth];
  if (v->kind == VK_SLOT)
    *out = slot_mem(f, depth);
  else if (v->kind == VK_LOCAL && f->local_reg[v->local] < 0)
    *out = local_mem(f, v->local);
  else
    return false;
  return true;
}

/* [m] <- the 8 bytes of (general or xmm) register r; an i32's or f32's
 * upper half is never read. */
void bl_store_reg(bl_func *f, x_mem m, int r) {
  if (r >= XREG)
    x_sse_rm(f->code, 0xF2, false, 0x11, r - XREG, m); /* movsd */
  else
    x_store(f->code, m, r, 8);
}

/* reg <- the operand at `depth`; an i32 arrives zero-extended. */
void bl_load_value(bl_func *f, int reg, uint32_t depth) {
  const bl_value *v = &f->stack[depth];
  int r = value_reg(f, depth);
  x_mem m;
  if (bl_value_mem(f, depth, &m))
    x_load(f->code, reg, m, v->is64 ? 8 : 4);
  else if (r >= XREG)
    x_sse_rr(f->code, 0x66, v->is64, 0x7E, r - XREG, reg); /* movd */
  else if (r >= 0)
    x_mov_rr(f->code, v->is64, reg, r);
  else if (v->kind == VK_COND)
    f->failed = true; /* lower_instr converts it first */
  else
    x_mov_imm(f->code, reg, v->is64 ? (uint64_t)v->c : (uint32_t)v->c);
}

/* Writes the operand at `depth` to its slot; rcx is clobbered (only rcx,
 * so that a branch condition in rax survives). */
void bl_materialize(bl_func *f, uint32_t depth) {
  bl_value *v = &f->stack[depth];
  if (v->kind == VK_SLOT)
    return;
  if (v->kind == VK_CONST && fits_imm32(v->c)) {
    x_store_imm(f->code, slot_mem(f, depth), (int32_t)v->c);
  } else if (v->kind == VK_COND) {
    x_setcc(f->code, (x_cond)v->c, X_RCX);
    x_movzx8(f->code, X_RCX, X_RCX);
    x_store(f->code, slot_mem(f, depth), X_RCX, 8);
  } else if (value_reg(f, depth) >= 0) {
    bl_store_reg(f, slot_mem(f, depth), value_reg(f, depth));
  } else {
    bl_load_value(f, X_RCX, depth);
    x_store(f->code, slot_mem(f, depth), X_RCX, 8);
  }
  v->kind = VK_SLOT;
}

void bl_materialize_all(bl_func *f) {
  for (uint32_t d = 0; d < f->sp; d++)
    bl_materialize(f, d);
}

/* Before a call: the registers that hold operands are the callee's to
 * clobber. */
void bl_spill_regs(bl_func *f) {
  for (uint32_t d = 0; d < f->sp; d++)
    if (f->stack[d].kind == VK_REG)
      bl_materialize(f, d);
}

/* Operands stay in registers from the instruction that computes them to
 * the one that uses them, within a block: general registers no lowering
 * uses as scratch outside calls (which spill first) and no local has
 * taken (f->gpr_pool), xmm2 to xmm7. */
static const int8_t xmm_pool[] = {XREG + 2, XREG + 3, XREG + 4,
                                  XREG + 5, XREG + 6, XREG + 7};
enum { POOL_SIZE = 6 };

/* A free register of the class, spilling the deepest operand that holds
 * one when there is none. */
int bl_alloc_reg(bl_func *f, bool xmm) {
  const int8_t *pool = xmm ? xmm_pool : f->gpr_pool;
  int n = xmm ? POOL_SIZE : (int)f->gpr_pool_size;
  bool used[POOL_SIZE] = {false};
  uint32_t deepest = UINT32_MAX;
  for (uint32_t d = 0; d < f->sp; d++) {
    const bl_value *v = &f->stack[d];
    if (v->kind != VK_REG || (v->reg >= XREG) != xmm)
      continue;
    for (int i = 0; i < n; i++)
      if (pool[i] == v->reg)
        used[i] = true;
    if (deepest == UINT32_MAX)
      deepest = d;
  }
  for (int i = 0; i < n; i++)
    if (!used[i])
      return pool[i];
  int reg = f->stack[deepest].reg;
  bl_materialize(f, deepest);
  return reg;
}

void bl_materialize_reads_of(bl_func *f, uint32_t local) {
  for (uint32_t d = 0; d < f->sp; d++)
    if (f->stack[d].kind == VK_LOCAL && f->stack[d].local == local)
      bl_materialize(f, d);
}

/* Pops the top operand into reg. */
void bl_pop_into(bl_func *f, int reg) {
  bl_load_value(f, reg, f->sp - 1);
  f->sp--;
}

/* Pushes the value in rax (or another scratch register) as a new
 * operand, kept in a register of the pool. */
void bl_push_reg(bl_func *f, int reg, bool is64) {
  int r = reg;
  if (reg == X_RAX || reg == X_RCX || reg == X_RDX) {
    r = bl_alloc_reg(f, false);
    x_mov_rr(f->code, true, r, reg);
  }
  bl_push_value(f, (bl_value){.kind = VK_REG, .is64 = is64, .reg = (int8_t)r});
}

/* xmm <- the operand at `depth`, a float of 4 or 8 bytes (rax is
 * clobbered for a constant). */
void bl_load_xmm(bl_func *f, int xmm, uint32_t depth) {
  const bl_value *v = &f->stack[depth];
  x_mem m;
  if (bl_value_mem(f, depth, &m)) {
    x_sse_rm(f->code, v->is64 ? 0xF2 : 0xF3, false, 0x10, xmm, m);
  } else if (value_reg(f, depth) >= XREG) {
    int r = value_reg(f, depth) - XREG;
    if (r != xmm)
      x_sse_rr(f->code, 0, false, 0x28, xmm, r); /* movaps */
  } else if (value_reg(f, depth) >= 0) {
    x_sse_rr(f->code, 0x66, v->is64, 0x6E, xmm, value_reg(f, depth));
  } else {
    x_mov_imm(f->code, X_RAX, v->is64 ? (uint64_t)v->c : (uint32_t)v->c);
    x_sse_rr(f->code, 0x66, v->is64, 0x6E, xmm, X_RAX); /* movd / movq */
  }
}

void bl_pop_xmm(bl_func *f, int xmm) {
  bl_load_xmm(f, xmm, f->sp - 1);
  f->sp--;
}

/* Pushes the float in xmm (xmm0 or xmm1 are scratch: moved to the pool;
 * a pool register becomes the operand's). */
void bl_push_xmm(bl_func *f, int xmm, bool f64) {
  int r = XREG + xmm;
  if (xmm < 2) {
    r = bl_alloc_reg(f, true);
    x_sse_rr(f->code, 0, false, 0x28, r - XREG, xmm); /* movaps */
  }
  bl_push_value(f, (bl_value){.kind = VK_REG, .is64 = f64, .reg = (int8_t)r});
}
