#include "spec_script.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "spec_file.h"
#include "spec_handlers.h"

static const spec_command_handler handlers[SPEC_CMD_KIND_COUNT] = {
    [SPEC_CMD_MODULE] = spec_run_module,
    [SPEC_CMD_REGISTER] = spec_run_register,
    [SPEC_CMD_ACTION] = spec_run_action,
    [SPEC_CMD_ASSERT_RETURN] = spec_run_assert_return,
    [SPEC_CMD_ASSERT_TRAP] = spec_run_assert_trap,
    [SPEC_CMD_ASSERT_EXHAUSTION] = spec_run_assert_exhaustion,
    [SPEC_CMD_ASSERT_MALFORMED] = spec_run_assert_malformed,
    [SPEC_CMD_ASSERT_INVALID] = spec_run_assert_invalid,
    [SPEC_CMD_ASSERT_UNLINKABLE] = spec_run_assert_unlinkable,
    [SPEC_CMD_ASSERT_UNINSTANTIABLE] = spec_run_assert_uninstantiable,
    [SPEC_CMD_MODULE_DEFINITION] = spec_run_module_definition,
    [SPEC_CMD_ASSERT_EXCEPTION] = spec_run_assert_exception,
};

void spec_script_init(spec_script *s, const spec_options *options,
                      const char *wast_name, const char *module_dir) {
  memset(s, 0, sizeof *s);
  s->options = options;
  s->wast_name = wast_name;
  s->module_dir = module_dir;
}

void spec_script_finish(spec_script *s) {
  spec_runtime_free(&s->runtime);
}

static void print_located(const spec_script *s, uint64_t line,
                          const char *prefix, const char *fmt, va_list ap) {
  if (s->quiet)
    return;
  printf("%s:%" PRIu64 ": %s", s->wast_name, line, prefix);
  vprintf(fmt, ap);
  putchar('\n');
}

spec_outcome spec_script_fail(spec_script *s, const spec_command *cmd,
                              const char *fmt, ...) {
  char prefix[64];
  snprintf(prefix, sizeof prefix, "%s: ", spec_command_kind_name(cmd->kind));
  va_list ap;
  va_start(ap, fmt);
  print_located(s, cmd->line, prefix, fmt, ap);
  va_end(ap);
  return SPEC_FAIL;
}

void spec_script_warn(spec_script *s, const spec_command *cmd, const char *fmt,
                      ...) {
  if (!s->options->verbose)
    return;
  char prefix[80];
  snprintf(prefix, sizeof prefix,
           "warning: %s: ", spec_command_kind_name(cmd->kind));
  va_list ap;
  va_start(ap, fmt);
  print_located(s, cmd->line, prefix, fmt, ap);
  va_end(ap);
}

void spec_script_fail_whole(spec_script *s, const char *fmt, ...) {
  printf("%s: ", s->wast_name);
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  spec_tally_record_script_failure(&s->tally);
}

static spec_outcome dispatch(spec_script *s, const spec_command *cmd) {
  if (cmd->encode_error)
    return spec_run_unencodable(s, cmd);
  if (cmd->format == SPEC_MODULE_TEXT)
    return SPEC_SKIP_TEXT;
  return handlers[cmd->kind](s, cmd);
}

/* An unparsable command still has a line number, usually. */
static void fail_unparsable(spec_script *s, const json_value *json,
                            const char *why) {
  uint64_t line = 0;
  json_as_uint64(json_object_get(json, "line"), &line);
  printf("%s:%" PRIu64 ": unreadable command: %s\n", s->wast_name, line, why);
  spec_tally_record_unreadable_command(&s->tally);
}

/* The command's path below the suite's root, for the skip list. */
static void script_path(const spec_script *s, char *buf, size_t size) {
  const char *dir = s->options->suite_path;
  if (dir && dir[0])
    snprintf(buf, size, "%s/%s", dir, s->wast_name);
  else
    snprintf(buf, size, "%s", s->wast_name);
}

static spec_outcome dispatch(spec_script *s, const spec_command *cmd);

/* A command the skip list names by line runs, quietly, and must still
 * fail: one that passes is a failure, its entry stale. A command of a
 * script listed whole is not run; a module there still binds its name
 * (to a failed module), so the commands on it are not run on another. */
static bool skip_if_listed(spec_script *s, const json_value *json) {
  uint64_t line = 0;
  json_as_uint64(json_object_get(json, "line"), &line);
  char path[512];
  script_path(s, path, sizeof path);
  bool whole_script;
  const char *reason =
      spec_skip_list_reason(&s->options->skips, path, line, &whole_script);
  if (!reason)
    return false;
  spec_command cmd;
  char why[256];
  if (!spec_command_parse(json, &cmd, why, sizeof why)) {
    spec_tally_record_listed(&s->tally, reason);
    return true;
  }
  if (whole_script) {
    if (cmd.kind == SPEC_CMD_MODULE)
      spec_registry_add_module(&s->runtime.registry, NULL, cmd.name);
    spec_tally_record_listed(&s->tally, reason);
  } else {
    s->quiet = true;
    spec_outcome outcome = dispatch(s, &cmd);
    s->quiet = false;
    if (outcome == SPEC_PASS) {
      spec_tally_record(&s->tally, &cmd, SPEC_FAIL);
      spec_script_fail(s, &cmd,
                       "listed as \"%s\" but passes: remove its entry from "
                       "the skip list",
                       reason);
    } else {
      spec_tally_record_listed(&s->tally, reason);
    }
  }
  spec_command_free(&cmd);
  return true;
}

static void run_command(spec_script *s, const json_value *json) {
  spec_command cmd;
  char why[256];
  if (skip_if_listed(s, json))
    return;
  if (!spec_command_parse(json, &cmd, why, sizeof why)) {
    fail_unparsable(s, json, why);
    return;
  }
  spec_tally_record(&s->tally, &cmd, dispatch(s, &cmd));
  spec_command_free(&cmd);
}

static void run_commands(spec_script *s, const json_value *root) {
  const json_value *commands = json_object_get(root, "commands");
  if (!commands || commands->kind != JSON_ARRAY) {
    spec_script_fail_whole(s, "no \"commands\" array in the JSON");
    return;
  }
  for (size_t i = 0; i < commands->as.array.count; i++)
    run_command(s, &commands->as.array.items[i]);
}

void spec_script_run(spec_script *s, const char *json_path) {
  size_t size;
  uint8_t *text = spec_read_file(json_path, &size);
  if (!text) {
    spec_script_fail_whole(s, "cannot read %s: %s", json_path, strerror(errno));
    return;
  }
  json_error err;
  json_document *doc = json_parse((const char *)text, size, &err);
  free(text);
  if (!doc) {
    spec_script_fail_whole(s, "%s:%zu: bad JSON: %s", json_path, err.line,
                           err.message);
    return;
  }
  run_commands(s, json_document_root(doc));
  json_document_free(doc);
}
