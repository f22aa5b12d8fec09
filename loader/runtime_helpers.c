/* The runtime helpers compiled code calls through vmctx->helpers (the
 * table and signatures are in artifact_format.h): memory.grow and the bulk
 * memory and table instructions, and the trap entry (wait and notify are
 * in atomic_wait.c).
 *
 * Each bulk operation checks all its bounds before writing anything, as
 * the spec says, in a form no 64-bit operand can overflow. A failing helper
 * traps with the address of its call site (the return address minus one, which
 * stays inside the calling function even when a no-return call is the
 * function's last instruction). */
#include <string.h>

#include "runtime.h"

#define CALL_SITE() ((uintptr_t)__builtin_return_address(0) - 1)

/* [start, start + n) within [0, size), without forming start + n: with
 * memory64 both are any u64. */
static bool in_bounds(uint64_t start, uint64_t n, uint64_t size) {
  return n <= size && start <= size - n;
}

static void trap_if(wasmaot_trap_kind kind, uintptr_t site) {
  if (kind != WASMAOT_TRAP_NONE)
    rt_trap_raise(kind, site);
}

_Noreturn static void helper_trap(void *vmctx, uint32_t kind) {
  (void)vmctx;
  rt_trap_raise(kind < WASMAOT_TRAP_COUNT ? (wasmaot_trap_kind)kind
                                          : WASMAOT_TRAP_UNREACHABLE,
                CALL_SITE());
}

/* ---- Memory ------------------------------------------------------------- */

/* Each operation is written once, on 64-bit operands; the 32-bit
 * helpers of 32-bit memories and the *64 ones of memory64 both call it. */

static int64_t memory_grow(void *vmctx, uint32_t mem, uint64_t delta) {
  return rt_memory_grow(rt_instance_of_vmctx(vmctx)->memories[mem], delta);
}

static wasmaot_trap_kind memory_fill(void *vmctx, uint32_t mem, uint64_t dst,
                                     uint32_t val, uint64_t n) {
  wasmaot_memory *m = rt_instance_of_vmctx(vmctx)->memories[mem];
  if (!in_bounds(dst, n, m->obj.size_bytes))
    return WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS;
  memset(m->obj.base + dst, (int)(uint8_t)val, n);
  return WASMAOT_TRAP_NONE;
}

static wasmaot_trap_kind memory_copy(void *vmctx, uint32_t dmem, uint32_t smem,
                                     uint64_t dst, uint64_t src, uint64_t n) {
  wasmaot_instance *inst = rt_instance_of_vmctx(vmctx);
  wasmaot_memory *d = inst->memories[dmem], *s = inst->memories[smem];
  if (!in_bounds(src, n, s->obj.size_bytes) ||
      !in_bounds(dst, n, d->obj.size_bytes))
    return WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS;
  memmove(d->obj.base + dst, s->obj.base + src, n);
  return WASMAOT_TRAP_NONE;
}

wasmaot_trap_kind rt_memory_init(wasmaot_instance *inst, uint32_t mem,
                                 uint32_t seg, uint64_t dst, uint64_t src,
                                 uint64_t n) {
  wasmaot_memory *m = inst->memories[mem];
  const rt_data_segment *d = &inst->data[seg];
  if (!in_bounds(src, n, d->size) || !in_bounds(dst, n, m->obj.size_bytes))
    return WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS;
  if (n)
    memcpy(m->obj.base + dst, d->bytes + src, n);
  return WASMAOT_TRAP_NONE;
}

static int32_t helper_memory_grow(void *vmctx, uint32_t mem, uint32_t delta) {
  return (int32_t)memory_grow(vmctx, mem, delta);
}

static int64_t helper_memory_grow64(void *vmctx, uint32_t mem, uint64_t delta) {
  return memory_grow(vmctx, mem, delta);
}

static void helper_memory_fill(void *vmctx, uint32_t mem, uint32_t dst,
                               uint32_t val, uint32_t n) {
  trap_if(memory_fill(vmctx, mem, dst, val, n), CALL_SITE());
}

static void helper_memory_fill64(void *vmctx, uint32_t mem, uint64_t dst,
                                 uint32_t val, uint64_t n) {
  trap_if(memory_fill(vmctx, mem, dst, val, n), CALL_SITE());
}

static void helper_memory_copy(void *vmctx, uint32_t dmem, uint32_t smem,
                               uint32_t dst, uint32_t src, uint32_t n) {
  trap_if(memory_copy(vmctx, dmem, smem, dst, src, n), CALL_SITE());
}

static void helper_memory_copy64(void *vmctx, uint32_t dmem, uint32_t smem,
                                 uint64_t dst, uint64_t src, uint64_t n) {
  trap_if(memory_copy(vmctx, dmem, smem, dst, src, n), CALL_SITE());
}

static void helper_memory_init(void *vmctx, uint32_t mem, uint32_t seg,
                               uint32_t dst, uint32_t src, uint32_t n) {
  trap_if(rt_memory_init(rt_instance_of_vmctx(vmctx), mem, seg, dst, src, n),
          CALL_SITE());
}

static void helper_memory_init64(void *vmctx, uint32_t mem, uint32_t seg,
                                 uint64_t dst, uint64_t src, uint64_t n) {
  trap_if(rt_memory_init(rt_instance_of_vmctx(vmctx), mem, seg, dst, src, n),
          CALL_SITE());
}

static void helper_data_drop(void *vmctx, uint32_t seg) {
  rt_data_segment *d = &rt_instance_of_vmctx(vmctx)->data[seg];
  d->bytes = NULL;
  d->size = 0;
}

/* ---- Tables ------------------------------------------------------------- */

static int64_t table_grow(void *vmctx, uint32_t table, void *init,
                          uint64_t delta) {
  return rt_table_grow(rt_instance_of_vmctx(vmctx)->tables[table], delta, init);
}

static wasmaot_trap_kind table_fill(void *vmctx, uint32_t table, uint64_t dst,
                                    void *val, uint64_t n) {
  wasmaot_table *t = rt_instance_of_vmctx(vmctx)->tables[table];
  if (!in_bounds(dst, n, t->obj.size))
    return WASMAOT_TRAP_TABLE_OUT_OF_BOUNDS;
  for (uint64_t i = 0; i < n; i++)
    t->obj.elems[dst + i] = val;
  return WASMAOT_TRAP_NONE;
}

static wasmaot_trap_kind table_copy(void *vmctx, uint32_t dtab, uint32_t stab,
                                    uint64_t dst, uint64_t src, uint64_t n) {
  wasmaot_instance *inst = rt_instance_of_vmctx(vmctx);
  wasmaot_table *d = inst->tables[dtab], *s = inst->tables[stab];
  if (!in_bounds(src, n, s->obj.size) || !in_bounds(dst, n, d->obj.size))
    return WASMAOT_TRAP_TABLE_OUT_OF_BOUNDS;
  if (n)
    memmove(d->obj.elems + dst, s->obj.elems + src, n * sizeof(void *));
  return WASMAOT_TRAP_NONE;
}

wasmaot_trap_kind rt_table_init(wasmaot_instance *inst, uint32_t table,
                                uint32_t seg, uint64_t dst, uint64_t src,
                                uint64_t n) {
  wasmaot_table *t = inst->tables[table];
  const rt_elem_segment *e = &inst->elems[seg];
  if (!in_bounds(src, n, e->count) || !in_bounds(dst, n, t->obj.size))
    return WASMAOT_TRAP_TABLE_OUT_OF_BOUNDS;
  if (n)
    memcpy(t->obj.elems + dst, e->items + src, n * sizeof(void *));
  return WASMAOT_TRAP_NONE;
}

static int32_t helper_table_grow(void *vmctx, uint32_t table, void *init,
                                 uint32_t delta) {
  return (int32_t)table_grow(vmctx, table, init, delta);
}

static int64_t helper_table_grow64(void *vmctx, uint32_t table, void *init,
                                   uint64_t delta) {
  return table_grow(vmctx, table, init, delta);
}

static void helper_table_fill(void *vmctx, uint32_t table, uint32_t dst,
                              void *val, uint32_t n) {
  trap_if(table_fill(vmctx, table, dst, val, n), CALL_SITE());
}

static void helper_table_fill64(void *vmctx, uint32_t table, uint64_t dst,
                                void *val, uint64_t n) {
  trap_if(table_fill(vmctx, table, dst, val, n), CALL_SITE());
}

static void helper_table_copy(void *vmctx, uint32_t dtab, uint32_t stab,
                              uint32_t dst, uint32_t src, uint32_t n) {
  trap_if(table_copy(vmctx, dtab, stab, dst, src, n), CALL_SITE());
}

static void helper_table_copy64(void *vmctx, uint32_t dtab, uint32_t stab,
                                uint64_t dst, uint64_t src, uint64_t n) {
  trap_if(table_copy(vmctx, dtab, stab, dst, src, n), CALL_SITE());
}

static void helper_table_init(void *vmctx, uint32_t table, uint32_t seg,
                              uint32_t dst, uint32_t src, uint32_t n) {
  trap_if(rt_table_init(rt_instance_of_vmctx(vmctx), table, seg, dst, src, n),
          CALL_SITE());
}

static void helper_table_init64(void *vmctx, uint32_t table, uint32_t seg,
                                uint64_t dst, uint64_t src, uint64_t n) {
  trap_if(rt_table_init(rt_instance_of_vmctx(vmctx), table, seg, dst, src, n),
          CALL_SITE());
}

static void helper_elem_drop(void *vmctx, uint32_t seg) {
  /* The items array stays allocated: the instance frees it. */
  rt_instance_of_vmctx(vmctx)->elems[seg].count = 0;
}

/* ---- Types -------------------------------------------------------------- */

static uint32_t helper_func_subtype(void *vmctx, uint32_t actual,
                                    uint32_t expected) {
  wasmaot_instance *inst = rt_instance_of_vmctx(vmctx);
  return rt_signature_is_subtype(&inst->engine->signatures, actual, expected);
}

const void *const rt_helper_table[WASMAOT_HELPER_COUNT] = {
    [WASMAOT_HELPER_TRAP] = (const void *)helper_trap,
    [WASMAOT_HELPER_MEMORY_GROW] = (const void *)helper_memory_grow,
    [WASMAOT_HELPER_MEMORY_FILL] = (const void *)helper_memory_fill,
    [WASMAOT_HELPER_MEMORY_COPY] = (const void *)helper_memory_copy,
    [WASMAOT_HELPER_MEMORY_INIT] = (const void *)helper_memory_init,
    [WASMAOT_HELPER_DATA_DROP] = (const void *)helper_data_drop,
    [WASMAOT_HELPER_TABLE_GROW] = (const void *)helper_table_grow,
    [WASMAOT_HELPER_TABLE_FILL] = (const void *)helper_table_fill,
    [WASMAOT_HELPER_TABLE_COPY] = (const void *)helper_table_copy,
    [WASMAOT_HELPER_TABLE_INIT] = (const void *)helper_table_init,
    [WASMAOT_HELPER_ELEM_DROP] = (const void *)helper_elem_drop,
    [WASMAOT_HELPER_ATOMIC_NOTIFY] = (const void *)rt_helper_atomic_notify,
    [WASMAOT_HELPER_ATOMIC_WAIT32] = (const void *)rt_helper_atomic_wait32,
    [WASMAOT_HELPER_ATOMIC_WAIT64] = (const void *)rt_helper_atomic_wait64,
    [WASMAOT_HELPER_FUNC_SUBTYPE] = (const void *)helper_func_subtype,
    [WASMAOT_HELPER_MEMORY_GROW64] = (const void *)helper_memory_grow64,
    [WASMAOT_HELPER_MEMORY_FILL64] = (const void *)helper_memory_fill64,
    [WASMAOT_HELPER_MEMORY_COPY64] = (const void *)helper_memory_copy64,
    [WASMAOT_HELPER_MEMORY_INIT64] = (const void *)helper_memory_init64,
    [WASMAOT_HELPER_TABLE_GROW64] = (const void *)helper_table_grow64,
    [WASMAOT_HELPER_TABLE_FILL64] = (const void *)helper_table_fill64,
    [WASMAOT_HELPER_TABLE_COPY64] = (const void *)helper_table_copy64,
    [WASMAOT_HELPER_TABLE_INIT64] = (const void *)helper_table_init64,
    [WASMAOT_HELPER_THROW] = (const void *)rt_helper_throw,
    [WASMAOT_HELPER_THROW_REF] = (const void *)rt_helper_throw_ref,
    [WASMAOT_HELPER_EXCEPTION_FREE] = (const void *)rt_helper_exception_free,
    [WASMAOT_HELPER_EXCEPTION_ESCAPED] =
        (const void *)rt_helper_exception_escaped,
};
