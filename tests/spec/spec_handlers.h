/* One handler per command kind. Each returns the command's outcome and
 * prints its own failure details through spec_script_fail(). Commands on
 * text-format modules never reach a handler: the dispatcher skips them. */
#ifndef WASMAOT_SPEC_HANDLERS_H
#define WASMAOT_SPEC_HANDLERS_H

#include "spec_command.h"
#include "spec_script.h"
#include "spec_tally.h"

typedef spec_outcome (*spec_command_handler)(spec_script *s,
                                             const spec_command *cmd);

/* spec_cmd_module.c: commands that bring a module to compile and run, or
 * to be rejected by decoding or validation. */
spec_outcome spec_run_module(spec_script *s, const spec_command *cmd);
spec_outcome spec_run_assert_malformed(spec_script *s, const spec_command *cmd);
spec_outcome spec_run_assert_invalid(spec_script *s, const spec_command *cmd);
spec_outcome spec_run_module_definition(spec_script *s,
                                        const spec_command *cmd);
/* A command whose module the converter could not encode: a failure (and
 * a module command binds its name to the failed module). */
spec_outcome spec_run_unencodable(spec_script *s, const spec_command *cmd);

/* spec_cmd_exec.c: actions on the script's instances. */
spec_outcome spec_run_register(spec_script *s, const spec_command *cmd);
spec_outcome spec_run_action(spec_script *s, const spec_command *cmd);
spec_outcome spec_run_assert_return(spec_script *s, const spec_command *cmd);
spec_outcome spec_run_assert_trap(spec_script *s, const spec_command *cmd);
spec_outcome spec_run_assert_exhaustion(spec_script *s,
                                        const spec_command *cmd);
spec_outcome spec_run_assert_exception(spec_script *s, const spec_command *cmd);
/* spec_cmd_link.c: modules whose instantiation must fail. */
spec_outcome spec_run_assert_unlinkable(spec_script *s,
                                        const spec_command *cmd);
spec_outcome spec_run_assert_uninstantiable(spec_script *s,
                                            const spec_command *cmd);

/* Shared by the handlers (spec_cmd_exec.c). */

/* The spec's messages and ours may differ in how much they say ("unknown
 * import" vs "unknown import \"m\".\"f\""): they agree when one is a
 * prefix of the other. */
bool spec_messages_agree(const char *expected, const char *actual);
/* The command's expected message, or "(no message)". */
const char *spec_expected_text(const spec_command *cmd);

#endif
