/* Performing a script action: `invoke` an exported function with the
 * script's arguments, or `get` an exported global. */
#ifndef WASMAOT_SPEC_PERFORM_H
#define WASMAOT_SPEC_PERFORM_H

#include <stddef.h>

#include "spec_command.h"
#include "spec_script.h"
#include "wasmaot.h"

typedef enum spec_perform_status {
  SPEC_PERFORMED,
  SPEC_PERFORM_TRAPPED,
  SPEC_PERFORM_DEPENDS, /* the target module failed earlier */
  SPEC_PERFORM_ERROR,   /* could not run: unknown export, bad arguments */
} spec_perform_status;

typedef struct spec_perform_result {
  spec_perform_status status;
  wasmaot_trap trap;    /* SPEC_PERFORM_TRAPPED */
  char message[320];    /* SPEC_PERFORM_ERROR and _DEPENDS: why */
  size_t count;         /* SPEC_PERFORMED: the results */
  wasmaot_val *results; /* malloc'ed */
} spec_perform_result;

void spec_perform(spec_script *s, const spec_action *action,
                  spec_perform_result *out);
void spec_perform_result_free(spec_perform_result *r);

/* "i32:1 f64:0x3ff0000000000000" (each result formatted like the
 * script's values, v128 with the lane type of expected[i] when given). */
void spec_perform_format_results(const spec_perform_result *r,
                                 const spec_value *expected,
                                 size_t expected_count, char *buf, size_t size);

#endif
