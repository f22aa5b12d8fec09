/* Wasm exceptions at run time (docs/exceptions.md): the exception objects,
 * throwing them through the system unwinder, and the end of an exception
 * that leaves Wasm.
 *
 * A throw is a *forced* unwind (_Unwind_ForcedUnwind): every Wasm frame
 * with a handler has a landing pad that libgcc's C personality enters
 * unconditionally; the pad compares the thrown tag with its clauses and
 * either handles the exception or resumes the unwind. A search phase would
 * need a personality that knows each instance's tags; the forced unwind
 * needs none, and it never reaches the host's frames: the host-to-Wasm
 * trampoline's landing pad ends every exception that gets that far (as a
 * trap of its activation). A frame without unwind tables (a module without
 * exception code on the stack) ends the unwind before anything moved, and
 * the throw becomes the same trap at the throw site.
 *
 * Objects: an exception lives until its engine is freed, unless the
 * handlers that took it are done with it first (EXCEPTION_FREE: no
 * legacy catch section holds it) and no exnref to it was ever handed out
 * (WASMAOT_EXCEPTION_CAPTURED). Each engine keeps its live ones in a
 * list under a lock: exnrefs may travel between the engine's threads. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unwind.h>

#include "runtime.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

_Static_assert(sizeof(struct _Unwind_Exception) <= WASMAOT_UNWIND_HEADER_SIZE,
               "the unwinder's exception header does not fit its slot");
_Static_assert(offsetof(wasmaot_exception, tag) == WASMAOT_UNWIND_HEADER_SIZE,
               "wasmaot_exception layout");

struct rt_exception {
  struct rt_exception *prev, *next;
  wasmaot_engine *engine;
  wasmaot_tag *tag; /* retained: the exception may outlive its thrower */
  _Alignas(16) wasmaot_exception exn;
};

static rt_exception *exception_of(wasmaot_exception *exn) {
  return (rt_exception *)((char *)exn - offsetof(rt_exception, exn));
}

static void unlink_exception(rt_exception *x) {
  wasmaot_engine *e = x->engine;
  pthread_mutex_lock(&e->exceptions_lock);
  if (x->prev)
    x->prev->next = x->next;
  else
    e->exceptions = x->next;
  if (x->next)
    x->next->prev = x->prev;
  pthread_mutex_unlock(&e->exceptions_lock);
}

static void destroy_exception(rt_exception *x) {
  rt_tag_release(x->tag);
  free(x);
}

void rt_engine_free_exceptions(wasmaot_engine *e) {
  rt_exception *x = e->exceptions;
  while (x) {
    rt_exception *next = x->next;
    destroy_exception(x);
    x = next;
  }
  e->exceptions = NULL;
}

/* An exception of `tag` whose payload is `count` 16-byte slots; NULL when
 * out of memory. */
static wasmaot_exception *new_exception(wasmaot_engine *e, wasmaot_tag *tag,
                                        const uint64_t *slots, uint32_t count) {
  size_t bytes = sizeof(rt_exception) + (size_t)count * WASMAOT_VALUE_SLOT_SIZE;
  rt_exception *x = aligned_alloc(16, (bytes + 15) & ~(size_t)15);
  if (!x)
    return NULL;
  memset(x, 0, sizeof *x);
  x->engine = e;
  x->tag = tag;
  rt_tag_retain(tag);
  x->exn.tag = tag;
  x->exn.value_count = count;
  if (count)
    memcpy(x->exn.values, slots, (size_t)count * WASMAOT_VALUE_SLOT_SIZE);
  pthread_mutex_lock(&e->exceptions_lock);
  x->next = e->exceptions;
  if (x->next)
    x->next->prev = x;
  e->exceptions = x;
  pthread_mutex_unlock(&e->exceptions_lock);
  return &x->exn;
}

/* The engine owns the object: a foreign catcher deleting it frees
 * nothing. */
static void keep_on_delete(_Unwind_Reason_Code reason,
                           struct _Unwind_Exception *ue) {
  (void)reason;
  (void)ue;
}

/* Lets the unwind run through every frame; a frame it cannot unwind ends
 * it with _URC_END_OF_STACK before any frame is popped. */
static _Unwind_Reason_Code continue_unwind(int version, _Unwind_Action actions,
                                           _Unwind_Exception_Class cls,
                                           struct _Unwind_Exception *ue,
                                           struct _Unwind_Context *ctx,
                                           void *arg) {
  (void)version;
  (void)actions;
  (void)cls;
  (void)ue;
  (void)ctx;
  (void)arg;
  return _URC_NO_REASON;
}

/* How `inst` names `tag`, for the message of an uncaught exception: its
 * export name, else its import, else its index. */
static void describe_tag(const wasmaot_instance *inst, const void *tag,
                         char *buf, size_t size) {
  const wasm_module *w = inst ? inst->wasm : NULL;
  uint32_t index = UINT32_MAX;
  for (uint32_t i = 0; w && i < w->tag_count; i++)
    if (inst->tags[i] == tag)
      index = i;
  if (index == UINT32_MAX) {
    snprintf(buf, size, "uncaught exception");
    return;
  }
  for (uint32_t i = 0; i < w->export_count; i++) {
    const wasm_export *e = &w->exports[i];
    if (e->kind == WASM_EXTERN_TAG && e->index == index) {
      snprintf(buf, size, "uncaught exception: tag \"%.*s\"", (int)e->name.len,
               (const char *)e->name.data);
      return;
    }
  }
  uint32_t k = 0;
  for (uint32_t i = 0; i < w->import_count; i++) {
    const wasm_import *im = &w->imports[i];
    if (im->kind != WASM_EXTERN_TAG || k++ != index)
      continue;
    snprintf(buf, size, "uncaught exception: tag \"%.*s\" \"%.*s\"",
             (int)im->module.len, (const char *)im->module.data,
             (int)im->field.len, (const char *)im->field.data);
    return;
  }
  snprintf(buf, size, "uncaught exception: tag %u", index);
}

/* The trap of an exception no handler took, named as `inst` knows it. */
_Noreturn static void escape(wasmaot_exception *exn, uintptr_t site,
                             const wasmaot_instance *inst) {
  char message[256];
  describe_tag(inst, exn->tag, message, sizeof message);
  rt_trap_raise_exception(exn, site, message);
}

_Noreturn static void raise_exception(wasmaot_exception *exn, uintptr_t site,
                                      const wasmaot_instance *inst) {
  struct _Unwind_Exception *ue = (struct _Unwind_Exception *)exn->unwind_header;
  memset(ue, 0, sizeof *ue);
  ue->exception_class = WASMAOT_EXCEPTION_CLASS;
  ue->exception_cleanup = keep_on_delete;
#if defined(__SANITIZE_ADDRESS__)
  /* Frames are about to be skipped, as by longjmp (which ASan
   * intercepts): their shadow must not stay poisoned. */
  __asan_handle_no_return();
#endif
  _Unwind_ForcedUnwind(ue, continue_unwind, NULL);
  /* Returned: a frame on the way had no unwind tables, so no handler
   * could be reached (docs/exceptions.md). */
  escape(exn, site, inst);
}

#define CALL_SITE() ((uintptr_t)__builtin_return_address(0) - 1)

_Noreturn void rt_helper_throw(void *vmctx, uint32_t tag_index,
                               const uint64_t *slots) {
  wasmaot_instance *inst = rt_instance_of_vmctx(vmctx);
  wasmaot_tag *tag = inst->tags[tag_index];
  wasmaot_exception *exn =
      new_exception(inst->engine, tag, slots,
                    tag->signature ? tag->signature->param_count : 0);
  if (!exn)
    wasmaot_trap_raise("out of memory allocating an exception");
  raise_exception(exn, CALL_SITE(), inst);
}

_Noreturn void rt_helper_throw_ref(void *vmctx, wasmaot_exception *exn) {
  if (!exn)
    rt_trap_raise(WASMAOT_TRAP_NULL_EXCEPTION_REFERENCE, CALL_SITE());
  raise_exception(exn, CALL_SITE(), rt_instance_of_vmctx(vmctx));
}

void rt_helper_exception_free(void *vmctx, wasmaot_exception *exn,
                              uint32_t mode) {
  (void)vmctx;
  uint32_t holds = exn->holds & ~WASMAOT_EXCEPTION_CAPTURED;
  if (mode != WASMAOT_RELEASE_UNHELD && holds > 0)
    exn->holds--;
  if ((exn->holds & WASMAOT_EXCEPTION_CAPTURED) ||
      mode == WASMAOT_RELEASE_HOLD_KEEP ||
      (exn->holds & ~WASMAOT_EXCEPTION_CAPTURED))
    return;
  rt_exception *x = exception_of(exn);
  unlink_exception(x);
  destroy_exception(x);
}

_Noreturn void rt_helper_exception_escaped(void *vmctx,
                                           wasmaot_exception *exn) {
  (void)vmctx;
  const struct _Unwind_Exception *ue = (const void *)exn->unwind_header;
  if (ue->exception_class != WASMAOT_EXCEPTION_CLASS) {
    /* Its runtime's state cannot be unwound by a longjmp, nor may it
     * pass the activation: a contract violation, reported. */
    fprintf(stderr, "wasmaot: a foreign (C++?) exception was thrown into "
                    "Wasm code; host functions must not throw\n");
    abort();
  }
  escape(exn, 0, rt_instance_of_vmctx(vmctx));
}

const wasmaot_tag *rt_exception_tag(const wasmaot_exception *exn) {
  return exn->tag;
}

/* ---- The embedding API ----------------------------------------------------
 */

_Noreturn void wasmaot_throw(wasmaot_tag *tag, const wasmaot_val *values,
                             size_t count) {
  const rt_signature *sig = tag->signature;
  if (count != sig->param_count)
    wasmaot_trap_raise("wasmaot_throw: the payload does not match the tag");
  uint64_t local[2 * 8] = {0};
  uint64_t *slots = count <= 8 ? local : calloc(count, WASMAOT_VALUE_SLOT_SIZE);
  if (!slots)
    wasmaot_trap_raise("out of memory allocating an exception");
  for (size_t i = 0; i < count; i++) {
    if (values[i].kind != sig->kinds[i]) {
      if (slots != local)
        free(slots);
      wasmaot_trap_raise("wasmaot_throw: the payload does not match the tag");
    }
    rt_cell_write(slots + 2 * i, &values[i]);
  }
  wasmaot_exception *exn =
      new_exception(tag->engine, tag, slots, sig->param_count);
  if (slots != local)
    free(slots);
  if (!exn)
    wasmaot_trap_raise("out of memory allocating an exception");
  raise_exception(exn, 0, NULL);
}

size_t wasmaot_trap_exception_values(const wasmaot_trap *trap, wasmaot_val *out,
                                     size_t count) {
  if (!trap || trap->kind != WASMAOT_TRAP_EXCEPTION || !trap->exception)
    return 0;
  const wasmaot_exception *exn = trap->exception;
  const rt_signature *sig = ((const wasmaot_tag *)exn->tag)->signature;
  for (size_t i = 0; i < count && i < exn->value_count; i++)
    rt_cell_read(exn->values + 2 * i, rt_valkind_to_wasm(sig->kinds[i]),
                 &out[i]);
  return exn->value_count;
}
