/* The spec runner's command line. */
#ifndef WASMAOT_SPEC_OPTIONS_H
#define WASMAOT_SPEC_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "spec_skip_list.h"
#include "wasm_features.h"

typedef struct spec_options {
  const char *wast_dir;
  const char *work_dir;
  const char *wast2json; /* program; "wast2json" from PATH by default */
  /* All arrays point into argv. */
  const char **filters; /* run only files matching one of these globs */
  size_t filter_count;
  const char **excludes; /* skip files matching any of these */
  size_t exclude_count;
  const char **wast2json_flags; /* passed through, e.g. --enable-tail-call */
  size_t wast2json_flag_count;
  bool verbose;
  /* Cross runs (spec_artifact.h): compile every module for `target`
   * without running anything, or run artifacts compiled that way. */
  bool compile_only;
  bool precompiled;
  const char *target; /* --target TRIPLE; NULL: this machine */
  const char *cpu;    /* --cpu NAME; NULL: the target's default CPU */
  /* --skip-list FILE: commands skipped with a reason (a feature not
   * implemented, an assertion a later spec overruled), by their path
   * below the suite's root: --suite-path DIR (e.g. "exceptions") is
   * WAST_DIR's place there, "" for the root. */
  spec_skip_list skips;
  const char *suite_path;
  /* --wasm-features LIST: what decoding and validation accept beyond 2.0
   * (wasm_features.h; all by default). The 2.0 suite runs without
   * threads and multi-memory, whose encodings some of its malformed
   * modules use. */
  wasm_features wasm_features;
} spec_options;

typedef enum spec_options_result {
  SPEC_OPTIONS_OK,
  SPEC_OPTIONS_HELP,  /* usage printed to stdout; exit 0 */
  SPEC_OPTIONS_ERROR, /* message printed to stderr; exit 2 */
} spec_options_result;

spec_options_result spec_options_parse(int argc, char **argv,
                                       spec_options *out);
void spec_options_free(spec_options *opts);

/* Whether the .wast file `name` passes --filter and --exclude. */
bool spec_options_selects(const spec_options *opts, const char *name);

#endif
