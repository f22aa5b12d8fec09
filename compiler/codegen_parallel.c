/* Parallel code generation (see codegen_parallel.h). Nothing LLVM owns is
 * shared between threads: every piece has its own context and module,
 * every thread its own target machines, all created on the calling thread
 * before any worker starts. Which thread compiles which piece changes
 * nothing in its object: the machines of all threads are made from the
 * same options. */
#include "codegen_parallel.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>

#include "baseline.h"
#include "codegen_target.h"
#include "cpu_clock.h"
#include "elf_merge.h"
#include "lower_module.h"

#define MAX_AUTO_JOBS 8u

typedef struct piece_result {
  void *obj;
  size_t obj_size;
  wasmaot_vmctx_layout layout;
} piece_result;

typedef struct pool {
  const wasm_module *m;
  const aot_options *opts;
  const codegen_plan *plan;
  const char *const *symbols;
  bool tail_cc;          /* the same convention in every piece */
  piece_result *results; /* per piece, in function order */
  pthread_mutex_t lock;  /* guards what follows */
  uint32_t next;         /* into plan->order */
  uint32_t functions_done;
  bool failed;
  char err[512];
} pool;

typedef struct worker {
  pool *pool;
  codegen_target target;      /* the options' tier */
  codegen_target fast_target; /* for huge and cold functions, if any */
  bool target_ok, fast_ok;
  double cpu_s[AOT_STAT_PHASES];
} worker;

static unsigned env_jobs(void) {
  const char *s = getenv("WASMAOT_JOBS");
  if (!s || !*s)
    return 0;
  char *end;
  unsigned long v = strtoul(s, &end, 10);
  return *end || v > 256 ? 0 : (unsigned)v;
}

unsigned codegen_parallel_jobs(const codegen_plan *plan, unsigned requested,
                               unsigned cap) {
  unsigned jobs = requested ? requested : env_jobs();
  if (!jobs) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    jobs = cpus < 1 ? 1u : (unsigned)cpus;
    if (jobs > MAX_AUTO_JOBS)
      jobs = MAX_AUTO_JOBS;
    if (cap && jobs > cap)
      jobs = cap;
  }
  if (plan->whole || jobs > plan->count)
    jobs = plan->whole ? 1u : plan->count;
  return jobs ? jobs : 1u;
}

static void pool_fail(pool *p, const char *fmt, ...) {
  pthread_mutex_lock(&p->lock);
  if (!p->failed) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, sizeof p->err, fmt, ap);
    va_end(ap);
    p->failed = true;
  }
  pthread_mutex_unlock(&p->lock);
}

/* Piece `index`, of functions the baseline generator takes. */
static bool compile_baseline_piece(worker *w, uint32_t index) {
  pool *p = w->pool;
  const codegen_piece_plan *pp = &p->plan->pieces[index];
  piece_result *r = &p->results[index];
  double t0 = cpu_clock_thread_s();
  lower_compute_vmctx_layout(p->m, w->target.count_entries, &r->layout);
  char why[400];
  bool ok = baseline_compile(p->m, &w->target, &r->layout,
                             p->plan->funcs + pp->start, pp->count, p->symbols,
                             &r->obj, &r->obj_size, why, sizeof why);
  if (!ok)
    pool_fail(p, "%s", why);
  w->cpu_s[AOT_STAT_CODEGEN] += cpu_clock_thread_s() - t0;
  return ok;
}

/* Lowers, optimises and emits piece `index` into its result. */
static bool compile_piece(worker *w, uint32_t index) {
  pool *p = w->pool;
  const codegen_piece_plan *pp = &p->plan->pieces[index];
  if (pp->baseline)
    return compile_baseline_piece(w, index);
  bool unoptimised = pp->huge || pp->cold;
  bool fast = unoptimised || p->opts->target.fast_tier;
  const codegen_target *target = unoptimised ? &w->fast_target : &w->target;
  /* Hot code starts on a cache line: where a small hot loop falls
   * otherwise depends on its neighbours, which the profile chose (yosys:
   * 10 % for one 60-byte function). */
  bool hot = p->plan->cold_functions && !unoptimised;
  lower_partition part = {.funcs = p->plan->funcs + pp->start,
                          .count = pp->count,
                          .function_align = hot ? 64 : 0,
                          .tables = index == 0,
                          .symbols = p->symbols,
                          .tail_cc = p->tail_cc};
  piece_result *r = &p->results[index];
  double t0 = cpu_clock_thread_s();
  LLVMContextRef llctx = LLVMContextCreate();
  wasm_error werr = {0};
  LLVMModuleRef mod =
      lower_module_part(p->m, target, llctx, &part, &r->layout, NULL, &werr);
  bool ok = mod != NULL;
  if (!ok)
    pool_fail(p, "0x%zx: %s", werr.offset, werr.message);
  char *msg = NULL;
  if (ok && p->opts->verify_ir &&
      LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg)) {
    pool_fail(p, "internal error: invalid LLVM IR: %.400s", msg ? msg : "?");
    ok = false;
  }
  LLVMDisposeMessage(msg);
  double t1 = cpu_clock_thread_s();
  char *err = NULL;
  if (ok && !codegen_optimize(target, mod,
                              fast ? CODEGEN_PIPELINE_MINIMAL
                                   : CODEGEN_PIPELINE_FUNCTION,
                              &err)) {
    pool_fail(p, "%s", err ? err : "optimisation failed");
    ok = false;
  }
  double t2 = cpu_clock_thread_s();
  if (ok && !codegen_emit_object(target, mod, &r->obj, &r->obj_size, &err)) {
    pool_fail(p, "%s", err ? err : "code generation failed");
    ok = false;
  }
  free(err);
  if (mod)
    LLVMDisposeModule(mod);
  LLVMContextDispose(llctx);
  double t3 = cpu_clock_thread_s();
  w->cpu_s[AOT_STAT_LOWER] += t1 - t0;
  w->cpu_s[AOT_STAT_OPTIMIZE] += t2 - t1;
  w->cpu_s[AOT_STAT_CODEGEN] += t3 - t2;
  return ok;
}

/* Takes pieces, heaviest first, until none is left or one failed. */
static void *work(void *arg) {
  worker *w = arg;
  pool *p = w->pool;
  uint32_t total = p->m->func_count - p->m->import_func_count;
  for (;;) {
    pthread_mutex_lock(&p->lock);
    bool done = p->failed || p->next == p->plan->count;
    uint32_t index = done ? 0 : p->plan->order[p->next++];
    pthread_mutex_unlock(&p->lock);
    if (done || !compile_piece(w, index))
      return NULL;
    const codegen_piece_plan *pp = &p->plan->pieces[index];
    pthread_mutex_lock(&p->lock);
    p->functions_done += pp->count;
    aot_report(&p->opts->progress, AOT_PHASE_FUNCTIONS, p->functions_done,
               total);
    pthread_mutex_unlock(&p->lock);
  }
}

static bool merge_pieces(pool *p, void **obj, size_t *size, aot_stats *stats,
                         char *errbuf, size_t errlen) {
  uint32_t count = p->plan->count;
  elf_merge_object *objs = calloc(count, sizeof *objs);
  if (!objs) {
    snprintf(errbuf, errlen, "out of memory");
    return false;
  }
  for (uint32_t i = 0; i < count; i++)
    objs[i] = (elf_merge_object){p->results[i].obj, p->results[i].obj_size};
  char why[400];
  double t0 = cpu_clock_thread_s();
  bool ok = elf_merge_objects(objs, count, obj, size, why, sizeof why);
  if (stats)
    stats->cpu_s[AOT_STAT_MERGE] += cpu_clock_thread_s() - t0;
  if (!ok)
    snprintf(errbuf, errlen, "merging the code of %u pieces: %s", count, why);
  free(objs);
  return ok;
}

static bool create_targets(worker *workers, unsigned jobs,
                           const aot_options *opts, bool need_fast,
                           char *errbuf, size_t errlen) {
  codegen_target_options fast = opts->target;
  fast.fast_tier = true;
  for (unsigned i = 0; i < jobs; i++) {
    char *err = NULL;
    workers[i].target_ok =
        codegen_target_create(&opts->target, &workers[i].target, &err);
    if (workers[i].target_ok && !opts->target.fast_tier)
      codegen_target_use_fast_isel(&workers[i].target);
    if (workers[i].target_ok && need_fast)
      workers[i].fast_ok =
          codegen_target_create(&fast, &workers[i].fast_target, &err);
    if (!workers[i].target_ok || (need_fast && !workers[i].fast_ok)) {
      snprintf(errbuf, errlen, "%s", err ? err : "bad target");
      free(err);
      return false;
    }
  }
  return true;
}

bool codegen_parallel_object(const wasm_module *m, const aot_options *opts,
                             const codegen_plan *plan, unsigned jobs,
                             wasmaot_vmctx_layout *layout, void **obj,
                             size_t *size, char *errbuf, size_t errlen) {
  pool p = {.m = m, .opts = opts, .plan = plan};
  worker *workers = calloc(jobs, sizeof *workers);
  pthread_t *threads = calloc(jobs, sizeof *threads);
  bool *started = calloc(jobs, sizeof *started);
  char **symbols = lower_piece_symbols(m);
  p.results = calloc(plan->count, sizeof *p.results);
  p.symbols = (const char *const *)symbols;
  p.tail_cc = lower_module_needs_tailcc(m);
  bool ok = workers && threads && started && symbols && p.results;
  if (!ok)
    snprintf(errbuf, errlen, "out of memory");
  pthread_mutex_init(&p.lock, NULL);
  for (unsigned i = 0; ok && i < jobs; i++)
    workers[i].pool = &p;
  bool need_fast =
      (plan->huge_functions || plan->cold_functions) && !opts->target.fast_tier;
  ok = ok && create_targets(workers, jobs, opts, need_fast, errbuf, errlen);
  uint32_t total = m->func_count - m->import_func_count;
  aot_report(&opts->progress, AOT_PHASE_FUNCTIONS, 0, total);
  /* This thread is worker 0; the others run on their own threads (or, if
   * none can be had, not at all: worker 0 then does their share). */
  for (unsigned i = 1; ok && i < jobs; i++)
    started[i] = pthread_create(&threads[i], NULL, work, &workers[i]) == 0;
  if (ok)
    work(&workers[0]);
  for (unsigned i = 1; ok && i < jobs; i++)
    if (started[i])
      pthread_join(threads[i], NULL);
  if (ok && p.failed) {
    snprintf(errbuf, errlen, "%s", p.err);
    ok = false;
  }
  for (unsigned i = 0; workers && i < jobs && opts->stats; i++)
    for (unsigned k = 0; k < AOT_STAT_PHASES; k++)
      opts->stats->cpu_s[k] += workers[i].cpu_s[k];
  if (ok)
    ok = merge_pieces(&p, obj, size, opts->stats, errbuf, errlen);
  if (ok)
    *layout = p.results[0].layout;
  for (uint32_t i = 0; p.results && i < plan->count; i++)
    free(p.results[i].obj);
  for (unsigned i = 0; workers && i < jobs; i++) {
    if (workers[i].target_ok)
      codegen_target_dispose(&workers[i].target);
    if (workers[i].fast_ok)
      codegen_target_dispose(&workers[i].fast_target);
  }
  pthread_mutex_destroy(&p.lock);
  free(p.results);
  free(workers);
  free(threads);
  free(started);
  lower_free_piece_symbols(m, symbols);
  return ok;
}
