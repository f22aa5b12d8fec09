/* Turning a binary module of the script into an instance: compile it
 * with the AOT compiler (or find it compiled, spec_artifact.h), write the
 * artifact beside the .wasm, load it and instantiate it against
 * `spectest` and the registered modules. */
#ifndef WASMAOT_SPEC_INSTANTIATE_H
#define WASMAOT_SPEC_INSTANTIATE_H

#include <stdbool.h>
#include <stddef.h>

#include "spec_script.h"
#include "wasmaot.h"

typedef enum spec_instantiation_status {
  SPEC_INSTANTIATED,
  SPEC_NOT_COMPILED, /* the compiler refused the module */
  SPEC_NOT_LOADED,   /* the loader refused the artifact, or file I/O */
  SPEC_NOT_LINKED,   /* link error or resource failure; no trap */
  SPEC_TRAPPED,      /* a segment or the start function trapped */
} spec_instantiation_status;

typedef struct spec_instantiation {
  spec_instantiation_status status;
  wasmaot_instance *instance; /* only when SPEC_INSTANTIATED; caller owns */
  /* An import named a registered module that had itself failed: the
   * failure is that module's, not this one's. */
  bool depends_on_failed;
  wasmaot_trap trap; /* SPEC_TRAPPED */
  char message[512]; /* why, for every status but SPEC_INSTANTIATED */
} spec_instantiation;

/* Compiles, loads and instantiates the module file `filename` of the
 * script. Never binds it to a name: the caller decides. */
void spec_instantiate(spec_script *s, const char *filename,
                      spec_instantiation *out);

/* "compilation", "loading", "linking", "instantiation". */
const char *spec_instantiation_stage(spec_instantiation_status status);

/* "compilation failed: <why>" and the like, for failure messages. */
void spec_instantiation_describe(const spec_instantiation *in, char *buf,
                                 size_t size);

#endif
