/* `wasmaot aot-compile`: .wasm in, a native shared object out, or a
 * bundle of one compressed artifact per target (formats/bundle_format.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bundle_format.h"
#include "bundle_write.h"
#include "cli.h"
#include "cli_compile_children.h"
#include "compile_progress.h"
#include "compiler_load.h"
#include "file_read.h"
#include "file_write.h"
#include "sha256.h"
#include "wasm_features.h"
#include "wasm_module.h"
#include "wasmaot.h"

static int aot_usage(FILE *out) {
  fprintf(
      out,
      "Usage: wasmaot aot-compile [OPTIONS] FILE.wasm -o OUT.so\n"
      "       wasmaot aot-compile [OPTIONS] --target T1,T2,... FILE.wasm\n"
      "                           -o OUT.wasmaot\n"
      "\n"
      "Compiles a WebAssembly module ahead of time to a native ELF shared\n"
      "object that `wasmaot run` maps and runs without a compiler; or, when\n"
      "OUT ends in .wasmaot (or with --bundle), to a bundle holding one\n"
      "zstd-compressed artifact per target, from which `wasmaot run` picks\n"
      "the one for the machine it runs on.\n"
      "\n"
      "Options:\n"
      "  -o FILE            output file (required)\n"
      "  -O0 | -O1 | -O2 | -O3\n"
      "                     optimisation level (default -O2). Without a\n"
      "                     profile, a module with more than 6 MiB of code\n"
      "                     has only the 6 MiB of functions likeliest to\n"
      "                     be hot optimised (small loops first), the\n"
      "                     rest generated as --fast does\n"
      "  --optimize-all     optimise every function however large the\n"
      "                     module (yosys, 28 MB of code: about 3 times\n"
      "                     the compile time, a few %% faster code)\n"
      "  --fast             the fast tier: compile about 25 times faster\n"
      "                     to code that runs about 1.7 times slower\n"
      "                     (on x86-64 a single-pass code generator for\n"
      "                     scalar code, LLVM without optimisation for\n"
      "                     SIMD and the rest)\n"
      "  --target LIST      comma-separated targets, each TRIPLE or\n"
      "                     TRIPLE@CPU, e.g. x86_64-linux-gnu@x86-64-v3,\n"
      "                     aarch64-linux-gnu (default: this machine);\n"
      "                     repeatable; several need a bundle. In a bundle,\n"
      "                     list the most specific variant of an\n"
      "                     architecture first: run takes the first entry\n"
      "                     the machine can run\n"
      "  --cpu NAME         CPU to tune for and whose features the code may\n"
      "                     use, for targets without @CPU (default: this\n"
      "                     machine's CPU for a native target, a portable\n"
      "                     baseline for another one)\n"
      "  --features LIST    extra features, e.g. +avx2,-avx512f\n"
      "  --wasm-features LIST  WebAssembly features to turn off or on,\n"
      "                     e.g. -tail-call,-threads (all on by\n"
      "                     default): a module using one turned off is\n"
      "                     refused\n"
      "  --bundle           write a bundle whatever OUT is called\n"
      "  --embed-wasm       put the .wasm into the bundle too, so run can\n"
      "                     compile it on a machine no entry fits\n"
      "  --frame-pointers   keep frame pointers, so that profilers and\n"
      "                     debuggers can walk Wasm frames (a little slower)\n"
      "  --verify-ir        check the generated LLVM IR (for debugging)\n"
      "  --stats            print the compile time and speed (MB/s of\n"
      "                     .wasm), the CPU time of each phase and the\n"
      "                     peak memory of each target on stderr\n"
      "  --jobs N           generate code on N threads (default: the\n"
      "                     WASMAOT_JOBS environment variable, else the\n"
      "                     online CPUs for a large enough module)\n"
      "  --count            the code counts each function's entries and loop\n"
      "                     iterations (with --fast: about 10 %%\n"
      "                     slower), for `run --profile-out`\n"
      "  --profile FILE     optimise only the functions that ran hot in\n"
      "                     the profile FILE (from `run --profile-out` of\n"
      "                     this module compiled with --count) and\n"
      "                     generate the others as --fast does: a large\n"
      "                     module compiles several times faster\n"
      "  -h, --help         show this help\n");
  return out == stdout ? 0 : 2;
}

typedef struct target_spec {
  const char *triple; /* NULL: this machine */
  const char *cpu;    /* NULL: --cpu */
} target_spec;

typedef struct aot_cli_args {
  const char *input, *output;
  aot_options opts; /* what every target shares */
  target_spec targets[WASMAOT_BUNDLE_MAX_ENTRIES];
  size_t target_count;
  char *lists[WASMAOT_BUNDLE_MAX_ENTRIES]; /* --target values, split */
  size_t list_count;
  bool bundle, embed_wasm, stats;
  const char *profile;         /* --profile */
  wasm_features wasm_features; /* --wasm-features; all by default */
} aot_cli_args;

static void free_args(aot_cli_args *a) {
  for (size_t i = 0; i < a->list_count; i++)
    free(a->lists[i]);
}

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Splits "T1,T2@CPU" in place into target specs. */
static bool add_targets(aot_cli_args *a, const char *list) {
  if (a->list_count == WASMAOT_BUNDLE_MAX_ENTRIES)
    return false;
  char *copy = strdup(list);
  if (!copy)
    return false;
  a->lists[a->list_count++] = copy;
  for (char *save = NULL, *t = strtok_r(copy, ",", &save); t;
       t = strtok_r(NULL, ",", &save)) {
    if (a->target_count == WASMAOT_BUNDLE_MAX_ENTRIES) {
      fprintf(stderr, "wasmaot aot-compile: at most %u targets\n",
              WASMAOT_BUNDLE_MAX_ENTRIES);
      return false;
    }
    char *at = strchr(t, '@');
    if (at)
      *at = '\0';
    if (!*t || (at && !at[1])) {
      fprintf(stderr, "wasmaot aot-compile: bad target '%s'\n", list);
      return false;
    }
    a->targets[a->target_count++] =
        (target_spec){.triple = t, .cpu = at ? at + 1 : NULL};
  }
  return true;
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, aot_cli_args *a) {
  a->opts.target.opt_level = 2;
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    const char *next = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(s, "-h") || !strcmp(s, "--help"))
      return aot_usage(stdout);
    if (!strcmp(s, "-o") && next) {
      a->output = argv[++i];
    } else if (s[0] == '-' && s[1] == 'O' && s[2] >= '0' && s[2] <= '3' &&
               !s[3]) {
      a->opts.target.opt_level = (unsigned)(s[2] - '0');
    } else if (!strcmp(s, "--target") && next) {
      if (!add_targets(a, argv[++i]))
        return 2;
    } else if (!strcmp(s, "--cpu") && next) {
      a->opts.target.cpu = argv[++i];
    } else if (!strcmp(s, "--features") && next) {
      a->opts.target.features = argv[++i];
    } else if (!strncmp(s, "--wasm-features", 15) &&
               (s[15] == '=' || (!s[15] && next))) {
      char why[256];
      if (!wasm_features_parse(s[15] == '=' ? s + 16 : argv[++i],
                               &a->wasm_features, why, sizeof why)) {
        fprintf(stderr, "wasmaot aot-compile: %s\n", why);
        return 2;
      }
      /* The compiler's decoder refuses them too (a module compiled
       * through the plug-in directly, e.g. on a cache miss). */
      a->opts.disabled_features = WASM_FEATURES_ALL & ~a->wasm_features;
    } else if (!strcmp(s, "--bundle")) {
      a->bundle = true;
    } else if (!strcmp(s, "--embed-wasm")) {
      a->embed_wasm = true;
    } else if (!strcmp(s, "--fast")) {
      a->opts.target.fast_tier = true;
    } else if (!strcmp(s, "--count")) {
      a->opts.target.count_entries = true;
    } else if (!strcmp(s, "--profile") && next) {
      a->profile = argv[++i];
    } else if (!strcmp(s, "--piece-bytes") && next) {
      /* Undocumented, for tests: pieces of this much code, even for a
       * small module (codegen_plan.h). */
      char *end;
      unsigned long n = strtoul(argv[++i], &end, 10);
      if (*end || n < 1 || n > UINT32_MAX) {
        fprintf(stderr, "wasmaot aot-compile: bad --piece-bytes\n");
        return 2;
      }
      a->opts.piece_bytes = (uint32_t)n;
    } else if (!strcmp(s, "--optimize-all")) {
      a->opts.optimize_all = true;
    } else if (!strcmp(s, "--estimate-budget") && next) {
      /* Undocumented, for tests: optimise this many bytes of code
       * without a profile, whatever the module's size
       * (codegen_estimate.h). */
      char *end;
      unsigned long long n = strtoull(argv[++i], &end, 10);
      if (*end || n < 1) {
        fprintf(stderr, "wasmaot aot-compile: bad --estimate-budget\n");
        return 2;
      }
      a->opts.estimate_budget = n;
    } else if (!strcmp(s, "--no-baseline")) {
      /* Undocumented, for tests and benchmarks: every function through
       * LLVM. */
      a->opts.llvm_only = true;
    } else if (!strcmp(s, "--frame-pointers")) {
      a->opts.target.frame_pointers = true;
    } else if (!strcmp(s, "--verify-ir")) {
      a->opts.verify_ir = true;
    } else if (!strcmp(s, "--stats")) {
      a->stats = true;
    } else if (!strcmp(s, "--jobs") && next) {
      char *end;
      unsigned long n = strtoul(argv[++i], &end, 10);
      if (*end || n < 1 || n > 256) {
        fprintf(stderr, "wasmaot aot-compile: --jobs wants 1 to 256\n");
        return 2;
      }
      a->opts.jobs = (unsigned)n;
    } else if (s[0] == '-' && s[1]) {
      fprintf(stderr,
              "wasmaot aot-compile: unknown or incomplete option '%s'\n", s);
      return aot_usage(stderr);
    } else if (!a->input) {
      a->input = s;
    } else {
      fprintf(stderr, "wasmaot aot-compile: more than one input file\n");
      return 2;
    }
  }
  if (!a->input || !a->output) {
    fprintf(stderr, "wasmaot aot-compile: need an input file and -o OUTPUT\n");
    return aot_usage(stderr);
  }
  a->bundle = a->bundle || has_suffix(a->output, ".wasmaot");
  if (!a->bundle && (a->target_count > 1 || a->embed_wasm)) {
    fprintf(stderr,
            "wasmaot aot-compile: %s needs a bundle: name the output "
            "OUT.wasmaot or add --bundle\n",
            a->embed_wasm ? "--embed-wasm" : "more than one target");
    return 2;
  }
  if (a->target_count == 0)
    a->targets[a->target_count++] = (target_spec){0};
  return -1;
}

static double process_cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* `--stats`: where the time went, then the summary line (last, so that
 * scripts can take it with tail -1). */
static void print_stats(const char *label, size_t size, const aot_stats *s,
                        double wall, double cpu) {
  static const char *const names[AOT_STAT_PHASES] = {
      "decode",  "validate", "IR build", "LLVM passes",
      "codegen", "merge",    "link"};
  fprintf(stderr, "%s: CPU seconds by phase:", label);
  for (unsigned k = 0; k < AOT_STAT_PHASES; k++)
    fprintf(stderr, "%s %s %.3f", k ? "," : "", names[k], s->cpu_s[k]);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  fprintf(
      stderr,
      "\n%s: %u functions, %" PRIu64 " bytes of code, in %u piece%s (%u huge "
      "function%s and %u cold by the %s generated unoptimised, %u "
      "by the baseline generator) on %u "
      "thread%s; CPU %.3f s; peak RSS %.0f MB\n",
      label, s->functions, s->code_bytes, s->pieces, s->pieces == 1 ? "" : "s",
      s->huge_functions, s->huge_functions == 1 ? "" : "s", s->cold_functions,
      s->estimated ? "static estimate" : "profile", s->baseline_functions,
      s->threads, s->threads == 1 ? "" : "s", cpu,
      (double)ru.ru_maxrss / 1024.0);
  fprintf(stderr, "%s: %zu bytes of Wasm compiled in %.3f s: %.3f MB/s\n",
          label, size, wall, wall > 0 ? (double)size / 1e6 / wall : 0.0);
}

/* Compiles for one target, with a progress bar if `progress` and one is
 * wanted; prints the reason on failure. */
static bool compile_target(const wasmaot_compiler_plugin *compiler,
                           const aot_cli_args *a, const target_spec *t,
                           const uint8_t *wasm, size_t size, bool progress,
                           aot_output *out) {
  aot_options opts = a->opts;
  opts.target.triple = t->triple;
  if (t->cpu)
    opts.target.cpu = t->cpu;
  char label[256], err[512];
  snprintf(label, sizeof label, "%s%s%s", a->input, t->triple ? " for " : "",
           t->triple ? t->triple : "");
  compile_progress *bar = progress && compile_progress_wanted(stderr, size)
                              ? compile_progress_start(stderr, label)
                              : NULL;
  if (bar)
    opts.progress = (aot_progress){compile_progress_report, bar};
  aot_stats stats = {0};
  if (a->stats)
    opts.stats = &stats;
  struct timespec t0, t1;
  double cpu0 = process_cpu_s();
  clock_gettime(CLOCK_MONOTONIC, &t0);
  bool ok = compiler->compile(wasm, size, &opts, out, err, sizeof err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double cpu = process_cpu_s() - cpu0;
  compile_progress_finish(bar);
  double secs =
      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  if (ok && a->stats)
    print_stats(label, size, &stats, secs, cpu);
  if (!ok && t->triple)
    fprintf(stderr, "%s:%s (target %s)\n", a->input, err, t->triple);
  else if (!ok)
    fprintf(stderr, "%s:%s\n", a->input, err);
  return ok;
}

static bool write_output(const char *path, const void *data, size_t size) {
  if (file_write_atomic(path, data, size))
    return true;
  fprintf(stderr, "%s: cannot write: %s\n", path, strerror(errno));
  return false;
}

typedef struct bundle_job {
  const wasmaot_compiler_plugin *compiler;
  const aot_cli_args *a;
  const uint8_t *wasm;
  size_t size;
  unsigned jobs_each; /* automatic code generation threads per child */
} bundle_job;

/* In a child process: one target. No progress bar: several run at once. */
static bool compile_child(void *ctx, size_t index, aot_output *out) {
  const bundle_job *j = ctx;
  aot_cli_args a = *j->a;
  a.opts.max_auto_jobs = j->jobs_each;
  return compile_target(j->compiler, &a, &j->a->targets[index], j->wasm,
                        j->size, false, out);
}

/* Every target, each in its own process (cli_compile_children.h), as many
 * at once as there are CPUs. */
static bool compile_all(bundle_job *j, aot_output *outs) {
  const aot_cli_args *a = j->a;
  char names[WASMAOT_BUNDLE_MAX_ENTRIES][160];
  const char *name_ptrs[WASMAOT_BUNDLE_MAX_ENTRIES];
  for (size_t i = 0; i < a->target_count; i++) {
    const target_spec *t = &a->targets[i];
    snprintf(names[i], sizeof names[i], "%s (target %s%s%s)", a->input,
             t->triple ? t->triple : "host", t->cpu ? "@" : "",
             t->cpu ? t->cpu : "");
    name_ptrs[i] = names[i];
  }
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned parallel = cpus > 0 ? (unsigned)cpus : 1;
  /* The CPUs are shared among the children running at once, so their
   * code generation threads do not oversubscribe the machine. */
  size_t at_once = a->target_count < parallel ? a->target_count : parallel;
  j->jobs_each = parallel / (unsigned)(at_once ? at_once : 1);
  if (j->jobs_each == 0)
    j->jobs_each = 1;
  return compile_in_children(compile_child, (void *)j, name_ptrs,
                             a->target_count, parallel, outs);
}

/* Compiles every target and writes them as one bundle. A single target
 * compiles here, with its progress bar. */
static bool write_bundle(const wasmaot_compiler_plugin *compiler,
                         const aot_cli_args *a, const uint8_t *wasm,
                         size_t size) {
  aot_output outs[WASMAOT_BUNDLE_MAX_ENTRIES] = {{0}};
  bundle_artifact artifacts[WASMAOT_BUNDLE_MAX_ENTRIES];
  bundle_job job = {compiler, a, wasm, size, 0};
  bool ok = a->target_count == 1 ? compile_target(compiler, a, &a->targets[0],
                                                  wasm, size, true, &outs[0])
                                 : compile_all(&job, outs);
  for (size_t i = 0; i < a->target_count; i++)
    artifacts[i] = (bundle_artifact){outs[i].data, outs[i].size};
  if (ok) {
    bundle_source src = {.artifacts = artifacts,
                         .artifact_count = a->target_count,
                         .wasm = a->embed_wasm ? wasm : NULL,
                         .wasm_size = a->embed_wasm ? size : 0};
    void *bundle = NULL; /* bundle_write leaves it alone on failure */
    size_t bundle_size = 0;
    char err[512];
    ok = bundle_write(&src, &bundle, &bundle_size, err, sizeof err);
    if (!ok)
      fprintf(stderr, "%s: cannot bundle: %s\n", a->output, err);
    ok = ok && write_output(a->output, bundle, bundle_size);
    free(bundle);
  }
  for (size_t i = 0; i < a->target_count; i++)
    free(outs[i].data);
  return ok;
}

static bool write_artifact(const wasmaot_compiler_plugin *compiler,
                           const aot_cli_args *a, const uint8_t *wasm,
                           size_t size) {
  aot_output out;
  if (!compile_target(compiler, a, &a->targets[0], wasm, size, true, &out))
    return false;
  bool ok = write_output(a->output, out.data, out.size);
  free(out.data);
  return ok;
}

/* With --wasm-features turning something off: the module must not use
 * it. (The compiler itself accepts every feature it implements.) */
static bool check_wasm_features(const aot_cli_args *a, const uint8_t *wasm,
                                size_t size) {
  if (a->wasm_features == WASM_FEATURES_ALL)
    return true;
  wasm_error err = {0};
  wasm_module *m =
      wasm_module_decode_features(wasm, size, a->wasm_features, &err);
  bool ok = m && wasm_module_validate(m, &err) &&
            wasm_module_check_features(m, a->wasm_features, &err);
  if (!ok)
    fprintf(stderr, "%s:0x%zx: %s\n", a->input, err.offset, err.message);
  wasm_module_free(m);
  return ok;
}

int cli_aot_compile(int argc, char **argv) {
  aot_cli_args a = {.wasm_features = WASM_FEATURES_ALL};
  int status = parse_args(argc, argv, &a);
  if (status >= 0) {
    free_args(&a);
    return status;
  }
  size_t size;
  uint8_t *wasm = file_read_all(a.input, &size);
  char err[512];
  const wasmaot_compiler_plugin *compiler =
      wasm ? compiler_load(err, sizeof err) : NULL;
  if (!wasm)
    fprintf(stderr, "%s: cannot read: %s\n", a.input, strerror(errno));
  else if (!compiler)
    fprintf(stderr, "wasmaot aot-compile: %s\n", err);
  uint64_t *counts = NULL;
  if (compiler && a.profile) {
    uint8_t digest[32];
    sha256(wasm, size, digest);
    if (wasmaot_profile_read(a.profile, digest, &counts, &a.opts.profile_count,
                             err, sizeof err))
      a.opts.profile = counts;
    else
      fprintf(stderr, "wasmaot aot-compile: %s\n", err);
  }
  bool ok = compiler && (!a.profile || counts) &&
            check_wasm_features(&a, wasm, size) &&
            (a.bundle ? write_bundle(compiler, &a, wasm, size)
                      : write_artifact(compiler, &a, wasm, size));
  free(wasm);
  free(counts);
  free_args(&a);
  return ok ? 0 : 1;
}
