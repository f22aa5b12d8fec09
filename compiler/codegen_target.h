/* The LLVM target side of compilation: which machine we generate code
 * for, the optimisation pipeline, and emitting a relocatable object into
 * memory. Knows nothing about WebAssembly. */
#ifndef WASMAOT_CODEGEN_TARGET_H
#define WASMAOT_CODEGEN_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include <llvm-c/TargetMachine.h>

#include "target_options.h"

typedef struct codegen_target {
  LLVMTargetMachineRef machine;
  char *triple;   /* normalised, malloc'ed */
  char *cpu;      /* malloc'ed */
  char *features; /* full feature string the code may use, malloc'ed */
  unsigned opt_level;
  bool frame_pointers;
  bool fast_tier;     /* the machine generates code at LLVM's -O0 */
  bool count_entries; /* as codegen_target_options says */
} codegen_target;

/* Which pass pipeline a module gets (codegen_optimize). */
typedef enum codegen_pipeline {
  /* `default<On>`: the whole of a small module, inlining across it. */
  CODEGEN_PIPELINE_MODULE,
  /* A piece of a large module: a fixed list of function passes chosen by
   * hand, whose cost grows with the piece's size and nothing else (no
   * inliner, no vectorisers, no loop unrolling). */
  CODEGEN_PIPELINE_FUNCTION,
  /* Locals to SSA registers and nothing else: the fast tier, and huge
   * functions in the optimised tier. */
  CODEGEN_PIPELINE_MINIMAL,
} codegen_pipeline;

/* Sets up LLVM's targets once per process and creates a machine. On
 * failure returns false with a malloc'ed message in *err. */
bool codegen_target_create(const codegen_target_options *opts,
                           codegen_target *out, char **err);
void codegen_target_dispose(codegen_target *t);

/* Selects instructions with FastISel (falling back to SelectionDAG where
 * it cannot) while the rest of code generation stays at the machine's
 * level: for the pieces of a large module, where instruction selection
 * is the largest part of the compile (docs/benchmarks.md). */
void codegen_target_use_fast_isel(codegen_target *t);

/* Gives a fresh module the target's triple and data layout; do this
 * before generating IR so sizes and alignments are the target's. */
void codegen_configure_module(const codegen_target *t, LLVMModuleRef module);

/* Runs the pipeline on the module. */
bool codegen_optimize(const codegen_target *t, LLVMModuleRef module,
                      codegen_pipeline pipeline, char **err);

/* Emits an ELF relocatable object; *obj is malloc'ed. */
bool codegen_emit_object(const codegen_target *t, LLVMModuleRef module,
                         void **obj, size_t *size, char **err);

#endif
