#include "spec_precompile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "spec_artifact.h"
#include "spec_command.h"
#include "spec_file.h"

static bool instantiates_a_module(const spec_command *cmd) {
  if (cmd->format != SPEC_MODULE_BINARY)
    return false;
  return cmd->kind == SPEC_CMD_MODULE ||
         cmd->kind == SPEC_CMD_ASSERT_UNLINKABLE ||
         cmd->kind == SPEC_CMD_ASSERT_UNINSTANTIABLE;
}

static void prepare_module(const spec_options *o, const char *wast_name,
                           const char *module_dir, const spec_command *cmd,
                           spec_precompile_tally *t) {
  char why[512];
  char *wasm_path = spec_path_join(module_dir, cmd->filename);
  spec_compile_result r =
      wasm_path ? spec_artifact_prepare(o, wasm_path, why, sizeof why)
                : SPEC_COMPILE_IO;
  if (!wasm_path)
    snprintf(why, sizeof why, "out of memory");
  free(wasm_path);
  switch (r) {
  case SPEC_COMPILED:
    t->compiled++;
    return;
  case SPEC_COMPILE_REFUSED:
    t->refused++;
    printf("%s:%" PRIu64 ": %s: compilation refused: %s\n", wast_name,
           cmd->line, cmd->filename, why);
    return;
  case SPEC_COMPILE_IO:
    break;
  }
  t->errors++;
  printf("%s:%" PRIu64 ": %s: %s\n", wast_name, cmd->line, cmd->filename, why);
}

static void prepare_commands(const spec_options *o, const char *wast_name,
                             const char *module_dir, const json_value *root,
                             spec_precompile_tally *t) {
  const json_value *commands = json_object_get(root, "commands");
  if (!commands || commands->kind != JSON_ARRAY) {
    printf("%s: no \"commands\" array in the JSON\n", wast_name);
    t->errors++;
    return;
  }
  for (size_t i = 0; i < commands->as.array.count; i++) {
    spec_command cmd;
    char why[256];
    /* An unreadable command is the run's to report, with its context. */
    if (!spec_command_parse(&commands->as.array.items[i], &cmd, why,
                            sizeof why))
      continue;
    if (instantiates_a_module(&cmd))
      prepare_module(o, wast_name, module_dir, &cmd, t);
    spec_command_free(&cmd);
  }
}

void spec_precompile_script(const spec_options *o, const char *wast_name,
                            const char *module_dir, const char *json_path,
                            spec_precompile_tally *t) {
  size_t size;
  uint8_t *text = spec_read_file(json_path, &size);
  if (!text) {
    printf("%s: cannot read %s: %s\n", wast_name, json_path, strerror(errno));
    t->errors++;
    return;
  }
  json_error err;
  json_document *doc = json_parse((const char *)text, size, &err);
  free(text);
  if (!doc) {
    printf("%s: %s:%zu: bad JSON: %s\n", wast_name, json_path, err.line,
           err.message);
    t->errors++;
    return;
  }
  prepare_commands(o, wast_name, module_dir, json_document_root(doc), t);
  json_document_free(doc);
}

void spec_precompile_add(spec_precompile_tally *into,
                         const spec_precompile_tally *from) {
  into->compiled += from->compiled;
  into->refused += from->refused;
  into->errors += from->errors;
}

void spec_precompile_print(FILE *out, const char *name,
                           const spec_precompile_tally *t) {
  fprintf(out, "%s: %zu compiled, %zu refused, %zu errors\n", name, t->compiled,
          t->refused, t->errors);
}
