#include "spec_perform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_host_value.h"

__attribute__((format(printf, 3, 4))) static void
set_status(spec_perform_result *out, spec_perform_status status,
           const char *fmt, ...) {
  out->status = status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out->message, sizeof out->message, fmt, ap);
  va_end(ap);
}

static const char *module_label(const spec_action *a) {
  return a->module ? a->module : "the current module";
}

static bool find_target(spec_script *s, const spec_action *a,
                        wasmaot_instance **inst, spec_perform_result *out) {
  switch (spec_registry_module(&s->runtime.registry, a->module, inst)) {
  case SPEC_MODULE_FOUND:
    return true;
  case SPEC_MODULE_FAILED:
    set_status(out, SPEC_PERFORM_DEPENDS, "%s failed earlier", module_label(a));
    return false;
  case SPEC_MODULE_UNKNOWN:
    break;
  }
  set_status(out, SPEC_PERFORM_ERROR, "no module %s", module_label(a));
  return false;
}

/* The export of the kind the action needs. Export names may hold NUL;
 * messages show them up to the first, which is enough to find them. */
static bool find_export(wasmaot_instance *inst, const spec_action *a,
                        wasmaot_extern_kind kind, wasmaot_extern *value,
                        spec_perform_result *out) {
  const json_string *f = &a->field;
  if (!wasmaot_instance_export(inst, f->data, f->len, value)) {
    set_status(out, SPEC_PERFORM_ERROR, "%s has no export \"%s\"",
               module_label(a), f->data);
    return false;
  }
  if (value->kind != kind) {
    set_status(out, SPEC_PERFORM_ERROR, "export \"%s\" is not a %s", f->data,
               kind == WASMAOT_EXTERN_FUNC ? "function" : "global");
    return false;
  }
  return true;
}

static bool allocate_results(spec_perform_result *out, size_t count) {
  out->count = count;
  out->results = calloc(count ? count : 1, sizeof *out->results);
  if (!out->results)
    set_status(out, SPEC_PERFORM_ERROR, "out of memory");
  return out->results != NULL;
}

static bool convert_args(const spec_action *a, wasmaot_val *args,
                         spec_perform_result *out) {
  for (size_t i = 0; i < a->arg_count; i++) {
    if (!spec_value_to_host(&a->args[i], &args[i])) {
      char text[128];
      spec_value_format(&a->args[i], text, sizeof text);
      set_status(out, SPEC_PERFORM_ERROR, "argument %zu (%s) cannot be passed",
                 i, text);
      return false;
    }
  }
  return true;
}

static void invoke(wasmaot_func *func, const spec_action *a,
                   spec_perform_result *out) {
  const wasmaot_valkind *params, *results;
  uint32_t param_count, result_count;
  wasmaot_func_signature(func, &params, &param_count, &results, &result_count);
  wasmaot_val *args = calloc(a->arg_count ? a->arg_count : 1, sizeof *args);
  if (!args) {
    set_status(out, SPEC_PERFORM_ERROR, "out of memory");
    return;
  }
  if (convert_args(a, args, out) && allocate_results(out, result_count)) {
    if (wasmaot_call(func, args, a->arg_count, out->results, result_count,
                     &out->trap))
      out->status = SPEC_PERFORMED;
    else if (out->trap.kind != WASMAOT_TRAP_NONE)
      set_status(out, SPEC_PERFORM_TRAPPED, "%s", out->trap.message);
    else /* the call did not start: arguments against the signature */
      set_status(out, SPEC_PERFORM_ERROR, "%s", out->trap.message);
  }
  free(args);
}

static void get(wasmaot_global *global, spec_perform_result *out) {
  if (!allocate_results(out, 1))
    return;
  wasmaot_global_get(global, &out->results[0]);
  out->status = SPEC_PERFORMED;
}

void spec_perform(spec_script *s, const spec_action *action,
                  spec_perform_result *out) {
  memset(out, 0, sizeof *out);
  wasmaot_instance *inst;
  wasmaot_extern value;
  if (!find_target(s, action, &inst, out))
    return;
  if (action->kind == SPEC_ACTION_INVOKE) {
    if (find_export(inst, action, WASMAOT_EXTERN_FUNC, &value, out))
      invoke(value.of.func, action, out);
  } else {
    if (find_export(inst, action, WASMAOT_EXTERN_GLOBAL, &value, out))
      get(value.of.global, out);
  }
}

void spec_perform_result_free(spec_perform_result *r) {
  free(r->results);
  r->results = NULL;
  r->count = 0;
}

void spec_perform_format_results(const spec_perform_result *r,
                                 const spec_value *expected,
                                 size_t expected_count, char *buf,
                                 size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < r->count && used + 1 < size; i++) {
    spec_lane_type lanes =
        i < expected_count ? expected[i].lane_type : SPEC_LANE_I32;
    spec_value v;
    spec_value_from_host(&r->results[i], lanes, &v);
    char text[160];
    spec_value_format(&v, text, sizeof text);
    int n = snprintf(buf + used, size - used, "%s%s", i ? " " : "", text);
    if (n < 0)
      break;
    used += (size_t)n;
  }
  if (r->count == 0)
    snprintf(buf, size, "(nothing)");
}
