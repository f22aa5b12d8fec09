/* `wasmaot run`: load an artifact (compiling a .wasm first) and call an
 * export. Without --invoke it runs the WASI command's `_start` — that part
 * arrives with the WASI host; today --invoke is required. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../compiler/cli.h"
#include "cli_values.h"
#include "compiler_load.h"
#include "include/wasmaot.h"

static int run_usage(FILE *out) {
  fprintf(out,
          "Usage: wasmaot run [OPTIONS] FILE.so|FILE.wasm [ARGS...]\n"
          "\n"
          "Runs a WebAssembly module. FILE may be an artifact from\n"
          "`wasmaot aot-compile` or a .wasm module, compiled first.\n"
          "\n"
          "Options:\n"
          "  --invoke NAME   call export NAME with ARGS, parsed by its\n"
          "                  parameter types; print each result on its own\n"
          "                  line\n"
          "  -h, --help      show this help\n"
          "\n"
          "Exit status: 0 on success; 1 when the module cannot be loaded or\n"
          "linked or the arguments do not fit; 134 after a trap (its kind\n"
          "and function are printed on stderr).\n");
  return out == stdout ? 0 : 2;
}

enum { EXIT_TRAP = 134 };

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Compiles a .wasm into a temporary artifact; returns its malloc'ed path. */
static char *compile_to_temp(const char *wasm_path) {
  size_t size;
  uint8_t *wasm = cli_read_file(wasm_path, &size);
  if (!wasm) {
    fprintf(stderr, "%s: cannot read: %s\n", wasm_path, strerror(errno));
    return NULL;
  }
  char err[512];
  const wasmaot_compiler_plugin *compiler = compiler_load(err, sizeof err);
  aot_options opts = {.target = {.opt_level = 2}};
  aot_output out = {0};
  bool ok =
      compiler && compiler->compile(wasm, size, &opts, &out, err, sizeof err);
  free(wasm);
  if (!ok) {
    fprintf(stderr, "%s:%s\n", wasm_path, err);
    return NULL;
  }
  const char *tmpdir = getenv("TMPDIR");
  char *path = malloc(4096);
  snprintf(path, 4096, "%s/wasmaot-XXXXXX.so", tmpdir ? tmpdir : "/tmp");
  int fd = mkstemps(path, 3);
  ok = fd >= 0 && write(fd, out.data, out.size) == (ssize_t)out.size;
  if (fd >= 0)
    close(fd);
  free(out.data);
  if (!ok) {
    fprintf(stderr, "cannot write a temporary artifact: %s\n", strerror(errno));
    if (fd >= 0)
      unlink(path);
    free(path);
    return NULL;
  }
  return path;
}

/* Imports are not offered yet (WASI comes with its own host): any import
 * is a link error that names it. */
static bool resolve_nothing(void *ctx, const wasmaot_import_ref *import,
                            wasmaot_extern *out) {
  (void)ctx;
  (void)import;
  (void)out;
  return false;
}

static void report_trap(const wasmaot_trap *trap) {
  if (trap->func_name[0])
    fprintf(stderr, "wasmaot: trap: %s (in %s)\n", trap->message,
            trap->func_name);
  else
    fprintf(stderr, "wasmaot: trap: %s\n", trap->message);
}

static int invoke_export(wasmaot_instance *inst, const char *name, int argc,
                         char **argv) {
  wasmaot_extern ext;
  if (!wasmaot_instance_export(inst, name, strlen(name), &ext) ||
      ext.kind != WASMAOT_EXTERN_FUNC) {
    fprintf(stderr, "wasmaot: no exported function '%s'\n", name);
    return 1;
  }
  const wasmaot_valkind *params, *results;
  uint32_t np, nr;
  wasmaot_func_signature(ext.of.func, &params, &np, &results, &nr);
  if ((uint32_t)argc != np) {
    fprintf(stderr, "wasmaot: '%s' takes %u argument%s, %d given\n", name, np,
            np == 1 ? "" : "s", argc);
    return 1;
  }
  wasmaot_val *args = calloc(np + 1, sizeof *args);
  wasmaot_val *res = calloc(nr + 1, sizeof *res);
  int status = 0;
  for (uint32_t i = 0; i < np && status == 0; i++) {
    if (!cli_parse_value(params[i], argv[i], &args[i])) {
      fprintf(stderr, "wasmaot: argument %u: '%s' is not a valid %s\n", i + 1,
              argv[i], wasmaot_valkind_name(params[i]));
      status = 1;
    }
  }
  wasmaot_trap trap;
  if (status == 0 && !wasmaot_call(ext.of.func, args, np, res, nr, &trap)) {
    if (trap.kind == WASMAOT_TRAP_NONE) {
      fprintf(stderr, "wasmaot: %s\n", trap.message);
      status = 1;
    } else {
      report_trap(&trap);
      status = EXIT_TRAP;
    }
  }
  for (uint32_t i = 0; i < nr && status == 0; i++) {
    char buf[128];
    cli_format_value(&res[i], buf, sizeof buf);
    puts(buf);
  }
  free(args);
  free(res);
  return status;
}

static int run_artifact(const char *path, const char *invoke, int argc,
                        char **argv) {
  char err[512];
  wasmaot_engine *engine = wasmaot_engine_new();
  wasmaot_module *mod =
      engine ? wasmaot_module_load(engine, path, err, sizeof err) : NULL;
  if (!mod) {
    fprintf(stderr, "%s: %s\n", path, engine ? err : "out of memory");
    wasmaot_engine_free(engine);
    return 1;
  }
  wasmaot_trap trap;
  wasmaot_instance *inst =
      wasmaot_instantiate(mod, resolve_nothing, NULL, &trap, err, sizeof err);
  int status;
  if (!inst) {
    if (trap.kind != WASMAOT_TRAP_NONE) {
      report_trap(&trap);
      status = EXIT_TRAP;
    } else {
      fprintf(stderr, "%s: %s\n", path, err);
      status = 1;
    }
  } else if (invoke) {
    status = invoke_export(inst, invoke, argc, argv);
  } else {
    fprintf(stderr, "wasmaot run: running WASI commands (_start) is not "
                    "supported yet; use --invoke NAME\n");
    status = 1;
  }
  wasmaot_instance_free(inst);
  wasmaot_module_free(mod);
  wasmaot_engine_free(engine);
  return status;
}

int cli_run(int argc, char **argv) {
  const char *invoke = NULL;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
      return run_usage(stdout);
    if (!strcmp(argv[i], "--invoke") && i + 1 < argc) {
      invoke = argv[++i];
    } else if (!strcmp(argv[i], "--")) {
      i++;
      break;
    } else {
      fprintf(stderr, "wasmaot run: unknown or incomplete option '%s'\n",
              argv[i]);
      return run_usage(stderr);
    }
  }
  if (i >= argc)
    return run_usage(stderr);
  const char *file = argv[i++];
  char *temp = has_suffix(file, ".wasm") ? compile_to_temp(file) : NULL;
  if (has_suffix(file, ".wasm") && !temp)
    return 1;
  int status = run_artifact(temp ? temp : file, invoke, argc - i, argv + i);
  if (temp) {
    unlink(temp);
    free(temp);
  }
  return status;
}
