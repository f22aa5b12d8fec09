#include "wasm_const_expr.h"

bool wasm_const_expr_each(const wasm_module *m, const wasm_const_expr *e,
                          wasm_const_visit visit, void *ctx) {
  if (e->kind != WASM_CONST_EXTENDED) {
    wasm_const_instr single = {.arith = WASM_CONST_PUSH, .value = *e};
    return visit(ctx, &single);
  }
  /* The decoder read these bytes already: no read fails here. */
  wasm_error err = {0};
  wasm_reader r = {.bytes = m->bytes,
                   .pos = e->offset,
                   .end = e->offset + e->size,
                   .err = &err};
  while (!wasm_reader_at_end(&r)) {
    wasm_const_instr in;
    if (!wasm_read_const_instr(&r, m, &in) || !visit(ctx, &in))
      return false;
  }
  return true;
}

wasm_type wasm_const_arith_type(wasm_const_arith op) {
  return op >= WASM_CONST_I64_ADD ? WASM_TYPE_I64 : WASM_TYPE_I32;
}

uint64_t wasm_const_arith_apply(wasm_const_arith op, uint64_t a, uint64_t b) {
  switch (op) {
  case WASM_CONST_I32_ADD:
    return (uint32_t)(a + b);
  case WASM_CONST_I32_SUB:
    return (uint32_t)(a - b);
  case WASM_CONST_I32_MUL:
    return (uint32_t)((uint32_t)a * (uint32_t)b);
  case WASM_CONST_I64_ADD:
    return a + b;
  case WASM_CONST_I64_SUB:
    return a - b;
  case WASM_CONST_I64_MUL:
    return a * b;
  case WASM_CONST_PUSH:
    break;
  }
  return 0;
}
