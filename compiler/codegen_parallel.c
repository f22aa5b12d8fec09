/* Parallel code generation (see codegen_parallel.h). Nothing LLVM owns is
 * shared between threads: every piece has its own context, module and
 * target machine; the target machines are created on the calling thread
 * before any worker starts. */
#include "codegen_parallel.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>

#include "codegen_target.h"
#include "elf_merge.h"
#include "lower_module.h"

#define MAX_AUTO_JOBS 8u
/* Below this much function body per piece, automatic splitting is not
 * worth a thread (and most modules, e.g. the spec tests, stay whole). */
#define MIN_AUTO_PIECE_BYTES (64u * 1024u)

typedef struct piece {
  const wasm_module *m;
  bool verify_ir;
  lower_partition part;
  codegen_target target;
  bool target_ok;
  wasmaot_vmctx_layout layout;
  void *obj;
  size_t obj_size;
  bool ok;
  char err[512];
} piece;

static uint64_t body_weight(const wasm_module *m, uint32_t defined_index) {
  const wasm_func *f = &m->funcs[defined_index];
  /* Every function costs something (prologue, trap blocks) besides its
   * bytes. */
  return (uint64_t)(f->code_end - f->body_offset) + 32;
}

static unsigned env_jobs(void) {
  const char *s = getenv("WASMAOT_JOBS");
  if (!s || !*s)
    return 0;
  char *end;
  unsigned long v = strtoul(s, &end, 10);
  return *end || v > 256 ? 0 : (unsigned)v;
}

unsigned codegen_parallel_jobs(const wasm_module *m, unsigned requested,
                               unsigned cap) {
  uint32_t defined = m->func_count - m->import_func_count;
  unsigned jobs = requested ? requested : env_jobs();
  if (!jobs) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    jobs = cpus < 1 ? 1u : (unsigned)cpus;
    if (jobs > MAX_AUTO_JOBS)
      jobs = MAX_AUTO_JOBS;
    if (cap && jobs > cap)
      jobs = cap;
    uint64_t total = 0;
    for (uint32_t i = 0; i < defined; i++)
      total += body_weight(m, i);
    uint64_t worth = total / MIN_AUTO_PIECE_BYTES;
    if (worth < jobs)
      jobs = worth ? (unsigned)worth : 1u;
  }
  if (jobs > defined)
    jobs = defined;
  return jobs ? jobs : 1u;
}

/* Contiguous ranges of about equal weight, none empty. */
static void split(const wasm_module *m, piece *pieces, unsigned jobs,
                  const char *const *symbols) {
  uint32_t first = m->import_func_count;
  uint32_t defined = m->func_count - first;
  uint64_t total = 0;
  for (uint32_t i = 0; i < defined; i++)
    total += body_weight(m, i);
  uint64_t acc = 0;
  uint32_t next = 0;
  for (unsigned p = 0; p < jobs; p++) {
    uint32_t start = next;
    uint64_t goal = total / jobs * (p + 1);
    /* Leave at least one function for each later piece. */
    uint32_t last_end = defined - (jobs - 1 - p);
    next++;
    acc += body_weight(m, start);
    while (next < last_end && (p == jobs - 1 || acc < goal)) {
      acc += body_weight(m, next);
      next++;
    }
    pieces[p].part = (lower_partition){.first = first + start,
                                       .end = first + next,
                                       .tables = p == 0,
                                       .symbols = symbols};
  }
}

static bool piece_fail(piece *pc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(pc->err, sizeof pc->err, fmt, ap);
  va_end(ap);
  return false;
}

static bool compile_piece(piece *pc) {
  LLVMContextRef llctx = LLVMContextCreate();
  wasm_error werr = {0};
  LLVMModuleRef mod = lower_module_part(pc->m, &pc->target, llctx, &pc->part,
                                        &pc->layout, NULL, &werr);
  bool ok = mod != NULL;
  if (!ok)
    piece_fail(pc, "0x%zx: %s", werr.offset, werr.message);
  char *msg = NULL;
  if (ok && pc->verify_ir &&
      LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg))
    ok = piece_fail(pc, "internal error: invalid LLVM IR: %.400s",
                    msg ? msg : "?");
  LLVMDisposeMessage(msg);
  char *err = NULL;
  if (ok && !codegen_optimize(&pc->target, mod, &err))
    ok = piece_fail(pc, "%s", err ? err : "optimisation failed");
  if (ok &&
      !codegen_emit_object(&pc->target, mod, &pc->obj, &pc->obj_size, &err))
    ok = piece_fail(pc, "%s", err ? err : "code generation failed");
  free(err);
  if (mod)
    LLVMDisposeModule(mod);
  LLVMContextDispose(llctx);
  return ok;
}

static void *piece_thread(void *arg) {
  piece *pc = arg;
  pc->ok = compile_piece(pc);
  return NULL;
}

static bool merge_pieces(piece *pieces, unsigned jobs, void **obj, size_t *size,
                         char *errbuf, size_t errlen) {
  elf_merge_object *objs = calloc(jobs, sizeof *objs);
  if (!objs) {
    snprintf(errbuf, errlen, "out of memory");
    return false;
  }
  for (unsigned p = 0; p < jobs; p++)
    objs[p] = (elf_merge_object){pieces[p].obj, pieces[p].obj_size};
  char why[400];
  bool ok = elf_merge_objects(objs, jobs, obj, size, why, sizeof why);
  if (!ok)
    snprintf(errbuf, errlen, "merging the code of %u pieces: %s", jobs, why);
  free(objs);
  return ok;
}

bool codegen_parallel_object(const wasm_module *m, const aot_options *opts,
                             unsigned jobs, wasmaot_vmctx_layout *layout,
                             void **obj, size_t *size, char *errbuf,
                             size_t errlen) {
  piece *pieces = calloc(jobs, sizeof *pieces);
  pthread_t *threads = calloc(jobs, sizeof *threads);
  bool *started = calloc(jobs, sizeof *started);
  char **symbols = lower_piece_symbols(m);
  if (!pieces || !threads || !started || !symbols) {
    free(pieces);
    free(threads);
    free(started);
    lower_free_piece_symbols(m, symbols);
    snprintf(errbuf, errlen, "out of memory");
    return false;
  }
  split(m, pieces, jobs, (const char *const *)symbols);
  bool ok = true;
  for (unsigned p = 0; p < jobs; p++) {
    char *err = NULL;
    pieces[p].m = m;
    pieces[p].verify_ir = opts->verify_ir;
    pieces[p].target_ok =
        codegen_target_create(&opts->target, &pieces[p].target, &err);
    if (!pieces[p].target_ok && ok) {
      snprintf(errbuf, errlen, "%s", err ? err : "bad target");
      ok = false;
    }
    free(err);
  }
  const aot_progress *progress = &opts->progress;
  uint32_t defined = m->func_count - m->import_func_count;
  aot_report(progress, AOT_PHASE_LOWER, 0, defined);
  /* Piece 0 runs on this thread, the others on their own. */
  for (unsigned p = 1; ok && p < jobs; p++)
    started[p] =
        pthread_create(&threads[p], NULL, piece_thread, &pieces[p]) == 0;
  if (ok)
    pieces[0].ok = compile_piece(&pieces[0]);
  for (unsigned p = 1; p < jobs; p++) {
    if (started[p])
      pthread_join(threads[p], NULL);
    else if (ok) /* no thread to be had: do it here */
      pieces[p].ok = compile_piece(&pieces[p]);
  }
  aot_report(progress, AOT_PHASE_LOWER, defined, defined);
  aot_report(progress, AOT_PHASE_OPTIMIZE, 0, 1);
  aot_report(progress, AOT_PHASE_OPTIMIZE, 1, 1);
  aot_report(progress, AOT_PHASE_CODEGEN, 0, 1);
  for (unsigned p = 0; ok && p < jobs; p++)
    if (!pieces[p].ok) {
      snprintf(errbuf, errlen, "%s", pieces[p].err);
      ok = false;
    }
  if (ok)
    ok = merge_pieces(pieces, jobs, obj, size, errbuf, errlen);
  if (ok) {
    *layout = pieces[0].layout;
    aot_report(progress, AOT_PHASE_CODEGEN, 1, 1);
  }
  for (unsigned p = 0; p < jobs; p++) {
    free(pieces[p].obj);
    if (pieces[p].target_ok)
      codegen_target_dispose(&pieces[p].target);
  }
  free(pieces);
  free(threads);
  free(started);
  lower_free_piece_symbols(m, symbols);
  return ok;
}
