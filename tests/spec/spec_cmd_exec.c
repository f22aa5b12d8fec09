/* Commands that need compiled code: for now they are only counted.
 *
 * Their commands are fully parsed already (actions, typed arguments and
 * expected values), so each handler here only has to run them: resolve
 * the target instance (cmd->action.module or the current one), call the
 * export with cmd->action.args, and compare with spec_value_matches(). */
#include "spec_handlers.h"

/* Binds cmd->register_as to the instance cmd->name (or the current one)
 * so later modules can import from it. */
spec_outcome spec_run_register(spec_script *s, const spec_command *cmd) {
  (void)s, (void)cmd;
  return SPEC_SKIP_EXEC;
}

/* Invokes or reads the export; only a trap is a failure. */
spec_outcome spec_run_action(spec_script *s, const spec_command *cmd) {
  (void)s, (void)cmd;
  return SPEC_SKIP_EXEC;
}

/* The results must match cmd->expected, NaN patterns included. */
spec_outcome spec_run_assert_return(spec_script *s, const spec_command *cmd) {
  (void)s, (void)cmd;
  return SPEC_SKIP_EXEC;
}

/* The action must trap; cmd->text is the spec's trap message. */
spec_outcome spec_run_assert_trap(spec_script *s, const spec_command *cmd) {
  (void)s, (void)cmd;
  return SPEC_SKIP_EXEC;
}

/* The action must exhaust the call stack, and the runner must survive. */
spec_outcome spec_run_assert_exhaustion(spec_script *s,
                                        const spec_command *cmd) {
  (void)s, (void)cmd;
  return SPEC_SKIP_EXEC;
}

/* The (valid) module must fail to link against the registered modules. */
spec_outcome spec_run_assert_unlinkable(spec_script *s,
                                        const spec_command *cmd) {
  (void)s, (void)cmd;
  return SPEC_SKIP_EXEC;
}

/* The module links but instantiation traps (segment out of bounds, start
 * function trap); effects on shared tables and memories remain. */
spec_outcome spec_run_assert_uninstantiable(spec_script *s,
                                            const spec_command *cmd) {
  (void)s, (void)cmd;
  return SPEC_SKIP_EXEC;
}
