/* Compiling a WebAssembly module to a wasmaot artifact (an ELF shared
 * object), entirely in memory. */
#ifndef WASMAOT_AOT_COMPILE_H
#define WASMAOT_AOT_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target_options.h"

/* The compiler's phases, reported in this order. A module compiled whole
 * reports LOWER, OPTIMIZE, CODEGEN, LINK; one compiled in pieces
 * (codegen_plan.h) reports FUNCTIONS, then LINK. */
typedef enum aot_phase {
  AOT_PHASE_LOWER,     /* done of total defined functions lowered to IR */
  AOT_PHASE_OPTIMIZE,  /* LLVM's pass pipeline: 0 of 1, then 1 of 1 */
  AOT_PHASE_CODEGEN,   /* machine code: 0 of 1, then 1 of 1 */
  AOT_PHASE_LINK,      /* our linker: 0 of 1, then 1 of 1 */
  AOT_PHASE_FUNCTIONS, /* done of total defined functions through all of
                          lowering, optimisation and code generation */
} aot_phase;

/* A progress display: report() is called at the start and end of each
 * phase and after each function lowered or piece generated, from one
 * compiling thread at a time (pieces report under a lock). */
typedef struct aot_progress {
  void (*report)(void *ctx, aot_phase phase, uint32_t done, uint32_t total);
  void *ctx;
} aot_progress;

/* Where a compile's time went, for `aot-compile --stats`: CPU seconds of
 * every thread per phase (the phases of the pieces compiled in parallel
 * add up), so they sum to about the process's CPU time, not its wall
 * time. */
typedef enum aot_stat_phase {
  AOT_STAT_DECODE,   /* bytes to wasm_module, with every body's syntax */
  AOT_STAT_VALIDATE, /* the spec's type checking */
  AOT_STAT_LOWER,    /* LLVM IR building */
  AOT_STAT_OPTIMIZE, /* LLVM's pass pipeline */
  AOT_STAT_CODEGEN,  /* instruction selection, register allocation, ... to
                        an object in memory */
  AOT_STAT_MERGE,    /* joining the pieces' objects (elf_merge.h) */
  AOT_STAT_LINK,     /* our linker, metadata and checksum */
  AOT_STAT_PHASES
} aot_stat_phase;

typedef struct aot_stats {
  double cpu_s[AOT_STAT_PHASES];
  uint32_t functions;      /* defined functions */
  uint32_t pieces;         /* LLVM modules the code was generated in */
  uint32_t huge_functions; /* generated with the fast tier's pipeline */
  uint32_t cold_functions; /* the same, because the profile says so */
  unsigned threads;        /* code generation threads used */
  uint64_t code_bytes;     /* bytes of function bodies in the .wasm */
} aot_stats;

typedef struct aot_options {
  codegen_target_options target;
  bool verify_ir;        /* run LLVM's IR verifier before optimising */
  aot_progress progress; /* report may be NULL */
  unsigned jobs; /* code generation threads; 0: see codegen_parallel_jobs */
  unsigned max_auto_jobs; /* cap on the automatic choice (0: none), for
                             callers compiling several things at once */
  uint32_t piece_bytes;   /* function bytes per piece of a large module; 0:
                             the default (codegen_plan.h). Changes the code,
                             never the behaviour: for tests */
  aot_stats *stats;       /* filled if not NULL */
  /* wasm_features.h bits the decoder refuses (aot-compile
   * --wasm-features=-threads); 0, every feature on, is the default. */
  uint32_t disabled_features;
  /* A profile: profile_count counts, one per defined function, from code
   * compiled with target.count_entries (wasmaot_vmctx_layout's
   * entry_counts). With one, a module compiled in pieces has only the
   * functions that ran hot optimised (codegen_plan.h); NULL: all are. */
  const uint64_t *profile;
  uint32_t profile_count;
} aot_options;

/* Calls p->report if there is one. */
static inline void aot_report(const aot_progress *p, aot_phase phase,
                              uint32_t done, uint32_t total) {
  if (p && p->report)
    p->report(p->ctx, phase, done, total);
}

typedef struct aot_output {
  void *data; /* malloc'ed artifact bytes */
  size_t size;
} aot_output;

/* Decodes, validates and compiles `wasm`. On failure returns false with a
 * one-line message (with the byte offset for module errors) in errbuf. */
bool aot_compile(const uint8_t *wasm, size_t size, const aot_options *opts,
                 aot_output *out, char *errbuf, size_t errlen);

#endif
