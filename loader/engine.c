/* The engine: what instances of one embedding share. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "runtime.h"

wasmaot_engine *wasmaot_engine_new(void) {
  wasmaot_engine *e = calloc(1, sizeof *e);
  if (!e)
    return NULL;
  bool sigs = rt_signatures_init(&e->signatures);
  bool code = sigs && addr_range_set_init(&e->code);
  bool res = code && addr_range_set_init(&e->reservations);
  bool orphans = res && pthread_mutex_init(&e->orphans_lock, NULL) == 0;
  bool exceptions =
      orphans && pthread_mutex_init(&e->exceptions_lock, NULL) == 0;
  if (exceptions) {
    e->memory_limit = UINT64_MAX;
    atomic_init(&e->memory_committed, 0);
    return e;
  }
  if (orphans)
    pthread_mutex_destroy(&e->orphans_lock);
  if (res)
    addr_range_set_destroy(&e->reservations);
  if (code)
    addr_range_set_destroy(&e->code);
  if (sigs)
    rt_signatures_destroy(&e->signatures);
  free(e);
  return NULL;
}

void wasmaot_engine_set_memory_limit(wasmaot_engine *e, uint64_t bytes) {
  e->memory_limit = bytes;
}

uint64_t wasmaot_engine_memory_used(const wasmaot_engine *e) {
  return atomic_load(&e->memory_committed);
}

bool rt_engine_memory_charge(wasmaot_engine *e, uint64_t bytes) {
  uint64_t cur = atomic_load(&e->memory_committed);
  do {
    if (bytes > e->memory_limit || cur > e->memory_limit - bytes)
      return false;
  } while (
      !atomic_compare_exchange_weak(&e->memory_committed, &cur, cur + bytes));
  return true;
}

void rt_engine_memory_uncharge(wasmaot_engine *e, uint64_t bytes) {
  atomic_fetch_sub(&e->memory_committed, bytes);
}

void rt_engine_adopt_orphan(wasmaot_engine *e, wasmaot_instance *inst) {
  pthread_mutex_lock(&e->orphans_lock);
  if (e->orphan_count == e->orphan_cap) {
    size_t cap = e->orphan_cap ? 2 * e->orphan_cap : 8;
    wasmaot_instance **p = realloc(e->orphans, cap * sizeof *p);
    if (!p) {
      /* Leaking it is the safe choice: tables may point into it. */
      pthread_mutex_unlock(&e->orphans_lock);
      return;
    }
    e->orphans = p;
    e->orphan_cap = cap;
  }
  e->orphans[e->orphan_count++] = inst;
  pthread_mutex_unlock(&e->orphans_lock);
}

void wasmaot_engine_free(wasmaot_engine *e) {
  if (!e)
    return;
  /* Orphans may import from each other; releasing each drops its own
   * reference and the last one frees. */
  for (size_t i = 0; i < e->orphan_count; i++)
    rt_instance_release(e->orphans[i]);
  free(e->orphans);
  pthread_mutex_destroy(&e->orphans_lock);
  rt_engine_free_exceptions(e);
  pthread_mutex_destroy(&e->exceptions_lock);
  addr_range_set_destroy(&e->reservations);
  addr_range_set_destroy(&e->code);
  rt_signatures_destroy(&e->signatures);
  free(e);
}
