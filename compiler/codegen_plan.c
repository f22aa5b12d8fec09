#include "codegen_plan.h"

#include <stdlib.h>
#include <string.h>

static uint64_t body_bytes(const wasm_module *m, uint32_t defined_index) {
  const wasm_func *f = &m->funcs[defined_index];
  return (uint64_t)(f->code_end - f->body_offset);
}

/* Every function costs something (prologue, trap blocks) besides its
 * bytes. */
static uint64_t weight(const wasm_module *m, uint32_t defined_index) {
  return body_bytes(m, defined_index) + 32;
}

typedef struct weighted {
  uint64_t weight;
  uint32_t index;
} weighted;

static int heavier_first(const void *a, const void *b) {
  const weighted *x = a, *y = b;
  if (x->weight != y->weight)
    return x->weight > y->weight ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index; /* stable */
}

static bool order_pieces(codegen_plan *plan) {
  weighted *w = malloc(plan->count * sizeof *w);
  if (!w)
    return false;
  for (uint32_t i = 0; i < plan->count; i++)
    w[i] = (weighted){plan->pieces[i].weight, i};
  qsort(w, plan->count, sizeof *w, heavier_first);
  for (uint32_t i = 0; i < plan->count; i++)
    plan->order[i] = w[i].index;
  free(w);
  return true;
}

bool codegen_plan_make(const wasm_module *m, uint32_t piece_bytes,
                       bool fast_tier, codegen_plan *plan) {
  memset(plan, 0, sizeof *plan);
  uint32_t first = m->import_func_count;
  uint32_t defined = m->func_count - first;
  uint64_t total = 0;
  for (uint32_t i = 0; i < defined; i++) {
    total += weight(m, i);
    plan->code_bytes += body_bytes(m, i);
  }
  if (defined == 0 ||
      (piece_bytes == 0 && total <= CODEGEN_WHOLE_MODULE_BYTES)) {
    plan->whole = true;
    return true;
  }
  uint64_t goal = piece_bytes ? piece_bytes : CODEGEN_PIECE_BYTES;
  /* At most one piece per function. */
  plan->pieces = calloc(defined, sizeof *plan->pieces);
  plan->order = calloc(defined, sizeof *plan->order);
  if (!plan->pieces || !plan->order) {
    codegen_plan_free(plan);
    return false;
  }
  codegen_piece_plan *cur = NULL;
  for (uint32_t i = 0; i < defined; i++) {
    uint64_t w = weight(m, i);
    bool huge = !fast_tier && body_bytes(m, i) > CODEGEN_HUGE_FUNCTION_BYTES;
    if (!cur || huge || cur->huge || cur->weight >= goal) {
      cur = &plan->pieces[plan->count++];
      cur->first = first + i;
      cur->huge = huge;
      plan->huge_functions += huge;
    }
    cur->end = first + i + 1;
    cur->weight += w;
  }
  if (!order_pieces(plan)) {
    codegen_plan_free(plan);
    return false;
  }
  return true;
}

void codegen_plan_free(codegen_plan *plan) {
  free(plan->pieces);
  free(plan->order);
  memset(plan, 0, sizeof *plan);
}
