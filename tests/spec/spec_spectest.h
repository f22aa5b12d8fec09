/* The `spectest` host module the scripts import from: print functions
 * that do nothing, four immutable globals, a table, a 64-bit table
 * (memory64) and memories (see
 * the spec test suite's README for the exact list). */
#ifndef WASMAOT_SPEC_SPECTEST_H
#define WASMAOT_SPEC_SPECTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "wasmaot.h"

#define SPEC_SPECTEST_EXPORT_COUNT 15

typedef struct spec_spectest_export {
  const char *name;
  wasmaot_extern value;
} spec_spectest_export;

/* One set per engine: host objects never cross engines. */
typedef struct spec_spectest {
  spec_spectest_export exports[SPEC_SPECTEST_EXPORT_COUNT];
  size_t count; /* how many were created */
} spec_spectest;

/* False when a host object could not be created; what was created is
 * still released by spec_spectest_free(). */
bool spec_spectest_init(spec_spectest *st, wasmaot_engine *engine);
/* Drops the host's references; importers keep theirs. */
void spec_spectest_free(spec_spectest *st);

/* The export `name` (not NUL-terminated); false if there is none. */
bool spec_spectest_lookup(const spec_spectest *st, const char *name,
                          size_t name_len, wasmaot_extern *out);

#endif
