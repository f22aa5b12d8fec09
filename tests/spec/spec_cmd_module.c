/* Commands that bring a module: a module must decode, validate, compile
 * and instantiate, and becomes the current module; an assert_malformed
 * or assert_invalid module must be turned away by decoding or
 * validation alone. */
#include <stdio.h>

#include "spec_handlers.h"
#include "spec_instantiate.h"
#include "spec_load.h"

/* Binds the outcome of a module command: its instance, or NULL when it
 * failed, so the commands that use it are told apart from the rest. */
static bool bind_module(spec_script *s, const spec_command *cmd,
                        wasmaot_instance *instance) {
  return spec_registry_add_module(&s->runtime.registry, instance, cmd->name);
}

static spec_outcome fail_module(spec_script *s, const spec_command *cmd,
                                const char *message) {
  bind_module(s, cmd, NULL);
  return spec_script_fail(s, cmd, "%s", message);
}

/* Compiles, loads and instantiates a module that passed validation. */
static spec_outcome instantiate_module(spec_script *s,
                                       const spec_command *cmd) {
  spec_instantiation in;
  spec_instantiate(s, cmd->filename, &in);
  bool bound = bind_module(s, cmd, in.instance);
  if (in.status == SPEC_INSTANTIATED)
    return bound ? SPEC_PASS
                 : spec_script_fail(s, cmd, "%s: out of memory", cmd->filename);
  char why[768];
  spec_instantiation_describe(&in, why, sizeof why);
  if (in.status == SPEC_NOT_LINKED && in.depends_on_failed) {
    spec_script_warn(s, cmd, "%s: imports from a module that failed: %s",
                     cmd->filename, why);
    return SPEC_SKIP_DEPENDS;
  }
  return spec_script_fail(s, cmd, "%s: %s", cmd->filename, why);
}

spec_outcome spec_run_module(spec_script *s, const spec_command *cmd) {
  wasm_module *module;
  wasm_error err;
  spec_load_result r = spec_load_module(s, cmd->filename, &module, &err);
  if (r == SPEC_LOAD_UNREADABLE)
    return fail_module(s, cmd, err.message);
  if (r != SPEC_LOADED) {
    char why[768];
    snprintf(why, sizeof why, "%s: %s failed at 0x%zx: %s", cmd->filename,
             spec_load_stage_name(r), err.offset, err.message);
    return fail_module(s, cmd, why);
  }
  wasm_module_free(module);
  return instantiate_module(s, cmd);
}

/* A definition is checked as a module is, but not instantiated: a later
 * `module instance` command names its file. */
spec_outcome spec_run_module_definition(spec_script *s,
                                        const spec_command *cmd) {
  wasm_module *module;
  wasm_error err;
  spec_load_result r = spec_load_module(s, cmd->filename, &module, &err);
  if (r == SPEC_LOAD_UNREADABLE)
    return spec_script_fail(s, cmd, "%s", err.message);
  if (r != SPEC_LOADED)
    return spec_script_fail(s, cmd, "%s: %s failed at 0x%zx: %s", cmd->filename,
                            spec_load_stage_name(r), err.offset, err.message);
  wasm_module_free(module);
  return SPEC_PASS;
}

spec_outcome spec_run_unencodable(spec_script *s, const spec_command *cmd) {
  if (cmd->kind == SPEC_CMD_MODULE)
    bind_module(s, cmd, NULL);
  return spec_script_fail(s, cmd, "the script reader cannot encode it: %s",
                          cmd->encode_error);
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
                            cmd->filename, spec_expected_text(cmd));
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
                     spec_expected_text(cmd));
  return SPEC_PASS;
}

spec_outcome spec_run_assert_malformed(spec_script *s,
                                       const spec_command *cmd) {
  return expect_rejection(s, cmd, SPEC_DECODE_FAILED);
}

spec_outcome spec_run_assert_invalid(spec_script *s, const spec_command *cmd) {
  return expect_rejection(s, cmd, SPEC_VALIDATE_FAILED);
}
