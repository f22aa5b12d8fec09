#include "spec_instantiate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_artifact.h"
#include "spec_file.h"

__attribute__((format(printf, 3, 4))) static void
set_status(spec_instantiation *out, spec_instantiation_status status,
           const char *fmt, ...) {
  out->status = status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out->message, sizeof out->message, fmt, ap);
  va_end(ap);
}

/* Compiles the module, or finds it compiled (--precompiled). */
static bool obtain_artifact(const spec_options *o, const char *wasm_path,
                            const char *so_path, spec_instantiation *out) {
  char why[512];
  switch (spec_artifact_obtain(o, wasm_path, so_path, why, sizeof why)) {
  case SPEC_COMPILED:
    return true;
  case SPEC_COMPILE_REFUSED:
    set_status(out, SPEC_NOT_COMPILED, "%s", why);
    return false;
  case SPEC_COMPILE_IO:
    break;
  }
  set_status(out, SPEC_NOT_LOADED, "%s", why);
  return false;
}

typedef struct import_context {
  spec_runtime *runtime;
  bool depends_on_failed;
} import_context;

static bool is_spectest(const wasmaot_import_ref *im) {
  return im->module_len == 8 && memcmp(im->module, "spectest", 8) == 0;
}

/* Registered names come first: the reference interpreter keeps spectest
 * in the same registry, so a script could shadow it. */
static bool resolve_import(void *ctx, const wasmaot_import_ref *im,
                           wasmaot_extern *out) {
  import_context *c = ctx;
  wasmaot_instance *inst;
  if (spec_registry_find(&c->runtime->registry.registered, im->module,
                         im->module_len, &inst)) {
    if (!inst) {
      c->depends_on_failed = true;
      return false;
    }
    return wasmaot_instance_export(inst, im->name, im->name_len, out);
  }
  if (is_spectest(im))
    return spec_spectest_lookup(&c->runtime->spectest, im->name, im->name_len,
                                out);
  return false;
}

static void instantiate_artifact(spec_runtime *rt, const char *so_path,
                                 spec_instantiation *out) {
  char err[512];
  wasmaot_module *module =
      wasmaot_module_load(rt->engine, so_path, err, sizeof err);
  if (!module) {
    set_status(out, SPEC_NOT_LOADED, "%s", err);
    return;
  }
  import_context ctx = {.runtime = rt};
  out->instance = wasmaot_instantiate(module, resolve_import, &ctx, &out->trap,
                                      err, sizeof err);
  /* The instance (or a failed one the engine adopted) keeps the module. */
  wasmaot_module_free(module);
  out->depends_on_failed = ctx.depends_on_failed;
  if (out->instance)
    out->status = SPEC_INSTANTIATED;
  else if (out->trap.kind != WASMAOT_TRAP_NONE)
    set_status(out, SPEC_TRAPPED, "%s", err);
  else
    set_status(out, SPEC_NOT_LINKED, "%s", err);
}

void spec_instantiate(spec_script *s, const char *filename,
                      spec_instantiation *out) {
  memset(out, 0, sizeof *out);
  char why[256];
  if (!spec_runtime_ready(&s->runtime, why, sizeof why)) {
    set_status(out, SPEC_NOT_LOADED, "%s", why);
    return;
  }
  char *wasm_path = spec_path_join(s->module_dir, filename);
  char *so_path = wasm_path ? spec_artifact_path(wasm_path, ".so") : NULL;
  if (!so_path)
    set_status(out, SPEC_NOT_LOADED, "out of memory");
  else if (obtain_artifact(s->options, wasm_path, so_path, out))
    instantiate_artifact(&s->runtime, so_path, out);
  free(wasm_path);
  free(so_path);
}

const char *spec_instantiation_stage(spec_instantiation_status status) {
  switch (status) {
  case SPEC_INSTANTIATED:
    return "instantiation";
  case SPEC_NOT_COMPILED:
    return "compilation";
  case SPEC_NOT_LOADED:
    return "loading";
  case SPEC_NOT_LINKED:
    return "linking";
  case SPEC_TRAPPED:
    return "instantiation";
  }
  return "?";
}

void spec_instantiation_describe(const spec_instantiation *in, char *buf,
                                 size_t size) {
  if (in->status == SPEC_INSTANTIATED)
    snprintf(buf, size, "instantiated");
  else if (in->status == SPEC_TRAPPED)
    snprintf(buf, size, "instantiation trapped: \"%s\"%s%s", in->message,
             in->trap.func_name[0] ? " in " : "", in->trap.func_name);
  else
    snprintf(buf, size, "%s failed: %s", spec_instantiation_stage(in->status),
             in->message);
}
