/* Function objects: host functions, and the handles through which the
 * host calls exports (call.c). A host function is a plain C function
 * whose first parameter is its env: compiled code calls every funcref as
 * code(env, params...), so no adapter sits in between. */
#include <stdlib.h>

#include "runtime.h"

void rt_func_retain(wasmaot_func *f) {
  if (f->owner)
    rt_instance_retain(f->owner);
  else
    atomic_fetch_add(&f->refs, 1);
}

void rt_func_release(wasmaot_func *f) {
  if (!f)
    return;
  if (f->owner)
    rt_instance_release(f->owner);
  else if (atomic_fetch_sub(&f->refs, 1) == 1)
    free(f);
}

/* C can pass scalars and pointers, and return at most one of them in the
 * way LLVM returns a single value. */
static bool host_representable(const wasmaot_valkind *kinds, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (kinds[i] == WASMAOT_V128 || rt_valkind_to_wasm(kinds[i]) == 0)
      return false;
  return true;
}

wasmaot_func *wasmaot_func_new(wasmaot_engine *engine,
                               const wasmaot_valkind *params,
                               uint32_t param_count,
                               const wasmaot_valkind *results,
                               uint32_t result_count, void *code, void *env) {
  if (!code || result_count > 1 || !host_representable(params, param_count) ||
      !host_representable(results, result_count))
    return NULL;
  const rt_signature *sig = rt_signature_intern(
      &engine->signatures, params, param_count, results, result_count);
  wasmaot_func *f = sig ? calloc(1, sizeof *f) : NULL;
  if (!f)
    return NULL;
  atomic_init(&f->refs, 1);
  f->signature = sig;
  f->host_ref = (wasmaot_funcref){.code = code, .env = env, .type_id = sig->id};
  f->ref = &f->host_ref;
  return f;
}

void wasmaot_func_free(wasmaot_func *func) {
  if (func && !func->owner)
    rt_func_release(func);
}

void wasmaot_func_signature(const wasmaot_func *func,
                            const wasmaot_valkind **params,
                            uint32_t *param_count,
                            const wasmaot_valkind **results,
                            uint32_t *result_count) {
  const rt_signature *s = func->signature;
  *params = s->kinds;
  *param_count = s->param_count;
  *results = s->kinds + s->param_count;
  *result_count = s->result_count;
}

void *wasmaot_func_ref(const wasmaot_func *func) {
  return func->ref;
}
