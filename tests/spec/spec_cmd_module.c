/* Commands decided by decoding and validation alone: a module must load;
 * an assert_malformed or assert_invalid module must be turned away. */
#include "spec_handlers.h"
#include "spec_load.h"

static const char *expected_text(const spec_command *cmd) {
  return cmd->text ? cmd->text : "(no message)";
}

spec_outcome spec_run_module(spec_script *s, const spec_command *cmd) {
  wasm_module *module;
  wasm_error err;
  spec_load_result r = spec_load_module(s, cmd->filename, &module, &err);
  if (r == SPEC_LOAD_UNREADABLE)
    return spec_script_fail(s, cmd, "%s", err.message);
  if (r != SPEC_LOADED)
    return spec_script_fail(s, cmd, "%s: %s failed at 0x%zx: %s", cmd->filename,
                            spec_load_stage_name(r), err.offset, err.message);
  /* The execution phase compiles and instantiates the module here, binds
   * it to cmd->name and makes it the script's current module. */
  wasm_module_free(module);
  return SPEC_PASS;
}

static spec_reject_stage reject_stage_of(spec_load_result r) {
  return r == SPEC_DECODE_FAILED ? SPEC_REJECTED_BY_DECODE
                                 : SPEC_REJECTED_BY_VALIDATE;
}

/* Passes when either stage rejects the module; a rejection by the other
 * stage than `expected` still passes (the spec only asks that the module
 * be refused) but is worth a warning, as it hints that a check sits in
 * the wrong place. */
static spec_outcome expect_rejection(spec_script *s, const spec_command *cmd,
                                     spec_load_result expected) {
  wasm_module *module;
  wasm_error err;
  spec_load_result r = spec_load_module(s, cmd->filename, &module, &err);
  if (r == SPEC_LOADED) {
    wasm_module_free(module);
    return spec_script_fail(s, cmd, "%s: accepted, expected \"%s\"",
                            cmd->filename, expected_text(cmd));
  }
  if (r == SPEC_LOAD_UNREADABLE)
    return spec_script_fail(s, cmd, "%s", err.message);
  spec_tally_record_rejection(&s->tally, cmd->kind, reject_stage_of(r));
  if (r != expected)
    spec_script_warn(s, cmd,
                     "%s: rejected by %s, not %s, at 0x%zx: %s "
                     "(expected \"%s\")",
                     cmd->filename, spec_load_stage_name(r),
                     spec_load_stage_name(expected), err.offset, err.message,
                     expected_text(cmd));
  return SPEC_PASS;
}

spec_outcome spec_run_assert_malformed(spec_script *s,
                                       const spec_command *cmd) {
  return expect_rejection(s, cmd, SPEC_DECODE_FAILED);
}

spec_outcome spec_run_assert_invalid(spec_script *s, const spec_command *cmd) {
  return expect_rejection(s, cmd, SPEC_VALIDATE_FAILED);
}
