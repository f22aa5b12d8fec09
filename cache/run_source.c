#include "run_source.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle_read.h"
#include "cache_admin.h"
#include "cache_fetch.h"
#include "compile_progress.h"
#include "compiler_load.h"
#include "file_kind.h"
#include "file_read.h"
#include "host_arch.h"
#include "sha256.h"

/* The file's kind by its magic number. */
static bool sniff(const char *path, file_kind *kind) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
    return false;
  }
  uint8_t head[8];
  ssize_t n = read(fd, head, sizeof head);
  close(fd);
  *kind = file_kind_of(head, n > 0 ? (size_t)n : 0);
  return true;
}

/* ---- Compiling a .wasm ---------------------------------------------------
 */

typedef struct compile_job {
  const char *name; /* for messages */
  const uint8_t *wasm;
  size_t size;
  aot_options opts;
} compile_job;

static bool compile(void *ctx, void **data, size_t *size) {
  compile_job *job = ctx;
  char err[512];
  const wasmaot_compiler_plugin *compiler = compiler_load(err, sizeof err);
  if (!compiler) {
    fprintf(stderr, "wasmaot: cannot compile %s: %s\n", job->name, err);
    return false;
  }
  aot_options opts = job->opts;
  compile_progress *bar = NULL;
  if (compile_progress_wanted(stderr, job->size) &&
      (bar = compile_progress_start(stderr, job->name)))
    opts.progress = (aot_progress){compile_progress_report, bar};
  aot_output out;
  bool ok =
      compiler->compile(job->wasm, job->size, &opts, &out, err, sizeof err);
  compile_progress_finish(bar);
  if (!ok) {
    fprintf(stderr, "%s:%s\n", job->name, err);
    return false;
  }
  *data = out.data;
  *size = out.size;
  return true;
}

/* The place to cache in, or none (no_cache, or no directory: said once). */
static cache_place resolve_place(const run_source_options *o, char *dir,
                                 size_t size) {
  cache_place place = {.dir = NULL, .verbose = o->verbose};
  char err[256];
  if (o->no_cache)
    return place;
  if (cache_resolve_dir(o->cache_dir, dir, size, err, sizeof err))
    place.dir = dir;
  else
    fprintf(stderr, "wasmaot: %s; running without the cache\n", err);
  return place;
}

bool run_tier_parse(const char *s, run_tier *tier) {
  if (!strcmp(s, "tiered"))
    *tier = RUN_TIER_TIERED;
  else if (!strcmp(s, "optimized") || !strcmp(s, "optimised"))
    *tier = RUN_TIER_OPTIMIZED;
  else if (!strcmp(s, "fast"))
    *tier = RUN_TIER_FAST;
  else
    return false;
  return true;
}

/* The profile that a background compile waits for: the run's counts
 * file, and the read end of a pipe whose write end only the run holds,
 * so that its end (however it ends) reads as end-of-file. */
typedef struct profile_wait {
  const char *counts_path; /* NULL: no profile, optimise everything */
  int run_alive;
} profile_wait;

static uint64_t total_counts(const uint64_t *counts, uint32_t n) {
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++)
    total += counts[i];
  return total;
}

/* Until the run ends, or RUN_TIER_PROFILE_WAIT_MS passed (a server runs
 * for ever and should not wait for ever), then the counts so far: the
 * job's profile, or none if there is no usable one. False when the
 * counts are too few to go by (RUN_TIER_MIN_PROFILE_COUNTS). */
static bool take_profile(const profile_wait *w, compile_job *job,
                         uint64_t **taken) {
  *taken = NULL;
  if (!w->counts_path)
    return true;
  struct pollfd p = {.fd = w->run_alive, .events = POLLIN};
  while (poll(&p, 1, RUN_TIER_PROFILE_WAIT_MS) < 0 && errno == EINTR) {
  }
  uint8_t digest[32];
  sha256(job->wasm, job->size, digest);
  uint64_t *counts = NULL;
  char err[256];
  uint32_t n = 0;
  if (!wasmaot_profile_read(w->counts_path, digest, &counts, &n, err,
                            sizeof err))
    return true;
  if (total_counts(counts, n) < RUN_TIER_MIN_PROFILE_COUNTS) {
    free(counts);
    return false;
  }
  job->opts.profile = counts;
  job->opts.profile_count = n;
  *taken = counts;
  return true;
}

/* In a detached grandchild (its parent exits at once, so nobody waits for
 * it and no zombie is left), niced, with no terminal: compiles the
 * optimised tier into the entry at `path` under the entry's lock, from
 * the profile `w` names once the run has made it. If another process
 * holds the lock, it is at the same work: nothing to do. The caller's
 * threads have all ended (the fast compile joined its workers), so
 * forking without exec is safe. */
static void optimise_in_background(const char *cache_dir, const char *path,
                                   compile_job *job, const char *counts_path,
                                   bool verbose) {
  int alive[2] = {-1, -1};
  if (counts_path && pipe2(alive, O_CLOEXEC) != 0)
    counts_path = NULL;
  fflush(stdout);
  fflush(stderr);
  pid_t child = fork();
  if (child != 0) {
    /* The write end stays open in this process until it exits. */
    if (alive[0] >= 0)
      close(alive[0]);
    if (child < 0)
      return;
    waitpid(child, NULL, 0);
    if (verbose)
      fprintf(stderr,
              "wasmaot: tier: running the fast tier; the optimised one is "
              "compiled in the background into %s%s\n",
              path,
              counts_path ? ", from this run's profile once it ends" : "");
    return;
  }
  if (fork() != 0)
    _exit(0);
  setsid();
  if (nice(10) == -1 && errno != 0) {
    /* still compile, just not niced */
  }
  if (alive[1] >= 0)
    close(alive[1]);
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
  }
  profile_wait w = {.counts_path = counts_path, .run_alive = -1};
  if (counts_path && dup2(alive[0], 3) == 3)
    w.run_alive = 3;
  /* Nothing else the caller had open (a pipe a parent waits on, a
   * socket) may stay open for the minutes this takes. */
  close_range(4, ~0u, 0);
  int lock = cache_trylock(path);
  struct stat st;
  if (lock < 0 || stat(path, &st) == 0)
    _exit(0);
  uint64_t *counts;
  if (!take_profile(&w, job, &counts))
    _exit(0); /* the next run adds to the counts */
  void *data;
  size_t size;
  char err[256];
  if (compile(job, &data, &size) &&
      cache_store(path, data, size, err, sizeof err))
    cache_evict(cache_dir, cache_max_bytes(), path);
  if (counts_path)
    unlink(counts_path);
  free(counts);
  _exit(0);
}

/* Counts the fast tier's entries into the counts file beside the
 * profiled entry `path`; false (then nothing is profiled) if it cannot.
 * A file left damaged by a crash is replaced once. */
static bool count_into_file(wasmaot_module *m, const char *counts_path,
                            bool verbose) {
  char err[512];
  if (wasmaot_module_count_into(m, counts_path, err, sizeof err))
    return true;
  unlink(counts_path);
  if (wasmaot_module_count_into(m, counts_path, err, sizeof err))
    return true;
  if (verbose)
    fprintf(stderr, "wasmaot: tier: no profile: %s\n", err);
  return false;
}

static wasmaot_module *load_tiered_hit(wasmaot_engine *engine,
                                       const cache_place *place,
                                       const char *key,
                                       const char *profiled_key, bool verbose) {
  wasmaot_module *m = cache_fetch_hit(engine, place, key);
  if (m && verbose)
    fprintf(stderr, "wasmaot: tier: optimised\n");
  if (!m && (m = cache_fetch_hit(engine, place, profiled_key)) && verbose)
    fprintf(stderr,
            "wasmaot: tier: optimised where an earlier run's profile found "
            "it hot, fast elsewhere\n");
  return m;
}

/* The fast tier, counting; the optimised tier from its profile in the
 * background, unless another run is at it already (then this run's
 * counts go into the same file, while it waits). */
static wasmaot_module *load_tiered(wasmaot_engine *engine,
                                   const cache_place *place, compile_job *job,
                                   const char *profiled_key, bool verbose) {
  compile_job fast = *job;
  fast.opts.target.fast_tier = true;
  fast.opts.target.count_entries = true;
  char fast_key[CACHE_KEY_HEX];
  cache_key_compile(job->wasm, job->size, &fast.opts.target, fast_key);
  wasmaot_module *m = cache_fetch(engine, place, fast_key, compile, &fast);
  char path[4096], counts[4096 + 8];
  if (!m || !cache_entry_path(place->dir, profiled_key, path, sizeof path))
    return m;
  snprintf(counts, sizeof counts, "%.*s.counts", (int)(strlen(path) - 3), path);
  if (cache_entry_busy(place, profiled_key)) {
    if (access(counts, F_OK) == 0)
      count_into_file(m, counts, false);
    if (verbose)
      fprintf(stderr,
              "wasmaot: tier: fast (the optimised one is being compiled)\n");
    return m;
  }
  /* An entry there was refused by cache_fetch_hit: rebuild it. */
  unlink(path);
  bool profiled = count_into_file(m, counts, verbose);
  optimise_in_background(place->dir, path, job, profiled ? counts : NULL,
                         verbose);
  return m;
}

static wasmaot_module *load_wasm_bytes(wasmaot_engine *engine, const char *name,
                                       const uint8_t *wasm, size_t size,
                                       const run_source_options *o) {
  compile_job job = {.name = name, .wasm = wasm, .size = size};
  job.opts.target.opt_level = 2;
  char key[CACHE_KEY_HEX], dir[4096];
  cache_key_compile(wasm, size, &job.opts.target, key);
  cache_place place = resolve_place(o, dir, sizeof dir);
  run_tier tier = o->tier;
  if (tier == RUN_TIER_TIERED && (!place.dir || size < RUN_TIER_MIN_WASM_BYTES))
    tier = RUN_TIER_OPTIMIZED;
  if (tier == RUN_TIER_OPTIMIZED)
    return cache_fetch(engine, &place, key, compile, &job);
  if (tier == RUN_TIER_FAST) {
    compile_job fast = job;
    fast.opts.target.fast_tier = true;
    char fast_key[CACHE_KEY_HEX];
    cache_key_compile(wasm, size, &fast.opts.target, fast_key);
    wasmaot_module *m = cache_fetch(engine, &place, fast_key, compile, &fast);
    if (m && o->verbose)
      fprintf(stderr, "wasmaot: tier: fast\n");
    return m;
  }
  char profiled_key[CACHE_KEY_HEX];
  cache_key_profiled(key, profiled_key);
  wasmaot_module *m =
      load_tiered_hit(engine, &place, key, profiled_key, o->verbose);
  return m ? m : load_tiered(engine, &place, &job, profiled_key, o->verbose);
}

static wasmaot_module *load_wasm(wasmaot_engine *engine, const char *file,
                                 const run_source_options *o) {
  size_t size;
  uint8_t *wasm = file_read_all(file, &size);
  if (!wasm) {
    fprintf(stderr, "%s: cannot read: %s\n", file, strerror(errno));
    return NULL;
  }
  wasmaot_module *m = load_wasm_bytes(engine, file, wasm, size, o);
  free(wasm);
  return m;
}

/* ---- Bundles -------------------------------------------------------------
 */

typedef struct extract_job {
  const char *file;
  const bundle *b;
  uint32_t entry;
} extract_job;

static bool extract(void *ctx, void **data, size_t *size) {
  extract_job *job = ctx;
  char what[32], err[512];
  snprintf(what, sizeof what, "entry %u", job->entry + 1);
  const wasmaot_bundle_entry *e = bundle_entry(job->b, job->entry);
  if (bundle_read_blob(job->b, &e->artifact, what, data, size, err, sizeof err))
    return true;
  fprintf(stderr, "%s: %s\n", job->file, err);
  return false;
}

/* Says why no entry fits, one line per entry. */
static void report_no_entry(const char *file, const bundle *b) {
  fprintf(stderr,
          "%s: no entry of this bundle runs on this machine (%s); it "
          "holds:\n",
          file, WASMAOT_HOST_ARCH);
  for (uint32_t i = 0; i < bundle_header(b)->entry_count; i++) {
    const wasmaot_bundle_entry *e = bundle_entry(b, i);
    char why[512];
    bundle_entry_runs_here(b, i, why, sizeof why);
    fprintf(stderr, "  %u. %s, cpu %s: %s\n", i + 1, e->target_triple,
            e->cpu_name, why);
  }
}

static wasmaot_module *load_embedded_wasm(wasmaot_engine *engine,
                                          const char *file, const bundle *b,
                                          const run_source_options *o) {
  void *wasm;
  size_t size;
  char err[512];
  if (!bundle_read_blob(b, &bundle_header(b)->wasm, "embedded wasm", &wasm,
                        &size, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", file, err);
    return NULL;
  }
  if (o->verbose)
    fprintf(stderr,
            "wasmaot: %s: no entry runs here; using the embedded "
            "module\n",
            file);
  wasmaot_module *m = load_wasm_bytes(engine, file, wasm, size, o);
  free(wasm);
  return m;
}

static bool has_embedded_wasm(const bundle *b) {
  return bundle_header(b)->wasm.stored_size != 0;
}

static wasmaot_module *load_bundle(wasmaot_engine *engine, const char *file,
                                   const run_source_options *o) {
  char err[512];
  bundle *b = bundle_open(file, err, sizeof err);
  if (!b) {
    fprintf(stderr, "%s: %s\n", file, err);
    return NULL;
  }
  wasmaot_module *m = NULL;
  int i = bundle_select(b);
  if (i >= 0) {
    const wasmaot_bundle_entry *e = bundle_entry(b, (uint32_t)i);
    if (o->verbose)
      fprintf(stderr, "wasmaot: %s: entry %d (%s, cpu %s)\n", file, i + 1,
              e->target_triple, e->cpu_name);
    extract_job job = {.file = file, .b = b, .entry = (uint32_t)i};
    char key[CACHE_KEY_HEX], dir[4096];
    cache_key_artifact(e->artifact.sha256, key);
    cache_place place = resolve_place(o, dir, sizeof dir);
    m = cache_fetch(engine, &place, key, extract, &job);
  } else if (has_embedded_wasm(b)) {
    m = load_embedded_wasm(engine, file, b, o);
  } else {
    report_no_entry(file, b);
  }
  bundle_close(b);
  return m;
}

/* ---- Dispatch ------------------------------------------------------------
 */

wasmaot_module *run_source_load(wasmaot_engine *engine, const char *file,
                                const run_source_options *o) {
  file_kind kind;
  if (!sniff(file, &kind))
    return NULL;
  if (kind == FILE_KIND_WASM)
    return load_wasm(engine, file, o);
  if (kind == FILE_KIND_BUNDLE)
    return load_bundle(engine, file, o);
  if (kind == FILE_KIND_UNKNOWN) {
    fprintf(stderr,
            "%s: not a .wasm module, an artifact or a bundle (unknown or "
            "truncated file)\n",
            file);
    return NULL;
  }
  char err[512];
  wasmaot_module *m = wasmaot_module_load(engine, file, err, sizeof err);
  if (!m)
    fprintf(stderr, "%s\n", err);
  return m;
}
