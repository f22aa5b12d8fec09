/* What a script executes against: one engine, the `spectest` host module
 * in it, and the script's instances. Created on the first module that
 * needs it and torn down with the script, so no object outlives its
 * script and scripts cannot see each other's modules. */
#ifndef WASMAOT_SPEC_RUNTIME_H
#define WASMAOT_SPEC_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

#include "spec_registry.h"
#include "spec_spectest.h"
#include "wasmaot.h"

typedef struct spec_runtime {
  wasmaot_engine *engine; /* NULL until first needed */
  spec_spectest spectest;
  spec_registry registry;
} spec_runtime;

/* Creates the engine and `spectest` if not done yet. False with a reason
 * in `why` when they cannot be created. */
bool spec_runtime_ready(spec_runtime *rt, char *why, size_t why_size);

/* Frees the instances, then the host objects, then the engine: the order
 * the embedding API asks for. */
void spec_runtime_free(spec_runtime *rt);

#endif
