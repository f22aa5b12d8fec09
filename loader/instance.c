/* Instances: allocation of vmctx and the index spaces, the order of the
 * spec's instantiation steps, exports, and release.
 *
 * vmctx is what compiled code sees (artifact_format.h): a fixed header,
 * then the areas whose offsets the module's metadata records. The
 * instance object around it holds what only the runtime needs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

void *rt_instance_global_cell(wasmaot_instance *inst, uint32_t index) {
  const wasm_module *w = inst->wasm;
  if (index < w->import_global_count)
    return inst->imported_globals[index]->cell;
  return inst->vmctx + inst->module->meta->layout.defined_globals +
         16 * (size_t)(index - w->import_global_count);
}

wasmaot_funcref *rt_instance_funcref(wasmaot_instance *inst, uint32_t index) {
  const wasm_module *w = inst->wasm;
  if (index < w->import_func_count)
    return inst->imported_funcs[index]->ref;
  wasmaot_funcref *defined =
      (wasmaot_funcref *)(inst->vmctx +
                          inst->module->meta->layout.defined_funcrefs);
  return &defined[index - w->import_func_count];
}

/* A pointer-sized slot of vmctx area `offset`. */
static void **vmctx_slot(wasmaot_instance *inst, uint32_t offset,
                         uint32_t index) {
  return (void **)(inst->vmctx + offset) + index;
}

/* ---- Allocation and release ------------------------------------------- */

static void *zalloc(size_t count, size_t size) {
  return calloc(count ? count : 1, size);
}

/* Each defined tag is a new object, so a second instance of the same
 * module has tags of its own. */
static bool create_tags(wasmaot_instance *inst) {
  const wasm_module *w = inst->wasm;
  for (uint32_t i = w->import_tag_count; i < w->tag_count; i++) {
    inst->tags[i] =
        rt_tag_new(inst->engine, inst->module->signatures[w->tag_types[i]]);
    if (!inst->tags[i])
      return false;
  }
  return true;
}

static wasmaot_instance *allocate(wasmaot_module *module) {
  const wasm_module *w = module->wasm;
  wasmaot_instance *inst = calloc(1, sizeof *inst);
  if (!inst)
    return NULL;
  atomic_init(&inst->refs, 1);
  rt_module_retain(module);
  inst->module = module;
  inst->engine = module->engine;
  inst->wasm = w;
  size_t vmctx_size = (module->meta->layout.size + 15) & ~(size_t)15;
  inst->vmctx = aligned_alloc(16, vmctx_size);
  inst->imported_funcs = zalloc(w->import_func_count, sizeof(void *));
  inst->imported_globals = zalloc(w->import_global_count, sizeof(void *));
  inst->memories = zalloc(w->memory_count, sizeof(void *));
  inst->tables = zalloc(w->table_count, sizeof(void *));
  inst->tags = zalloc(w->tag_count, sizeof(void *));
  inst->data = zalloc(w->data_segment_count, sizeof *inst->data);
  inst->elems = zalloc(w->elem_count, sizeof *inst->elems);
  inst->exports = zalloc(w->export_count, sizeof *inst->exports);
  if (!inst->vmctx || !inst->imported_funcs || !inst->imported_globals ||
      !inst->memories || !inst->tables || !inst->tags || !inst->data ||
      !inst->elems || !inst->exports || !create_tags(inst)) {
    rt_instance_release(inst);
    return NULL;
  }
  memset(inst->vmctx, 0, vmctx_size);
  wasmaot_vmctx_header *h = rt_vmctx_header(inst);
  h->helpers = rt_helper_table;
  h->instance = inst;
  if (module->meta->layout.entry_counts)
    memcpy(inst->vmctx + module->meta->layout.entry_counts,
           &module->entry_counts, sizeof module->entry_counts);
  return inst;
}

/* Drops every reference the instance holds; entries not yet filled are
 * NULL, so this also undoes a half-built instance. */
static void destroy(wasmaot_instance *inst) {
  const wasm_module *w = inst->wasm;
  for (uint32_t i = 0; inst->imported_funcs && i < w->import_func_count; i++)
    rt_func_release(inst->imported_funcs[i]);
  for (uint32_t i = 0; inst->imported_globals && i < w->import_global_count;
       i++)
    rt_global_release(inst->imported_globals[i]);
  for (uint32_t i = 0; inst->memories && i < w->memory_count; i++)
    rt_memory_release(inst->memories[i]);
  for (uint32_t i = 0; inst->tables && i < w->table_count; i++)
    rt_table_release(inst->tables[i]);
  for (uint32_t i = 0; inst->tags && i < w->tag_count; i++)
    rt_tag_release(inst->tags[i]);
  for (uint32_t i = 0; inst->elems && i < w->elem_count; i++)
    free(inst->elems[i].items);
  free(inst->imported_funcs);
  free(inst->imported_globals);
  free(inst->memories);
  free(inst->tables);
  free(inst->tags);
  free(inst->data);
  free(inst->elems);
  free(inst->exports);
  free(inst->linked);
  free(inst->vmctx);
  rt_module_release(inst->module);
  free(inst);
}

void rt_instance_retain(wasmaot_instance *inst) {
  atomic_fetch_add(&inst->refs, 1);
}

void rt_instance_release(wasmaot_instance *inst) {
  if (inst && atomic_fetch_sub(&inst->refs, 1) == 1)
    destroy(inst);
}

void wasmaot_instance_free(wasmaot_instance *instance) {
  rt_instance_release(instance);
}

/* ---- Defined memories, tables, functions ------------------------------- */

static bool create_memories(wasmaot_instance *inst, char *err, size_t errlen) {
  const wasm_module *w = inst->wasm;
  for (uint32_t i = w->import_memory_count; i < w->memory_count; i++) {
    inst->memories[i] =
        rt_memory_create(inst->engine, &w->memories[i], err, errlen);
    if (!inst->memories[i])
      return false;
  }
  return true;
}

static bool create_tables(wasmaot_instance *inst, char *err, size_t errlen) {
  const wasm_module *w = inst->wasm;
  for (uint32_t i = w->import_table_count; i < w->table_count; i++) {
    const wasm_tabletype *t = &w->tables[i];
    inst->tables[i] = rt_table_create(
        inst->engine, rt_canonical_type(inst->module, t->elem_type), t->is64,
        t->limits.min, t->limits.has_max, t->limits.max, err, errlen);
    if (!inst->tables[i])
      return false;
  }
  return true;
}

/* Memory and table pointers, memory 0 in the header, type ids, and one
 * funcref per defined function whose env is this vmctx. */
static void fill_vmctx(wasmaot_instance *inst) {
  const wasm_module *w = inst->wasm;
  const wasmaot_module *m = inst->module;
  const wasmaot_vmctx_layout *l = &m->meta->layout;
  for (uint32_t i = 0; i < w->memory_count; i++)
    *vmctx_slot(inst, l->memories, i) = &inst->memories[i]->obj;
  for (uint32_t i = 0; i < w->table_count; i++)
    *vmctx_slot(inst, l->tables, i) = &inst->tables[i]->obj;
  if (w->memory_count > 0) {
    rt_vmctx_header(inst)->memory0 = &inst->memories[0]->obj;
    rt_vmctx_header(inst)->memory0_base = inst->memories[0]->obj.base;
  }
  uint32_t *type_ids = (uint32_t *)(inst->vmctx + l->type_ids);
  for (uint32_t i = 0; i < w->type_count; i++)
    type_ids[i] = m->signatures[i]->id;
  for (uint32_t i = 0; i < w->tag_count; i++)
    *vmctx_slot(inst, l->tags, i) = inst->tags[i];
  for (uint32_t i = w->import_func_count; i < w->func_count; i++) {
    wasmaot_funcref *ref = rt_instance_funcref(inst, i);
    ref->code = m->func_code[i - w->import_func_count];
    ref->env = inst->vmctx;
    ref->type_id = m->signatures[w->func_types[i]]->id;
    ref->tail_entry =
        m->func_tail_code
            ? (int32_t)((intptr_t)m->func_tail_code[i - w->import_func_count] -
                        (intptr_t)ref->code)
            : 0;
  }
}

/* ---- Exports --------------------------------------------------------------
 */

static void build_export(wasmaot_instance *inst, const wasm_export *e,
                         rt_export *out) {
  const wasm_module *w = inst->wasm;
  out->value.kind = (wasmaot_extern_kind)e->kind;
  switch (e->kind) {
  case WASM_EXTERN_FUNC: {
    uint32_t type = w->func_types[e->index];
    out->func = (wasmaot_func){.owner = inst,
                               .ref = rt_instance_funcref(inst, e->index),
                               .signature = inst->module->signatures[type],
                               .trampoline = inst->module->trampolines[type]};
    out->value.of.func = &out->func;
    break;
  }
  case WASM_EXTERN_TABLE:
    out->value.of.table = inst->tables[e->index];
    break;
  case WASM_EXTERN_MEMORY:
    out->value.of.memory = inst->memories[e->index];
    break;
  case WASM_EXTERN_GLOBAL:
    if (e->index < w->import_global_count) {
      out->value.of.global = inst->imported_globals[e->index];
      break;
    }
    out->global = (wasmaot_global){
        .owner = inst,
        .cell = rt_instance_global_cell(inst, e->index),
        .type = rt_canonical_type(inst->module, w->globals[e->index].type.type),
        .is_mutable = w->globals[e->index].type.is_mutable};
    out->value.of.global = &out->global;
    break;
  case WASM_EXTERN_TAG:
    out->value.of.tag = inst->tags[e->index];
    break;
  }
}

static void build_exports(wasmaot_instance *inst) {
  for (uint32_t i = 0; i < inst->wasm->export_count; i++)
    build_export(inst, &inst->wasm->exports[i], &inst->exports[i]);
}

bool wasmaot_instance_export(wasmaot_instance *instance, const char *name,
                             size_t name_len, wasmaot_extern *out) {
  const wasm_module *w = instance->wasm;
  for (uint32_t i = 0; i < w->export_count; i++) {
    const wasm_name *n = &w->exports[i].name;
    if (n->len == name_len && memcmp(n->data, name, name_len) == 0) {
      *out = instance->exports[i].value;
      return true;
    }
  }
  return false;
}

/* ---- Instantiation ---------------------------------------------------------
 */

/* Everything up to running code: link errors and resource failures. */
static bool build(wasmaot_instance *inst, wasmaot_resolver resolver, void *ctx,
                  char *err, size_t errlen) {
  if (!rt_instance_link(inst, resolver, ctx, err, errlen) ||
      !create_memories(inst, err, errlen) || !create_tables(inst, err, errlen))
    return false;
  fill_vmctx(inst);
  rt_instance_init_globals(inst);
  if (!rt_instance_prepare_segments(inst, err, errlen))
    return false;
  build_exports(inst);
  return true;
}

/* A trap left the instance half-initialised, but its functions may
 * already sit in imported tables (the spec keeps those writes), so an
 * instance that imports anything is kept until the engine goes. */
static void dispose_failed(wasmaot_instance *inst) {
  if (inst->wasm->import_count > 0)
    rt_engine_adopt_orphan(inst->engine, inst);
  else
    rt_instance_release(inst);
}

wasmaot_instance *wasmaot_instantiate(wasmaot_module *module,
                                      wasmaot_resolver resolver, void *ctx,
                                      wasmaot_trap *trap, char *err,
                                      size_t errlen) {
  rt_trap_clear(trap);
  wasmaot_trap local_trap;
  if (!trap)
    trap = &local_trap;
  wasmaot_instance *inst = allocate(module);
  if (!inst) {
    rt_fail(err, errlen, "out of memory");
    return NULL;
  }
  if (!build(inst, resolver, ctx, err, errlen)) {
    rt_instance_release(inst);
    return NULL;
  }
  if (!rt_instance_run_initialisers(inst, trap)) {
    rt_fail(err, errlen, "%s", trap->message);
    dispose_failed(inst);
    return NULL;
  }
  return inst;
}
