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
  default:
    break;
  }
  if (!wasm_type_is_ref(t))
    return false;
  /* Typed references travel as the kind of their hierarchy: a defined
   * (function) type or func/nofunc as funcref, the rest as opaque
   * references. */
  wasm_heaptype h = wasm_type_heap(t);
  *out = wasm_heaptype_is_index(h) || wasm_heaptype_top(h) == WASM_HEAP_FUNC
             ? WASMAOT_FUNCREF
             : WASMAOT_EXTERNREF;
  return true;
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
    free(r->by_id[i]->types);
    free(r->by_id[i]->key);
    free(r->by_id[i]);
  }
  free(r->by_id);
  free(r->buckets);
  pthread_mutex_destroy(&r->lock);
}

/* ---- Group keys -------------------------------------------------------------
 *
 * A rec group's key is a list of 64-bit words that two groups share
 * exactly when they are equivalent: per type its form, supertype, counts
 * and value types, where a defined heap type is written as its position
 * in the group (a reference inside it) or as the canonical id of an
 * earlier group's type (outside it). */

enum { HEAP_IN_GROUP = 1, HEAP_CANONICAL = 2 };

typedef struct key_builder {
  uint64_t *words;
  size_t len, cap;
  bool failed;
} key_builder;

static void key_push(key_builder *k, uint64_t w) {
  if (k->len == k->cap) {
    size_t cap = k->cap ? 2 * k->cap : 64;
    uint64_t *p = realloc(k->words, cap * sizeof *p);
    if (!p) {
      k->failed = true;
      return;
    }
    k->words = p;
    k->cap = cap;
  }
  k->words[k->len++] = w;
}

/* A module heap type as the key sees it; ids[] has the canonical ids of
 * the types before the group. */
static uint64_t key_heap(const uint32_t *ids, uint32_t start, uint32_t n,
                         wasm_heaptype h) {
  if (!wasm_heaptype_is_index(h))
    return h;
  if (h >= start && h < start + n)
    return (uint64_t)HEAP_IN_GROUP << 40 | (h - start);
  return (uint64_t)HEAP_CANONICAL << 40 | (h < start ? ids[h] : 0);
}

static uint64_t key_type(const uint32_t *ids, uint32_t start, uint32_t n,
                         wasm_type t) {
  if (!wasm_type_is_ref(t))
    return t;
  return key_heap(ids, start, n, wasm_type_heap(t)) << 8 | (uint8_t)t;
}

static void key_module_group(key_builder *k, const wasm_module *w,
                             const uint32_t *ids, uint32_t start) {
  uint32_t n = w->types[start].rec_size;
  key_push(k, n);
  for (uint32_t i = start; i < start + n; i++) {
    const wasm_functype *t = &w->types[i];
    key_push(k, t->composite | (uint64_t)t->is_final << 8);
    key_push(k, t->supertype == WASM_NO_SUPERTYPE
                    ? UINT64_MAX
                    : key_heap(ids, start, n, t->supertype));
    key_push(k, (uint64_t)t->param_count << 32 | t->result_count);
    for (uint32_t j = 0; j < t->param_count + t->result_count; j++)
      key_push(k, key_type(ids, start, n, t->types[j]));
    for (uint32_t j = 0; t->field_mutable && j < t->param_count; j++)
      key_push(k, t->field_mutable[j]);
  }
}

static uint64_t key_hash(const key_builder *k) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < k->len; i++)
    h = (h ^ k->words[i]) * 0x100000001b3ull;
  return h;
}

/* ---- The table of groups ---------------------------------------------------
 */

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

/* Keeps the table of groups at most half full. */
static bool ensure_buckets(rt_signature_registry *r) {
  if (2 * (r->group_count + 1) <= r->bucket_count)
    return true;
  size_t n = r->bucket_count ? 2 * r->bucket_count : 64;
  uint32_t *b = calloc(n, sizeof *b);
  if (!b)
    return false;
  for (size_t i = 0; i < r->count; i++)
    if (r->by_id[i]->key)
      bucket_insert(b, n, r->by_id[i]->hash, r->by_id[i]->id);
  free(r->buckets);
  r->buckets = b;
  r->bucket_count = n;
  return true;
}

static const rt_signature *lookup_group(rt_signature_registry *r,
                                        const key_builder *k, uint64_t hash) {
  if (!r->bucket_count)
    return NULL;
  size_t mask = r->bucket_count - 1;
  for (size_t i = hash & mask; r->buckets[i]; i = (i + 1) & mask) {
    const rt_signature *s = r->by_id[r->buckets[i] - 1];
    if (s->hash == hash && s->key_len == k->len &&
        memcmp(s->key, k->words, k->len * sizeof *k->words) == 0)
      return s;
  }
  return NULL;
}

/* A module type's canonical form, once its group's first id is known. */
static wasm_type canonical_in_group(const uint32_t *ids, uint32_t start,
                                    uint32_t n, uint32_t first_id,
                                    wasm_type t) {
  if (!wasm_type_is_ref(t) || !wasm_heaptype_is_index(wasm_type_heap(t)))
    return t;
  wasm_heaptype h = wasm_type_heap(t);
  uint32_t id = h >= start && h < start + n ? first_id + (h - start)
                : h < start                 ? ids[h]
                                            : 0;
  return wasm_ref_type(wasm_type_is_nullable(t), id);
}

static rt_signature *new_member(uint32_t id, uint32_t first_id,
                                const wasm_functype *t, uint32_t *ids,
                                uint32_t start) {
  uint32_t n = t->param_count + t->result_count;
  rt_signature *s = calloc(1, sizeof *s);
  wasmaot_valkind *kinds = calloc(n ? n : 1, sizeof *kinds);
  wasm_type *types = calloc(n ? n : 1, sizeof *types);
  if (!s || !kinds || !types) {
    free(s);
    free(kinds);
    free(types);
    return NULL;
  }
  uint32_t size = t->rec_size;
  for (uint32_t j = 0; j < n; j++) {
    types[j] = canonical_in_group(ids, start, size, first_id, t->types[j]);
    if (!rt_valkind_from_wasm(t->types[j], &kinds[j]))
      kinds[j] = WASMAOT_I32; /* a packed field: no value kind */
  }
  wasm_type super =
      t->supertype == WASM_NO_SUPERTYPE
          ? 0
          : canonical_in_group(ids, start, size, first_id,
                               wasm_ref_type(false, t->supertype));
  *s = (rt_signature){.id = id,
                      .param_count = t->param_count,
                      .result_count = t->result_count,
                      .kinds = kinds,
                      .types = types,
                      .super_id = super ? wasm_type_heap(super) : 0,
                      .composite = t->composite,
                      .is_final = t->is_final,
                      .group_id = first_id,
                      .group_size = size};
  return s;
}

/* Adds the group of `types` (start .. start + rec_size) with key k. */
static const rt_signature *insert_group(rt_signature_registry *r,
                                        key_builder *k, uint64_t hash,
                                        const wasm_functype *types,
                                        uint32_t *ids, uint32_t start) {
  uint32_t n = types[start].rec_size;
  if (r->count + n > WASM_HEAP_INDEX_LIMIT - 1 || !ensure_buckets(r))
    return NULL;
  if (r->count + n > r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 32;
    while (cap < r->count + n)
      cap *= 2;
    rt_signature **p = realloc(r->by_id, cap * sizeof *p);
    if (!p)
      return NULL;
    r->by_id = p;
    r->cap = cap;
  }
  uint32_t first_id = (uint32_t)r->count + 1;
  for (uint32_t i = 0; i < n; i++) {
    rt_signature *s =
        new_member(first_id + i, first_id, &types[start + i], ids, start);
    if (!s) {
      for (uint32_t j = 0; j < i; j++) {
        rt_signature *d = r->by_id[--r->count];
        free(d->kinds);
        free(d->types);
        free(d);
      }
      return NULL;
    }
    r->by_id[r->count++] = s;
  }
  rt_signature *first = r->by_id[first_id - 1];
  first->hash = hash;
  first->key = k->words;
  first->key_len = k->len;
  k->words = NULL; /* the registry owns it now */
  r->group_count++;
  bucket_insert(r->buckets, r->bucket_count, hash, first_id);
  return first;
}

/* Looks up or adds the group at `start`; fills ids[start..]. */
static bool intern_group(rt_signature_registry *r, const wasm_functype *types,
                         const wasm_module *w, uint32_t *ids, uint32_t start) {
  key_builder k = {0};
  if (w)
    key_module_group(&k, w, ids, start);
  else { /* a host signature: a group of one final function type */
    const wasm_functype *t = &types[start];
    key_push(&k, 1);
    key_push(&k, WASM_COMPOSITE_FUNC | 1u << 8);
    key_push(&k, UINT64_MAX);
    key_push(&k, (uint64_t)t->param_count << 32 | t->result_count);
    for (uint32_t j = 0; j < t->param_count + t->result_count; j++)
      key_push(&k, t->types[j]);
  }
  if (k.failed) {
    free(k.words);
    return false;
  }
  uint64_t hash = key_hash(&k);
  const rt_signature *first = lookup_group(r, &k, hash);
  if (!first)
    first = insert_group(r, &k, hash, types, ids, start);
  free(k.words);
  if (!first)
    return false;
  for (uint32_t i = 0; i < types[start].rec_size; i++)
    ids[start + i] = first->id + i;
  return true;
}

bool rt_signatures_intern_module(rt_signature_registry *r, const wasm_module *w,
                                 const rt_signature **out) {
  uint32_t *ids = calloc(w->type_count ? w->type_count : 1, sizeof *ids);
  if (!ids)
    return false;
  bool ok = true;
  pthread_mutex_lock(&r->lock);
  for (uint32_t g = 0; ok && g < w->type_count; g += w->types[g].rec_size)
    ok = intern_group(r, w->types, w, ids, g);
  for (uint32_t i = 0; ok && i < w->type_count; i++)
    out[i] = r->by_id[ids[i] - 1];
  pthread_mutex_unlock(&r->lock);
  free(ids);
  return ok;
}

const rt_signature *rt_signature_intern(rt_signature_registry *r,
                                        const wasmaot_valkind *params,
                                        uint32_t param_count,
                                        const wasmaot_valkind *results,
                                        uint32_t result_count) {
  uint32_t n = param_count + result_count;
  wasm_type small[16];
  wasm_type *types = n <= 16 ? small : malloc(n * sizeof *types);
  if (!types)
    return NULL;
  for (uint32_t i = 0; i < n; i++)
    types[i] = rt_valkind_to_wasm(i < param_count ? params[i]
                                                  : results[i - param_count]);
  wasm_functype t = {.param_count = param_count,
                     .result_count = result_count,
                     .types = types,
                     .composite = WASM_COMPOSITE_FUNC,
                     .is_final = true,
                     .supertype = WASM_NO_SUPERTYPE,
                     .rec_size = 1};
  uint32_t id = 0;
  const rt_signature *s = NULL;
  pthread_mutex_lock(&r->lock);
  if (intern_group(r, &t, NULL, &id, 0))
    s = r->by_id[id - 1];
  pthread_mutex_unlock(&r->lock);
  if (types != small)
    free(types);
  return s;
}

/* ---- Subtyping across modules ----------------------------------------------
 */

/* Under the lock: ids index by_id. */
static bool is_subtype_locked(rt_signature_registry *r, uint32_t sub,
                              uint32_t super) {
  for (size_t steps = 0; sub && sub <= r->count && steps <= r->count; steps++) {
    if (sub == super)
      return true;
    sub = r->by_id[sub - 1]->super_id;
  }
  return false;
}

bool rt_signature_is_subtype(rt_signature_registry *r, uint32_t sub_id,
                             uint32_t super_id) {
  if (sub_id == super_id)
    return true;
  pthread_mutex_lock(&r->lock);
  bool ok = is_subtype_locked(r, sub_id, super_id);
  pthread_mutex_unlock(&r->lock);
  return ok;
}

wasm_type rt_canonical_type(const wasmaot_module *m, wasm_type t) {
  if (!wasm_type_is_ref(t) || !wasm_heaptype_is_index(wasm_type_heap(t)))
    return t;
  wasm_heaptype h = wasm_type_heap(t);
  uint32_t id = h < m->wasm->type_count ? m->signatures[h]->id : 0;
  return wasm_ref_type(wasm_type_is_nullable(t), id);
}

static wasm_heaptype canonical_abstract(rt_signature_registry *r, uint32_t id) {
  pthread_mutex_lock(&r->lock);
  uint8_t composite =
      id && id <= r->count ? r->by_id[id - 1]->composite : WASM_COMPOSITE_FUNC;
  pthread_mutex_unlock(&r->lock);
  return composite == WASM_COMPOSITE_STRUCT  ? WASM_HEAP_STRUCT
         : composite == WASM_COMPOSITE_ARRAY ? WASM_HEAP_ARRAY
                                             : WASM_HEAP_FUNC;
}

bool rt_canonical_type_matches(rt_signature_registry *r, wasm_type sub,
                               wasm_type super) {
  if (sub == super)
    return true;
  if (!wasm_type_is_ref(sub) || !wasm_type_is_ref(super))
    return false;
  if (wasm_type_is_nullable(sub) && !wasm_type_is_nullable(super))
    return false;
  wasm_heaptype a = wasm_type_heap(sub), b = wasm_type_heap(super);
  bool a_id = wasm_heaptype_is_index(a), b_id = wasm_heaptype_is_index(b);
  if (a_id && b_id)
    return rt_signature_is_subtype(r, a, b);
  if (a_id)
    return wasm_heaptype_abstract_sub(canonical_abstract(r, a), b);
  if (b_id) {
    wasm_heaptype top = wasm_heaptype_top(canonical_abstract(r, b));
    return a == (top == WASM_HEAP_FUNC ? WASM_HEAP_NOFUNC : WASM_HEAP_NONE);
  }
  return a == b || wasm_heaptype_abstract_sub(a, b);
}
