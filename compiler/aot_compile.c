/* The compiler pipeline: .wasm bytes in, artifact bytes out.
 *
 *   decode → validate → lower (LLVM IR) → optimise → object → link (ET_DYN)
 *   → checksum
 *
 * No external tool runs at any step: LLVM writes the object into memory
 * and our own linker turns it into the shared object. */
#include "aot_compile.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>

#include "artifact_checksum.h"
#include "artifact_section.h"
#include "artifact_write.h"
#include "baseline.h"
#include "codegen_estimate.h"
#include "codegen_parallel.h"
#include "codegen_plan.h"
#include "cpu_clock.h"
#include "elf_link.h"
#include "lower_module.h"

static bool fail(char *errbuf, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(errbuf, errlen, fmt, ap);
  va_end(ap);
  return false;
}

static bool seal_checksum(uint8_t *image, size_t size, char *errbuf,
                          size_t errlen) {
  size_t meta, meta_size;
  if (!artifact_find_section(image, size, WASMAOT_META_SECTION, &meta,
                             &meta_size) ||
      meta_size < sizeof(wasmaot_meta_header))
    return fail(errbuf, errlen, "linked artifact has no metadata section");
  size_t field = meta + offsetof(wasmaot_meta_header, file_checksum);
  uint64_t sum = artifact_checksum(image, size, field);
  memcpy(image + field, &sum, sizeof sum);
  return true;
}

static bool emit_object(LLVMModuleRef llmod, const codegen_target *target,
                        const aot_progress *progress, void **obj,
                        size_t *obj_size, char *errbuf, size_t errlen) {
  char *err = NULL;
  aot_report(progress, AOT_PHASE_CODEGEN, 0, 1);
  bool emitted = codegen_emit_object(target, llmod, obj, obj_size, &err);
  aot_report(progress, AOT_PHASE_CODEGEN, 1, 1);
  if (!emitted) {
    fail(errbuf, errlen, "%s", err ? err : "code generation failed");
    free(err);
  }
  return emitted;
}

/* Links the object (freed here) into the artifact. */
static bool link_artifact(const wasm_module *m, void *obj, size_t obj_size,
                          const bytebuf *metadata, const bytebuf *data_image,
                          const aot_progress *progress, aot_stats *stats,
                          aot_output *out, char *errbuf, size_t errlen) {
  static const char *const exported[] = {WASMAOT_SYM_FUNC_TABLE,
                                         WASMAOT_SYM_TRAMP_TABLE};
  elf_link_extra_section extra[2] = {{.name = WASMAOT_META_SECTION,
                                      .data = metadata->data,
                                      .size = metadata->len,
                                      .align = 16,
                                      .symbol = WASMAOT_SYM_METADATA},
                                     {.name = WASMAOT_DATA_SECTION,
                                      .data = data_image->data,
                                      .size = data_image->len,
                                      .align = WASMAOT_DATA_PAGE,
                                      .symbol = WASMAOT_SYM_DATA_IMAGE}};
  elf_link_input in = {.object = obj,
                       .object_size = obj_size,
                       .extra = extra,
                       .extra_count = data_image->len ? 2 : 1,
                       .exported_symbols = exported,
                       .exported_count = 2,
                       /* Only code with landing pads is ever unwound. */
                       .eh_frame_symbol =
                           m->has_exception_code ? WASMAOT_SYM_EH_FRAME : NULL};
  void *so = NULL;
  size_t so_size = 0;
  aot_report(progress, AOT_PHASE_LINK, 0, 1);
  double t0 = cpu_clock_thread_s();
  bool ok = elf_link_shared_object(&in, &so, &so_size, errbuf, errlen);
  free(obj);
  if (ok && !seal_checksum(so, so_size, errbuf, errlen)) {
    free(so);
    ok = false;
  }
  if (ok) {
    out->data = so;
    out->size = so_size;
    aot_report(progress, AOT_PHASE_LINK, 1, 1);
  }
  if (stats)
    stats->cpu_s[AOT_STAT_LINK] += cpu_clock_thread_s() - t0;
  return ok;
}

static bool verify_ir(LLVMModuleRef llmod, char *errbuf, size_t errlen) {
  char *msg = NULL;
  if (!LLVMVerifyModule(llmod, LLVMReturnStatusAction, &msg)) {
    LLVMDisposeMessage(msg);
    return true;
  }
  fail(errbuf, errlen, "internal error: invalid LLVM IR: %.400s",
       msg ? msg : "?");
  LLVMDisposeMessage(msg);
  return false;
}

static void add_stat(aot_stats *stats, aot_stat_phase phase, double since) {
  if (stats)
    stats->cpu_s[phase] += cpu_clock_thread_s() - since;
}

/* The code of the whole module as one LLVM module: one object. */
static bool compile_whole(const wasm_module *m, const aot_options *opts,
                          const codegen_target *target,
                          wasmaot_vmctx_layout *layout, void **obj,
                          size_t *obj_size, char *errbuf, size_t errlen) {
  aot_stats *stats = opts->stats;
  double t = cpu_clock_thread_s();
  LLVMContextRef llctx = LLVMContextCreate();
  wasm_error werr = {0};
  char *err = NULL;
  bool ok = true;
  const aot_progress *progress = &opts->progress;
  LLVMModuleRef llmod = lower_module(m, target, llctx, layout, progress, &werr);
  if (!llmod)
    ok = fail(errbuf, errlen, "0x%zx: %s", werr.offset, werr.message);
  if (ok && opts->verify_ir)
    ok = verify_ir(llmod, errbuf, errlen);
  add_stat(stats, AOT_STAT_LOWER, t);
  t = cpu_clock_thread_s();
  if (ok) {
    aot_report(progress, AOT_PHASE_OPTIMIZE, 0, 1);
    codegen_pipeline pipeline =
        target->fast_tier ? CODEGEN_PIPELINE_MINIMAL : CODEGEN_PIPELINE_MODULE;
    if (!codegen_optimize(target, llmod, pipeline, &err)) {
      ok = fail(errbuf, errlen, "%s", err ? err : "optimisation failed");
      free(err);
    }
    aot_report(progress, AOT_PHASE_OPTIMIZE, 1, 1);
  }
  add_stat(stats, AOT_STAT_OPTIMIZE, t);
  t = cpu_clock_thread_s();
  if (ok)
    ok = emit_object(llmod, target, progress, obj, obj_size, errbuf, errlen);
  if (llmod)
    LLVMDisposeModule(llmod);
  LLVMContextDispose(llctx);
  add_stat(stats, AOT_STAT_CODEGEN, t);
  return ok;
}

/* Per defined function, whether the baseline generator may take it: in
 * the fast tier, and for the functions a profile finds cold (code that
 * ran less than 0.01 % of the time needs no more than the fast tier's),
 * unless told otherwise. NULL for none (or out of memory: then LLVM
 * takes them all). */
static bool *baseline_functions(const wasm_module *m, const aot_options *opts,
                                const codegen_target *target, bool counted) {
  if (!(target->fast_tier || counted) || opts->llvm_only ||
      !baseline_module_eligible(m, target, lower_module_needs_tailcc(m)))
    return NULL;
  uint32_t defined = m->func_count - m->import_func_count;
  bool *b = calloc(defined ? defined : 1, sizeof *b);
  for (uint32_t i = 0; b && i < defined; i++)
    b[i] = baseline_function_supported(m, target, m->import_func_count + i);
  return b;
}

/* Without a profile, a module with more code than the budget has only the
 * part codegen_estimate.h ranks highest optimised: *counts is that
 * choice, or NULL for all. False when out of memory. */
static bool estimate_counts(const wasm_module *m, const aot_options *opts,
                            uint64_t **counts) {
  uint64_t budget = opts->estimate_budget ? opts->estimate_budget
                                          : CODEGEN_ESTIMATE_BUDGET_BYTES;
  *counts = NULL;
  if (!opts->estimate_budget && codegen_code_bytes(m) <= budget)
    return true;
  return codegen_estimate_hot(m, budget, counts);
}

static bool compile_validated(const wasm_module *m, const aot_options *opts,
                              aot_output *out, char *errbuf, size_t errlen) {
  codegen_target target;
  char *err = NULL;
  if (!codegen_target_create(&opts->target, &target, &err)) {
    fail(errbuf, errlen, "%s", err ? err : "bad target");
    free(err);
    return false;
  }
  wasmaot_vmctx_layout layout;
  wasm_error werr = {0};
  bytebuf metadata = {0}, data_image = {0};
  void *obj = NULL;
  size_t obj_size = 0;
  uint32_t defined = m->func_count - m->import_func_count;
  if (opts->profile && opts->profile_count != defined) {
    codegen_target_dispose(&target);
    return fail(errbuf, errlen,
                "the profile counts %u functions, the module defines %u: it "
                "is another module's",
                opts->profile_count, defined);
  }
  uint64_t *estimate = NULL;
  const uint64_t *counts = opts->target.fast_tier ? NULL : opts->profile;
  if (!counts && !opts->target.fast_tier && !opts->optimize_all &&
      !estimate_counts(m, opts, &estimate)) {
    codegen_target_dispose(&target);
    return fail(errbuf, errlen, "out of memory");
  }
  bool estimated = estimate != NULL;
  if (estimated)
    counts = estimate;
  codegen_plan plan;
  bool *baseline = baseline_functions(m, opts, &target, counts != NULL);
  bool planned = codegen_plan_make(m, opts->piece_bytes, opts->target.fast_tier,
                                   counts, baseline, &plan);
  free(baseline);
  free(estimate);
  if (!planned) {
    codegen_target_dispose(&target);
    return fail(errbuf, errlen, "out of memory");
  }
  uint32_t tier = opts->target.fast_tier ? WASMAOT_TIER_FAST
                  : !plan.cold_functions ? WASMAOT_TIER_OPTIMIZED
                  : estimated            ? WASMAOT_TIER_ESTIMATED
                                         : WASMAOT_TIER_PROFILED;
  unsigned jobs = codegen_parallel_jobs(&plan, opts->jobs, opts->max_auto_jobs);
  if (opts->stats) {
    opts->stats->functions = m->func_count - m->import_func_count;
    opts->stats->pieces = plan.whole ? 1 : plan.count;
    opts->stats->huge_functions = plan.huge_functions;
    opts->stats->cold_functions = plan.cold_functions;
    opts->stats->estimated = estimated;
    opts->stats->baseline_functions = plan.baseline_functions;
    opts->stats->threads = jobs;
    opts->stats->code_bytes = plan.code_bytes;
  }
  bool ok = plan.whole
                ? compile_whole(m, opts, &target, &layout, &obj, &obj_size,
                                errbuf, errlen)
                : codegen_parallel_object(m, opts, &plan, jobs, &layout, &obj,
                                          &obj_size, errbuf, errlen);
  codegen_plan_free(&plan);
  double t = cpu_clock_thread_s();
  if (ok && !artifact_write_metadata(m, &target, tier, &layout, &metadata,
                                     &data_image, &werr))
    ok = fail(errbuf, errlen, "%s", werr.message);
  add_stat(opts->stats, AOT_STAT_LINK, t);
  if (ok) {
    ok = link_artifact(m, obj, obj_size, &metadata, &data_image,
                       &opts->progress, opts->stats, out, errbuf, errlen);
    obj = NULL;
  }
  free(obj);
  bytebuf_free(&metadata);
  bytebuf_free(&data_image);
  codegen_target_dispose(&target);
  return ok;
}

bool aot_compile(const uint8_t *wasm, size_t size, const aot_options *opts,
                 aot_output *out, char *errbuf, size_t errlen) {
  memset(out, 0, sizeof *out);
  wasm_error werr = {0};
  double t = cpu_clock_thread_s();
  wasm_module *m = wasm_module_decode_features(
      wasm, size, WASM_FEATURES_DEFAULT & ~opts->disabled_features, &werr);
  add_stat(opts->stats, AOT_STAT_DECODE, t);
  t = cpu_clock_thread_s();
  bool valid = m && wasm_module_validate(m, &werr);
  add_stat(opts->stats, AOT_STAT_VALIDATE, t);
  if (!valid) {
    wasm_module_free(m);
    return fail(errbuf, errlen, "0x%zx: %s", werr.offset, werr.message);
  }
  bool ok = compile_validated(m, opts, out, errbuf, errlen);
  wasm_module_free(m);
  return ok;
}
