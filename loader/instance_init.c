/* The initialising steps of instantiation, in the spec's order: globals
 * from their constant expressions, element and data segments (active ones
 * applied and dropped, declarative ones dropped, passive ones kept for
 * table.init/memory.init), then the start function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"
#include "wasm_const_expr.h"

static void eval_const(wasmaot_instance *inst, const wasm_const_expr *e,
                       uint8_t cell[16]);

/* An extended constant expression, on a stack of integers: validation
 * left only i32/i64 constants, global.get of integers and arithmetic,
 * and bounded the depth (wasm_const_expr.h). */
typedef struct const_eval {
  wasmaot_instance *inst;
  uint64_t stack[WASM_CONST_EXPR_MAX_DEPTH];
  uint32_t depth;
} const_eval;

static bool const_eval_step(void *ctx, const wasm_const_instr *in) {
  const_eval *ev = ctx;
  if (in->arith == WASM_CONST_PUSH) {
    uint8_t cell[16];
    eval_const(ev->inst, &in->value, cell);
    if (ev->depth < WASM_CONST_EXPR_MAX_DEPTH)
      memcpy(&ev->stack[ev->depth++], cell, 8);
    return true;
  }
  if (ev->depth < 2)
    return false;
  ev->depth--;
  ev->stack[ev->depth - 1] = wasm_const_arith_apply(
      in->arith, ev->stack[ev->depth - 1], ev->stack[ev->depth]);
  return true;
}

/* Evaluates a constant expression into a 16-byte cell. */
static void eval_const(wasmaot_instance *inst, const wasm_const_expr *e,
                       uint8_t cell[16]) {
  memset(cell, 0, 16);
  switch (e->kind) {
  case WASM_CONST_EXTENDED: {
    const_eval ev = {.inst = inst};
    if (wasm_const_expr_each(inst->wasm, e, const_eval_step, &ev) &&
        ev.depth == 1)
      memcpy(cell, &ev.stack[0], 8);
    break;
  }
  case WASM_CONST_I32:
    memcpy(cell, &e->value.i32, 4);
    break;
  case WASM_CONST_F32:
    memcpy(cell, &e->value.f32_bits, 4);
    break;
  case WASM_CONST_I64:
    memcpy(cell, &e->value.i64, 8);
    break;
  case WASM_CONST_F64:
    memcpy(cell, &e->value.f64_bits, 8);
    break;
  case WASM_CONST_V128:
    memcpy(cell, e->value.v128, 16);
    break;
  case WASM_CONST_REF_NULL:
    break;
  case WASM_CONST_REF_FUNC: {
    void *ref = rt_instance_funcref(inst, e->value.index);
    memcpy(cell, &ref, sizeof ref);
    break;
  }
  case WASM_CONST_GLOBAL_GET:
    memcpy(cell, rt_instance_global_cell(inst, e->value.index), 16);
    break;
  }
}

/* A segment offset: an i32, or an i64 for memory64's memories and
 * tables. */
static uint64_t eval_offset(wasmaot_instance *inst, const wasm_const_expr *e,
                            bool is64) {
  uint8_t cell[16];
  eval_const(inst, e, cell);
  if (is64) {
    uint64_t v;
    memcpy(&v, cell, 8);
    return v;
  }
  uint32_t v;
  memcpy(&v, cell, 4);
  return v;
}

static void *eval_ref(wasmaot_instance *inst, const wasm_const_expr *e) {
  uint8_t cell[16];
  void *v;
  eval_const(inst, e, cell);
  memcpy(&v, cell, sizeof v);
  return v;
}

/* Globals, then (3.0) every element of a table that has an initialiser:
 * those may read imported globals only, so the order between them does
 * not show. */
void rt_instance_init_globals(wasmaot_instance *inst) {
  const wasm_module *w = inst->wasm;
  for (uint32_t i = w->import_global_count; i < w->global_count; i++)
    eval_const(inst, &w->globals[i].init, rt_instance_global_cell(inst, i));
  for (uint32_t i = w->import_table_count;
       w->has_table_init && i < w->table_count; i++) {
    if (!w->has_table_init[i])
      continue;
    void *init = eval_ref(inst, &w->table_inits[i]);
    wasmaot_table_obj *t = &inst->tables[i]->obj;
    for (uint32_t k = 0; k < t->size; k++)
      t->elems[k] = init;
  }
}

bool rt_instance_prepare_segments(wasmaot_instance *inst, char *err,
                                  size_t errlen) {
  const wasm_module *w = inst->wasm;
  const wasmaot_module *m = inst->module;
  for (uint32_t i = 0; i < w->data_segment_count; i++) {
    const wasmaot_data_entry *e = &m->data_entries[i];
    inst->data[i] =
        (rt_data_segment){m->data_image + e->image_offset, (uint32_t)e->size};
  }
  for (uint32_t i = 0; i < w->elem_count; i++) {
    const wasm_elem_segment *s = &w->elems[i];
    void **items = calloc(s->item_count ? s->item_count : 1, sizeof *items);
    if (!items)
      return rt_fail(err, errlen, "out of memory");
    for (uint32_t k = 0; k < s->item_count; k++)
      items[k] = eval_ref(inst, &s->items[k]);
    inst->elems[i] = (rt_elem_segment){items, s->item_count};
  }
  return true;
}

static bool report_trap(wasmaot_trap *trap, wasmaot_trap_kind kind) {
  rt_trap_clear(trap);
  trap->kind = kind;
  snprintf(trap->message, sizeof trap->message, "%s",
           wasmaot_trap_kind_message(kind));
  return false;
}

static bool apply_elem_segments(wasmaot_instance *inst, wasmaot_trap *trap) {
  const wasm_module *w = inst->wasm;
  for (uint32_t i = 0; i < w->elem_count; i++) {
    const wasm_elem_segment *s = &w->elems[i];
    if (s->mode == WASM_SEGMENT_PASSIVE)
      continue;
    if (s->mode == WASM_SEGMENT_ACTIVE) {
      wasmaot_trap_kind kind = rt_table_init(
          inst, s->table_index, i,
          eval_offset(inst, &s->offset, w->tables[s->table_index].is64), 0,
          s->item_count);
      if (kind != WASMAOT_TRAP_NONE)
        return report_trap(trap, kind);
    }
    inst->elems[i].count = 0; /* elem.drop */
  }
  return true;
}

static bool apply_data_segments(wasmaot_instance *inst, wasmaot_trap *trap) {
  const wasm_module *w = inst->wasm;
  for (uint32_t i = 0; i < w->data_segment_count; i++) {
    const wasm_data_segment *d = &w->data_segments[i];
    if (d->mode != WASM_SEGMENT_ACTIVE)
      continue;
    wasmaot_trap_kind kind = rt_data_segment_apply(
        inst, d->memory_index, i,
        eval_offset(inst, &d->offset, w->memories[d->memory_index].is64));
    if (kind != WASMAOT_TRAP_NONE)
      return report_trap(trap, kind);
    inst->data[i] = (rt_data_segment){NULL, 0}; /* data.drop */
  }
  return true;
}

static bool run_start(wasmaot_instance *inst, wasmaot_trap *trap) {
  const wasm_module *w = inst->wasm;
  if (!w->has_start)
    return true;
  wasmaot_funcref *ref = rt_instance_funcref(inst, w->start_func);
  rt_trampoline tramp = inst->module->trampolines[w->func_types[w->start_func]];
  uint64_t slots[2] = {0, 0}; /* start takes and returns nothing */
  return rt_invoke(inst->engine, inst, tramp, ref->code, ref->env, slots, trap);
}

bool rt_instance_run_initialisers(wasmaot_instance *inst, wasmaot_trap *trap) {
  return apply_elem_segments(inst, trap) && apply_data_segments(inst, trap) &&
         run_start(inst, trap);
}
