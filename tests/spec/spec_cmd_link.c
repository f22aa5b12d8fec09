/* Modules that must fail to instantiate: assert_unlinkable (a link error:
 * unknown import or incompatible import type) and assert_uninstantiable
 * (a trap: segment out of bounds, or in the start function; wast2json
 * also turns `assert_trap (module ...)` into this). */
#include <stdio.h>

#include "spec_handlers.h"
#include "spec_instantiate.h"

/* An instantiation that should have failed leaves an instance; keep it
 * until the script ends like any other. */
static void keep_instance(spec_script *s, spec_instantiation *in) {
  spec_registry_keep(&s->runtime.registry, in->instance);
  in->instance = NULL;
}

static spec_outcome expect_failure(spec_script *s, const spec_command *cmd,
                                   spec_instantiation_status wanted) {
  spec_instantiation in;
  spec_instantiate(s, cmd->filename, &in);
  keep_instance(s, &in);
  const char *text = spec_expected_text(cmd);
  const char *actual = in.status == SPEC_TRAPPED ? in.trap.message : in.message;
  if (in.status == wanted && spec_messages_agree(text, actual))
    return SPEC_PASS;
  char why[768];
  spec_instantiation_describe(&in, why, sizeof why);
  if (in.status == SPEC_NOT_LINKED && in.depends_on_failed) {
    spec_script_warn(s, cmd, "%s: imports from a module that failed: %s",
                     cmd->filename, why);
    return SPEC_SKIP_DEPENDS;
  }
  return spec_script_fail(
      s, cmd, "%s: %s; expected %s \"%s\"", cmd->filename, why,
      wanted == SPEC_TRAPPED ? "a trap" : "a link error", text);
}

spec_outcome spec_run_assert_unlinkable(spec_script *s,
                                        const spec_command *cmd) {
  return expect_failure(s, cmd, SPEC_NOT_LINKED);
}

spec_outcome spec_run_assert_uninstantiable(spec_script *s,
                                            const spec_command *cmd) {
  return expect_failure(s, cmd, SPEC_TRAPPED);
}
