#include "spec_command.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const command_kind_names[SPEC_CMD_KIND_COUNT] = {
    [SPEC_CMD_MODULE] = "module",
    [SPEC_CMD_REGISTER] = "register",
    [SPEC_CMD_ACTION] = "action",
    [SPEC_CMD_ASSERT_RETURN] = "assert_return",
    [SPEC_CMD_ASSERT_TRAP] = "assert_trap",
    [SPEC_CMD_ASSERT_EXHAUSTION] = "assert_exhaustion",
    [SPEC_CMD_ASSERT_MALFORMED] = "assert_malformed",
    [SPEC_CMD_ASSERT_INVALID] = "assert_invalid",
    [SPEC_CMD_ASSERT_UNLINKABLE] = "assert_unlinkable",
    [SPEC_CMD_ASSERT_UNINSTANTIABLE] = "assert_uninstantiable",
    [SPEC_CMD_MODULE_DEFINITION] = "module_definition",
    [SPEC_CMD_ASSERT_EXCEPTION] = "assert_exception",
};

const char *spec_command_kind_name(spec_command_kind kind) {
  return kind < SPEC_CMD_KIND_COUNT ? command_kind_names[kind] : "?";
}

__attribute__((format(printf, 3, 4))) static bool
fail(char *why, size_t why_size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, why_size, fmt, ap);
  va_end(ap);
  return false;
}

static bool carries_module(spec_command_kind kind) {
  return kind == SPEC_CMD_MODULE || kind == SPEC_CMD_MODULE_DEFINITION ||
         kind == SPEC_CMD_ASSERT_MALFORMED || kind == SPEC_CMD_ASSERT_INVALID ||
         kind == SPEC_CMD_ASSERT_UNLINKABLE ||
         kind == SPEC_CMD_ASSERT_UNINSTANTIABLE;
}

static bool carries_action(spec_command_kind kind) {
  return kind == SPEC_CMD_ACTION || kind == SPEC_CMD_ASSERT_RETURN ||
         kind == SPEC_CMD_ASSERT_TRAP || kind == SPEC_CMD_ASSERT_EXHAUSTION ||
         kind == SPEC_CMD_ASSERT_EXCEPTION;
}

static bool kind_from_json(const json_value *type, spec_command_kind *out) {
  for (int k = 0; k < SPEC_CMD_KIND_COUNT; k++) {
    if (json_string_equals(type, command_kind_names[k])) {
      *out = (spec_command_kind)k;
      return true;
    }
  }
  return false;
}

/* A member that may be absent but, when present, must be a string
 * without embedded NUL (these become C strings and paths). */
static bool optional_cstring(const json_value *obj, const char *key,
                             const char **out, char *why, size_t why_size) {
  const json_value *v = json_object_get(obj, key);
  *out = NULL;
  if (!v)
    return true;
  if (v->kind != JSON_STRING || strlen(v->as.string.data) != v->as.string.len)
    return fail(why, why_size, "\"%s\" is not a plain string", key);
  *out = v->as.string.data;
  return true;
}

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Module files are written beside the JSON; anything that could reach
 * outside that directory is refused. */
static bool is_plain_file_name(const char *name) {
  return name[0] != '\0' && strchr(name, '/') == NULL &&
         strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static bool format_from_json(const json_value *json, const char *filename,
                             spec_module_format *out) {
  const json_value *type = json_object_get(json, "module_type");
  if (type) {
    if (json_string_equals(type, "binary"))
      *out = SPEC_MODULE_BINARY;
    else if (json_string_equals(type, "text"))
      *out = SPEC_MODULE_TEXT;
    else
      return false;
    return true;
  }
  /* `module` commands carry no module_type; the suffix tells. */
  if (has_suffix(filename, ".wasm"))
    *out = SPEC_MODULE_BINARY;
  else if (has_suffix(filename, ".wat"))
    *out = SPEC_MODULE_TEXT;
  else
    return false;
  return true;
}

static bool parse_module_ref(const json_value *json, spec_command *cmd,
                             char *why, size_t why_size) {
  if (!optional_cstring(json, "encode_error", &cmd->encode_error, why,
                        why_size))
    return false;
  if (!optional_cstring(json, "filename", &cmd->filename, why, why_size))
    return false;
  if (!cmd->filename || !is_plain_file_name(cmd->filename))
    return fail(why, why_size, "missing or unusable \"filename\"");
  if (!format_from_json(json, cmd->filename, &cmd->format))
    return fail(why, why_size, "unknown module type for %s", cmd->filename);
  return true;
}

static void free_values(spec_value *values, size_t count) {
  for (size_t i = 0; i < count; i++)
    spec_value_release(&values[i]);
  free(values);
}

/* Parses a JSON array of values into a malloc'ed array. */
static bool parse_value_list(const json_value *list, bool allow_patterns,
                             spec_value **out, size_t *count, char *why,
                             size_t why_size) {
  *out = NULL;
  *count = 0;
  if (!list || list->kind != JSON_ARRAY)
    return fail(why, why_size, "value list is not an array");
  size_t n = list->as.array.count;
  if (n == 0)
    return true;
  spec_value *values = calloc(n, sizeof *values);
  if (!values)
    return fail(why, why_size, "out of memory");
  for (size_t i = 0; i < n; i++) {
    bool ok =
        spec_value_parse(json_array_at(list, i), &values[i], why, why_size);
    if (ok && !allow_patterns && spec_value_is_pattern(&values[i]))
      ok = fail(why, why_size, "argument %zu is a pattern, not a value", i);
    if (!ok) {
      free_values(values, i + 1);
      return false;
    }
  }
  *out = values;
  *count = n;
  return true;
}

static bool action_kind_from_json(const json_value *type,
                                  spec_action_kind *out) {
  if (json_string_equals(type, "invoke"))
    *out = SPEC_ACTION_INVOKE;
  else if (json_string_equals(type, "get"))
    *out = SPEC_ACTION_GET;
  else
    return false;
  return true;
}

static bool parse_action(const json_value *json, spec_action *action, char *why,
                         size_t why_size) {
  if (!json || json->kind != JSON_OBJECT)
    return fail(why, why_size, "missing \"action\"");
  if (!action_kind_from_json(json_object_get(json, "type"), &action->kind))
    return fail(why, why_size, "unknown action type");
  if (!optional_cstring(json, "module", &action->module, why, why_size))
    return false;
  const json_value *field = json_object_get(json, "field");
  if (!field || field->kind != JSON_STRING)
    return fail(why, why_size, "action without a \"field\"");
  action->field = field->as.string;
  const json_value *args = json_object_get(json, "args");
  if (action->kind == SPEC_ACTION_GET && !args)
    return true;
  return parse_value_list(args, false, &action->args, &action->arg_count, why,
                          why_size);
}

static bool parse_kind_specific(const json_value *json, spec_command *cmd,
                                char *why, size_t why_size) {
  if (carries_module(cmd->kind) && !parse_module_ref(json, cmd, why, why_size))
    return false;
  if (!optional_cstring(json, "name", &cmd->name, why, why_size) ||
      !optional_cstring(json, "as", &cmd->register_as, why, why_size) ||
      !optional_cstring(json, "text", &cmd->text, why, why_size))
    return false;
  if (cmd->kind == SPEC_CMD_REGISTER && !cmd->register_as)
    return fail(why, why_size, "register without \"as\"");
  if (carries_action(cmd->kind)) {
    cmd->has_action = true;
    if (!parse_action(json_object_get(json, "action"), &cmd->action, why,
                      why_size))
      return false;
  }
  const json_value *expected = json_object_get(json, "expected");
  if (!expected)
    return true;
  return parse_value_list(expected, true, &cmd->expected, &cmd->expected_count,
                          why, why_size);
}

bool spec_command_parse(const json_value *json, spec_command *cmd, char *why,
                        size_t why_size) {
  memset(cmd, 0, sizeof *cmd);
  if (!json || json->kind != JSON_OBJECT)
    return fail(why, why_size, "command is not an object");
  const json_value *type = json_object_get(json, "type");
  if (!kind_from_json(type, &cmd->kind))
    return fail(why, why_size, "unknown command type \"%s\"",
                json_as_cstring(type) ? json_as_cstring(type) : "(none)");
  if (!json_as_uint64(json_object_get(json, "line"), &cmd->line))
    return fail(why, why_size, "%s without a valid \"line\"",
                command_kind_names[cmd->kind]);
  if (!parse_kind_specific(json, cmd, why, why_size)) {
    spec_command_free(cmd);
    return false;
  }
  return true;
}

void spec_command_free(spec_command *cmd) {
  free_values(cmd->action.args, cmd->action.arg_count);
  free_values(cmd->expected, cmd->expected_count);
  cmd->action.args = NULL;
  cmd->action.arg_count = 0;
  cmd->expected = NULL;
  cmd->expected_count = 0;
}
