/* The progress bar `wasmaot run` draws on stderr while a cache miss
 * compiles a large module, when stderr is a terminal.
 *
 * The compiler reports phases (aot_compile.h), but nearly all the time is
 * spent inside two LLVM calls that report nothing: the pass pipeline and
 * machine code generation, about half each. So within those phases the
 * bar moves on an estimate that approaches the phase's end without
 * reaching it: the optimiser is expected to take some multiple of the
 * lowering time, code generation about as long as the optimiser took. A
 * thread redraws the line a few times a second. */
#ifndef WASMAOT_COMPILE_PROGRESS_H
#define WASMAOT_COMPILE_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "aot_compile.h"

/* Modules smaller than this compile in well under a second: no bar. */
#define COMPILE_PROGRESS_MIN_WASM_BYTES (64u * 1024u)

typedef struct compile_progress compile_progress;

/* Whether a bar belongs on `out` for a module of wasm_size bytes: it is a
 * terminal (not "dumb") and the module is large. */
bool compile_progress_wanted(FILE *out, size_t wasm_size);

/* Starts drawing "compiling LABEL [###   ] 40% optimising" on `out`.
 * NULL when out of resources (then there is simply no bar). */
compile_progress *compile_progress_start(FILE *out, const char *label);

/* The aot_progress.report callback; ctx is the compile_progress. */
void compile_progress_report(void *ctx, aot_phase phase, uint32_t done,
                             uint32_t total);

/* Stops the redraws and erases the line. NULL is a no-op. */
void compile_progress_finish(compile_progress *p);

/* The fraction of the whole compile done, 0..1, given the phase, its
 * completed units and the seconds spent in the phase so far; `lower_s` and
 * `optimize_s` are the measured durations of those phases (0 while
 * unknown). Pure, for tests. */
double compile_progress_fraction(aot_phase phase, uint32_t done, uint32_t total,
                                 double phase_s, double lower_s,
                                 double optimize_s);

#endif
