/* A minimal embedder of the wasmaot runtime: runs a precompiled WASI
 * command (an artifact from `wasmaot aot-compile`) with the arguments
 * given, as `wasmaot run` would, using only the installed library:
 *
 *   cc embed.c $(pkg-config --cflags --libs wasmaot) -o embed
 *   ./embed hello.x86_64.so [ARGS...]
 *
 * Exits with the guest's exit status. */
#include <stdio.h>
#include <string.h>

#include <wasmaot.h>
#include <wasmaot_wasi.h>

/* The instance's exported function `name`, or NULL. */
static wasmaot_func *exported_func(wasmaot_instance *instance,
                                   const char *name) {
  wasmaot_extern ext;
  if (!wasmaot_instance_export(instance, name, strlen(name), &ext) ||
      ext.kind != WASMAOT_EXTERN_FUNC)
    return NULL;
  return ext.of.func;
}

/* Instantiates the module with WASI and calls its _start. */
static int run_command(wasmaot_module *module, wasi_ctx *wasi) {
  char err[512];
  wasmaot_trap trap;
  wasmaot_instance *instance = wasmaot_instantiate(
      module, wasi_ctx_resolve, wasi, &trap, err, sizeof err);
  if (!instance) {
    if (trap.kind != WASMAOT_TRAP_NONE)
      return wasi_ctx_command_status(wasi, &trap);
    fprintf(stderr, "embed: %s\n", err);
    return 1;
  }
  int status = 1;
  wasmaot_func *start = exported_func(instance, "_start");
  if (!start)
    fprintf(stderr, "embed: the module exports no _start\n");
  else if (!wasi_ctx_bind_instance(wasi, instance, err, sizeof err))
    fprintf(stderr, "embed: %s\n", err);
  else if (wasmaot_call(start, NULL, 0, NULL, 0, &trap))
    status = 0;
  else
    status = wasi_ctx_command_status(wasi, &trap);
  wasmaot_instance_free(instance);
  return status;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: embed ARTIFACT [ARGS...]   (runtime %s)\n",
            wasmaot_version());
    return 2;
  }
  char err[512];
  wasmaot_engine *engine = wasmaot_engine_new();
  if (!engine) {
    fprintf(stderr, "embed: cannot create an engine\n");
    return 1;
  }
  wasmaot_module *module =
      wasmaot_module_load(engine, argv[1], err, sizeof err);
  if (!module) {
    fprintf(stderr, "embed: %s: %s\n", argv[1], err);
    wasmaot_engine_free(engine);
    return 1;
  }
  wasi_config config = {
      .args = (const char *const *)argv + 1,
      .arg_count = (size_t)argc - 1,
  };
  wasi_ctx *wasi = wasi_ctx_new(engine, &config, err, sizeof err);
  int status = 1;
  if (!wasi)
    fprintf(stderr, "embed: %s\n", err);
  else
    status = run_command(module, wasi);
  wasi_ctx_free(wasi);
  wasmaot_module_free(module);
  wasmaot_engine_free(engine);
  return status;
}
