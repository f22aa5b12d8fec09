/* Commands that run compiled code: register, action, assert_return,
 * assert_trap and assert_exhaustion.
 *
 * A command whose module failed earlier is skipped (SPEC_SKIP_DEPENDS):
 * the module's own command already counts the failure, and counting
 * each of its assertions again would only bury it. */
#include <stdio.h>
#include <string.h>

#include "spec_handlers.h"
#include "spec_host_value.h"
#include "spec_perform.h"

bool spec_messages_agree(const char *expected, const char *actual) {
  size_t e = strlen(expected), a = strlen(actual);
  return strncmp(expected, actual, e < a ? e : a) == 0;
}

const char *spec_expected_text(const spec_command *cmd) {
  return cmd->text ? cmd->text : "(no message)";
}

spec_outcome spec_run_register(spec_script *s, const spec_command *cmd) {
  spec_registry *r = &s->runtime.registry;
  wasmaot_instance *inst;
  spec_module_lookup found = spec_registry_module(r, cmd->name, &inst);
  if (found == SPEC_MODULE_UNKNOWN)
    return spec_script_fail(s, cmd, "no module %s to register as \"%s\"",
                            cmd->name ? cmd->name : "defined yet",
                            cmd->register_as);
  if (!spec_registry_register(r, cmd->register_as, inst))
    return spec_script_fail(s, cmd, "out of memory");
  return found == SPEC_MODULE_FOUND ? SPEC_PASS : SPEC_SKIP_DEPENDS;
}

/* The outcome of an action that did not complete as asked; `wanted`
 * says what the command expected, for the message. */
static spec_outcome report_unexpected(spec_script *s, const spec_command *cmd,
                                      const spec_perform_result *r,
                                      const char *wanted) {
  const char *field = cmd->action.field.data;
  switch (r->status) {
  case SPEC_PERFORM_DEPENDS:
    spec_script_warn(s, cmd, "\"%s\": skipped: %s", field, r->message);
    return SPEC_SKIP_DEPENDS;
  case SPEC_PERFORM_ERROR:
    return spec_script_fail(s, cmd, "\"%s\": %s", field, r->message);
  case SPEC_PERFORM_TRAPPED:
    return spec_script_fail(s, cmd, "\"%s\" trapped: \"%s\"%s%s; expected %s",
                            field, r->trap.message,
                            r->trap.func_name[0] ? " in " : "",
                            r->trap.func_name, wanted);
  case SPEC_PERFORMED:
    break;
  }
  char got[512];
  spec_perform_format_results(r, cmd->expected, cmd->expected_count, got,
                              sizeof got);
  return spec_script_fail(s, cmd, "\"%s\" returned %s; expected %s", field, got,
                          wanted);
}

/* Performs the command's action and hands the result to `check`. */
static spec_outcome
perform_and_check(spec_script *s, const spec_command *cmd,
                  spec_outcome (*check)(spec_script *, const spec_command *,
                                        const spec_perform_result *)) {
  spec_perform_result r;
  spec_perform(s, &cmd->action, &r);
  spec_outcome outcome = check(s, cmd, &r);
  spec_perform_result_free(&r);
  return outcome;
}

/* ---- action ------------------------------------------------------------ */

static spec_outcome check_completed(spec_script *s, const spec_command *cmd,
                                    const spec_perform_result *r) {
  if (r->status == SPEC_PERFORMED)
    return SPEC_PASS;
  return report_unexpected(s, cmd, r, "it to complete");
}

spec_outcome spec_run_action(spec_script *s, const spec_command *cmd) {
  return perform_and_check(s, cmd, check_completed);
}

/* ---- assert_return ----------------------------------------------------- */

static bool results_match(const spec_command *cmd,
                          const spec_perform_result *r) {
  if (r->count != cmd->expected_count)
    return false;
  for (size_t i = 0; i < r->count; i++) {
    spec_value actual;
    spec_value_from_host(&r->results[i], cmd->expected[i].lane_type, &actual);
    if (!spec_value_matches(&cmd->expected[i], &actual))
      return false;
  }
  return true;
}

static void format_expected(const spec_command *cmd, char *buf, size_t size) {
  size_t used = 0;
  snprintf(buf, size, "(nothing)");
  for (size_t i = 0; i < cmd->expected_count && used + 1 < size; i++) {
    char text[160];
    spec_value_format(&cmd->expected[i], text, sizeof text);
    int n = snprintf(buf + used, size - used, "%s%s", i ? " " : "", text);
    if (n < 0)
      break;
    used += (size_t)n;
  }
}

static spec_outcome check_returned(spec_script *s, const spec_command *cmd,
                                   const spec_perform_result *r) {
  if (r->status == SPEC_PERFORMED && results_match(cmd, r))
    return SPEC_PASS;
  char wanted[512];
  format_expected(cmd, wanted, sizeof wanted);
  return report_unexpected(s, cmd, r, wanted);
}

spec_outcome spec_run_assert_return(spec_script *s, const spec_command *cmd) {
  return perform_and_check(s, cmd, check_returned);
}

/* ---- assert_trap and assert_exhaustion ---------------------------------- */

static spec_outcome check_trapped(spec_script *s, const spec_command *cmd,
                                  const spec_perform_result *r) {
  const char *text = spec_expected_text(cmd);
  if (r->status == SPEC_PERFORM_TRAPPED &&
      spec_messages_agree(text, r->trap.message))
    return SPEC_PASS;
  char wanted[320];
  snprintf(wanted, sizeof wanted, "a trap \"%s\"", text);
  return report_unexpected(s, cmd, r, wanted);
}

spec_outcome spec_run_assert_trap(spec_script *s, const spec_command *cmd) {
  return perform_and_check(s, cmd, check_trapped);
}

/* The runner survives because the loader's stack limit (checked in each
 * function prologue) leaves room below it for the trap path. */
spec_outcome spec_run_assert_exhaustion(spec_script *s,
                                        const spec_command *cmd) {
  return perform_and_check(s, cmd, check_trapped);
}

/* ---- assert_exception --------------------------------------------------- */

/* An exception that leaves Wasm reaches the embedder as a trap of kind
 * EXCEPTION carrying its tag; returning or any other trap is a failure. */
static spec_outcome check_thrown(spec_script *s, const spec_command *cmd,
                                 const spec_perform_result *r) {
  if (r->status == SPEC_PERFORM_TRAPPED &&
      r->trap.kind == WASMAOT_TRAP_EXCEPTION && r->trap.exception_tag)
    return SPEC_PASS;
  return report_unexpected(s, cmd, r, "an exception");
}

spec_outcome spec_run_assert_exception(spec_script *s,
                                       const spec_command *cmd) {
  return perform_and_check(s, cmd, check_thrown);
}
