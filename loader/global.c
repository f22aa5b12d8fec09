/* Globals: a 16-byte cell. A defined global's cell lives in its instance's
 * vmctx, a host global's in the object; importers hold a pointer to the
 * cell, so every reader and writer shares one value. */
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

void rt_cell_read(const void *cell, wasm_type t, wasmaot_val *out) {
  memset(out, 0, sizeof *out);
  if (!rt_valkind_from_wasm(t, &out->kind))
    return;
  switch (out->kind) {
  case WASMAOT_I32:
  case WASMAOT_F32:
    memcpy(&out->of, cell, 4);
    break;
  case WASMAOT_V128:
    memcpy(&out->of, cell, 16);
    break;
  case WASMAOT_FUNCREF:
  case WASMAOT_EXTERNREF:
    memcpy(&out->of.ref, cell, sizeof(void *));
    break;
  default:
    memcpy(&out->of, cell, 8);
    break;
  }
}

void rt_cell_write(void *cell, const wasmaot_val *v) {
  switch (v->kind) {
  case WASMAOT_I32:
  case WASMAOT_F32:
    memset(cell, 0, 16);
    memcpy(cell, &v->of, 4);
    break;
  case WASMAOT_V128:
    memcpy(cell, &v->of, 16);
    break;
  case WASMAOT_FUNCREF:
  case WASMAOT_EXTERNREF:
    memset(cell, 0, 16);
    memcpy(cell, &v->of.ref, sizeof(void *));
    break;
  default:
    memset(cell, 0, 16);
    memcpy(cell, &v->of, 8);
    break;
  }
}

void rt_global_retain(wasmaot_global *g) {
  if (g->owner)
    rt_instance_retain(g->owner);
  else
    atomic_fetch_add(&g->refs, 1);
}

void rt_global_release(wasmaot_global *g) {
  if (!g)
    return;
  if (g->owner)
    rt_instance_release(g->owner);
  else if (atomic_fetch_sub(&g->refs, 1) == 1)
    free(g);
}

/* ---- Public API ---------------------------------------------------------- */

wasmaot_global *wasmaot_global_new(wasmaot_engine *engine, bool is_mutable,
                                   const wasmaot_val *init) {
  (void)engine; /* a cell needs nothing from the engine */
  wasm_type t = rt_valkind_to_wasm(init->kind);
  if (!t)
    return NULL;
  wasmaot_global *g = calloc(1, sizeof *g);
  if (!g)
    return NULL;
  atomic_init(&g->refs, 1);
  g->cell = g->storage;
  g->type = t;
  g->is_mutable = is_mutable;
  rt_cell_write(g->cell, init);
  return g;
}

void wasmaot_global_free(wasmaot_global *global) {
  if (global && !global->owner)
    rt_global_release(global);
}

void wasmaot_global_get(const wasmaot_global *global, wasmaot_val *out) {
  rt_cell_read(global->cell, global->type, out);
}

bool wasmaot_global_set(wasmaot_global *global, const wasmaot_val *value) {
  wasmaot_valkind kind;
  if (!global->is_mutable || !rt_valkind_from_wasm(global->type, &kind) ||
      kind != value->kind)
    return false;
  rt_cell_write(global->cell, value);
  return true;
}
