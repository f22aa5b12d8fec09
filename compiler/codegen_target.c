#include "codegen_target.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/Transforms/PassBuilder.h>

static char *format_error(const char *what, const char *detail) {
  size_t n = strlen(what) + strlen(detail) + 3;
  char *s = malloc(n);
  if (s)
    snprintf(s, n, "%s: %s", what, detail);
  return s;
}

/* WASMAOT_LLVM_ARGS="-time-passes ..." hands options to LLVM itself, to
 * find out where a compile's time goes (docs/benchmarks.md). LLVM's
 * options are process-wide: parsed once. */
static void parse_llvm_args(void) {
  const char *env = getenv("WASMAOT_LLVM_ARGS");
  char *copy = env && *env ? strdup(env) : NULL;
  if (!copy)
    return;
  const char *argv[64] = {"wasmaot"};
  int argc = 1;
  for (char *save = NULL, *t = strtok_r(copy, " ", &save); t && argc < 64;
       t = strtok_r(NULL, " ", &save))
    argv[argc++] = t;
  LLVMParseCommandLineOptions(argc, argv, "WASMAOT_LLVM_ARGS");
  /* copy stays: LLVM keeps pointers into argv. The code generator's
   * (legacy pass manager's) -time-passes report is printed only when
   * LLVM shuts down. */
  atexit(LLVMShutdown);
}

static void initialize_llvm_targets(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, parse_llvm_args);
  /* Idempotent inside LLVM; cheap enough to call per compilation. */
  LLVMInitializeX86TargetInfo();
  LLVMInitializeX86Target();
  LLVMInitializeX86TargetMC();
  LLVMInitializeX86AsmPrinter();
  LLVMInitializeAArch64TargetInfo();
  LLVMInitializeAArch64Target();
  LLVMInitializeAArch64TargetMC();
  LLVMInitializeAArch64AsmPrinter();
}

static bool triple_is_host_arch(const char *triple) {
  char *host = LLVMGetDefaultTargetTriple();
  size_t arch_len = strcspn(host, "-");
  bool same = strncmp(host, triple, arch_len) == 0 && triple[arch_len] == '-';
  LLVMDisposeMessage(host);
  return same;
}

static bool triple_is_aarch64(const char *triple) {
  return strncmp(triple, "aarch64", 7) == 0 || strncmp(triple, "arm64", 5) == 0;
}

/* A CPU every machine of the architecture has, for a foreign target:
 * x86-64-v2 includes SSE4.1, so float rounding needs no libcalls. */
static const char *portable_cpu(const char *triple) {
  return strncmp(triple, "x86_64", 6) == 0 ? "x86-64-v2" : "generic";
}

/* Features the portable CPU's code may use, written out so the artifact
 * states them and the loader checks them: every AArch64 Linux machine
 * has FP and Advanced SIMD (NEON), which Wasm's floats and v128 lower to.
 * x86-64-v2 names its features itself. */
static const char *portable_features(const char *triple) {
  return triple_is_aarch64(triple) ? "+fp-armv8,+neon" : "";
}

static char *join_features(const char *base, const char *extra) {
  if (!extra || !*extra)
    return strdup(base);
  size_t n = strlen(base) + strlen(extra) + 2;
  char *s = malloc(n);
  if (s)
    snprintf(s, n, "%s%s%s", base, *base ? "," : "", extra);
  return s;
}

/* `--target aarch64`: a bare architecture means Linux with glibc, the
 * only system the loader runs on. Returns an LLVM message. */
static char *normalize_triple(const char *triple) {
  if (strchr(triple, '-'))
    return LLVMNormalizeTargetTriple(triple);
  size_t n = strlen(triple) + sizeof "-unknown-linux-gnu";
  char *full = malloc(n);
  if (!full)
    return LLVMNormalizeTargetTriple(triple);
  snprintf(full, n, "%s-unknown-linux-gnu", triple);
  char *normalized = LLVMNormalizeTargetTriple(full);
  free(full);
  return normalized;
}

bool codegen_target_create(const codegen_target_options *opts,
                           codegen_target *out, char **err) {
  memset(out, 0, sizeof *out);
  initialize_llvm_targets();

  char *triple = opts->triple ? normalize_triple(opts->triple)
                              : LLVMGetDefaultTargetTriple();
  LLVMTargetRef target;
  char *msg = NULL;
  if (LLVMGetTargetFromTriple(triple, &target, &msg)) {
    *err = format_error(triple, msg);
    LLVMDisposeMessage(msg);
    LLVMDisposeMessage(triple);
    return false;
  }

  bool native = triple_is_host_arch(triple);
  char *cpu = NULL, *base_features = NULL;
  if (opts->cpu) {
    cpu = strdup(opts->cpu);
    base_features = strdup("");
  } else if (native) {
    char *c = LLVMGetHostCPUName(), *f = LLVMGetHostCPUFeatures();
    cpu = strdup(c);
    base_features = strdup(f);
    LLVMDisposeMessage(c);
    LLVMDisposeMessage(f);
  } else {
    cpu = strdup(portable_cpu(triple));
    base_features = strdup(portable_features(triple));
  }
  char *features =
      join_features(base_features ? base_features : "", opts->features);
  free(base_features);

  static const LLVMCodeGenOptLevel levels[] = {
      LLVMCodeGenLevelNone, LLVMCodeGenLevelLess, LLVMCodeGenLevelDefault,
      LLVMCodeGenLevelAggressive};
  unsigned level = opts->opt_level > 3 ? 3 : opts->opt_level;
  /* At None, LLVM selects instructions with FastISel and allocates
   * registers with its fast allocator. */
  out->machine = LLVMCreateTargetMachine(target, triple, cpu, features,
                                         opts->fast_tier ? LLVMCodeGenLevelNone
                                                         : levels[level],
                                         LLVMRelocPIC, LLVMCodeModelSmall);
  out->triple = strdup(triple);
  LLVMDisposeMessage(triple);
  out->cpu = cpu;
  out->features = features;
  out->opt_level = level;
  out->frame_pointers = opts->frame_pointers;
  out->fast_tier = opts->fast_tier;
  out->count_entries = opts->count_entries;
  if (!out->machine || !out->triple || !cpu || !features) {
    *err = format_error("cannot create target machine",
                        out->triple ? out->triple : "?");
    codegen_target_dispose(out);
    return false;
  }
  return true;
}

void codegen_target_use_fast_isel(codegen_target *t) {
  LLVMSetTargetMachineFastISel(t->machine, true);
}

void codegen_target_dispose(codegen_target *t) {
  if (t->machine)
    LLVMDisposeTargetMachine(t->machine);
  free(t->triple);
  free(t->cpu);
  free(t->features);
  memset(t, 0, sizeof *t);
}

/* The function passes of a large module's pieces. default<O2> on a large
 * module spends most of its time in the inliner, the loop vectoriser and
 * repeated rounds of simplification, whose cost grows faster than the
 * module (docs/benchmarks.md, Compile speed). This list keeps what makes
 * Wasm code fast, once each: locals to registers (sroa), redundant loads
 * of vmctx fields and of the memory base removed (early-cse, gvn), loop
 * invariants hoisted out of rotated loops (licm), small loops unrolled
 * (matmul: 1.6x slower without), constants propagated, and straight-line
 * vector code combined (slp-vectorizer: the SIMD benchmark's blur is 4x
 * slower without it). On the benchmark programs compiled this way, one
 * function per piece (no inlining at all), the code is as fast as
 * default<O2>'s within noise. */
static const char function_pipeline[] =
    "function(sroa,early-cse<memssa>,simplifycfg,"
    "instcombine<no-verify-fixpoint>,loop-mssa(licm,loop-rotate,licm),"
    "loop(indvars),loop-unroll<O2>,sroa,gvn,sccp,"
    "instcombine<no-verify-fixpoint>,simplifycfg,slp-vectorizer,"
    "instcombine<no-verify-fixpoint>)";

bool codegen_optimize(const codegen_target *t, LLVMModuleRef module,
                      codegen_pipeline which, char **err) {
  char pipeline[32];
  snprintf(pipeline, sizeof pipeline, "default<O%u>", t->opt_level);
  const char *passes = which == CODEGEN_PIPELINE_MODULE ? pipeline
                       : which == CODEGEN_PIPELINE_FUNCTION
                           ? function_pipeline
                           : "function(mem2reg)";
  LLVMPassBuilderOptionsRef opts = LLVMCreatePassBuilderOptions();
  bool vectorise = which != CODEGEN_PIPELINE_MINIMAL && t->opt_level >= 2;
  LLVMPassBuilderOptionsSetLoopVectorization(opts, vectorise);
  LLVMPassBuilderOptionsSetSLPVectorization(opts, vectorise);
  LLVMErrorRef e = LLVMRunPasses(module, passes, t->machine, opts);
  LLVMDisposePassBuilderOptions(opts);
  if (e) {
    char *msg = LLVMGetErrorMessage(e);
    *err = format_error("optimisation failed", msg);
    LLVMDisposeErrorMessage(msg);
    return false;
  }
  return true;
}

void codegen_configure_module(const codegen_target *t, LLVMModuleRef module) {
  LLVMSetTarget(module, t->triple);
  LLVMTargetDataRef layout = LLVMCreateTargetDataLayout(t->machine);
  char *layout_str = LLVMCopyStringRepOfTargetData(layout);
  LLVMSetDataLayout(module, layout_str);
  LLVMDisposeMessage(layout_str);
  LLVMDisposeTargetData(layout);
}

bool codegen_emit_object(const codegen_target *t, LLVMModuleRef module,
                         void **obj, size_t *size, char **err) {
  LLVMMemoryBufferRef buf;
  char *msg = NULL;
  if (LLVMTargetMachineEmitToMemoryBuffer(t->machine, module, LLVMObjectFile,
                                          &msg, &buf)) {
    *err = format_error("code generation failed", msg ? msg : "?");
    LLVMDisposeMessage(msg);
    return false;
  }
  *size = LLVMGetBufferSize(buf);
  *obj = malloc(*size ? *size : 1);
  if (*obj)
    memcpy(*obj, LLVMGetBufferStart(buf), *size);
  LLVMDisposeMemoryBuffer(buf);
  if (!*obj) {
    *err = strdup("out of memory");
    return false;
  }
  return true;
}
