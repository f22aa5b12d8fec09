#include "wasm_features.h"

#include <stdio.h>
#include <string.h>

#include "wasm_instr.h"
#include "wasm_module.h"
#include "wasm_reader.h"

static const char *const feature_names[WASM_FEATURE_COUNT] = {
#define WASM_FEATURE_NAME(id, name) [WASM_FEATURE_INDEX_##id] = name,
    WASM_FEATURE_LIST(WASM_FEATURE_NAME)
#undef WASM_FEATURE_NAME
};

const char *wasm_feature_name(unsigned index) {
  return index < WASM_FEATURE_COUNT ? feature_names[index] : "?";
}

static bool apply_one(const char *item, size_t len, wasm_features *features,
                      char *why, size_t why_size) {
  bool on = true;
  if (len > 0 && (item[0] == '+' || item[0] == '-')) {
    on = item[0] == '+';
    item++, len--;
  }
  for (unsigned i = 0; i < WASM_FEATURE_COUNT; i++) {
    if (strlen(feature_names[i]) == len &&
        memcmp(feature_names[i], item, len) == 0) {
      if (on)
        *features |= 1u << i;
      else
        *features &= ~(1u << i);
      return true;
    }
  }
  snprintf(why, why_size, "unknown wasm feature '%.*s' (known:", (int)len,
           item);
  for (unsigned i = 0; i < WASM_FEATURE_COUNT; i++) {
    size_t used = strlen(why);
    snprintf(why + used, why_size - used, " %s", feature_names[i]);
  }
  size_t used = strlen(why);
  snprintf(why + used, why_size - used, ")");
  return false;
}

bool wasm_features_parse(const char *list, wasm_features *features, char *why,
                         size_t why_size) {
  const char *p = list;
  while (*p) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len > 0 && !apply_one(p, len, features, why, why_size))
      return false;
    p += len;
    if (*p == ',')
      p++;
  }
  return true;
}

void wasm_features_format(wasm_features set, char *buf, size_t size) {
  size_t used = 0;
  if (size == 0)
    return;
  buf[0] = '\0';
  for (unsigned i = 0; i < WASM_FEATURE_COUNT; i++) {
    if (!(set & (1u << i)) || used >= size)
      continue;
    int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                     feature_names[i]);
    if (n > 0)
      used += (size_t)n;
  }
}

/* Records the first use of `feature` (a WASM_FEATURE_<ID> bit). */
static void note(wasm_features *used, size_t *offsets, wasm_features feature,
                 size_t at) {
  if (*used & feature)
    return;
  *used |= feature;
  if (offsets)
    for (unsigned i = 0; i < WASM_FEATURE_COUNT; i++)
      if (feature == 1u << i)
        offsets[i] = at;
}

static void note_const_expr(wasm_features *used, size_t *offsets,
                            const wasm_const_expr *e) {
  if (e->kind == WASM_CONST_EXTENDED)
    note(used, offsets, WASM_FEATURE_EXTENDED_CONST, e->offset);
}

static void scan_const_exprs(const wasm_module *m, wasm_features *used,
                             size_t *offsets) {
  for (uint32_t i = m->import_global_count; i < m->global_count; i++)
    note_const_expr(used, offsets, &m->globals[i].init);
  for (uint32_t i = 0; i < m->elem_count; i++) {
    const wasm_elem_segment *s = &m->elems[i];
    if (s->mode == WASM_SEGMENT_ACTIVE)
      note_const_expr(used, offsets, &s->offset);
    for (uint32_t k = 0; k < s->item_count; k++)
      note_const_expr(used, offsets, &s->items[k]);
  }
  for (uint32_t i = 0; i < m->data_segment_count; i++)
    if (m->data_segments[i].mode == WASM_SEGMENT_ACTIVE)
      note_const_expr(used, offsets, &m->data_segments[i].offset);
}

static void scan_code(const wasm_module *m, wasm_features *used,
                      size_t *offsets) {
  wasm_error err = {0};
  for (uint32_t i = 0; i < m->func_count - m->import_func_count; i++) {
    const wasm_func *fn = &m->funcs[i];
    wasm_reader r = {.bytes = m->bytes,
                     .pos = fn->code_offset,
                     .end = fn->code_end,
                     .err = &err};
    while (r.pos < r.end) {
      wasm_instr in;
      if (!wasm_read_instr(&r, m, &in))
        return;
      if (wasm_op_is_function_references(in.op))
        note(used, offsets, WASM_FEATURE_FUNCTION_REFERENCES, in.offset);
      if (wasm_op_is_exceptions(in.op))
        note(used, offsets, WASM_FEATURE_EXCEPTIONS, in.offset);
      if (wasm_op_is_legacy_exceptions(in.op))
        note(used, offsets, WASM_FEATURE_LEGACY_EXCEPTIONS, in.offset);
      if (in.op == WASM_OP_RETURN_CALL || in.op == WASM_OP_RETURN_CALL_INDIRECT)
        note(used, offsets, WASM_FEATURE_TAIL_CALL, in.offset);
      if (in.op >= WASM_OP_I8X16_RELAXED_SWIZZLE &&
          in.op <= WASM_OP_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S)
        note(used, offsets, WASM_FEATURE_RELAXED_SIMD, in.offset);
      if (in.op >= WASM_OP_MEMORY_ATOMIC_NOTIFY &&
          in.op <= WASM_OP_I64_ATOMIC_RMW32_CMPXCHG_U)
        note(used, offsets, WASM_FEATURE_THREADS, in.offset);
    }
  }
}

/* A type beyond 2.0's funcref and externref; the exn hierarchy belongs
 * to exceptions (is_exn_ref). */
static bool is_typed_ref(wasm_type t) {
  return wasm_type_is_ref(t) && t != WASM_TYPE_FUNCREF &&
         t != WASM_TYPE_EXTERNREF && t != WASM_TYPE_EXNREF;
}

static bool is_exn_ref(wasm_type t) {
  return wasm_type_is_ref(t) && (wasm_type_heap(t) == WASM_HEAP_EXN ||
                                 wasm_type_heap(t) == WASM_HEAP_NOEXN);
}

static bool types_have(const wasm_type *types, uint64_t n,
                       bool (*pred)(wasm_type)) {
  for (uint64_t i = 0; i < n; i++)
    if (pred(types[i]))
      return true;
  return false;
}

/* Does a value type outside code (function and struct types, tables,
 * globals, element segments, locals) satisfy pred? */
static bool module_has_type(const wasm_module *m, bool (*pred)(wasm_type)) {
  for (uint32_t i = 0; i < m->type_count; i++)
    if (types_have(m->types[i].types,
                   (uint64_t)m->types[i].param_count + m->types[i].result_count,
                   pred))
      return true;
  for (uint32_t i = 0; i < m->table_count; i++)
    if (pred(m->tables[i].elem_type))
      return true;
  for (uint32_t i = 0; i < m->global_count; i++)
    if (pred(m->globals[i].type.type))
      return true;
  /* Segments of function indices have type (ref func) whatever the
   * version: not a use. */
  for (uint32_t i = 0; i < m->elem_count; i++)
    if (pred(m->elems[i].elem_type) &&
        m->elems[i].elem_type != wasm_ref_type(false, WASM_HEAP_FUNC))
      return true;
  for (uint32_t i = 0; i < m->func_count - m->import_func_count; i++)
    for (uint32_t r = 0; r < m->funcs[i].local_run_count; r++)
      if (pred(m->funcs[i].local_runs[r].type))
        return true;
  return false;
}

/* Typed references outside code: reference types, rec groups, subtypes,
 * table initialisers. */
static bool uses_typed_refs(const wasm_module *m) {
  if (m->has_subtypes || m->has_table_init)
    return true;
  for (uint32_t i = 0; i < m->type_count; i++)
    if (m->types[i].rec_size != 1 ||
        m->types[i].composite != WASM_COMPOSITE_FUNC)
      return true;
  return module_has_type(m, is_typed_ref);
}

wasm_features wasm_module_features(const wasm_module *m,
                                   size_t offsets[WASM_FEATURE_COUNT]) {
  wasm_features used = 0;
  /* A memory index other than 0 needs a second memory to validate. */
  if (m->memory_count > 1)
    note(&used, offsets, WASM_FEATURE_MULTI_MEMORY, 0);
  for (uint32_t i = 0; i < m->memory_count; i++) {
    if (m->memories[i].shared)
      note(&used, offsets, WASM_FEATURE_THREADS, 0);
    if (m->memories[i].is64)
      note(&used, offsets, WASM_FEATURE_MEMORY64, 0);
  }
  for (uint32_t i = 0; i < m->table_count; i++)
    if (m->tables[i].is64)
      note(&used, offsets, WASM_FEATURE_MEMORY64, 0);
  if (uses_typed_refs(m))
    note(&used, offsets, WASM_FEATURE_FUNCTION_REFERENCES, 0);
  if (module_has_type(m, is_exn_ref))
    note(&used, offsets, WASM_FEATURE_EXCEPTIONS, 0);
  scan_const_exprs(m, &used, offsets);
  scan_code(m, &used, offsets);
  /* Tags and `throw` belong to both encodings: a module whose code uses
   * neither encoding's own instructions counts as exceptions. */
  if (m->tag_count &&
      !(used & (WASM_FEATURE_EXCEPTIONS | WASM_FEATURE_LEGACY_EXCEPTIONS)))
    note(&used, offsets, WASM_FEATURE_EXCEPTIONS, 0);
  return used;
}

bool wasm_module_check_features(const wasm_module *m, wasm_features enabled,
                                wasm_error *err) {
  size_t offsets[WASM_FEATURE_COUNT] = {0};
  wasm_features off = wasm_module_features(m, offsets) & ~enabled;
  for (unsigned i = 0; i < WASM_FEATURE_COUNT; i++)
    if (off & (1u << i))
      return wasm_error_set(err, offsets[i],
                            "%s is turned off (--wasm-features)",
                            feature_names[i]);
  return true;
}
