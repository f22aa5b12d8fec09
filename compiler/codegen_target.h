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
} codegen_target;

/* Sets up LLVM's targets once per process and creates a machine. On
 * failure returns false with a malloc'ed message in *err. */
bool codegen_target_create(const codegen_target_options *opts,
                           codegen_target *out, char **err);
void codegen_target_dispose(codegen_target *t);

/* Gives a fresh module the target's triple and data layout; do this
 * before generating IR so sizes and alignments are the target's. */
void codegen_configure_module(const codegen_target *t, LLVMModuleRef module);

/* Runs the `default<On>` pipeline. */
bool codegen_optimize(const codegen_target *t, LLVMModuleRef module,
                      char **err);

/* Emits an ELF relocatable object; *obj is malloc'ed. */
bool codegen_emit_object(const codegen_target *t, LLVMModuleRef module,
                         void **obj, size_t *size, char **err);

#endif
