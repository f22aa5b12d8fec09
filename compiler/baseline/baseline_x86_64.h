/* The baseline code generator for x86-64 (baseline.h), inside: the
 * function being compiled, its operands and labels, and what the files
 * that lower each kind of instruction share (baseline_x86_64_*.c).
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
#ifndef WASMAOT_BASELINE_X86_64_H
#define WASMAOT_BASELINE_X86_64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "artifact_format.h"
#include "baseline.h"
#include "baseline_object.h"
#include "wasm_instr.h"
#include "wasm_module.h"
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
  uint32_t sp, max_depth;
  size_t stack_cap;
  bl_frame *frames;
  uint32_t nframes;
  size_t frames_cap;
  int32_t *labels; /* positions, -1 until bound */
  uint32_t nlabels;
  size_t labels_cap;
  bl_fixup *fixups;
  size_t nfixups, fixups_cap;
  int trap_label[WASMAOT_TRAP_COUNT];
  size_t frame_size_at; /* the prologue's sub rsp imm32 */
  bool unreachable;
  uint32_t skip_depth;
  bool failed;
} bl_func;

static inline x_mem local_mem(const bl_func *f, uint32_t l) {
  return x_at(X_RBP, -f->slots_at - 8 * ((int32_t)l + 1));
}

static inline x_mem slot_mem(const bl_func *f, uint32_t depth) {
  return x_at(X_RBP, -f->slots_at - 8 * ((int32_t)(f->nlocals + depth) + 1));
}

/* Whether a value of type t fills its slot's 8 bytes. */
static inline bool is64_type(wasm_type t) {
  return t == WASM_TYPE_I64 || t == WASM_TYPE_F64;
}

static inline bool is_float_type(wasm_type t) {
  return t == WASM_TYPE_F32 || t == WASM_TYPE_F64;
}

/* The register that holds the value at `depth` (an operand's own or its
 * local's), or -1. */
static inline int value_reg(const bl_func *f, uint32_t depth) {
  const bl_value *v = &f->stack[depth];
  if (v->kind == VK_REG)
    return v->reg;
  if (v->kind == VK_LOCAL)
    return f->local_reg[v->local];
  return -1;
}

/* The operand's own general register, which its consumer may reuse for
 * the result, or -1. */
static inline int own_gpr(const bl_func *f, uint32_t depth) {
  const bl_value *v = &f->stack[depth];
  return v->kind == VK_REG && v->reg < XREG ? v->reg : -1;
}

static inline int own_xmm(const bl_func *f, uint32_t depth) {
  const bl_value *v = &f->stack[depth];
  return v->kind == VK_REG && v->reg >= XREG ? v->reg - XREG : -1;
}

static inline bool fits_imm32(int64_t c) {
  return c >= INT32_MIN && c <= INT32_MAX;
}

static inline x_cond invert(x_cond c) {
  return (x_cond)(c ^ 1);
}

static inline uint8_t scalar_prefix(bool f64) {
  return f64 ? 0xF2 : 0xF3;
}

/* Where the C convention passes parameter k of `t` (after vmctx): a
 * general register (arg_regs index), an xmm register, or the stack
 * (8-byte words, in order). */
typedef struct arg_place {
  int reg, xmm;   /* -1 when not in one */
  uint32_t stack; /* word, when in neither */
} arg_place;

/* ---- Labels (baseline_x86_64_values.c) -------------------------------
 * A label is a position in the function's code, bound once; jumps to it
 * are fixed up when the function ends. */

int bl_new_label(bl_func *f);
void bl_bind_label(bl_func *f, int label);
void bl_add_fixup(bl_func *f, size_t at, int label, uint8_t kind, size_t base);
void bl_jmp_to(bl_func *f, int label);
void bl_jcc_to(bl_func *f, x_cond c, int label);
/* The function's stub that raises trap `kind`, made on first use. */
int bl_trap_label(bl_func *f, wasmaot_trap_kind kind);
void bl_resolve_fixups(bl_func *f);

/* ---- Operands (baseline_x86_64_values.c) ----------------------------- */

void bl_push_value(bl_func *f, bl_value v);
/* A new operand in its slot; returns its depth. */
uint32_t bl_push_slot(bl_func *f, bool is64);
/* Where the value at `depth` can be read as a memory operand. */
bool bl_value_mem(const bl_func *f, uint32_t depth, x_mem *out);
/* [m] <- the 8 bytes of (general or xmm) register r. */
void bl_store_reg(bl_func *f, x_mem m, int r);
/* reg <- the operand at `depth`; an i32 arrives zero-extended. */
void bl_load_value(bl_func *f, int reg, uint32_t depth);
/* Writes the operand at `depth` to its slot (clobbering rcx only). */
void bl_materialize(bl_func *f, uint32_t depth);
void bl_materialize_all(bl_func *f);
/* Before a call: every operand held in a register goes to its slot. */
void bl_spill_regs(bl_func *f);
/* A free register of the pool (an xmm one: XREG + n), spilling when
 * there is none. */
int bl_alloc_reg(bl_func *f, bool xmm);
/* Evaluates pending reads of `local`, before it changes. */
void bl_materialize_reads_of(bl_func *f, uint32_t local);
/* Pops the top operand into reg. */
void bl_pop_into(bl_func *f, int reg);
/* Pushes the integer in reg (a scratch one is moved to the pool). */
void bl_push_reg(bl_func *f, int reg, bool is64);
/* xmm <- the float operand at `depth` (rax is clobbered for a constant). */
void bl_load_xmm(bl_func *f, int xmm, uint32_t depth);
void bl_pop_xmm(bl_func *f, int xmm);
/* Pushes the float in xmm (xmm0 and xmm1 are moved to the pool). */
void bl_push_xmm(bl_func *f, int xmm, bool f64);

/* ---- Instructions ----------------------------------------------------
 * Each returns false for an opcode that is not its kind. */

/* Integer arithmetic, comparisons, conversions (baseline_x86_64_int.c). */
bool bl_lower_numeric(bl_func *f, wasm_opcode op);
/* The top operand, a VK_COND, as 0 or 1 in a register. */
void bl_cond_to_reg(bl_func *f);
/* Pops a branch condition: the flags' condition under which it holds. */
x_cond bl_pop_condition(bl_func *f);

/* Float arithmetic, comparisons, conversions (baseline_x86_64_float.c). */
bool bl_lower_float(bl_func *f, wasm_opcode op);

/* Memory 0 (baseline_x86_64_memory.c). */
void bl_lower_load(bl_func *f, const wasm_instr *in);
void bl_lower_store(bl_func *f, const wasm_instr *in);
/* memory.size, grow, fill, copy. */
void bl_lower_memory_misc(bl_func *f, wasm_opcode op);

/* Calls (baseline_x86_64_call.c). */
arg_place bl_place_arg(const wasm_functype *t, uint32_t k, int *next_int,
                       int *next_xmm, uint32_t *next_stack);
/* The object symbol of function `func_index`, added on first use. */
uint32_t bl_function_symbol(bl_func *f, uint32_t func_index);
/* helpers[h](vmctx, `zeros` zeros, the top `n` operands). */
void bl_call_helper(bl_func *f, wasmaot_helper_index h, uint32_t zeros,
                    uint32_t n);
void bl_lower_call(bl_func *f, uint32_t callee);
void bl_lower_call_indirect(bl_func *f, const wasm_instr *in);

#endif
