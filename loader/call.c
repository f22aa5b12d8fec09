/* Host-to-Wasm calls: typed values in 16-byte slots, through the callee
 * type's trampoline, inside an activation that catches traps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

/* Compiled code compares its stack pointer with vmctx->stack_limit in
 * every prologue. The limit belongs to the thread running the code, so
 * each entry sets it on the callee's instance and on the instances it can
 * call directly through imports; it usually has not changed. */
static void set_stack_limits(wasmaot_instance *inst, uintptr_t limit) {
  if (!inst)
    return;
  rt_vmctx_header(inst)->stack_limit = limit;
  for (size_t i = 0; i < inst->linked_count; i++)
    rt_vmctx_header(inst->linked[i])->stack_limit = limit;
}

static bool fail_before_entry(wasmaot_trap *trap, const char *message) {
  if (trap) {
    rt_trap_clear(trap);
    snprintf(trap->message, sizeof trap->message, "%s", message);
  }
  return false;
}

bool rt_invoke(wasmaot_engine *e, wasmaot_instance *inst, rt_trampoline tramp,
               void *code, void *env, uint64_t *slots, wasmaot_trap *trap) {
  char err[128];
  if (!rt_thread_prepare(err, sizeof err))
    return fail_before_entry(trap, err);
  set_stack_limits(inst, rt_thread_stack_limit());
  rt_activation act;
  rt_activation_push(&act, e);
  if (sigsetjmp(act.jmp, 0) == 0) {
    tramp(code, env, slots);
    rt_activation_pop(&act);
    rt_trap_clear(trap);
    return true;
  }
  rt_activation_pop(&act);
  rt_trap_describe(&act, trap);
  return false;
}

static bool check_values(const wasmaot_valkind *kinds, uint32_t count,
                         const wasmaot_val *vals, size_t n, const char *what,
                         wasmaot_trap *trap) {
  char msg[128];
  if (n != count) {
    snprintf(msg, sizeof msg, "expected %u %s, got %zu", count, what, n);
    return fail_before_entry(trap, msg);
  }
  for (uint32_t i = 0; vals && i < count; i++) {
    if (vals[i].kind != kinds[i]) {
      snprintf(msg, sizeof msg, "%s %u: expected %s, got %s", what, i,
               wasmaot_valkind_name(kinds[i]),
               wasmaot_valkind_name(vals[i].kind));
      return fail_before_entry(trap, msg);
    }
  }
  return true;
}

bool wasmaot_call(wasmaot_func *func, const wasmaot_val *args, size_t nargs,
                  wasmaot_val *results, size_t nresults, wasmaot_trap *trap) {
  const rt_signature *sig = func->signature;
  if (!func->trampoline || !func->owner)
    return fail_before_entry(trap, "host functions cannot be called through "
                                   "wasmaot_call; call them directly");
  if (!check_values(sig->kinds, sig->param_count, args, nargs, "arguments",
                    trap))
    return false;
  if (nresults != sig->result_count) {
    char msg[64];
    snprintf(msg, sizeof msg, "expected %u results, got %zu", sig->result_count,
             nresults);
    return fail_before_entry(trap, msg);
  }

  size_t count = sig->param_count > sig->result_count ? sig->param_count
                                                      : sig->result_count;
  uint64_t local[2 * 8];
  uint64_t *slots = count <= 8 ? local : calloc(count, WASMAOT_VALUE_SLOT_SIZE);
  if (!slots)
    return fail_before_entry(trap, "out of memory");
  for (uint32_t i = 0; i < sig->param_count; i++)
    rt_cell_write(slots + 2 * i, &args[i]);

  bool ok = rt_invoke(func->owner->engine, func->owner, func->trampoline,
                      func->ref->code, func->ref->env, slots, trap);
  for (uint32_t i = 0; ok && i < sig->result_count; i++)
    rt_cell_read(slots + 2 * i,
                 rt_valkind_to_wasm(sig->kinds[sig->param_count + i]),
                 &results[i]);
  if (slots != local)
    free(slots);
  return ok;
}
