/* Tables: an array of references that compiled code indexes directly
 * (wasmaot_table_obj). Growing reallocates, which is why compiled code
 * reloads `elems` on every access instead of caching it. */
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

static bool resize_elems(wasmaot_table *t, uint64_t size) {
  void **elems = realloc(t->obj.elems, (size ? size : 1) * sizeof *elems);
  if (!elems)
    return false;
  t->obj.elems = elems;
  return true;
}

wasmaot_table *rt_table_create(wasmaot_engine *e, wasm_type elem_type,
                               bool is64, uint64_t min, bool has_max,
                               uint64_t max, char *err, size_t errlen) {
  if (min > RT_TABLE_MAX_ELEMS) {
    rt_fail(err, errlen, "table size %llu is beyond the runtime's limit",
            (unsigned long long)min);
    return NULL;
  }
  wasmaot_table *t = calloc(1, sizeof *t);
  if (!t || !resize_elems(t, min)) {
    free(t);
    rt_fail(err, errlen, "out of memory");
    return NULL;
  }
  memset(t->obj.elems, 0, (min ? min : 1) * sizeof(void *));
  atomic_init(&t->refs, 1);
  t->engine = e;
  t->elem_type = elem_type;
  t->has_max = has_max;
  t->is64 = is64;
  t->max = has_max ? max : is64 ? UINT64_MAX : UINT32_MAX;
  t->obj.size = (uint32_t)min;
  return t;
}

void rt_table_retain(wasmaot_table *t) {
  atomic_fetch_add(&t->refs, 1);
}

void rt_table_release(wasmaot_table *t) {
  if (t && atomic_fetch_sub(&t->refs, 1) == 1) {
    free(t->obj.elems);
    free(t);
  }
}

int64_t rt_table_grow(wasmaot_table *t, uint64_t delta, void *init) {
  uint64_t old = t->obj.size;
  /* delta may be any u64 (table64): compare before adding. */
  if (delta > t->max - old || delta > RT_TABLE_MAX_ELEMS - old)
    return -1;
  uint64_t size = old + delta;
  if (delta == 0)
    return (int64_t)old;
  if (!resize_elems(t, size))
    return -1;
  for (uint64_t i = old; i < size; i++)
    t->obj.elems[i] = init;
  t->obj.size = (uint32_t)size;
  return (int64_t)old;
}

/* ---- Public API ---------------------------------------------------------- */

static wasmaot_table *table_new(wasmaot_engine *engine,
                                wasmaot_valkind elem_kind, bool is64,
                                uint64_t min, bool has_max, uint64_t max) {
  if ((elem_kind != WASMAOT_FUNCREF && elem_kind != WASMAOT_EXTERNREF) ||
      (has_max && max < min))
    return NULL;
  return rt_table_create(engine, rt_valkind_to_wasm(elem_kind), is64, min,
                         has_max, max, NULL, 0);
}

wasmaot_table *wasmaot_table_new(wasmaot_engine *engine,
                                 wasmaot_valkind elem_kind, uint32_t min,
                                 bool has_max, uint32_t max) {
  return table_new(engine, elem_kind, false, min, has_max, max);
}

wasmaot_table *wasmaot_table_new64(wasmaot_engine *engine,
                                   wasmaot_valkind elem_kind, uint64_t min,
                                   bool has_max, uint64_t max) {
  return table_new(engine, elem_kind, true, min, has_max, max);
}

void wasmaot_table_free(wasmaot_table *table) {
  rt_table_release(table);
}

uint32_t wasmaot_table_size(const wasmaot_table *table) {
  return table->obj.size;
}

static wasmaot_valkind elem_kind(const wasmaot_table *t) {
  wasmaot_valkind kind = WASMAOT_EXTERNREF;
  rt_valkind_from_wasm(t->elem_type, &kind);
  return kind;
}

bool wasmaot_table_get(const wasmaot_table *table, uint32_t index,
                       wasmaot_val *out) {
  if (index >= table->obj.size)
    return false;
  out->kind = elem_kind(table);
  out->of.ref = table->obj.elems[index];
  return true;
}

bool wasmaot_table_set(wasmaot_table *table, uint32_t index,
                       const wasmaot_val *value) {
  if (index >= table->obj.size || value->kind != elem_kind(table))
    return false;
  table->obj.elems[index] = value->of.ref;
  return true;
}
