#include "wasm_features.h"

#include <stdio.h>
#include <string.h>

#include "wasm_instr.h"
#include "wasm_reader.h"

static const char *const feature_names[WASM_FEATURE_COUNT] = {
    [WASM_FEATURE_EXTENDED_CONST] = "extended-const",
    [WASM_FEATURE_TAIL_CALL] = "tail-call",
    [WASM_FEATURE_MULTI_MEMORY] = "multi-memory",
    [WASM_FEATURE_RELAXED_SIMD] = "relaxed-simd",
};

const char *wasm_feature_name(wasm_feature f) {
  return f < WASM_FEATURE_COUNT ? feature_names[f] : "?";
}

static bool feature_by_name(const char *name, size_t len, wasm_feature *out) {
  for (int f = 0; f < WASM_FEATURE_COUNT; f++) {
    if (strlen(feature_names[f]) == len &&
        strncmp(feature_names[f], name, len) == 0) {
      *out = (wasm_feature)f;
      return true;
    }
  }
  return false;
}

bool wasm_features_parse(const char *list, wasm_features *enabled, char *why,
                         size_t why_size) {
  for (const char *p = list; *p;) {
    size_t len = strcspn(p, ",");
    bool on = true;
    const char *name = p;
    size_t name_len = len;
    if (name_len > 0 && (name[0] == '+' || name[0] == '-')) {
      on = name[0] == '+';
      name++;
      name_len--;
    }
    wasm_feature f;
    if (!feature_by_name(name, name_len, &f)) {
      snprintf(why, why_size,
               "unknown WebAssembly feature '%.*s' (known: ", (int)name_len,
               name);
      for (int k = 0; k < WASM_FEATURE_COUNT; k++) {
        size_t used = strlen(why);
        snprintf(why + used, why_size - used, "%s%s", k ? ", " : "",
                 feature_names[k]);
      }
      size_t used = strlen(why);
      snprintf(why + used, why_size - used, ")");
      return false;
    }
    if (on)
      *enabled |= 1u << f;
    else
      *enabled &= ~(1u << f);
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
  for (int f = 0; f < WASM_FEATURE_COUNT; f++) {
    if (!(set & (1u << f)) || used >= size)
      continue;
    int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                     feature_names[f]);
    if (n > 0)
      used += (size_t)n;
  }
}

static void note(wasm_features *used, size_t *offsets, wasm_feature f,
                 size_t at) {
  if (*used & (1u << f))
    return;
  *used |= 1u << f;
  if (offsets)
    offsets[f] = at;
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
      if (in.op == WASM_OP_RETURN_CALL || in.op == WASM_OP_RETURN_CALL_INDIRECT)
        note(used, offsets, WASM_FEATURE_TAIL_CALL, in.offset);
      if (in.op >= WASM_OP_I8X16_RELAXED_SWIZZLE &&
          in.op <= WASM_OP_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S)
        note(used, offsets, WASM_FEATURE_RELAXED_SIMD, in.offset);
    }
  }
}

wasm_features wasm_module_features(const wasm_module *m,
                                   size_t offsets[WASM_FEATURE_COUNT]) {
  wasm_features used = 0;
  /* A memory index other than 0 needs a second memory to validate. */
  if (m->memory_count > 1)
    note(&used, offsets, WASM_FEATURE_MULTI_MEMORY, 0);
  scan_const_exprs(m, &used, offsets);
  scan_code(m, &used, offsets);
  return used;
}

bool wasm_module_check_features(const wasm_module *m, wasm_features enabled,
                                wasm_error *err) {
  size_t offsets[WASM_FEATURE_COUNT] = {0};
  wasm_features off = wasm_module_features(m, offsets) & ~enabled;
  for (int f = 0; f < WASM_FEATURE_COUNT; f++)
    if (off & (1u << f))
      return wasm_error_set(err, offsets[f],
                            "%s is turned off (--wasm-features)",
                            feature_names[f]);
  return true;
}
