/* --compile-only, the first half of a cross run (spec_artifact.h): reads
 * a converted script's commands and compiles the module of every command
 * that instantiates one. Modules that must be rejected by decoding or
 * validation alone (assert_malformed, assert_invalid) and text-format
 * modules need no artifact; the second half checks those itself. */
#ifndef WASMAOT_SPEC_PRECOMPILE_H
#define WASMAOT_SPEC_PRECOMPILE_H

#include <stddef.h>
#include <stdio.h>

#include "spec_options.h"

typedef struct spec_precompile_tally {
  size_t compiled;
  size_t refused; /* x.N.err written: the run counts them as failures */
  size_t errors;  /* I/O, unreadable JSON or commands, failed conversion */
} spec_precompile_tally;

/* Compiles the modules of the script whose JSON is `json_path`; prints a
 * line per refusal or error, prefixed with `wast_name`. */
void spec_precompile_script(const spec_options *o, const char *wast_name,
                            const char *module_dir, const char *json_path,
                            spec_precompile_tally *t);

void spec_precompile_add(spec_precompile_tally *into,
                         const spec_precompile_tally *from);
/* "NAME: C compiled, R refused, E errors" */
void spec_precompile_print(FILE *out, const char *name,
                           const spec_precompile_tally *t);

#endif
