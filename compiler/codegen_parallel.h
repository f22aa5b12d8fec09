/* Code generation in pieces, one thread each: the defined functions are
 * split into contiguous index ranges balanced by body size; each range is
 * lowered, optimised and emitted in its own LLVM context with its own
 * target machine, and the objects are merged (elf_merge.h) into the one
 * relocatable object the artifact linker takes. */
#ifndef WASMAOT_CODEGEN_PARALLEL_H
#define WASMAOT_CODEGEN_PARALLEL_H

#include <stdbool.h>
#include <stddef.h>

#include "../loader/artifact_format.h"
#include "aot_compile.h"
#include "wasm_module.h"

/* How many pieces to compile `m` in: `requested` if non-zero, else the
 * WASMAOT_JOBS environment variable if set, else the online CPUs (at most
 * 8, and at most `cap` if non-zero) for a module large enough to be worth
 * splitting; never more than the defined functions, never less than 1. */
unsigned codegen_parallel_jobs(const wasm_module *m, unsigned requested,
                               unsigned cap);

/* Lowers, optimises and emits `m` in `jobs` (>= 2) pieces and merges them:
 * *obj (malloc'ed, *size bytes) is one ELF relocatable object. Fills the
 * vmctx layout. Reports progress on the calling thread only. On failure
 * returns false with a one-line message in errbuf. */
bool codegen_parallel_object(const wasm_module *m, const aot_options *opts,
                             unsigned jobs, wasmaot_vmctx_layout *layout,
                             void **obj, size_t *size, char *errbuf,
                             size_t errlen);

#endif
