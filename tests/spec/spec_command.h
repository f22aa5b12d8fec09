/* One command of a wast2json script, lifted out of JSON into a typed
 * struct so the handlers never look at JSON.
 *
 * Strings point into the json_document the command was parsed from and
 * live as long as it; spec_command_free() releases only the value arrays. */
#ifndef WASMAOT_SPEC_COMMAND_H
#define WASMAOT_SPEC_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "spec_value.h"

typedef enum spec_command_kind {
  SPEC_CMD_MODULE,
  SPEC_CMD_REGISTER,
  SPEC_CMD_ACTION,
  SPEC_CMD_ASSERT_RETURN,
  SPEC_CMD_ASSERT_TRAP,
  SPEC_CMD_ASSERT_EXHAUSTION,
  SPEC_CMD_ASSERT_MALFORMED,
  SPEC_CMD_ASSERT_INVALID,
  SPEC_CMD_ASSERT_UNLINKABLE,
  SPEC_CMD_ASSERT_UNINSTANTIABLE,
  /* 3.0 scripts (tests/spec/wast_to_json.mjs) */
  SPEC_CMD_MODULE_DEFINITION, /* decoded and validated, not instantiated */
  SPEC_CMD_ASSERT_EXCEPTION,  /* the action must throw a Wasm exception */
  SPEC_CMD_KIND_COUNT
} spec_command_kind;

typedef enum spec_module_format {
  SPEC_MODULE_NONE, /* the command carries no module */
  SPEC_MODULE_BINARY,
  SPEC_MODULE_TEXT, /* a .wat file: tests the text parser only */
} spec_module_format;

typedef enum spec_action_kind {
  SPEC_ACTION_INVOKE,
  SPEC_ACTION_GET,
} spec_action_kind;

typedef struct spec_action {
  spec_action_kind kind;
  const char *module; /* "$M" binding; NULL means the latest module */
  json_string field;  /* export name; may contain NUL */
  size_t arg_count;
  spec_value *args; /* concrete values (no NaN patterns) */
} spec_action;

typedef struct spec_command {
  spec_command_kind kind;
  uint64_t line; /* in the .wast */

  /* module and assert_{malformed,invalid,unlinkable,uninstantiable} */
  spec_module_format format;
  const char *filename; /* beside the JSON file; NULL when no module */
  /* The converter could not encode the module's text (wast_to_json.mjs
   * writes why): the command fails with this message. */
  const char *encode_error;

  /* module: its "$M" binding; register: the module to register (NULL =
   * the latest). NULL when absent. */
  const char *name;
  const char *register_as; /* register: the import module name */

  const char *text; /* assert_*: the expected failure message */

  bool has_action; /* action, assert_return/trap/exhaustion */
  spec_action action;

  size_t expected_count;
  spec_value *expected; /* assert_return results (may be patterns) */
} spec_command;

/* Fills *cmd from one element of "commands". On failure writes a reason
 * into `why`, leaves nothing to free, and returns false. */
bool spec_command_parse(const json_value *json, spec_command *cmd, char *why,
                        size_t why_size);
void spec_command_free(spec_command *cmd);

const char *spec_command_kind_name(spec_command_kind kind);

#endif
