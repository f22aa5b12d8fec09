/* The runner context for one .wast script and the command dispatch.
 *
 * Each script is an independent world: modules defined, named and
 * registered in one script are invisible to the next, so all of that
 * state lives here and dies with spec_script_finish(). */
#ifndef WASMAOT_SPEC_SCRIPT_H
#define WASMAOT_SPEC_SCRIPT_H

#include <stdbool.h>

#include "spec_command.h"
#include "spec_options.h"
#include "spec_runtime.h"
#include "spec_tally.h"

typedef struct spec_script {
  const spec_options *options;
  const char *wast_name;  /* "address.wast": the prefix of every message */
  const char *module_dir; /* where wast2json wrote the JSON and modules */
  spec_tally tally;
  /* The engine, `spectest`, the instances by "$name", the current one
   * (the target of actions without a module) and the names bound by
   * `register`. */
  spec_runtime runtime;
  /* A command the skip list names by line runs to check that it still
   * fails; its expected failure is not printed. */
  bool quiet;
} spec_script;

void spec_script_init(spec_script *s, const spec_options *options,
                      const char *wast_name, const char *module_dir);
/* Releases whatever the script's commands created. */
void spec_script_finish(spec_script *s);

/* Runs every command in the JSON file. A file that cannot be read or
 * parsed is one failure; a command that cannot be parsed is a failure of
 * that command and the script goes on. */
void spec_script_run(spec_script *s, const char *json_path);

/* Prints "file.wast:LINE: kind: message" and returns SPEC_FAIL, so
 * handlers can `return spec_script_fail(...)`. */
spec_outcome spec_script_fail(spec_script *s, const spec_command *cmd,
                              const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with "warning:", only in --verbose mode. */
void spec_script_warn(spec_script *s, const spec_command *cmd, const char *fmt,
                      ...) __attribute__((format(printf, 3, 4)));
/* A failure of the script as a whole (conversion, unreadable JSON). */
void spec_script_fail_whole(spec_script *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
