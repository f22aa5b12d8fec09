/* Compiling one binary module of a script into an artifact file.
 *
 * Two implementations, one per kind of build: spec_compile.c runs the AOT
 * compiler in process; spec_compile_none.c is linked into a runner built
 * without the compiler (-Dcompiler=disabled, e.g. the aarch64 cross
 * build), which can only run artifacts a native runner prepared with
 * --compile-only (see spec_artifact.h and docs/cross.md). */
#ifndef WASMAOT_SPEC_COMPILE_H
#define WASMAOT_SPEC_COMPILE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum spec_compile_result {
  SPEC_COMPILED,
  SPEC_COMPILE_REFUSED, /* the compiler turned the module away */
  SPEC_COMPILE_IO,      /* file I/O, or no compiler in this runner */
} spec_compile_result;

/* Compiles the .wasm at `wasm_path` at -O2 with the IR verifier on for
 * `triple` (NULL: this machine) and `cpu` (NULL: that machine's default)
 * and writes the artifact to `so_path`. On
 * failure writes the reason into `why`. */
spec_compile_result spec_compile_module(const char *triple, const char *cpu,
                                        const char *wasm_path,
                                        const char *so_path, char *why,
                                        size_t why_size);

#endif
