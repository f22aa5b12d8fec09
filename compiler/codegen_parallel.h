/* Code generation in pieces (codegen_plan.h) on several threads: each
 * piece is lowered, optimised and emitted in its own LLVM context, the
 * threads taking pieces heaviest first, and the objects are merged
 * (elf_merge.h) in function order into the one relocatable object the
 * artifact linker takes, so the bytes do not depend on the threads. */
#ifndef WASMAOT_CODEGEN_PARALLEL_H
#define WASMAOT_CODEGEN_PARALLEL_H

#include <stdbool.h>
#include <stddef.h>

#include "aot_compile.h"
#include "artifact_format.h"
#include "codegen_plan.h"
#include "wasm_module.h"

/* How many threads to generate the plan's code on: `requested` if
 * non-zero, else the WASMAOT_JOBS environment variable if set, else the
 * online CPUs (at most 8, and at most `cap` if non-zero); never more than
 * the pieces, 1 for a whole module. */
unsigned codegen_parallel_jobs(const codegen_plan *plan, unsigned requested,
                               unsigned cap);

/* Lowers, optimises and emits the pieces of `plan` (not whole) on `jobs`
 * threads and merges them: *obj (malloc'ed, *size bytes) is one ELF
 * relocatable object. Fills the vmctx layout, adds to opts->stats and
 * reports AOT_PHASE_FUNCTIONS. On failure returns false with a one-line
 * message in errbuf. */
bool codegen_parallel_object(const wasm_module *m, const aot_options *opts,
                             const codegen_plan *plan, unsigned jobs,
                             wasmaot_vmctx_layout *layout, void **obj,
                             size_t *size, char *errbuf, size_t errlen);

#endif
