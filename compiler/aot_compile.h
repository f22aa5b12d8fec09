/* Compiling a WebAssembly module to a wasmaot artifact (an ELF shared
 * object), entirely in memory. */
#ifndef WASMAOT_AOT_COMPILE_H
#define WASMAOT_AOT_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target_options.h"

/* The compiler's phases, reported in this order. */
typedef enum aot_phase {
  AOT_PHASE_LOWER,    /* done of total defined functions lowered to IR */
  AOT_PHASE_OPTIMIZE, /* LLVM's pass pipeline: 0 of 1, then 1 of 1 */
  AOT_PHASE_CODEGEN,  /* machine code: 0 of 1, then 1 of 1 */
  AOT_PHASE_LINK,     /* our linker: 0 of 1, then 1 of 1 */
} aot_phase;

/* A progress display: report() is called on the compiling thread at the
 * start and end of each phase and after each function lowered. */
typedef struct aot_progress {
  void (*report)(void *ctx, aot_phase phase, uint32_t done, uint32_t total);
  void *ctx;
} aot_progress;

typedef struct aot_options {
  codegen_target_options target;
  bool verify_ir;        /* run LLVM's IR verifier before optimising */
  aot_progress progress; /* report may be NULL */
  unsigned jobs; /* code generation threads; 0: see codegen_parallel_jobs */
  unsigned max_auto_jobs; /* cap on the automatic choice (0: none), for
                             callers compiling several things at once */
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
