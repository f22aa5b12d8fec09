/* The baseline code generator for x86-64 (baseline.h).
 *
 * Frame, below the return address and the caller's rbp:
 *   [rbp-8] rbx (vmctx), [rbp-16] r12 (memory 0's base), then the
 *   callee-saved registers the locals took (r13-r15), then one 8-byte slot
 *   per local (parameters first), then one per operand stack depth.
 * The most used locals (uses weighted by loop depth) live in r13-r15 for
 * the whole function, and in a function that calls nothing also in rsi,
 * rdi and xmm8-15; the others in their slots. An operand is a constant, a
 * local read, a register of the pool (r8-r11, rsi/rdi when no local took
 * them, xmm2-7), the flags of a compare, or its depth's slot: it stays
 * unevaluated until an instruction uses it (a read of a local that a
 * later local.set would change is evaluated first). At every control-flow
 * edge, and before a call or a helper, all operands are in their slots,
 * so blocks join without moves and calls need no caller-saved registers
 * beyond those. i32 values occupy the low half of a slot or register; the
 * upper half is never read. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <elf.h>

#include "baseline.h"
#include "baseline_object.h"
#include "wasm_instr.h"
#include "wasmaot_trap.h"
#include "x86_64_asm.h"

/* VK_COND: an integer comparison's result still in the flags, with its
 * condition in `c`; only br_if and if take it so (lower_instr turns it
 * into a register before any other instruction). */
typedef enum { VK_SLOT, VK_CONST, VK_LOCAL, VK_REG, VK_COND } value_kind;

/* VK_REG registers: general ones by their number, xmm ones from XREG. */
enum { XREG = 16 };

typedef struct bl_value {
  uint8_t kind;
  bool is64;
  int8_t reg;     /* VK_REG */
  uint32_t local; /* VK_LOCAL */
  int64_t c;      /* VK_CONST; an i32 sign-extended */
} bl_value;

typedef enum { FR_FUNC, FR_BLOCK, FR_LOOP, FR_IF } frame_kind;

typedef struct bl_frame {
  uint8_t kind;
  bool has_else;
  uint32_t height; /* operand depth below the frame's parameters */
  uint32_t nparams, nresults;
  const wasm_type *params, *results; /* NULL for [] -> [single] */
  wasm_type single;
  int label;      /* the branch target: end, or the loop's start */
  int else_label; /* FR_IF: the false edge */
} bl_frame;

enum { FIX_REL32, FIX_TABLE };

typedef struct bl_fixup {
  size_t at;
  int label;
  uint8_t kind;
  size_t base; /* FIX_TABLE: the table's start */
} bl_fixup;

typedef struct bl_func {
  const wasm_module *m;
  const wasmaot_vmctx_layout *layout;
  bl_object *obj;
  bytebuf *code;
  uint32_t *symbol_of; /* per function index: object symbol, or UINT32_MAX */
  const char *const *symbols;
  uint32_t func_index;
  const wasm_functype *type;

  uint32_t nlocals;
  wasm_type *local_types;
  int8_t *local_reg; /* per local: the register it lives in, or -1 */
  int8_t saved[3];   /* callee-saved registers the locals took */
  uint32_t nsaved;
  int32_t slots_at; /* rbp minus this is where local 0's slot ends */
  int8_t gpr_pool[6];
  uint32_t gpr_pool_size;

  bl_value *stack;
  uint32_t sp, stack_cap, max_depth;
  bl_frame *frames;
  uint32_t nframes, frames_cap;
  int32_t *labels; /* positions, -1 until bound */
  uint32_t nlabels, labels_cap;
  bl_fixup *fixups;
  size_t nfixups, fixups_cap;
  int trap_label[WASMAOT_TRAP_COUNT];
  size_t frame_size_at; /* the prologue's sub rsp imm32 */
  bool unreachable;
  uint32_t skip_depth;
  bool failed;
} bl_func;

static void *grow(void *arr, size_t *cap, size_t need, size_t elem,
                  bool *failed) {
  if (need <= *cap)
    return arr;
  size_t n = *cap ? *cap * 2 : 32;
  while (n < need)
    n *= 2;
  void *p = realloc(arr, n * elem);
  if (!p) {
    *failed = true;
    return NULL;
  }
  *cap = n;
  return p;
}

/* ---- Labels ------------------------------------------------------------ */

static int new_label(bl_func *f) {
  size_t cap = f->labels_cap;
  int32_t *p = grow(f->labels, &cap, f->nlabels + 1, sizeof *p, &f->failed);
  if (!p)
    return 0;
  f->labels = p;
  f->labels_cap = (uint32_t)cap;
  f->labels[f->nlabels] = -1;
  return (int)f->nlabels++;
}

static void bind_label(bl_func *f, int label) {
  if (!f->failed)
    f->labels[label] = (int32_t)f->code->len;
}

static void add_fixup(bl_func *f, size_t at, int label, uint8_t kind,
                      size_t base) {
  bl_fixup *p =
      grow(f->fixups, &f->fixups_cap, f->nfixups + 1, sizeof *p, &f->failed);
  if (!p)
    return;
  f->fixups = p;
  f->fixups[f->nfixups++] = (bl_fixup){at, label, kind, base};
}

static void jmp_to(bl_func *f, int label) {
  add_fixup(f, x_jmp_rel32(f->code), label, FIX_REL32, 0);
}

static void jcc_to(bl_func *f, x_cond c, int label) {
  add_fixup(f, x_jcc_rel32(f->code, c), label, FIX_REL32, 0);
}

static int trap_label(bl_func *f, wasmaot_trap_kind kind) {
  if (f->trap_label[kind] < 0)
    f->trap_label[kind] = new_label(f);
  return f->trap_label[kind];
}

static void resolve_fixups(bl_func *f) {
  for (size_t i = 0; i < f->nfixups && !f->failed && !f->code->failed; i++) {
    const bl_fixup *x = &f->fixups[i];
    int32_t target = f->labels[x->label];
    int32_t v = x->kind == FIX_TABLE ? target - (int32_t)x->base
                                     : target - (int32_t)(x->at + 4);
    memcpy(f->code->data + x->at, &v, 4);
  }
}

/* ---- Operands ---------------------------------------------------------- */

static x_mem local_mem(const bl_func *f, uint32_t l) {
  return x_at(X_RBP, -f->slots_at - 8 * ((int32_t)l + 1));
}

static x_mem slot_mem(const bl_func *f, uint32_t depth) {
  return x_at(X_RBP, -f->slots_at - 8 * ((int32_t)(f->nlocals + depth) + 1));
}

static void push_value(bl_func *f, bl_value v) {
  size_t cap = f->stack_cap;
  bl_value *p = grow(f->stack, &cap, f->sp + 1, sizeof *p, &f->failed);
  if (!p) {
    f->sp++; /* keep depths consistent; nothing is emitted any more */
    return;
  }
  f->stack = p;
  f->stack_cap = (uint32_t)cap;
  f->stack[f->sp++] = v;
  if (f->sp > f->max_depth)
    f->max_depth = f->sp;
}

/* Whether a value of type t fills its slot's 8 bytes. */
static bool is64_type(wasm_type t) {
  return t == WASM_TYPE_I64 || t == WASM_TYPE_F64;
}

static bool is_float_type(wasm_type t) {
  return t == WASM_TYPE_F32 || t == WASM_TYPE_F64;
}

/* A new operand in its slot; returns its depth. */
static uint32_t push_slot(bl_func *f, bool is64) {
  push_value(f, (bl_value){.kind = VK_SLOT, .is64 = is64});
  return f->sp - 1;
}

/* The register that holds the value at `depth` (an operand's own or its
 * local's), or -1. */
static int value_reg(const bl_func *f, uint32_t depth) {
  const bl_value *v = &f->stack[depth];
  if (v->kind == VK_REG)
    return v->reg;
  if (v->kind == VK_LOCAL)
    return f->local_reg[v->local];
  return -1;
}

/* The operand's own general register, which its consumer may reuse for
 * the result, or -1. */
static int own_gpr(const bl_func *f, uint32_t depth) {
  const bl_value *v = &f->stack[depth];
  return v->kind == VK_REG && v->reg < XREG ? v->reg : -1;
}

static int own_xmm(const bl_func *f, uint32_t depth) {
  const bl_value *v = &f->stack[depth];
  return v->kind == VK_REG && v->reg >= XREG ? v->reg - XREG : -1;
}

/* Where the value at `depth` can be read as a memory operand. */
static bool value_mem(const bl_func *f, uint32_t depth, x_mem *out) {
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
static void store_reg(bl_func *f, x_mem m, int r) {
  if (r >= XREG)
    x_sse_rm(f->code, 0xF2, false, 0x11, r - XREG, m); /* movsd */
  else
    x_store(f->code, m, r, 8);
}

/* reg <- the operand at `depth`; an i32 arrives zero-extended. */
static void load_value(bl_func *f, int reg, uint32_t depth) {
  const bl_value *v = &f->stack[depth];
  int r = value_reg(f, depth);
  x_mem m;
  if (value_mem(f, depth, &m))
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

static bool fits_imm32(int64_t c) {
  return c >= INT32_MIN && c <= INT32_MAX;
}

/* Writes the operand at `depth` to its slot; rcx is clobbered (only rcx,
 * so that a branch condition in rax survives). */
static void materialize(bl_func *f, uint32_t depth) {
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
    store_reg(f, slot_mem(f, depth), value_reg(f, depth));
  } else {
    load_value(f, X_RCX, depth);
    x_store(f->code, slot_mem(f, depth), X_RCX, 8);
  }
  v->kind = VK_SLOT;
}

static void materialize_all(bl_func *f) {
  for (uint32_t d = 0; d < f->sp; d++)
    materialize(f, d);
}

/* Before a call: the registers that hold operands are the callee's to
 * clobber. */
static void spill_regs(bl_func *f) {
  for (uint32_t d = 0; d < f->sp; d++)
    if (f->stack[d].kind == VK_REG)
      materialize(f, d);
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
static int alloc_reg(bl_func *f, bool xmm) {
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
  materialize(f, deepest);
  return reg;
}

static void materialize_reads_of(bl_func *f, uint32_t local) {
  for (uint32_t d = 0; d < f->sp; d++)
    if (f->stack[d].kind == VK_LOCAL && f->stack[d].local == local)
      materialize(f, d);
}

/* Pops the top operand into reg. */
static void pop_into(bl_func *f, int reg) {
  load_value(f, reg, f->sp - 1);
  f->sp--;
}

/* Pushes the value in rax (or another scratch register) as a new
 * operand, kept in a register of the pool. */
static void push_reg(bl_func *f, int reg, bool is64) {
  int r = reg;
  if (reg == X_RAX || reg == X_RCX || reg == X_RDX) {
    r = alloc_reg(f, false);
    x_mov_rr(f->code, true, r, reg);
  }
  push_value(f, (bl_value){.kind = VK_REG, .is64 = is64, .reg = (int8_t)r});
}

/* xmm <- the operand at `depth`, a float of 4 or 8 bytes (rax is
 * clobbered for a constant). */
static void load_xmm(bl_func *f, int xmm, uint32_t depth) {
  const bl_value *v = &f->stack[depth];
  x_mem m;
  if (value_mem(f, depth, &m)) {
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

static void pop_xmm(bl_func *f, int xmm) {
  load_xmm(f, xmm, f->sp - 1);
  f->sp--;
}

/* Pushes the float in xmm (xmm0 or xmm1 are scratch: moved to the pool;
 * a pool register becomes the operand's). */
static void push_xmm(bl_func *f, int xmm, bool f64) {
  int r = XREG + xmm;
  if (xmm < 2) {
    r = alloc_reg(f, true);
    x_sse_rr(f->code, 0, false, 0x28, r - XREG, xmm); /* movaps */
  }
  push_value(f, (bl_value){.kind = VK_REG, .is64 = f64, .reg = (int8_t)r});
}

/* ---- Numeric instructions ---------------------------------------------- */

/* dst op= the top operand, dst holding the one below (loaded unless it
 * is already there); pops both. */
static void lower_alu(bl_func *f, x_alu op, bool w, int dst) {
  uint32_t b = f->sp - 1, a = f->sp - 2;
  if (value_reg(f, a) != dst)
    load_value(f, dst, a);
  const bl_value *vb = &f->stack[b];
  int rb = value_reg(f, b);
  x_mem m;
  if (vb->kind == VK_CONST && (w ? fits_imm32(vb->c) : true))
    x_alu_ri(f->code, op, w, dst, (int32_t)vb->c);
  else if (rb >= 0 && rb < XREG)
    x_alu_rr(f->code, op, w, dst, rb);
  else if (value_mem(f, b, &m))
    x_alu_rm(f->code, op, w, dst, m);
  else {
    load_value(f, X_RCX, b);
    x_alu_rr(f->code, op, w, dst, X_RCX);
  }
  f->sp -= 2;
}

/* The register an operation's result goes to: the consumed operand's
 * own, else a free one of the pool (the operands on top keep theirs: a
 * spill takes the deepest). */
static int result_gpr(bl_func *f, uint32_t depth) {
  int r = own_gpr(f, depth);
  return r >= 0 ? r : alloc_reg(f, false);
}

static void lower_binary_alu(bl_func *f, x_alu op, bool w) {
  int dst = result_gpr(f, f->sp - 2);
  lower_alu(f, op, w, dst);
  push_reg(f, dst, w);
}

static void push_cond(bl_func *f, x_cond c) {
  push_value(f, (bl_value){.kind = VK_COND, .c = c});
}

static void lower_compare(bl_func *f, x_cond c, bool w) {
  int a = value_reg(f, f->sp - 2);
  lower_alu(f, XA_CMP, w, a >= 0 && a < XREG ? a : X_RAX);
  push_cond(f, c);
}

static void lower_eqz(bl_func *f, bool w) {
  int r = value_reg(f, f->sp - 1);
  if (r < 0 || r >= XREG) {
    load_value(f, X_RAX, f->sp - 1);
    r = X_RAX;
  }
  f->sp--;
  x_test_rr(f->code, w, r, r);
  push_cond(f, XC_E);
}

/* The top operand, a VK_COND, as 0 or 1 in a register; setcc needs a
 * byte register, so through rax (a spill for the register does not touch
 * the flags). */
static void cond_to_reg(bl_func *f) {
  x_cond c = (x_cond)f->stack[f->sp - 1].c;
  f->sp--;
  int r = alloc_reg(f, false);
  x_setcc(f->code, c, X_RAX);
  x_movzx8(f->code, r, X_RAX);
  push_reg(f, r, false);
}

/* Pops a branch condition: the flags' condition under which it is
 * true, after the test that sets them when it was a value. */
static x_cond pop_condition(bl_func *f) {
  const bl_value *v = &f->stack[f->sp - 1];
  if (v->kind == VK_COND) {
    f->sp--;
    return (x_cond)v->c;
  }
  int r = value_reg(f, f->sp - 1);
  if (r < 0 || r >= XREG) {
    load_value(f, X_RAX, f->sp - 1);
    r = X_RAX;
  }
  f->sp--;
  x_test_rr(f->code, false, r, r);
  return XC_NE;
}

static x_cond invert(x_cond c) {
  return (x_cond)(c ^ 1);
}

static void lower_mul(bl_func *f, bool w) {
  uint32_t b = f->sp - 1, a = f->sp - 2;
  int dst = result_gpr(f, a);
  if (own_gpr(f, a) != dst)
    load_value(f, dst, a);
  int rb = value_reg(f, b);
  if (rb < 0 || rb >= XREG) {
    load_value(f, X_RCX, b);
    rb = X_RCX;
  }
  x_imul_rr(f->code, w, dst, rb);
  f->sp -= 2;
  push_reg(f, dst, w);
}

static void lower_shift(bl_func *f, x_shift op, bool w) {
  const bl_value *vb = &f->stack[f->sp - 1];
  if (vb->kind == VK_CONST) {
    uint8_t n = (uint8_t)(vb->c & (w ? 63 : 31));
    f->sp--;
    pop_into(f, X_RAX);
    if (n)
      x_shift_imm(f->code, op, w, X_RAX, n);
  } else {
    pop_into(f, X_RCX);
    pop_into(f, X_RAX);
    x_shift_cl(f->code, op, w, X_RAX);
  }
  push_reg(f, X_RAX, w);
}

/* x86 traps (#DE) on a zero divisor and on MIN / -1; Wasm traps on the
 * first, on MIN / -1 for div_s, and defines MIN rem_s -1 as 0. */
static void lower_div(bl_func *f, bool w, bool is_signed, bool rem) {
  bytebuf *c = f->code;
  pop_into(f, X_RCX);
  pop_into(f, X_RAX);
  x_test_rr(c, w, X_RCX, X_RCX);
  jcc_to(f, XC_E, trap_label(f, WASMAOT_TRAP_INT_DIV_BY_ZERO));
  int done = new_label(f);
  if (is_signed) {
    int divide = new_label(f);
    x_alu_ri(c, XA_CMP, w, X_RCX, -1);
    jcc_to(f, XC_NE, divide);
    if (rem) {
      x_alu_rr(c, XA_XOR, false, X_RDX, X_RDX);
      jmp_to(f, done);
    } else {
      if (w) {
        x_mov_imm(c, X_RDX, UINT64_C(1) << 63);
        x_alu_rr(c, XA_CMP, true, X_RAX, X_RDX);
      } else {
        x_alu_ri(c, XA_CMP, false, X_RAX, INT32_MIN);
      }
      jcc_to(f, XC_E, trap_label(f, WASMAOT_TRAP_INT_OVERFLOW));
    }
    bind_label(f, divide);
    x_sign_extend_rdx(c, w);
  } else {
    x_alu_rr(c, XA_XOR, false, X_RDX, X_RDX);
  }
  x_div(c, w, is_signed, X_RCX);
  bind_label(f, done);
  push_reg(f, rem ? X_RDX : X_RAX, w);
}

/* clz and ctz through bsr / bsf, which leave their destination undefined
 * for 0 (lzcnt and tzcnt are not in every x86-64). */
static void lower_bit_count(bl_func *f, wasm_opcode op, bool w) {
  bytebuf *c = f->code;
  pop_into(f, X_RCX);
  bool clz = op == WASM_OP_I32_CLZ || op == WASM_OP_I64_CLZ;
  bool ctz = op == WASM_OP_I32_CTZ || op == WASM_OP_I64_CTZ;
  if (clz || ctz) {
    int zero = new_label(f);
    x_mov_imm(c, X_RAX, w ? 64 : 32);
    x_test_rr(c, w, X_RCX, X_RCX);
    jcc_to(f, XC_E, zero);
    if (clz) {
      x_bsr(c, w, X_RAX, X_RCX);
      x_alu_ri(c, XA_XOR, false, X_RAX, w ? 63 : 31);
    } else {
      x_bsf(c, w, X_RAX, X_RCX);
    }
    bind_label(f, zero);
  } else {
    x_popcnt(c, w, X_RAX, X_RCX);
  }
  push_reg(f, X_RAX, w);
}

static void lower_extend(bl_func *f, wasm_opcode op) {
  pop_into(f, X_RAX);
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
  push_reg(f, X_RAX, w);
}

static bool lower_numeric(bl_func *f, wasm_opcode op) {
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
  switch (op) {
  case WASM_OP_I32_WRAP_I64:
  case WASM_OP_I64_EXTEND_I32_S:
  case WASM_OP_I64_EXTEND_I32_U:
  case WASM_OP_I32_EXTEND8_S:
  case WASM_OP_I32_EXTEND16_S:
  case WASM_OP_I64_EXTEND8_S:
  case WASM_OP_I64_EXTEND16_S:
  case WASM_OP_I64_EXTEND32_S:
    lower_extend(f, op);
    return true;
  default:
    return false;
  }
}

/* ---- Floats -------------------------------------------------------------
 * Operands travel as their bits (loads, stores, locals, globals, select,
 * reinterpretations need nothing else); arithmetic goes through xmm0 and
 * xmm1. */

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

static uint8_t scalar_prefix(bool f64) {
  return f64 ? 0xF2 : 0xF3;
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
    load_xmm(f, 0, a);
  if (rb >= XREG) {
    x_sse_rr(f->code, scalar_prefix(f64), false, op, dst, rb - XREG);
  } else if (value_mem(f, b, &m)) {
    x_sse_rm(f->code, scalar_prefix(f64), false, op, dst, m);
  } else {
    load_xmm(f, 1, b);
    x_sse_rr(f->code, scalar_prefix(f64), false, op, dst, 1);
  }
  f->sp -= 2;
  push_xmm(f, dst, f64);
}

/* min and max: NaN if either is (a + b keeps a quiet payload), -0 below
 * +0, minss / maxss otherwise. */
static void lower_min_max(bl_func *f, bool f64, bool is_max) {
  bytebuf *c = f->code;
  pop_xmm(f, 1);
  pop_xmm(f, 0);
  int nan = new_label(f), differ = new_label(f), done = new_label(f);
  ucomis(f, f64, 0, 1);
  jcc_to(f, XC_P, nan);
  jcc_to(f, XC_NE, differ);
  x_sse_rr(c, 0, false, is_max ? 0x54 : 0x56, 0, 1); /* andps / orps */
  jmp_to(f, done);
  bind_label(f, nan);
  x_sse_rr(c, scalar_prefix(f64), false, 0x58, 0, 1);
  jmp_to(f, done);
  bind_label(f, differ);
  x_sse_rr(c, scalar_prefix(f64), false, is_max ? 0x5F : 0x5D, 0, 1);
  bind_label(f, done);
  push_xmm(f, 0, f64);
}

/* abs, neg, copysign on the bits. */
static void lower_sign(bl_func *f, wasm_opcode op, bool f64) {
  bytebuf *c = f->code;
  uint64_t sign = f64 ? UINT64_C(1) << 63 : UINT64_C(1) << 31;
  bool copysign = op == WASM_OP_F32_COPYSIGN || op == WASM_OP_F64_COPYSIGN;
  if (copysign)
    pop_into(f, X_RDX);
  pop_into(f, X_RAX);
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
  push_reg(f, X_RAX, f64);
}

static void lower_float_compare(bl_func *f, wasm_opcode op, bool f64) {
  bytebuf *c = f->code;
  pop_xmm(f, 1);
  pop_xmm(f, 0);
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
  push_reg(f, X_RAX, false);
}

static void lower_convert(bl_func *f, bool to64, bool from64, bool is_signed) {
  bytebuf *c = f->code;
  uint8_t p = scalar_prefix(to64);
  pop_into(f, X_RAX); /* an i32 zero-extends into rax */
  if (!from64 || is_signed) {
    x_sse_rr(c, p, from64 || !is_signed, 0x2A, 0, X_RAX);
    push_xmm(f, 0, to64);
    return;
  }
  /* u64: halve values with the top bit set (keeping the low bit, so the
   * rounding is right), convert, double. */
  int big = new_label(f), done = new_label(f);
  x_test_rr(c, true, X_RAX, X_RAX);
  add_fixup(f, x_jcc_rel32(c, (x_cond)8 /* S */), big, FIX_REL32, 0);
  x_sse_rr(c, p, true, 0x2A, 0, X_RAX);
  jmp_to(f, done);
  bind_label(f, big);
  x_mov_rr(c, true, X_RCX, X_RAX);
  x_shift_imm(c, XS_SHR, true, X_RCX, 1);
  x_alu_ri(c, XA_AND, false, X_RAX, 1);
  x_alu_rr(c, XA_OR, true, X_RCX, X_RAX);
  x_sse_rr(c, p, true, 0x2A, 0, X_RCX);
  x_sse_rr(c, p, false, 0x58, 0, 0);
  bind_label(f, done);
  push_xmm(f, 0, to64);
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
  pop_xmm(f, 0);
  int nan = saturating ? new_label(f)
                       : trap_label(f, WASMAOT_TRAP_INVALID_CONVERSION);
  int under =
      saturating ? new_label(f) : trap_label(f, WASMAOT_TRAP_INT_OVERFLOW);
  int over = saturating ? new_label(f) : under;
  int done = new_label(f);
  ucomis(f, from64, 0, 0);
  jcc_to(f, XC_P, nan);
  xmm_const(f, 1, from64, low);
  ucomis(f, from64, 0, 1);
  jcc_to(f, low_inclusive ? XC_B : XC_BE, under);
  xmm_const(f, 1, from64, high);
  ucomis(f, from64, 0, 1);
  jcc_to(f, XC_AE, over);
  if (to64 && !is_signed) {
    /* At or above 2^63: convert x - 2^63 and set the top bit. */
    int big = new_label(f);
    xmm_const(f, 1, from64, 0x1p63);
    ucomis(f, from64, 0, 1);
    jcc_to(f, XC_AE, big);
    x_sse_rr(c, p, true, 0x2C, X_RAX, 0);
    jmp_to(f, done);
    bind_label(f, big);
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
    jmp_to(f, done);
    bind_label(f, nan);
    x_mov_imm(c, X_RAX, 0);
    jmp_to(f, done);
    bind_label(f, under);
    x_mov_imm(c, X_RAX, min);
    jmp_to(f, done);
    bind_label(f, over);
    x_mov_imm(c, X_RAX, max);
  }
  bind_label(f, done);
  push_reg(f, X_RAX, to64);
}

static bool lower_float(bl_func *f, wasm_opcode op) {
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
      pop_xmm(f, 0);
      x_round(f->code, f64, 0, 0, modes[k - 2]);
      push_xmm(f, 0, f64);
    } else if (k == 6) {
      pop_xmm(f, 0);
      x_sse_rr(f->code, scalar_prefix(f64), false, 0x51, 0, 0);
      push_xmm(f, 0, f64);
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
    pop_xmm(f, 0);
    x_sse_rr(f->code, scalar_prefix(!to64), false, 0x5A, 0, 0);
    push_xmm(f, 0, to64);
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

/* ---- Memory ------------------------------------------------------------ */

/* rax <- the popped address plus the offset; returns the operand for
 * memory 0 (r12 is its base). The guard region behind a 32-bit memory
 * covers every address plus offset, so nothing is checked. */
static x_mem memory_operand(bl_func *f, uint64_t offset) {
  pop_into(f, X_RAX); /* a 32-bit load clears the upper half */
  int32_t disp = 0;
  if (offset <= INT32_MAX) {
    disp = (int32_t)offset;
  } else {
    x_mov_imm(f->code, X_RCX, offset);
    x_alu_rr(f->code, XA_ADD, true, X_RAX, X_RCX);
  }
  return (x_mem){X_R12, X_RAX, 1, disp};
}

static void lower_load(bl_func *f, const wasm_instr *in) {
  x_mem m = memory_operand(f, in->memarg.offset);
  bytebuf *c = f->code;
  bool w = true;
  if (in->op == WASM_OP_F32_LOAD || in->op == WASM_OP_F64_LOAD) {
    bool f64 = in->op == WASM_OP_F64_LOAD;
    int r = alloc_reg(f, true);
    x_sse_rm(c, scalar_prefix(f64), false, 0x10, r - XREG, m);
    push_xmm(f, r - XREG, f64);
    return;
  }
  int dst = alloc_reg(f, false);
  switch (in->op) {
  case WASM_OP_I32_LOAD:
    x_load(c, dst, m, 4);
    w = false;
    break;
  case WASM_OP_I64_LOAD:
    x_load(c, dst, m, 8);
    break;
  case WASM_OP_I32_LOAD8_S:
  case WASM_OP_I64_LOAD8_S:
    x_load_signed(c, true, dst, m, 1);
    w = in->op == WASM_OP_I64_LOAD8_S;
    break;
  case WASM_OP_I32_LOAD8_U:
  case WASM_OP_I64_LOAD8_U:
    x_load(c, dst, m, 1);
    w = in->op == WASM_OP_I64_LOAD8_U;
    break;
  case WASM_OP_I32_LOAD16_S:
  case WASM_OP_I64_LOAD16_S:
    x_load_signed(c, true, dst, m, 2);
    w = in->op == WASM_OP_I64_LOAD16_S;
    break;
  case WASM_OP_I32_LOAD16_U:
  case WASM_OP_I64_LOAD16_U:
    x_load(c, dst, m, 2);
    w = in->op == WASM_OP_I64_LOAD16_U;
    break;
  case WASM_OP_I64_LOAD32_S:
    x_load_signed(c, true, dst, m, 4);
    break;
  default: /* I64_LOAD32_U */
    x_load(c, dst, m, 4);
    break;
  }
  push_reg(f, dst, w);
}

static void lower_store(bl_func *f, const wasm_instr *in) {
  int src = value_reg(f, f->sp - 1);
  bool is_float = in->op == WASM_OP_F32_STORE || in->op == WASM_OP_F64_STORE;
  if (is_float && src >= XREG) {
    f->sp--;
    x_mem m = memory_operand(f, in->memarg.offset);
    x_sse_rm(f->code, scalar_prefix(in->op == WASM_OP_F64_STORE), false, 0x11,
             src - XREG, m);
    return;
  }
  pop_into(f, X_RCX);
  x_mem m = memory_operand(f, in->memarg.offset);
  unsigned bytes;
  switch (in->op) {
  case WASM_OP_I32_STORE8:
  case WASM_OP_I64_STORE8:
    bytes = 1;
    break;
  case WASM_OP_I32_STORE16:
  case WASM_OP_I64_STORE16:
    bytes = 2;
    break;
  case WASM_OP_I64_STORE:
  case WASM_OP_F64_STORE:
    bytes = 8;
    break;
  default: /* I32_STORE, F32_STORE, I64_STORE32 */
    bytes = 4;
    break;
  }
  x_store(f->code, m, X_RCX, bytes);
}

/* ---- Calls ------------------------------------------------------------- */

static const int arg_regs[] = {X_RDI, X_RSI, X_RDX, X_RCX, X_R8, X_R9};

/* Loads the top `n` operands as arguments 1..n (argument 0 is vmctx or
 * env, loaded by the caller), the seventh on in a stack area it reserves;
 * returns that area's size, to release after the call. */
/* Where the C convention passes parameter k of `t` (after vmctx): a
 * general register (arg_regs index), an xmm register, or the stack
 * (8-byte words, in order). */
typedef struct arg_place {
  int reg, xmm;   /* -1 when not in one */
  uint32_t stack; /* word, when in neither */
} arg_place;

static arg_place place_arg(const wasm_functype *t, uint32_t k, int *next_int,
                           int *next_xmm, uint32_t *next_stack) {
  arg_place a = {-1, -1, 0};
  if (is_float_type(wasm_functype_params(t)[k])) {
    if (*next_xmm < 8)
      a.xmm = (*next_xmm)++;
    else
      a.stack = (*next_stack)++;
  } else if (*next_int < 6) {
    a.reg = arg_regs[(*next_int)++];
  } else {
    a.stack = (*next_stack)++;
  }
  return a;
}

static uint32_t stack_words(const wasm_functype *t) {
  int next_int = 1, next_xmm = 0;
  uint32_t words = 0;
  for (uint32_t k = 0; k < t->param_count; k++)
    place_arg(t, k, &next_int, &next_xmm, &words);
  return words;
}

/* Loads the top operands as the arguments of a call of type t (argument
 * 0, vmctx or env, is the caller's to load), those that do not fit in
 * registers into a stack area it reserves; returns that area's size, to
 * release after the call. Stack words and xmm registers first: a float
 * constant passes through rax. */
static int32_t load_call_args(bl_func *f, const wasm_functype *t) {
  uint32_t n = t->param_count, first = f->sp - n;
  int32_t area = (int32_t)((stack_words(t) * 8 + 15) & ~15u);
  if (area)
    x_alu_ri(f->code, XA_SUB, true, X_RSP, area);
  for (int pass = 0; pass < 2; pass++) {
    int next_int = 1, next_xmm = 0;
    uint32_t next_stack = 0;
    for (uint32_t k = 0; k < n; k++) {
      arg_place a = place_arg(t, k, &next_int, &next_xmm, &next_stack);
      if (pass == 0 && a.xmm >= 0) {
        load_xmm(f, a.xmm, first + k);
      } else if (pass == 0 && a.reg < 0) {
        load_value(f, X_RAX, first + k);
        x_store(f->code, x_at(X_RSP, (int32_t)(8 * a.stack)), X_RAX, 8);
      } else if (pass == 1 && a.reg >= 0) {
        load_value(f, a.reg, first + k);
      }
    }
  }
  f->sp -= n;
  return area;
}

static void finish_call(bl_func *f, int32_t area, const wasm_functype *t) {
  if (area)
    x_alu_ri(f->code, XA_ADD, true, X_RSP, area);
  if (t->result_count == 1) {
    wasm_type r = wasm_functype_results(t)[0];
    if (is_float_type(r))
      push_xmm(f, 0, r == WASM_TYPE_F64);
    else
      push_reg(f, X_RAX, is64_type(r));
  }
}

static uint32_t function_symbol(bl_func *f, uint32_t func_index) {
  if (f->symbol_of[func_index] == UINT32_MAX)
    f->symbol_of[func_index] = bl_object_add_symbol(
        f->obj, (bl_symbol){.name = f->symbols[func_index]});
  return f->symbol_of[func_index];
}

/* helpers[h](vmctx, 0 x zeros, the top `n` operands): the memory index
 * 0 goes before the operands; at most five arguments after vmctx. */
static void call_helper(bl_func *f, wasmaot_helper_index h, uint32_t zeros,
                        uint32_t n) {
  spill_regs(f);
  uint32_t first = f->sp - n;
  int next = 1;
  for (uint32_t i = 0; i < zeros; i++)
    x_mov_imm(f->code, arg_regs[next++], 0);
  for (uint32_t k = 0; k < n; k++)
    load_value(f, arg_regs[next++], first + k);
  f->sp -= n;
  x_mov_rr(f->code, true, X_RDI, X_RBX);
  x_load(f->code, X_RAX, x_at(X_RBX, offsetof(wasmaot_vmctx_header, helpers)),
         8);
  x_call_mem(f->code, x_at(X_RAX, (int32_t)(8 * h)));
}

static void lower_call(bl_func *f, uint32_t callee) {
  const wasm_module *m = f->m;
  const wasm_functype *t = wasm_func_type(m, callee);
  spill_regs(f);
  if (callee < m->import_func_count) {
    x_load(f->code, X_R11,
           x_at(X_RBX, (int32_t)(f->layout->imported_funcs + 8 * callee)), 8);
    int32_t area = load_call_args(f, t);
    x_load(f->code, X_RDI, x_at(X_R11, offsetof(wasmaot_funcref, env)), 8);
    x_call_mem(f->code, x_at(X_R11, offsetof(wasmaot_funcref, code)));
    finish_call(f, area, t);
    return;
  }
  int32_t area = load_call_args(f, t);
  x_mov_rr(f->code, true, X_RDI, X_RBX);
  size_t at = x_call_rel32(f->code);
  bl_object_add_reloc(f->obj, (bl_reloc){.offset = at,
                                         .symbol = function_symbol(f, callee),
                                         .type = R_X86_64_PLT32,
                                         .addend = -4});
  finish_call(f, area, t);
}

static void lower_call_indirect(bl_func *f, const wasm_instr *in) {
  bytebuf *c = f->code;
  uint32_t type_index = in->imm.call_indirect.type_index;
  const wasm_functype *t = &f->m->types[type_index];
  pop_into(f, X_RAX);
  spill_regs(f);
  x_load(c, X_R11,
         x_at(X_RBX,
              (int32_t)(f->layout->tables + 8 * in->imm.call_indirect.table)),
         8);
  x_alu_rm(c, XA_CMP, false, X_RAX,
           x_at(X_R11, offsetof(wasmaot_table_obj, size)));
  jcc_to(f, XC_AE, trap_label(f, WASMAOT_TRAP_UNDEFINED_ELEMENT));
  x_load(c, X_R11, x_at(X_R11, offsetof(wasmaot_table_obj, elems)), 8);
  x_load(c, X_R11, (x_mem){X_R11, X_RAX, 8, 0}, 8);
  x_test_rr(c, true, X_R11, X_R11);
  jcc_to(f, XC_E, trap_label(f, WASMAOT_TRAP_UNINITIALIZED_ELEMENT));
  x_load(c, X_RAX, x_at(X_R11, offsetof(wasmaot_funcref, type_id)), 4);
  x_alu_rm(c, XA_CMP, false, X_RAX,
           x_at(X_RBX, (int32_t)(f->layout->type_ids + 4 * type_index)));
  jcc_to(f, XC_NE, trap_label(f, WASMAOT_TRAP_INDIRECT_CALL_TYPE));
  int32_t area = load_call_args(f, t);
  x_load(c, X_RDI, x_at(X_R11, offsetof(wasmaot_funcref, env)), 8);
  x_call_mem(c, x_at(X_R11, offsetof(wasmaot_funcref, code)));
  finish_call(f, area, t);
}

static void lower_memory_misc(bl_func *f, wasm_opcode op) {
  bytebuf *c = f->code;
  if (op == WASM_OP_MEMORY_SIZE) {
    x_load(c, X_RAX, x_at(X_RBX, offsetof(wasmaot_vmctx_header, memory0)), 8);
    x_load(c, X_RAX, x_at(X_RAX, offsetof(wasmaot_memory_obj, size_bytes)), 8);
    x_shift_imm(c, XS_SHR, true, X_RAX, 16);
    push_reg(f, X_RAX, false);
    return;
  }
  if (op == WASM_OP_MEMORY_GROW) {
    call_helper(f, WASMAOT_HELPER_MEMORY_GROW, 1, 1);
    push_reg(f, X_RAX, false);
  } else if (op == WASM_OP_MEMORY_FILL) {
    call_helper(f, WASMAOT_HELPER_MEMORY_FILL, 1, 3);
  } else {
    call_helper(f, WASMAOT_HELPER_MEMORY_COPY, 2, 3);
  }
}

/* ---- Control ----------------------------------------------------------- */

static void blocktype_types(const bl_func *f, const wasm_blocktype *bt,
                            bl_frame *fr) {
  fr->nparams = fr->nresults = 0;
  fr->params = fr->results = NULL;
  if (bt->kind == WASM_BLOCKTYPE_VALUE) {
    fr->nresults = 1;
    fr->single = bt->value;
  } else if (bt->kind == WASM_BLOCKTYPE_TYPE_INDEX) {
    const wasm_functype *t = &f->m->types[bt->type_index];
    fr->nparams = t->param_count;
    fr->nresults = t->result_count;
    fr->params = wasm_functype_params(t);
    fr->results = wasm_functype_results(t);
  }
}

static bl_frame *push_frame(bl_func *f, frame_kind kind) {
  size_t cap = f->frames_cap;
  bl_frame *p = grow(f->frames, &cap, f->nframes + 1, sizeof *p, &f->failed);
  if (!p)
    return NULL;
  f->frames = p;
  f->frames_cap = (uint32_t)cap;
  bl_frame *fr = &f->frames[f->nframes++];
  memset(fr, 0, sizeof *fr);
  fr->kind = (uint8_t)kind;
  return fr;
}

static void count_entry(bl_func *f) {
  if (!f->layout->entry_counts)
    return;
  x_load(f->code, X_RAX, x_at(X_RBX, (int32_t)f->layout->entry_counts), 8);
  uint32_t defined = f->func_index - f->m->import_func_count;
  x_alu_mi8(f->code, XA_ADD, x_at(X_RAX, (int32_t)(8 * defined)), 1);
}

static void emit_return(bl_func *f) {
  if (f->type->result_count == 1) {
    if (is_float_type(wasm_functype_results(f->type)[0]))
      load_xmm(f, 0, f->sp - 1);
    else
      load_value(f, X_RAX, f->sp - 1);
  }
  x_lea(f->code, X_RSP, x_at(X_RBP, -f->slots_at));
  for (uint32_t i = f->nsaved; i-- > 0;)
    x_pop(f->code, f->saved[i]);
  x_pop(f->code, X_R12);
  x_pop(f->code, X_RBX);
  x_pop(f->code, X_RBP);
  x_ret(f->code);
}

/* Copies the top `n` operands (all in slots) down to `height`. */
static void move_values(bl_func *f, uint32_t n, uint32_t height) {
  uint32_t from = f->sp - n;
  if (from == height)
    return;
  for (uint32_t i = 0; i < n; i++) {
    x_load(f->code, X_RAX, slot_mem(f, from + i), 8);
    x_store(f->code, slot_mem(f, height + i), X_RAX, 8);
  }
}

static uint32_t branch_arity(const bl_frame *fr) {
  return fr->kind == FR_LOOP ? fr->nparams : fr->nresults;
}

/* Moves the branch's values and jumps to (or returns from) the frame at
 * `depth`. All operands are in slots. */
static void emit_branch(bl_func *f, uint32_t depth) {
  bl_frame *fr = &f->frames[f->nframes - 1 - depth];
  if (fr->kind == FR_FUNC) {
    emit_return(f);
    return;
  }
  move_values(f, branch_arity(fr), fr->height);
  jmp_to(f, fr->label);
}

/* Whether a branch to `depth` needs no moves: a jump straight there. */
static bool branch_is_direct(const bl_func *f, uint32_t depth) {
  const bl_frame *fr = &f->frames[f->nframes - 1 - depth];
  return fr->kind != FR_FUNC && f->sp - branch_arity(fr) == fr->height;
}

static void enter_block(bl_func *f, const wasm_instr *in, frame_kind kind) {
  bl_frame tmp = {0};
  blocktype_types(f, &in->imm.block, &tmp);
  x_cond cond = XC_NE;
  if (kind == FR_IF)
    cond = pop_condition(f);
  materialize_all(f); /* moves only: the flags survive */
  bl_frame *fr = push_frame(f, kind);
  if (!fr)
    return;
  fr->nparams = tmp.nparams;
  fr->nresults = tmp.nresults;
  fr->params = tmp.params;
  fr->results = tmp.results;
  fr->single = tmp.single;
  fr->height = f->sp - fr->nparams;
  fr->label = new_label(f);
  if (kind == FR_LOOP) {
    bind_label(f, fr->label);
    count_entry(f);
  } else if (kind == FR_IF) {
    fr->else_label = new_label(f);
    jcc_to(f, invert(cond), fr->else_label);
  }
}

/* The operand stack at a join: the frame's parameters or results, in
 * their slots. */
static void reset_stack(bl_func *f, const bl_frame *fr, bool results) {
  uint32_t n = results ? fr->nresults : fr->nparams;
  const wasm_type *types = results ? fr->results : fr->params;
  f->sp = fr->height;
  for (uint32_t i = 0; i < n; i++)
    push_slot(f, is64_type(types ? types[i] : fr->single));
}

static void lower_else(bl_func *f) {
  bl_frame *fr = &f->frames[f->nframes - 1];
  if (!f->unreachable) {
    materialize_all(f);
    jmp_to(f, fr->label);
  }
  bind_label(f, fr->else_label);
  fr->has_else = true;
  reset_stack(f, fr, false);
  f->unreachable = false;
}

/* Returns true at the function's final end. */
static bool lower_end(bl_func *f) {
  bl_frame *fr = &f->frames[f->nframes - 1];
  if (fr->kind == FR_FUNC) {
    if (!f->unreachable)
      emit_return(f);
    f->nframes--;
    return true;
  }
  if (!f->unreachable)
    materialize_all(f);
  if (fr->kind == FR_IF && !fr->has_else)
    bind_label(f, fr->else_label);
  if (fr->kind != FR_LOOP)
    bind_label(f, fr->label);
  reset_stack(f, fr, true);
  f->nframes--;
  f->unreachable = false;
  return false;
}

static void lower_br_if(bl_func *f, uint32_t depth) {
  x_cond cond = pop_condition(f);
  materialize_all(f); /* moves only: the flags survive */
  if (branch_is_direct(f, depth)) {
    jcc_to(f, cond, f->frames[f->nframes - 1 - depth].label);
    return;
  }
  int skip = new_label(f);
  jcc_to(f, invert(cond), skip);
  emit_branch(f, depth);
  bind_label(f, skip);
}

static void lower_br_table(bl_func *f, const wasm_instr *in) {
  pop_into(f, X_RAX);
  materialize_all(f);
  uint32_t n = in->imm.br_table.target_count;
  uint32_t *depths = malloc(((size_t)n + 1) * sizeof *depths);
  int *stubs = calloc(f->nframes, sizeof *stubs);
  if (!depths || !stubs) {
    free(depths);
    free(stubs);
    f->failed = true;
    return;
  }
  wasm_br_table_iter it = wasm_br_table_begin(in);
  for (uint32_t i = 0; i < n && wasm_br_table_next(&it, &depths[i]); i++)
    ;
  depths[n] = in->imm.br_table.default_label;
  /* A target that needs moves gets a stub (one per frame). */
  for (uint32_t i = 0; i <= n; i++)
    if (!branch_is_direct(f, depths[i]) && !stubs[depths[i]])
      stubs[depths[i]] = new_label(f) + 1;
#define TARGET_OF(d)                                                           \
  (stubs[d] ? stubs[d] - 1 : f->frames[f->nframes - 1 - (d)].label)
  bytebuf *c = f->code;
  x_alu_ri(c, XA_CMP, false, X_RAX, (int32_t)n);
  jcc_to(f, XC_AE, TARGET_OF(depths[n]));
  int table = new_label(f);
  add_fixup(f, x_lea_rip(c, X_RCX), table, FIX_REL32, 0);
  x_load_signed(c, true, X_RAX, (x_mem){X_RCX, X_RAX, 4, 0}, 4);
  x_alu_rr(c, XA_ADD, true, X_RAX, X_RCX);
  x_jmp_reg(c, X_RAX);
  bind_label(f, table);
  size_t base = c->len;
  for (uint32_t i = 0; i < n; i++) {
    add_fixup(f, c->len, TARGET_OF(depths[i]), FIX_TABLE, base);
    bytebuf_append(c, "\0\0\0\0", 4);
  }
  for (uint32_t d = 0; d < f->nframes; d++)
    if (stubs[d]) {
      bind_label(f, stubs[d] - 1);
      emit_branch(f, d);
    }
#undef TARGET_OF
  free(depths);
  free(stubs);
  f->unreachable = true;
}

/* ---- Variables --------------------------------------------------------- */

static void lower_local_set(bl_func *f, uint32_t l, bool tee) {
  bl_value v = f->stack[f->sp - 1];
  f->sp--;
  if (!(v.kind == VK_LOCAL && v.local == l)) {
    materialize_reads_of(f, l);
    f->sp++; /* v's own slot stays readable while it is stored */
    int lr = f->local_reg[l];
    if (lr >= XREG) {
      load_xmm(f, lr - XREG, f->sp - 1);
    } else if (lr >= 0) {
      load_value(f, lr, f->sp - 1);
    } else if (v.kind == VK_CONST && fits_imm32(v.c)) {
      x_store_imm(f->code, local_mem(f, l), (int32_t)v.c);
    } else if (value_reg(f, f->sp - 1) >= 0) {
      store_reg(f, local_mem(f, l), value_reg(f, f->sp - 1));
    } else {
      load_value(f, X_RAX, f->sp - 1);
      x_store(f->code, local_mem(f, l), X_RAX, 8);
    }
    f->sp--;
  }
  if (tee)
    push_value(f, (bl_value){.kind = VK_LOCAL,
                             .is64 = is64_type(f->local_types[l]),
                             .local = l});
}

static x_mem global_cell(bl_func *f, uint32_t g) {
  const wasm_module *m = f->m;
  if (g < m->import_global_count) {
    x_load(f->code, X_RDX,
           x_at(X_RBX, (int32_t)(f->layout->imported_globals + 8 * g)), 8);
    return x_at(X_RDX, 0);
  }
  return x_at(X_RBX, (int32_t)(f->layout->defined_globals +
                               16 * (g - m->import_global_count)));
}

static void lower_global(bl_func *f, const wasm_instr *in) {
  uint32_t g = in->imm.global;
  bool w = is64_type(f->m->globals[g].type.type);
  if (in->op == WASM_OP_GLOBAL_GET) {
    x_load(f->code, X_RAX, global_cell(f, g), w ? 8 : 4);
    push_reg(f, X_RAX, w);
  } else {
    pop_into(f, X_RCX);
    x_store(f->code, global_cell(f, g), X_RCX, w ? 8 : 4);
  }
}

static void lower_select(bl_func *f) {
  pop_into(f, X_RDX);
  pop_into(f, X_RCX);
  bool w = f->stack[f->sp - 1].is64;
  pop_into(f, X_RAX);
  x_test_rr(f->code, false, X_RDX, X_RDX);
  x_cmov(f->code, XC_E, true, X_RAX, X_RCX);
  push_reg(f, X_RAX, w);
}

/* ---- Functions --------------------------------------------------------- */

static bool skip_unreachable(bl_func *f, wasm_opcode op) {
  if (!f->unreachable)
    return false;
  if (op == WASM_OP_BLOCK || op == WASM_OP_LOOP || op == WASM_OP_IF) {
    f->skip_depth++;
    return true;
  }
  if (op == WASM_OP_END && f->skip_depth) {
    f->skip_depth--;
    return true;
  }
  if ((op == WASM_OP_END || op == WASM_OP_ELSE) && !f->skip_depth)
    return false;
  return true;
}

/* Returns false for an instruction it does not know (a bug: the support
 * check admitted it). *done at the function's end. */
static bool lower_instr(bl_func *f, const wasm_instr *in, bool *done) {
  wasm_opcode op = in->op;
  if (skip_unreachable(f, op))
    return true;
  if (f->sp > 0 && f->stack[f->sp - 1].kind == VK_COND && op != WASM_OP_BR_IF &&
      op != WASM_OP_IF)
    cond_to_reg(f);
  switch (op) {
  case WASM_OP_NOP:
    return true;
  case WASM_OP_UNREACHABLE:
    jmp_to(f, trap_label(f, WASMAOT_TRAP_UNREACHABLE));
    f->unreachable = true;
    return true;
  case WASM_OP_BLOCK:
    enter_block(f, in, FR_BLOCK);
    return true;
  case WASM_OP_LOOP:
    enter_block(f, in, FR_LOOP);
    return true;
  case WASM_OP_IF:
    enter_block(f, in, FR_IF);
    return true;
  case WASM_OP_ELSE:
    lower_else(f);
    return true;
  case WASM_OP_END:
    *done = lower_end(f);
    return true;
  case WASM_OP_BR:
    materialize_all(f);
    emit_branch(f, in->imm.label);
    f->unreachable = true;
    return true;
  case WASM_OP_BR_IF:
    lower_br_if(f, in->imm.label);
    return true;
  case WASM_OP_BR_TABLE:
    lower_br_table(f, in);
    return true;
  case WASM_OP_RETURN:
    emit_return(f);
    f->unreachable = true;
    return true;
  case WASM_OP_CALL:
    lower_call(f, in->imm.func);
    return true;
  case WASM_OP_CALL_INDIRECT:
    lower_call_indirect(f, in);
    return true;
  case WASM_OP_DROP:
    f->sp--;
    return true;
  case WASM_OP_SELECT:
  case WASM_OP_SELECT_T:
    lower_select(f);
    return true;
  case WASM_OP_LOCAL_GET:
    push_value(f, (bl_value){.kind = VK_LOCAL,
                             .is64 = is64_type(f->local_types[in->imm.local]),
                             .local = in->imm.local});
    return true;
  case WASM_OP_LOCAL_SET:
  case WASM_OP_LOCAL_TEE:
    lower_local_set(f, in->imm.local, op == WASM_OP_LOCAL_TEE);
    return true;
  case WASM_OP_GLOBAL_GET:
  case WASM_OP_GLOBAL_SET:
    lower_global(f, in);
    return true;
  case WASM_OP_I32_CONST:
    push_value(f, (bl_value){.kind = VK_CONST, .c = in->imm.i32});
    return true;
  case WASM_OP_I64_CONST:
    push_value(f, (bl_value){.kind = VK_CONST, .is64 = true, .c = in->imm.i64});
    return true;
  case WASM_OP_F32_CONST:
    push_value(f, (bl_value){.kind = VK_CONST, .c = in->imm.f32_bits});
    return true;
  case WASM_OP_F64_CONST:
    push_value(f, (bl_value){.kind = VK_CONST,
                             .is64 = true,
                             .c = (int64_t)in->imm.f64_bits});
    return true;
  case WASM_OP_MEMORY_SIZE:
  case WASM_OP_MEMORY_GROW:
  case WASM_OP_MEMORY_FILL:
  case WASM_OP_MEMORY_COPY:
    lower_memory_misc(f, op);
    return true;
  default:
    break;
  }
  if (op >= WASM_OP_I32_LOAD && op <= WASM_OP_I64_LOAD32_U) {
    lower_load(f, in);
    return true;
  }
  if (op >= WASM_OP_I32_STORE && op <= WASM_OP_I64_STORE32) {
    lower_store(f, in);
    return true;
  }
  return lower_numeric(f, op) || lower_float(f, op);
}

static void emit_prologue(bl_func *f) {
  bytebuf *c = f->code;
  x_push(c, X_RBP);
  x_mov_rr(c, true, X_RBP, X_RSP);
  x_push(c, X_RBX);
  x_push(c, X_R12);
  for (uint32_t i = 0; i < f->nsaved; i++)
    x_push(c, f->saved[i]);
  /* sub rsp, imm32: the frame's size is known at the end. */
  static const uint8_t sub_rsp[] = {0x48, 0x81, 0xEC};
  bytebuf_append(c, sub_rsp, sizeof sub_rsp);
  f->frame_size_at = c->len;
  bytebuf_append(c, "\0\0\0\0", 4);
  x_mov_rr(c, true, X_RBX, X_RDI);
  /* Before the frame is written: zeroing a frame too large for the stack
   * could write past its guard. */
  x_alu_rm(c, XA_CMP, true, X_RSP,
           x_at(X_RBX, offsetof(wasmaot_vmctx_header, stack_limit)));
  jcc_to(f, XC_B, trap_label(f, WASMAOT_TRAP_STACK_EXHAUSTED));
  uint32_t np = f->type->param_count;
  int next_int = 1, next_xmm = 0;
  uint32_t next_stack = 0;
  for (uint32_t j = 0; j < np; j++) {
    arg_place a = place_arg(f->type, j, &next_int, &next_xmm, &next_stack);
    if (a.reg >= 0) {
      x_store(c, local_mem(f, j), a.reg, 8);
    } else if (a.xmm >= 0) {
      x_sse_rm(c, 0xF2, false, 0x11, a.xmm, local_mem(f, j)); /* movsd */
    } else {
      x_load(c, X_RAX, x_at(X_RBP, (int32_t)(16 + 8 * a.stack)), 8);
      x_store(c, local_mem(f, j), X_RAX, 8);
    }
  }
  uint32_t zeroed = f->nlocals - np;
  x_alu_rr(c, XA_XOR, false, X_RAX, X_RAX);
  if (zeroed <= 8) {
    for (uint32_t l = np; l < f->nlocals; l++)
      x_store(c, local_mem(f, l), X_RAX, 8);
  } else { /* rep stosq from the lowest local up */
    x_lea(c, X_RDI, local_mem(f, f->nlocals - 1));
    x_mov_imm(c, X_RCX, zeroed);
    static const uint8_t rep_stosq[] = {0xF3, 0x48, 0xAB};
    bytebuf_append(c, rep_stosq, sizeof rep_stosq);
  }
  for (uint32_t l = 0; l < f->nlocals; l++) {
    int r = f->local_reg[l];
    if (r >= XREG && l < np)
      x_sse_rm(c, 0xF2, false, 0x10, r - XREG, local_mem(f, l)); /* movsd */
    else if (r >= XREG)
      x_sse_rr(c, 0, false, 0x57, r - XREG, r - XREG); /* xorps */
    else if (r >= 0 && l < np)
      x_load(c, r, local_mem(f, l), 8);
    else if (r >= 0)
      x_alu_rr(c, XA_XOR, false, r, r);
  }
  if (f->m->memory_count > 0)
    x_load(c, X_R12, x_at(X_RBX, offsetof(wasmaot_vmctx_header, memory0_base)),
           8);
  count_entry(f);
}

static void emit_trap_stubs(bl_func *f) {
  bytebuf *c = f->code;
  for (int k = 0; k < WASMAOT_TRAP_COUNT; k++) {
    if (f->trap_label[k] < 0)
      continue;
    bind_label(f, f->trap_label[k]);
    x_mov_rr(c, true, X_RDI, X_RBX);
    x_mov_imm(c, X_RSI, (uint32_t)k);
    x_load(c, X_RAX, x_at(X_RBX, offsetof(wasmaot_vmctx_header, helpers)), 8);
    x_call_mem(c, x_at(X_RAX, 8 * WASMAOT_HELPER_TRAP));
    bytebuf_append_byte(c, 0xCC); /* TRAP never returns */
  }
}

static bool setup_locals(bl_func *f) {
  const wasm_module *m = f->m;
  const wasm_func *fn = &m->funcs[f->func_index - m->import_func_count];
  f->nlocals = (uint32_t)(f->type->param_count + fn->local_count);
  f->local_types = malloc((f->nlocals ? f->nlocals : 1) * sizeof(wasm_type));
  if (!f->local_types)
    return false;
  uint32_t n = 0;
  for (uint32_t j = 0; j < f->type->param_count; j++)
    f->local_types[n++] = wasm_functype_params(f->type)[j];
  for (uint32_t r = 0; r < fn->local_run_count; r++)
    for (uint32_t k = 0; k < fn->local_runs[r].count; k++)
      f->local_types[n++] = fn->local_runs[r].type;
  return true;
}

/* Whether an instruction calls out (a function or a helper), clobbering
 * the caller-saved registers. */
static bool instr_calls(wasm_opcode op) {
  return op == WASM_OP_CALL || op == WASM_OP_CALL_INDIRECT ||
         op == WASM_OP_MEMORY_GROW || op == WASM_OP_MEMORY_FILL ||
         op == WASM_OP_MEMORY_COPY;
}

/* Local reads and writes, weighted by loop nesting (8x a level). */
static bool count_local_uses(bl_func *f, const wasm_func *fn, uint64_t *uses,
                             bool *calls) {
  const wasm_module *m = f->m;
  wasm_error err = {0};
  wasm_reader r = {.bytes = m->bytes,
                   .pos = fn->code_offset,
                   .end = fn->code_end,
                   .err = &err};
  uint8_t *is_loop = NULL;
  size_t cap = 0;
  uint32_t depth = 0, loops = 0;
  *calls = false;
  while (r.pos < r.end) {
    wasm_instr in;
    if (!wasm_read_instr(&r, m, &in))
      break;
    switch (in.op) {
    case WASM_OP_BLOCK:
    case WASM_OP_LOOP:
    case WASM_OP_IF: {
      uint8_t *p = grow(is_loop, &cap, depth + 1, 1, &f->failed);
      if (!p) {
        free(is_loop);
        return false;
      }
      is_loop = p;
      is_loop[depth++] = in.op == WASM_OP_LOOP;
      loops += in.op == WASM_OP_LOOP;
      break;
    }
    case WASM_OP_END:
      if (depth > 0)
        loops -= is_loop[--depth];
      break;
    case WASM_OP_LOCAL_GET:
    case WASM_OP_LOCAL_SET:
    case WASM_OP_LOCAL_TEE:
      uses[in.imm.local] += UINT64_C(1) << (3 * (loops < 16 ? loops : 16));
      break;
    default:
      *calls = *calls || instr_calls(in.op);
      break;
    }
  }
  free(is_loop);
  return true;
}

/* The most used local among those of the class without a register, or
 * UINT32_MAX. */
static uint32_t most_used_local(const bl_func *f, const uint64_t *uses,
                                bool is_float) {
  uint32_t best = UINT32_MAX;
  for (uint32_t l = 0; l < f->nlocals; l++)
    if (f->local_reg[l] < 0 && uses[l] > 1 &&
        is_float_type(f->local_types[l]) == is_float &&
        (best == UINT32_MAX || uses[l] > uses[best]))
      best = l;
  return best;
}

/* Gives the most used locals registers for the whole function: r13-r15
 * (saved in the prologue), and in a function that calls nothing also
 * rsi and rdi (taken from the operands' pool) and xmm8-xmm15. */
static bool assign_local_regs(bl_func *f, const wasm_func *fn) {
  static const int8_t callee_saved[] = {X_R13, X_R14, X_R15};
  static const int8_t leaf_gprs[] = {X_RSI, X_RDI};
  f->local_reg = malloc(f->nlocals ? f->nlocals : 1);
  uint64_t *uses = calloc(f->nlocals ? f->nlocals : 1, sizeof *uses);
  bool calls = true;
  if (!f->local_reg || !uses || !count_local_uses(f, fn, uses, &calls)) {
    free(uses);
    return false;
  }
  memset(f->local_reg, -1, f->nlocals);
  static const int8_t all_pool[] = {X_RSI, X_RDI, X_R8, X_R9, X_R10, X_R11};
  uint32_t leaf_taken = 0;
  for (int i = 0; !calls && i < 2; i++) {
    uint32_t l = most_used_local(f, uses, false);
    if (l == UINT32_MAX)
      break;
    f->local_reg[l] = leaf_gprs[i];
    leaf_taken++;
  }
  f->nsaved = 0;
  for (int i = 0; i < 3; i++) {
    uint32_t l = most_used_local(f, uses, false);
    if (l == UINT32_MAX)
      break;
    f->local_reg[l] = callee_saved[i];
    f->saved[f->nsaved++] = callee_saved[i];
  }
  f->gpr_pool_size = 0;
  for (uint32_t i = leaf_taken; i < 6; i++)
    f->gpr_pool[f->gpr_pool_size++] = all_pool[i];
  for (int i = 0; !calls && i < 8; i++) {
    uint32_t l = most_used_local(f, uses, true);
    if (l == UINT32_MAX)
      break;
    f->local_reg[l] = (int8_t)(XREG + 8 + i);
  }
  f->slots_at = 16 + 8 * (int32_t)f->nsaved;
  free(uses);
  return true;
}

static bool compile_function(bl_func *f, char *errbuf, size_t errlen) {
  const wasm_module *m = f->m;
  const wasm_func *fn = &m->funcs[f->func_index - m->import_func_count];
  for (int k = 0; k < WASMAOT_TRAP_COUNT; k++)
    f->trap_label[k] = -1;
  if (!setup_locals(f) || !assign_local_regs(f, fn))
    return false;
  size_t start = f->code->len;
  emit_prologue(f);
  bl_frame *top = push_frame(f, FR_FUNC);
  if (top) {
    top->nresults = f->type->result_count;
    top->results = wasm_functype_results(f->type);
  }
  wasm_error err = {0};
  wasm_reader r = {.bytes = m->bytes,
                   .pos = fn->code_offset,
                   .end = fn->code_end,
                   .err = &err};
  bool done = false;
  while (!done && !f->failed && r.pos < r.end) {
    wasm_instr in;
    if (!wasm_read_instr(&r, m, &in) || !lower_instr(f, &in, &done)) {
      snprintf(errbuf, errlen, "baseline: function %u: unsupported at 0x%zx",
               f->func_index, in.offset);
      return false;
    }
  }
  emit_trap_stubs(f);
  /* rsp is 16-byte aligned after the frame (an odd number of saved
   * registers leaves it 8 off before). */
  uint32_t saved = 8 * f->nsaved;
  uint32_t frame =
      ((8 * (f->nlocals + f->max_depth) + saved + 15) & ~15u) - saved;
  memcpy(f->code->data + f->frame_size_at, &frame, 4);
  resolve_fixups(f);
  uint32_t sym = function_symbol(f, f->func_index);
  f->obj->symbols[sym].defined = true;
  f->obj->symbols[sym].value = start;
  f->obj->symbols[sym].size = f->code->len - start;
  return !f->failed;
}

static void reset_func(bl_func *f) {
  free(f->local_types);
  f->local_types = NULL;
  free(f->local_reg);
  f->local_reg = NULL;
  f->sp = f->max_depth = 0;
  f->nframes = f->nlabels = 0;
  f->nfixups = 0;
  f->unreachable = false;
  f->skip_depth = 0;
}

bool baseline_compile(const wasm_module *m, const codegen_target *t,
                      const wasmaot_vmctx_layout *layout, const uint32_t *funcs,
                      uint32_t count, const char *const *symbols, void **obj,
                      size_t *size, char *errbuf, size_t errlen) {
  (void)t;
  bl_object o = {0};
  bl_func f = {
      .m = m, .layout = layout, .obj = &o, .code = &o.text, .symbols = symbols};
  f.symbol_of = malloc((m->func_count ? m->func_count : 1) * sizeof(uint32_t));
  bool ok = f.symbol_of != NULL;
  if (ok)
    memset(f.symbol_of, 0xFF, m->func_count * sizeof(uint32_t));
  errbuf[0] = 0;
  for (uint32_t i = 0; ok && i < count; i++) {
    while (o.text.len % 16)
      bytebuf_append_byte(&o.text, 0xCC);
    f.func_index = funcs[i];
    f.type = wasm_func_type(m, funcs[i]);
    ok = compile_function(&f, errbuf, errlen);
    reset_func(&f);
  }
  ok = ok && bl_object_write(&o, EM_X86_64, obj, size);
  if (!ok && !errbuf[0])
    snprintf(errbuf, errlen, "baseline: out of memory");
  free(f.symbol_of);
  free(f.stack);
  free(f.frames);
  free(f.labels);
  free(f.fixups);
  free(f.local_types);
  free(f.local_reg);
  bl_object_free(&o);
  return ok;
}
