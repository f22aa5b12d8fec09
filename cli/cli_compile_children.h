/* Compiling several targets in child processes: `aot-compile` of a
 * bundle. Each target's compile runs in its own process, several at once
 * on a multi-core machine; an LLVM fatal error (which aborts the process)
 * ends one target's compile with a message instead of the whole command,
 * and no LLVM state carries over from one target to the next. */
#ifndef WASMAOT_CLI_COMPILE_CHILDREN_H
#define WASMAOT_CLI_COMPILE_CHILDREN_H

#include <stdbool.h>
#include <stddef.h>

#include "aot_compile.h"

/* Compiles job `index` in the calling (child) process; prints its own
 * errors. */
typedef bool (*child_compile_fn)(void *ctx, size_t index, aot_output *out);

/* Runs compile(ctx, i, ...) for every i < count, each in a child process,
 * at most `parallel` at a time, and collects each artifact into outs[i]
 * (malloc'ed). `names[i]` names job i in messages about a child that
 * crashed. False when any job failed; the others' outputs are still
 * set (or NULL). */
bool compile_in_children(child_compile_fn compile, void *ctx,
                         const char *const *names, size_t count,
                         unsigned parallel, aot_output *outs);

#endif
