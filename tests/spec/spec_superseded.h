/* Commands of a proposal's scripts that a later spec overruled, e.g. the
 * threads proposal's "multiple tables" assertions, written before Wasm
 * 2.0 allowed several tables. `--superseded FILE` lists them, one per
 * line, as `NAME.wast:LINE reason`; `#` starts a comment. Such a command
 * is counted as skipped with its reason, never run and never passed. */
#ifndef WASMAOT_SPEC_SUPERSEDED_H
#define WASMAOT_SPEC_SUPERSEDED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct spec_superseded_entry {
  char *wast_name;
  uint64_t line;
  char *reason;
} spec_superseded_entry;

typedef struct spec_superseded {
  spec_superseded_entry *entries;
  size_t count;
} spec_superseded;

/* Reads the list; false with a message on stderr when it cannot be read
 * or a line is not `NAME:LINE reason`. */
bool spec_superseded_load(spec_superseded *list, const char *path);
void spec_superseded_free(spec_superseded *list);
/* The reason command `line` of `wast_name` is superseded, or NULL. */
const char *spec_superseded_reason(const spec_superseded *list,
                                   const char *wast_name, uint64_t line);

#endif
