/* Where the artifact of a script's module comes from.
 *
 * Normally the runner compiles each module for this machine when a
 * command needs it. A cross run splits that in two (docs/cross.md):
 *   1. `--compile-only --target TRIPLE` on the build machine converts the
 *      scripts and compiles every module a command instantiates, writing
 *      x.N.so beside x.N.wasm, or x.N.err with the compiler's refusal;
 *   2. `--precompiled` on the target machine (or under qemu) reads the
 *      same directory: the JSON and the artifacts, keyed by the module's
 *      file name, and never converts or compiles anything. */
#ifndef WASMAOT_SPEC_ARTIFACT_H
#define WASMAOT_SPEC_ARTIFACT_H

#include <stdbool.h>
#include <stddef.h>

#include "spec_compile.h"
#include "spec_options.h"

/* "dir/x.3.wasm" -> "dir/x.3<ext>", malloc'ed. */
char *spec_artifact_path(const char *wasm_path, const char *ext);

/* Makes the artifact of the module at `wasm_path` available at `so_path`:
 * compiles it for this machine, or with --precompiled finds the one
 * prepared for it (and its recorded refusal, if the compiler refused). */
spec_compile_result spec_artifact_obtain(const spec_options *o,
                                         const char *wasm_path,
                                         const char *so_path, char *why,
                                         size_t why_size);

/* --compile-only: compiles the module for o->target into x.N.so, or
 * records why not in x.N.err; removes whichever of the two is stale. */
spec_compile_result spec_artifact_prepare(const spec_options *o,
                                          const char *wasm_path, char *why,
                                          size_t why_size);

#endif
