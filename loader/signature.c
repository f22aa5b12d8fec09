/* The engine's canonical signature registry.
 *
 * call_indirect compares the callee's funcref type_id with the expected
 * type's id in one instruction, so structurally equal signatures must get
 * the same id in every module and host function of an engine. Ids are
 * small integers starting at 1 (a zeroed funcref never matches). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

bool rt_fail(char *err, size_t errlen, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return false;
}

bool rt_valkind_from_wasm(wasm_type t, wasmaot_valkind *out) {
  switch (t) {
  case WASM_TYPE_I32:
    *out = WASMAOT_I32;
    return true;
  case WASM_TYPE_I64:
    *out = WASMAOT_I64;
    return true;
  case WASM_TYPE_F32:
    *out = WASMAOT_F32;
    return true;
  case WASM_TYPE_F64:
    *out = WASMAOT_F64;
    return true;
  case WASM_TYPE_V128:
    *out = WASMAOT_V128;
    return true;
  case WASM_TYPE_FUNCREF:
    *out = WASMAOT_FUNCREF;
    return true;
  case WASM_TYPE_EXTERNREF:
    *out = WASMAOT_EXTERNREF;
    return true;
  default:
    return false;
  }
}

wasm_type rt_valkind_to_wasm(wasmaot_valkind k) {
  static const wasm_type types[] = {
      [WASMAOT_I32] = WASM_TYPE_I32,
      [WASMAOT_I64] = WASM_TYPE_I64,
      [WASMAOT_F32] = WASM_TYPE_F32,
      [WASMAOT_F64] = WASM_TYPE_F64,
      [WASMAOT_V128] = WASM_TYPE_V128,
      [WASMAOT_FUNCREF] = WASM_TYPE_FUNCREF,
      [WASMAOT_EXTERNREF] = WASM_TYPE_EXTERNREF,
  };
  return (unsigned)k < sizeof types / sizeof *types ? types[k] : 0;
}

const char *wasmaot_valkind_name(wasmaot_valkind kind) {
  return wasm_type_name(rt_valkind_to_wasm(kind));
}

bool rt_signatures_init(rt_signature_registry *r) {
  memset(r, 0, sizeof *r);
  return pthread_mutex_init(&r->lock, NULL) == 0;
}

void rt_signatures_destroy(rt_signature_registry *r) {
  for (size_t i = 0; i < r->count; i++) {
    free(r->by_id[i]->kinds);
    free(r->by_id[i]);
  }
  free(r->by_id);
  free(r->buckets);
  pthread_mutex_destroy(&r->lock);
}

/* FNV-1a over the counts and kinds. */
static uint64_t signature_hash(const wasmaot_valkind *params, uint32_t np,
                               const wasmaot_valkind *results, uint32_t nr) {
  uint64_t h = 0xcbf29ce484222325ull;
  uint32_t parts[2] = {np, nr};
  for (int i = 0; i < 2; i++)
    h = (h ^ parts[i]) * 0x100000001b3ull;
  for (uint32_t i = 0; i < np; i++)
    h = (h ^ (uint64_t)params[i]) * 0x100000001b3ull;
  for (uint32_t i = 0; i < nr; i++)
    h = (h ^ (0x80u | (uint64_t)results[i])) * 0x100000001b3ull;
  return h;
}

static bool signature_equals(const rt_signature *s,
                             const wasmaot_valkind *params, uint32_t np,
                             const wasmaot_valkind *results, uint32_t nr) {
  return s->param_count == np && s->result_count == nr &&
         (np == 0 || memcmp(s->kinds, params, np * sizeof *params) == 0) &&
         (nr == 0 || memcmp(s->kinds + np, results, nr * sizeof *results) == 0);
}

static void bucket_insert(uint32_t *buckets, size_t count, uint64_t hash,
                          uint32_t id) {
  size_t mask = count - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    if (buckets[i] == 0) {
      buckets[i] = id;
      return;
    }
  }
}

/* Keeps the table at most half full. */
static bool ensure_buckets(rt_signature_registry *r) {
  if (2 * (r->count + 1) <= r->bucket_count)
    return true;
  size_t n = r->bucket_count ? 2 * r->bucket_count : 64;
  uint32_t *b = calloc(n, sizeof *b);
  if (!b)
    return false;
  for (size_t i = 0; i < r->count; i++)
    bucket_insert(b, n, r->by_id[i]->hash, r->by_id[i]->id);
  free(r->buckets);
  r->buckets = b;
  r->bucket_count = n;
  return true;
}

static const rt_signature *lookup(rt_signature_registry *r, uint64_t hash,
                                  const wasmaot_valkind *params, uint32_t np,
                                  const wasmaot_valkind *results, uint32_t nr) {
  if (!r->bucket_count)
    return NULL;
  size_t mask = r->bucket_count - 1;
  for (size_t i = hash & mask; r->buckets[i]; i = (i + 1) & mask) {
    const rt_signature *s = r->by_id[r->buckets[i] - 1];
    if (s->hash == hash && signature_equals(s, params, np, results, nr))
      return s;
  }
  return NULL;
}

static rt_signature *new_signature(uint32_t id, uint64_t hash,
                                   const wasmaot_valkind *params, uint32_t np,
                                   const wasmaot_valkind *results,
                                   uint32_t nr) {
  rt_signature *s = malloc(sizeof *s);
  wasmaot_valkind *kinds = malloc((np + nr ? np + nr : 1) * sizeof *kinds);
  if (!s || !kinds) {
    free(s);
    free(kinds);
    return NULL;
  }
  if (np)
    memcpy(kinds, params, np * sizeof *kinds);
  if (nr)
    memcpy(kinds + np, results, nr * sizeof *kinds);
  *s = (rt_signature){.id = id,
                      .param_count = np,
                      .result_count = nr,
                      .kinds = kinds,
                      .hash = hash};
  return s;
}

static const rt_signature *insert(rt_signature_registry *r, uint64_t hash,
                                  const wasmaot_valkind *params, uint32_t np,
                                  const wasmaot_valkind *results, uint32_t nr) {
  if (r->count == r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 32;
    rt_signature **p = realloc(r->by_id, cap * sizeof *p);
    if (!p)
      return NULL;
    r->by_id = p;
    r->cap = cap;
  }
  if (r->count >= UINT32_MAX - 1 || !ensure_buckets(r))
    return NULL;
  rt_signature *s =
      new_signature((uint32_t)r->count + 1, hash, params, np, results, nr);
  if (!s)
    return NULL;
  r->by_id[r->count++] = s;
  bucket_insert(r->buckets, r->bucket_count, hash, s->id);
  return s;
}

const rt_signature *rt_signature_intern(rt_signature_registry *r,
                                        const wasmaot_valkind *params,
                                        uint32_t param_count,
                                        const wasmaot_valkind *results,
                                        uint32_t result_count) {
  uint64_t hash = signature_hash(params, param_count, results, result_count);
  pthread_mutex_lock(&r->lock);
  const rt_signature *s =
      lookup(r, hash, params, param_count, results, result_count);
  if (!s)
    s = insert(r, hash, params, param_count, results, result_count);
  pthread_mutex_unlock(&r->lock);
  return s;
}

const rt_signature *rt_signature_intern_wasm(rt_signature_registry *r,
                                             const wasm_functype *t) {
  uint32_t n = t->param_count + t->result_count;
  wasmaot_valkind small[16];
  wasmaot_valkind *kinds = n <= 16 ? small : malloc(n * sizeof *kinds);
  if (!kinds)
    return NULL;
  const rt_signature *s = NULL;
  bool ok = true;
  for (uint32_t i = 0; i < n && ok; i++)
    ok = rt_valkind_from_wasm(t->types[i], &kinds[i]);
  if (ok)
    s = rt_signature_intern(r, kinds, t->param_count, kinds + t->param_count,
                            t->result_count);
  if (kinds != small)
    free(kinds);
  return s;
}
