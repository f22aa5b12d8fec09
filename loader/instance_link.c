/* Import resolution: ask the host's resolver for each import, check it
 * against the import's type as the spec's import matching says, and wire
 * it into the index spaces and vmctx. Imported objects are shared, never
 * copied: vmctx points at the exporter's funcref, global cell, memory and
 * table objects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

typedef struct link_error {
  char *buf;
  size_t len;
  const wasm_import *import;
} link_error;

static bool unknown_import(const link_error *e) {
  const wasm_import *im = e->import;
  return rt_fail(e->buf, e->len, "unknown import \"%.*s\".\"%.*s\"",
                 (int)im->module.len, im->module.data, (int)im->field.len,
                 im->field.data);
}

static bool incompatible_import(const link_error *e, const char *why) {
  const wasm_import *im = e->import;
  return rt_fail(e->buf, e->len,
                 "incompatible import type for \"%.*s\".\"%.*s\": %s",
                 (int)im->module.len, im->module.data, (int)im->field.len,
                 im->field.data, why);
}

/* Limits {min, max} of an existing object match the imported limits when
 * they are at least as large and at most as permissive. */
static bool limits_match(uint64_t actual_min, bool actual_has_max,
                         uint64_t actual_max, const wasm_limits *expected) {
  if (actual_min < expected->min)
    return false;
  if (!expected->has_max)
    return true;
  return actual_has_max && actual_max <= expected->max;
}

static void append_unique(wasmaot_instance *inst, wasmaot_instance *other) {
  for (size_t i = 0; i < inst->linked_count; i++)
    if (inst->linked[i] == other)
      return;
  inst->linked[inst->linked_count++] = other;
}

/* Remembers the instance behind an imported function or global, and what
 * it calls, so calls can set all their stack limits (call.c). */
static bool add_linked(wasmaot_instance *inst, wasmaot_instance *other) {
  if (!other)
    return true;
  size_t n = inst->linked_count + 1 + other->linked_count;
  wasmaot_instance **p = realloc(inst->linked, n * sizeof *p);
  if (!p)
    return false;
  inst->linked = p;
  append_unique(inst, other);
  for (size_t i = 0; i < other->linked_count; i++)
    append_unique(inst, other->linked[i]);
  return true;
}

static bool link_func(wasmaot_instance *inst, uint32_t index, wasmaot_func *f,
                      const link_error *e) {
  const rt_signature *want =
      inst->module->signatures[e->import->desc.func_type];
  /* The exporter's type must be the import's or a declared subtype. */
  if (!rt_signature_is_subtype(&inst->engine->signatures, f->signature->id,
                               want->id))
    return incompatible_import(e, "function signature differs");
  if (!add_linked(inst, f->owner))
    return rt_fail(e->buf, e->len, "out of memory");
  rt_func_retain(f);
  inst->imported_funcs[index] = f;
  *(wasmaot_funcref **)(inst->vmctx +
                        inst->module->meta->layout.imported_funcs +
                        8 * (size_t)index) = f->ref;
  return true;
}

/* A tag's type must be the import's exactly (equivalent canonical
 * types); the object itself is shared, which is what makes it the same
 * tag. */
static bool link_tag(wasmaot_instance *inst, uint32_t index, wasmaot_tag *t,
                     const link_error *e) {
  const rt_signature *want = inst->module->signatures[e->import->desc.tag_type];
  if (t->signature->id != want->id)
    return incompatible_import(e, "tag type differs");
  rt_tag_retain(t);
  inst->tags[index] = t;
  return true;
}

static bool link_global(wasmaot_instance *inst, uint32_t index,
                        wasmaot_global *g, const link_error *e) {
  const wasm_globaltype *want = &e->import->desc.global;
  wasm_type want_type = rt_canonical_type(inst->module, want->type);
  if (g->is_mutable != want->is_mutable)
    return incompatible_import(e, "global mutability differs");
  /* A mutable global is read and written: its type must be the same;
   * an immutable one may be a subtype. */
  if (want->is_mutable ? g->type != want_type
                       : !rt_canonical_type_matches(&inst->engine->signatures,
                                                    g->type, want_type))
    return incompatible_import(e, "global value type differs");
  if (!add_linked(inst, g->owner))
    return rt_fail(e->buf, e->len, "out of memory");
  rt_global_retain(g);
  inst->imported_globals[index] = g;
  *(void **)(inst->vmctx + inst->module->meta->layout.imported_globals +
             8 * (size_t)index) = g->cell;
  return true;
}

static bool link_memory(wasmaot_instance *inst, uint32_t index,
                        wasmaot_memory *m, const link_error *e) {
  if (m->engine != inst->engine)
    return incompatible_import(e, "memory of another engine");
  /* The address type too (memory64). */
  if (m->is64 != e->import->desc.memory.is64)
    return incompatible_import(e, m->is64 ? "memory is 64-bit, the import "
                                            "is 32-bit"
                                          : "memory is 32-bit, the import "
                                            "is 64-bit");
  if (!limits_match(rt_memory_pages(m), m->has_max, m->declared_max,
                    &e->import->desc.memory.limits))
    return incompatible_import(e, "memory limits do not match");
  /* Sharing is part of the memory's type and must match exactly. */
  if (m->shared != e->import->desc.memory.shared)
    return incompatible_import(e, m->shared ? "memory is shared, the import "
                                              "is not"
                                            : "memory is not shared, the "
                                              "import is");
  rt_memory_retain(m);
  inst->memories[index] = m;
  return true;
}

static bool link_table(wasmaot_instance *inst, uint32_t index, wasmaot_table *t,
                       const link_error *e) {
  const wasm_tabletype *want = &e->import->desc.table;
  if (t->engine != inst->engine)
    return incompatible_import(e, "table of another engine");
  if (t->elem_type != rt_canonical_type(inst->module, want->elem_type))
    return incompatible_import(e, "table element type differs");
  if (t->is64 != want->is64)
    return incompatible_import(e, "table address type differs");
  if (!limits_match(t->obj.size, t->has_max, t->max, &want->limits))
    return incompatible_import(e, "table limits do not match");
  rt_table_retain(t);
  inst->tables[index] = t;
  return true;
}

/* The position of an import within its kind's index space. */
typedef struct import_counters {
  uint32_t funcs, tables, memories, globals, tags;
} import_counters;

static bool link_one(wasmaot_instance *inst, const wasmaot_extern *v,
                     import_counters *n, const link_error *e) {
  switch (e->import->kind) {
  case WASM_EXTERN_FUNC:
    return link_func(inst, n->funcs++, v->of.func, e);
  case WASM_EXTERN_TABLE:
    return link_table(inst, n->tables++, v->of.table, e);
  case WASM_EXTERN_MEMORY:
    return link_memory(inst, n->memories++, v->of.memory, e);
  case WASM_EXTERN_GLOBAL:
    return link_global(inst, n->globals++, v->of.global, e);
  case WASM_EXTERN_TAG:
    return link_tag(inst, n->tags++, v->of.tag, e);
  }
  return incompatible_import(e, "unknown kind");
}

static const char *kind_name(wasm_extern_kind k) {
  static const char *const names[] = {"function", "table", "memory", "global",
                                      "tag"};
  return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

bool rt_instance_link(wasmaot_instance *inst, wasmaot_resolver resolver,
                      void *ctx, char *err, size_t errlen) {
  import_counters counters = {0};
  for (uint32_t i = 0; i < inst->wasm->import_count; i++) {
    const wasm_import *im = &inst->wasm->imports[i];
    link_error e = {err, errlen, im};
    wasmaot_import_ref ref = {.module = im->module.data,
                              .module_len = im->module.len,
                              .name = im->field.data,
                              .name_len = im->field.len,
                              .kind = (wasmaot_extern_kind)im->kind};
    if (im->kind == WASM_EXTERN_MEMORY) {
      const wasm_memtype *mt = &im->desc.memory;
      ref.memory_min = (uint32_t)mt->limits.min;
      ref.memory_max = (uint32_t)mt->limits.max;
      ref.memory_has_max = mt->limits.has_max;
      ref.memory_shared = mt->shared;
      ref.memory_is64 = mt->is64;
    }
    wasmaot_extern value;
    memset(&value, 0, sizeof value);
    if (!resolver || !resolver(ctx, &ref, &value) || !value.of.func)
      return unknown_import(&e);
    if ((wasm_extern_kind)value.kind != im->kind) {
      char why[64];
      snprintf(why, sizeof why, "expected a %s, got a %s", kind_name(im->kind),
               kind_name((wasm_extern_kind)value.kind));
      return incompatible_import(&e, why);
    }
    if (!link_one(inst, &value, &counters, &e))
      return false;
  }
  return true;
}
