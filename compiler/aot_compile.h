/* Compiling a WebAssembly module to a wasmaot artifact (an ELF shared
 * object), entirely in memory. */
#ifndef WASMAOT_AOT_COMPILE_H
#define WASMAOT_AOT_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target_options.h"

typedef struct aot_options {
  codegen_target_options target;
  bool verify_ir; /* run LLVM's IR verifier before optimising */
} aot_options;

typedef struct aot_output {
  void *data; /* malloc'ed artifact bytes */
  size_t size;
} aot_output;

/* Decodes, validates and compiles `wasm`. On failure returns false with a
 * one-line message (with the byte offset for module errors) in errbuf. */
bool aot_compile(const uint8_t *wasm, size_t size, const aot_options *opts,
                 aot_output *out, char *errbuf, size_t errlen);

#endif
