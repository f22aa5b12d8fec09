/* Constant expressions of several instructions: Wasm 3.0's extended
 * constant expressions, which add i32/i64 add, sub and mul to the
 * constant instructions (and let global.get read earlier immutable
 * globals, wasm_validate.c).
 *
 * A one-instruction expression stays what it was in 2.0 (its kind says
 * the instruction). A longer one is WASM_CONST_EXTENDED: its bytes in
 * the module (offset, size) are walked one instruction at a time, by
 * the decoder for syntax, the validator for types and the loader for
 * values, all through wasm_const_expr_each(), so the three read the
 * same instructions the same way. */
#ifndef WASMAOT_WASM_CONST_EXPR_H
#define WASMAOT_WASM_CONST_EXPR_H

#include <stdbool.h>
#include <stdint.h>

#include "wasm_module.h"
#include "wasm_reader.h"

/* An implementation limit on the operand stack of one expression, so
 * the validator and the loader evaluate in a fixed array; the decoder
 * refuses deeper ones with a message that says so. */
#define WASM_CONST_EXPR_MAX_DEPTH 64

typedef enum wasm_const_arith {
  WASM_CONST_PUSH, /* not arithmetic: `value` pushes a constant */
  WASM_CONST_I32_ADD,
  WASM_CONST_I32_SUB,
  WASM_CONST_I32_MUL,
  WASM_CONST_I64_ADD,
  WASM_CONST_I64_SUB,
  WASM_CONST_I64_MUL,
} wasm_const_arith;

typedef struct wasm_const_instr {
  wasm_const_arith arith;
  wasm_const_expr value; /* WASM_CONST_PUSH: a one-instruction expression */
} wasm_const_instr;

/* Reads one instruction of a constant expression, not its `end`
 * (wasm_decode.c, beside the other binary-format readers). A
 * non-constant instruction is "constant expression required". */
bool wasm_read_const_instr(wasm_reader *r, const wasm_module *m,
                           wasm_const_instr *out);

typedef bool (*wasm_const_visit)(void *ctx, const wasm_const_instr *in);

/* Calls `visit` on each instruction of `e`, an expression of the decoded
 * module `m`, in order; stops at the first that returns false and
 * returns false then. */
bool wasm_const_expr_each(const wasm_module *m, const wasm_const_expr *e,
                          wasm_const_visit visit, void *ctx);

/* The operand type of an arithmetic instruction: WASM_TYPE_I32 or I64. */
wasm_type wasm_const_arith_type(wasm_const_arith op);

/* a OP b with Wasm's wrapping integer semantics (i32 in the low bits). */
uint64_t wasm_const_arith_apply(wasm_const_arith op, uint64_t a, uint64_t b);

#endif
