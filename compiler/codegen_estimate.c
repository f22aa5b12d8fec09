#include "codegen_estimate.h"

#include <stdlib.h>

#include "codegen_plan.h"
#include "wasm_instr.h"

static bool is_call(wasm_opcode op) {
  switch (op) {
  case WASM_OP_CALL:
  case WASM_OP_CALL_INDIRECT:
  case WASM_OP_CALL_REF:
  case WASM_OP_RETURN_CALL:
  case WASM_OP_RETURN_CALL_INDIRECT:
  case WASM_OP_RETURN_CALL_REF:
    return true;
  default:
    return false;
  }
}

/* The calls in the (validated) body of defined function `i`. */
static uint32_t calls_in(const wasm_module *m, uint32_t i) {
  const wasm_func *fn = &m->funcs[i];
  wasm_error err = {0};
  wasm_reader r = {.bytes = m->bytes,
                   .pos = fn->code_offset,
                   .end = fn->code_end,
                   .err = &err};
  uint32_t calls = 0;
  while (r.pos < r.end) {
    wasm_instr in;
    if (!wasm_read_instr(&r, m, &in))
      break;
    calls += is_call(in.op);
  }
  return calls;
}

typedef struct ranked {
  uint64_t score;
  uint32_t index;
} ranked;

static uint64_t isqrt(uint64_t x) {
  uint64_t r = 0;
  for (uint64_t bit = (uint64_t)1 << 62; bit; bit >>= 2) {
    if (x >= r + bit) {
      x -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
  }
  return r;
}

/* Small functions first, and of those the ones that call least: 1 /
 * (bytes * sqrt(1 + calls)). Integers, so that the choice is the same on
 * every host. */
static uint64_t score_of(uint64_t bytes, uint32_t calls) {
  uint64_t root = isqrt(((uint64_t)calls + 1) << 16); /* 256 sqrt(1+calls) */
  return ((uint64_t)1 << 60) / ((bytes + 1) * root);
}

static int higher_first(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

bool codegen_estimate_hot(const wasm_module *m, uint64_t budget,
                          uint64_t **counts) {
  uint32_t defined = m->func_count - m->import_func_count;
  uint64_t *c = calloc(defined ? defined : 1, sizeof *c);
  ranked *order = malloc((defined ? defined : 1) * sizeof *order);
  if (!c || !order) {
    free(c);
    free(order);
    return false;
  }
  for (uint32_t i = 0; i < defined; i++)
    order[i] = (ranked){score_of(codegen_body_bytes(m, i), calls_in(m, i)), i};
  qsort(order, defined, sizeof *order, higher_first);
  uint64_t taken = 0;
  for (uint32_t k = 0; k < defined && taken < budget; k++) {
    c[order[k].index] = 1;
    taken += codegen_body_bytes(m, order[k].index);
  }
  free(order);
  *counts = c;
  return true;
}
