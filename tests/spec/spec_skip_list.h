/* The commands a run skips because the feature they test is not
 * implemented yet, each with its reason (tests/spec/wasm-3.0.skips).
 *
 * A listed command is counted as skipped with the reason, never run and
 * never passed; a script or command not listed must pass. One entry a
 * line:
 *
 *     PATTERN[:LINE]  REASON...
 *
 * PATTERN is a glob (fnmatch) over the script's path below the suite's
 * root ("gc/array.wast", "exceptions/x*.wast"); without :LINE every command of
 * the matching scripts is skipped, with it only the command on that
 * line of the .wast. A command listed by line is still run, quietly,
 * and must not pass: one that does is a failure ("remove its entry"),
 * so the list cannot keep a feature's tests skipped after it lands. Blank lines
 * and lines starting with '#' are comments. */
#ifndef WASMAOT_SPEC_SKIP_LIST_H
#define WASMAOT_SPEC_SKIP_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct spec_skip_entry {
  char *pattern;
  uint64_t line; /* 0: the whole script */
  char *reason;
} spec_skip_entry;

typedef struct spec_skip_list {
  spec_skip_entry *entries;
  size_t count;
} spec_skip_list;

/* Reads the list at `path`. On failure writes a reason (with the line of
 * the file) into `why`, leaves nothing to free, and returns false. */
bool spec_skip_list_load(const char *path, spec_skip_list *out, char *why,
                         size_t why_size);
void spec_skip_list_free(spec_skip_list *list);

/* The reason the command on `line` of `script` (a path below the suite's
 * root) is skipped, or NULL when it is to run. An entry for the whole
 * script comes first; *whole_script (if not NULL) says which kind
 * matched. */
const char *spec_skip_list_reason(const spec_skip_list *list,
                                  const char *script, uint64_t line,
                                  bool *whole_script);

#endif
