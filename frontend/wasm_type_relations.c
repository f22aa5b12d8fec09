/* Type equivalence and subtyping within one module (3.0 without the GC
 * instructions). The loader does the same across modules with canonical
 * ids (loader/signature.c), built from the same per-group encoding idea. */
#include "wasm_type_relations.h"

#include <stdlib.h>
#include <string.h>

/* A heap type of a type in the rec group starting at `start` (size n),
 * as the group's structure sees it: positions inside the group are
 * tagged, indices outside are replaced by their canonical index. */
static uint64_t group_heap(const wasm_module *m, uint32_t start, uint32_t n,
                           wasm_heaptype h) {
  if (!wasm_heaptype_is_index(h))
    return h;
  if (h >= start && h < start + n)
    return (1ull << 32) | (h - start);
  if (h < start)
    return m->type_canon[h];
  return (2ull << 32) | h; /* a forward reference: invalid, kept distinct */
}

static uint64_t group_type(const wasm_module *m, uint32_t start, uint32_t n,
                           wasm_type t) {
  if (!wasm_type_is_ref(t))
    return t;
  return (group_heap(m, start, n, wasm_type_heap(t)) << 8) | (uint8_t)t;
}

static uint64_t mix(uint64_t h, uint64_t v) {
  return (h ^ v) * 0x100000001b3ull;
}

static uint64_t group_hash(const wasm_module *m, uint32_t start) {
  uint32_t n = m->types[start].rec_size;
  uint64_t h = mix(0xcbf29ce484222325ull, n);
  for (uint32_t i = start; i < start + n; i++) {
    const wasm_functype *t = &m->types[i];
    h = mix(h, t->composite | (uint64_t)t->is_final << 8);
    h = mix(h, t->param_count);
    h = mix(h, t->result_count);
    h = mix(h, t->supertype == WASM_NO_SUPERTYPE
                   ? ~0ull
                   : group_heap(m, start, n, t->supertype));
    for (uint32_t k = 0; k < t->param_count + t->result_count; k++)
      h = mix(h, group_type(m, start, n, t->types[k]));
  }
  return h;
}

static bool same_type(const wasm_module *m, uint32_t a, uint32_t b) {
  const wasm_functype *x = &m->types[a], *y = &m->types[b];
  uint32_t sa = x->rec_start, sb = y->rec_start, n = x->rec_size;
  if (x->composite != y->composite || x->is_final != y->is_final ||
      x->param_count != y->param_count || x->result_count != y->result_count)
    return false;
  if ((x->supertype == WASM_NO_SUPERTYPE) !=
      (y->supertype == WASM_NO_SUPERTYPE))
    return false;
  if (x->supertype != WASM_NO_SUPERTYPE &&
      group_heap(m, sa, n, x->supertype) != group_heap(m, sb, n, y->supertype))
    return false;
  for (uint32_t k = 0; k < x->param_count + x->result_count; k++)
    if (group_type(m, sa, n, x->types[k]) != group_type(m, sb, n, y->types[k]))
      return false;
  for (uint32_t k = 0; x->field_mutable && k < x->param_count; k++)
    if (!y->field_mutable || x->field_mutable[k] != y->field_mutable[k])
      return false;
  return !y->field_mutable || x->field_mutable;
}

static bool same_group(const wasm_module *m, uint32_t a, uint32_t b) {
  uint32_t n = m->types[a].rec_size;
  if (m->types[b].rec_size != n)
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (!same_type(m, a + i, b + i))
      return false;
  return true;
}

bool wasm_module_canonicalise_types(wasm_module *m, wasm_error *err) {
  if (!m->type_count)
    return true;
  m->type_canon = malloc(m->type_count * sizeof *m->type_canon);
  /* Open addressing over the first type of each group seen, by hash. */
  size_t slots = 16;
  while (slots < 2 * (size_t)m->type_count)
    slots *= 2;
  uint32_t *table = malloc(slots * sizeof *table);
  uint64_t *hashes = malloc(m->type_count * sizeof *hashes);
  if (!m->type_canon || !table || !hashes) {
    free(table);
    free(hashes);
    return wasm_error_set(err, 0, "out of memory");
  }
  memset(table, 0xff, slots * sizeof *table);
  for (uint32_t g = 0; g < m->type_count; g += m->types[g].rec_size) {
    uint32_t n = m->types[g].rec_size;
    hashes[g] = group_hash(m, g);
    uint32_t found = g;
    size_t i = hashes[g] & (slots - 1);
    for (; table[i] != UINT32_MAX; i = (i + 1) & (slots - 1))
      if (hashes[table[i]] == hashes[g] && same_group(m, table[i], g)) {
        found = table[i];
        break;
      }
    if (found == g)
      table[i] = g;
    /* Only canonical groups enter the table. */
    for (uint32_t k = 0; k < n; k++)
      m->type_canon[g + k] = found + k;
  }
  free(table);
  free(hashes);
  return true;
}

bool wasm_deftype_matches(const wasm_module *m, uint32_t sub, uint32_t super) {
  if (sub >= m->type_count || super >= m->type_count)
    return sub == super;
  uint32_t want = m->type_canon[super];
  /* Supertypes have smaller indices (validated); the bound keeps an
   * unvalidated module from looping. */
  for (uint32_t steps = 0; steps <= m->type_count; steps++) {
    if (m->type_canon[sub] == want)
      return true;
    sub = m->types[sub].supertype;
    if (sub >= m->type_count)
      return false;
  }
  return false;
}

wasm_heaptype wasm_module_heap_top(const wasm_module *m, wasm_heaptype h) {
  if (!wasm_heaptype_is_index(h))
    return wasm_heaptype_top(h);
  if (h < m->type_count && m->types[h].composite != WASM_COMPOSITE_FUNC)
    return WASM_HEAP_ANY;
  return WASM_HEAP_FUNC;
}

/* The abstract type a defined type sits directly under. */
static wasm_heaptype deftype_abstract(const wasm_module *m, uint32_t index) {
  if (index >= m->type_count)
    return WASM_HEAP_FUNC;
  switch (m->types[index].composite) {
  case WASM_COMPOSITE_STRUCT:
    return WASM_HEAP_STRUCT;
  case WASM_COMPOSITE_ARRAY:
    return WASM_HEAP_ARRAY;
  default:
    return WASM_HEAP_FUNC;
  }
}

bool wasm_heaptype_matches(const wasm_module *m, wasm_heaptype sub,
                           wasm_heaptype super) {
  if (sub == super || sub == WASM_HEAP_BOTTOM)
    return true;
  bool sub_index = wasm_heaptype_is_index(sub);
  bool super_index = wasm_heaptype_is_index(super);
  if (sub_index && super_index)
    return wasm_deftype_matches(m, sub, super);
  if (sub_index)
    return wasm_heaptype_abstract_sub(deftype_abstract(m, sub), super);
  if (super_index) {
    /* Only a hierarchy's bottom is below a defined type. */
    wasm_heaptype top = wasm_module_heap_top(m, super);
    return sub == (top == WASM_HEAP_FUNC ? WASM_HEAP_NOFUNC : WASM_HEAP_NONE);
  }
  return wasm_heaptype_abstract_sub(sub, super);
}

bool wasm_type_matches(const wasm_module *m, wasm_type sub, wasm_type super) {
  if (sub == super)
    return true;
  if (!wasm_type_is_ref(sub) || !wasm_type_is_ref(super))
    return false;
  if (wasm_type_is_nullable(sub) && !wasm_type_is_nullable(super))
    return false;
  return wasm_heaptype_matches(m, wasm_type_heap(sub), wasm_type_heap(super));
}
