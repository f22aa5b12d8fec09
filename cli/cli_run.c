/* `wasmaot run`: load the module (run_source.c: an artifact as it is, a
 * .wasm or a bundle through the cache), instantiate it with the WASI host
 * (wasi-libc-host) and run the WASI command's `_start`, or call one export
 * with --invoke. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_values.h"
#include "run_source.h"
#include "wasmaot.h"
#include "wasmaot_wasi.h"

static int run_usage(FILE *out) {
  fprintf(
      out,
      "Usage: wasmaot run [OPTIONS] FILE [ARGS...]\n"
      "\n"
      "Runs a WebAssembly module. FILE may be a .wasm module, an artifact\n"
      "from `wasmaot aot-compile` (FILE.so) or a bundle (FILE.wasmaot).\n"
      "A .wasm is compiled for this machine once and kept in the cache;\n"
      "later runs map the cached artifact without compiling. A bundle's\n"
      "entry for this machine is decompressed into the cache once (or,\n"
      "with no entry for this machine, its embedded .wasm compiled).\n"
      "Without --invoke it runs the WASI command's `_start` with ARGS as\n"
      "its arguments (argument 0 is FILE).\n"
      "\n"
      "Options:\n"
      "  --dir HOST[::GUEST]  give the guest the host directory HOST,\n"
      "                       seen by it as GUEST (default: HOST);\n"
      "                       repeatable\n"
      "  --env KEY=VALUE      set a guest environment variable; repeatable\n"
      "  --tcplisten HOST:PORT\n"
      "                       listen on a TCP address and hand the socket\n"
      "                       to the guest as the fd after the --dir ones\n"
      "                       (for sock_accept); repeatable\n"
      "  --invoke NAME        call export NAME with ARGS, parsed by its\n"
      "                       parameter types; print each result on its\n"
      "                       own line\n"
      "  --cache-dir DIR      the cache (default: $XDG_CACHE_HOME/wasmaot,\n"
      "                       else ~/.cache/wasmaot)\n"
      "  --no-cache           compile into memory; read and store nothing\n"
      "  --tier MODE          code for a .wasm not in the cache: tiered\n"
      "                       (default; a module of 256 KiB or more runs\n"
      "                       the fast tier at once, counting, and when it\n"
      "                       ends the functions it found hot are\n"
      "                       optimised into the cache in the background\n"
      "                       for later runs), optimized (wait for -O2)\n"
      "                       or fast (the fast tier only);\n"
      "                       default from WASMAOT_TIER\n"
      "  --profile-out FILE   for an artifact compiled with --count: keep its\n"
      "                       counts in FILE (added to what FILE holds),\n"
      "                       for `aot-compile --profile FILE`\n"
      "  -v, --verbose        say on stderr where the code came from (cache\n"
      "                       hit or miss, bundle entry)\n"
      "  -h, --help           show this help\n"
      "\n"
      "Environment: WASMAOT_CACHE_MAX_SIZE (e.g. 512M, 2G; 0 for no\n"
      "limit; default 1G) bounds the cache; least recently used entries\n"
      "go first. WASMAOT_COMPILER names the compiler plug-in.\n"
      "\n"
      "Exit status: the guest's proc_exit code (0 when _start returns;\n"
      "128 + N when it raises a terminating signal N); 1 when the module\n"
      "cannot be loaded or linked or the arguments do not fit; 134 after\n"
      "a trap (its kind and function are printed on stderr).\n");
  return out == stdout ? 0 : 2;
}

/* Calls a () -> () export; false with *status set if it did not return. */
static bool call_nullary(wasmaot_func *func, const wasi_ctx *wasi,
                         int *status) {
  wasmaot_trap trap;
  if (wasmaot_call(func, NULL, 0, NULL, 0, &trap))
    return true;
  *status = wasi_ctx_command_status(wasi, &trap);
  return false;
}

static wasmaot_func *export_func(wasmaot_instance *inst, const char *name) {
  wasmaot_extern ext;
  if (!wasmaot_instance_export(inst, name, strlen(name), &ext) ||
      ext.kind != WASMAOT_EXTERN_FUNC)
    return NULL;
  return ext.of.func;
}

/* Parses ARGS by the parameter types; false (reason printed) if they do
 * not fit. */
static bool parse_args(const char *name, const wasmaot_valkind *params,
                       uint32_t np, int argc, char **argv, wasmaot_val *args) {
  if ((uint32_t)argc != np) {
    fprintf(stderr, "wasmaot: '%s' takes %u argument%s, %d given\n", name, np,
            np == 1 ? "" : "s", argc);
    return false;
  }
  for (uint32_t i = 0; i < np; i++) {
    if (!cli_parse_value(params[i], argv[i], &args[i])) {
      fprintf(stderr, "wasmaot: argument %u: '%s' is not a valid %s\n", i + 1,
              argv[i], wasmaot_valkind_name(params[i]));
      return false;
    }
  }
  return true;
}

/* Calls the export; its results are printed only if it returned (a guest
 * that called proc_exit(0) has none to print). */
static int call_and_print(wasmaot_func *func, const wasi_ctx *wasi,
                          const wasmaot_val *args, uint32_t np, uint32_t nr) {
  wasmaot_val *res = calloc(nr + 1, sizeof *res);
  wasmaot_trap trap;
  int status = 0;
  if (!res) {
    status = 1;
  } else if (!wasmaot_call(func, args, np, res, nr, &trap)) {
    status = wasi_ctx_command_status(wasi, &trap);
  } else {
    for (uint32_t i = 0; i < nr; i++) {
      char buf[128];
      cli_format_value(&res[i], buf, sizeof buf);
      puts(buf);
    }
  }
  free(res);
  return status;
}

static int invoke_export(wasmaot_instance *inst, const wasi_ctx *wasi,
                         const char *name, int argc, char **argv) {
  wasmaot_func *func = export_func(inst, name);
  if (!func) {
    fprintf(stderr, "wasmaot: no exported function '%s'\n", name);
    return 1;
  }
  const wasmaot_valkind *params, *results;
  uint32_t np, nr;
  wasmaot_func_signature(func, &params, &np, &results, &nr);
  wasmaot_val *args = calloc(np + 1, sizeof *args);
  int status = 1;
  if (args && parse_args(name, params, np, argc, argv, args)) {
    /* A WASI reactor sets itself up in `_initialize` before any export
     * is used. */
    wasmaot_func *init = export_func(inst, "_initialize");
    status = 0;
    if (!init || call_nullary(init, wasi, &status))
      status = call_and_print(func, wasi, args, np, nr);
  }
  free(args);
  return status;
}

/* Runs a WASI command: `_start`, whose return means exit status 0. */
static int run_start(wasmaot_instance *inst, const wasi_ctx *wasi) {
  wasmaot_func *start = export_func(inst, "_start");
  if (!start) {
    fprintf(stderr, "wasmaot: the module exports no '_start' (not a WASI "
                    "command); use --invoke NAME\n");
    return 1;
  }
  int status = 0;
  call_nullary(start, wasi, &status);
  return status;
}

typedef struct run_options {
  const char *invoke;
  const char *profile_out; /* --profile-out */
  run_source_options source;
  wasi_preopen_dir *dirs;
  size_t dir_count;
  const char **env;
  size_t env_count;
  const char **listen;
  size_t listen_count;
  const char *file; /* as the user named it: the guest's argument 0 */
  int argc;         /* what follows FILE */
  char **argv;
} run_options;

static void free_options(run_options *o) {
  for (size_t i = 0; i < o->dir_count; i++)
    free((char *)o->dirs[i].host_path);
  free(o->dirs);
  free(o->env);
  free(o->listen);
}

/* "HOST::GUEST", or "HOST" seen by the guest under the same name. */
static bool add_dir(run_options *o, const char *spec) {
  const char *sep = strstr(spec, "::");
  size_t host_len = sep ? (size_t)(sep - spec) : strlen(spec);
  char *host = strndup(spec, host_len);
  if (!host)
    return false;
  o->dirs[o->dir_count++] =
      (wasi_preopen_dir){.host_path = host, .guest_path = sep ? sep + 2 : host};
  return true;
}

/* Returns -1 when the options parsed, else the status to exit with. */
static int parse_options(int argc, char **argv, run_options *o) {
  size_t max = (size_t)argc;
  o->dirs = calloc(max, sizeof *o->dirs);
  o->env = calloc(max, sizeof *o->env);
  o->listen = calloc(max, sizeof *o->listen);
  if (!o->dirs || !o->env || !o->listen)
    return 1;
  const char *tier = getenv("WASMAOT_TIER");
  if (tier && *tier && !run_tier_parse(tier, &o->source.tier)) {
    fprintf(stderr, "wasmaot run: WASMAOT_TIER wants tiered, optimized or "
                    "fast\n");
    return 2;
  }
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *opt = argv[i];
    bool has_value = i + 1 < argc;
    if (!strcmp(opt, "-h") || !strcmp(opt, "--help"))
      return run_usage(stdout);
    if (!strcmp(opt, "--")) {
      i++;
      break;
    }
    if (has_value && !strcmp(opt, "--invoke"))
      o->invoke = argv[++i];
    else if (has_value && !strcmp(opt, "--dir")) {
      if (!add_dir(o, argv[++i]))
        return 1;
    } else if (has_value && !strcmp(opt, "--env") && strchr(argv[i + 1], '='))
      o->env[o->env_count++] = argv[++i];
    else if (has_value && !strcmp(opt, "--tcplisten"))
      o->listen[o->listen_count++] = argv[++i];
    else if (has_value && !strcmp(opt, "--cache-dir"))
      o->source.cache_dir = argv[++i];
    else if (!strcmp(opt, "--no-cache"))
      o->source.no_cache = true;
    else if (has_value && !strcmp(opt, "--tier")) {
      if (!run_tier_parse(argv[++i], &o->source.tier)) {
        fprintf(stderr, "wasmaot run: --tier wants tiered, optimized or "
                        "fast\n");
        return 2;
      }
    } else if (has_value && !strcmp(opt, "--profile-out"))
      o->profile_out = argv[++i];
    else if (!strcmp(opt, "-v") || !strcmp(opt, "--verbose"))
      o->source.verbose = true;
    else {
      fprintf(stderr, "wasmaot run: unknown or incomplete option '%s'\n", opt);
      return run_usage(stderr);
    }
  }
  if (i >= argc)
    return run_usage(stderr);
  o->file = argv[i++];
  o->argc = argc - i;
  o->argv = argv + i;
  return -1;
}

static wasi_ctx *make_wasi(wasmaot_engine *engine, const run_options *o) {
  const char **args = calloc((size_t)o->argc + 1, sizeof *args);
  if (!args)
    return NULL;
  args[0] = o->file;
  for (int i = 0; i < o->argc; i++)
    args[i + 1] = o->argv[i];
  wasi_config config = {
      .args = args,
      .arg_count = (size_t)o->argc + 1,
      .env = o->env,
      .env_count = o->env_count,
      .dirs = o->dirs,
      .dir_count = o->dir_count,
      .tcp_listen = o->listen,
      .tcp_listen_count = o->listen_count,
  };
  char err[512];
  wasi_ctx *wasi = wasi_ctx_new(engine, &config, err, sizeof err);
  if (!wasi)
    fprintf(stderr, "wasmaot run: %s\n", err);
  free(args);
  return wasi;
}

/* `wasmaot run` exits as soon as the guest is done, and the kernel takes
 * down a process's mappings in one pass: unmapping the linear memory's
 * reservation, the artifact and the heap one by one first costs about
 * 0.1 ms of CPU, a tenth of a small program's cold start. So the run's
 * objects are left to the exit (WASI output is never buffered here, so
 * nothing is lost). Builds under AddressSanitizer free them, so that its
 * leak check still sees every real leak. */
#if defined(__SANITIZE_ADDRESS__)
#define RUN_FREES_BEFORE_EXIT true
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RUN_FREES_BEFORE_EXIT true
#endif
#endif
#ifndef RUN_FREES_BEFORE_EXIT
#define RUN_FREES_BEFORE_EXIT false
#endif

/* wasi-threads: proc_exit or a trap in a spawned thread ends the program
 * (wasi_threads.c), whatever the other threads are doing. */
static void end_process(void *arg, int status) {
  (void)arg;
  fflush(NULL);
  _exit(status);
}

static int run_instance(wasmaot_module *mod, wasi_ctx *wasi, const char *path,
                        const run_options *o) {
  char err[512];
  wasmaot_trap trap;
  /* Every module may spawn threads (`wasi`.`thread-spawn`) and import its
   * memory: the resolver creates it from the import's type. */
  if (!wasi_ctx_enable_threads(wasi, mod, end_process, NULL)) {
    fprintf(stderr, "wasmaot: out of memory\n");
    return 1;
  }
  wasmaot_instance *inst = wasmaot_instantiate(mod, wasi_ctx_resolve_threads,
                                               wasi, &trap, err, sizeof err);
  if (!inst) {
    if (trap.kind != WASMAOT_TRAP_NONE)
      return wasi_ctx_command_status(wasi, &trap);
    fprintf(stderr, "%s: %s\n", path, err);
    return 1;
  }
  /* A module without a memory export can still be invoked; its WASI
   * calls then see every pointer as out of bounds. */
  wasi_ctx_bind_instance(wasi, inst, err, sizeof err);
  int status = o->invoke
                   ? invoke_export(inst, wasi, o->invoke, o->argc, o->argv)
                   : run_start(inst, wasi);
  /* The main thread is done, so the program is: threads it spawned may
   * still run in the instance's memory and must not see it freed. */
  if (wasi_ctx_threads_spawned(wasi))
    end_process(NULL, status);
  if (RUN_FREES_BEFORE_EXIT)
    wasmaot_instance_free(inst);
  return status;
}

static int run_file(const run_options *o) {
  wasmaot_engine *engine = wasmaot_engine_new();
  if (!engine) {
    fprintf(stderr, "wasmaot: out of memory\n");
    return 1;
  }
  wasmaot_module *mod = run_source_load(engine, o->file, &o->source);
  char err[512];
  if (mod && o->profile_out &&
      !wasmaot_module_count_into(mod, o->profile_out, err, sizeof err)) {
    fprintf(stderr, "wasmaot run: %s: %s\n", o->file, err);
    wasmaot_module_free(mod);
    mod = NULL;
  }
  wasi_ctx *wasi = mod ? make_wasi(engine, o) : NULL;
  int status = wasi ? run_instance(mod, wasi, o->file, o) : 1;
  if (RUN_FREES_BEFORE_EXIT) {
    wasi_ctx_free(wasi);
    wasmaot_module_free(mod);
    wasmaot_engine_free(engine);
  }
  return status;
}

int cli_run(int argc, char **argv) {
  run_options o = {0};
  int status = parse_options(argc, argv, &o);
  if (status >= 0) {
    free_options(&o);
    return status;
  }
  /* A guest writing to a closed pipe or socket gets EPIPE, as it would
   * natively with SIGPIPE ignored, instead of killing the runtime. */
  signal(SIGPIPE, SIG_IGN);
  status = run_file(&o);
  free_options(&o);
  return status;
}
