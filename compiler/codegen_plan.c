#include "codegen_plan.h"

#include <stdlib.h>
#include <string.h>

uint64_t codegen_body_bytes(const wasm_module *m, uint32_t defined_index) {
  const wasm_func *f = &m->funcs[defined_index];
  return (uint64_t)(f->code_end - f->body_offset);
}

uint64_t codegen_code_bytes(const wasm_module *m) {
  uint64_t sum = 0;
  for (uint32_t i = 0; i < m->func_count - m->import_func_count; i++)
    sum += codegen_body_bytes(m, i);
  return sum;
}

/* Every function costs something (prologue, trap blocks) besides its
 * bytes. */
static uint64_t weight(const wasm_module *m, uint32_t defined_index) {
  return codegen_body_bytes(m, defined_index) + 32;
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

static int count_descending(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x > y ? -1 : x < y;
}

/* The smallest count a hot function has: counts sorted from the highest
 * down, the one at which they first reach CODEGEN_HOT_COVERAGE of the
 * total (every function with as many is hot too). 0 when the profile
 * counted nothing or memory ran out: then everything is hot. */
static uint64_t hot_threshold(const uint64_t *counts, uint32_t n) {
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++)
    total += counts[i];
  uint64_t *sorted = total ? malloc(n * sizeof *sorted) : NULL;
  if (!sorted)
    return 0;
  memcpy(sorted, counts, n * sizeof *sorted);
  qsort(sorted, n, sizeof *sorted, count_descending);
  uint64_t goal = (uint64_t)((double)total * CODEGEN_HOT_COVERAGE);
  uint64_t sum = 0;
  uint64_t threshold = 1;
  for (uint32_t i = 0; i < n && sum < goal; i++) {
    sum += sorted[i];
    threshold = sorted[i];
  }
  free(sorted);
  return threshold ? threshold : 1;
}

typedef enum piece_kind { PIECE_HOT, PIECE_COLD, PIECE_BASELINE } piece_kind;

/* Appends pieces for the functions plan->funcs[start..end), which are of
 * one kind, about `goal` body bytes each. */
static void cut_pieces(const wasm_module *m, codegen_plan *plan, uint32_t start,
                       uint32_t end, uint64_t goal, bool fast_tier,
                       piece_kind kind) {
  codegen_piece_plan *cur = NULL;
  for (uint32_t k = start; k < end; k++) {
    uint32_t i = plan->funcs[k] - m->import_func_count;
    bool huge = !fast_tier && kind == PIECE_HOT &&
                codegen_body_bytes(m, i) > CODEGEN_HUGE_FUNCTION_BYTES;
    if (!cur || huge || cur->huge || cur->weight >= goal) {
      cur = &plan->pieces[plan->count++];
      cur->start = k;
      cur->huge = huge;
      cur->cold = kind == PIECE_COLD;
      cur->baseline = kind == PIECE_BASELINE;
      plan->huge_functions += huge;
    }
    cur->count++;
    cur->weight += weight(m, i);
  }
}

/* In the fast tier with the baseline generator: LLVM's functions, then
 * the baseline's, each in index order. */
static void plan_baseline(const wasm_module *m, codegen_plan *plan,
                          uint64_t goal, const bool *baseline) {
  uint32_t first = m->import_func_count, defined = m->func_count - first;
  uint32_t llvm = 0;
  for (uint32_t i = 0; i < defined; i++)
    if (!baseline[i])
      plan->funcs[llvm++] = first + i;
  for (uint32_t i = 0, k = llvm; i < defined; i++)
    if (baseline[i])
      plan->funcs[k++] = first + i;
  plan->baseline_functions = defined - llvm;
  cut_pieces(m, plan, 0, llvm, goal, true, PIECE_HOT);
  if (plan->count == 0) /* piece 0: the tables, no function */
    plan->pieces[plan->count++] = (codegen_piece_plan){.start = 0};
  cut_pieces(m, plan, llvm, defined, CODEGEN_BASELINE_PIECE_BYTES, true,
             PIECE_BASELINE);
}

static bool any_true(const bool *v, uint32_t n) {
  for (uint32_t i = 0; v && i < n; i++)
    if (v[i])
      return true;
  return false;
}

bool codegen_plan_make(const wasm_module *m, uint32_t piece_bytes,
                       bool fast_tier, const uint64_t *counts,
                       const bool *baseline, codegen_plan *plan) {
  memset(plan, 0, sizeof *plan);
  uint32_t first = m->import_func_count;
  uint32_t defined = m->func_count - first;
  uint64_t total = 0;
  for (uint32_t i = 0; i < defined; i++) {
    total += weight(m, i);
    plan->code_bytes += codegen_body_bytes(m, i);
  }
  bool use_baseline = fast_tier && any_true(baseline, defined);
  if (defined == 0 || (piece_bytes == 0 && !use_baseline &&
                       total <= CODEGEN_WHOLE_MODULE_BYTES)) {
    plan->whole = true;
    return true;
  }
  uint64_t goal = piece_bytes ? piece_bytes : CODEGEN_PIECE_BYTES;
  /* At most one piece per function, and piece 0 with none. */
  plan->pieces = calloc(defined + 1, sizeof *plan->pieces);
  plan->funcs = calloc(defined, sizeof *plan->funcs);
  plan->order = calloc(defined + 1, sizeof *plan->order);
  if (!plan->pieces || !plan->funcs || !plan->order) {
    codegen_plan_free(plan);
    return false;
  }
  if (use_baseline) {
    plan_baseline(m, plan, goal, baseline);
    if (!order_pieces(plan)) {
      codegen_plan_free(plan);
      return false;
    }
    return true;
  }
  uint64_t threshold = counts ? hot_threshold(counts, defined) : 0;
  /* Hot functions first, then cold ones, each in index order. */
  /* Cold ones the baseline generator takes last, in pieces of its own. */
  uint32_t hot = 0;
  for (uint32_t i = 0; i < defined; i++)
    if (!threshold || counts[i] >= threshold)
      plan->funcs[hot++] = first + i;
  uint32_t cold_llvm = hot;
  for (uint32_t i = 0; i < defined; i++)
    if (threshold && counts[i] < threshold && !(baseline && baseline[i]))
      plan->funcs[cold_llvm++] = first + i;
  for (uint32_t i = 0, k = cold_llvm; i < defined; i++)
    if (threshold && counts[i] < threshold && baseline && baseline[i])
      plan->funcs[k++] = first + i;
  plan->cold_functions = defined - hot;
  plan->baseline_functions = defined - cold_llvm;
  cut_pieces(m, plan, 0, hot, goal, fast_tier, PIECE_HOT);
  cut_pieces(m, plan, hot, cold_llvm, goal, fast_tier, PIECE_COLD);
  if (plan->count == 0) /* piece 0: the tables, no function */
    plan->pieces[plan->count++] = (codegen_piece_plan){.start = 0};
  cut_pieces(m, plan, cold_llvm, defined, CODEGEN_BASELINE_PIECE_BYTES,
             fast_tier, PIECE_BASELINE);
  if (!order_pieces(plan)) {
    codegen_plan_free(plan);
    return false;
  }
  return true;
}

void codegen_plan_free(codegen_plan *plan) {
  free(plan->pieces);
  free(plan->funcs);
  free(plan->order);
  memset(plan, 0, sizeof *plan);
}
