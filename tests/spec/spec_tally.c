#include "spec_tally.h"

void spec_tally_record(spec_tally *t, const spec_command *cmd,
                       spec_outcome outcome) {
  t->outcome[outcome]++;
  t->by_kind[cmd->kind][outcome]++;
  if (cmd->format == SPEC_MODULE_TEXT)
    t->text_modules[cmd->kind]++;
  else if (cmd->format == SPEC_MODULE_BINARY)
    t->binary_modules[cmd->kind]++;
}

void spec_tally_record_rejection(spec_tally *t, spec_command_kind kind,
                                 spec_reject_stage stage) {
  t->rejected[kind][stage]++;
}

void spec_tally_record_script_failure(spec_tally *t) {
  t->outcome[SPEC_FAIL]++;
  t->script_failures++;
}

void spec_tally_record_listed(spec_tally *t, const char *reason) {
  t->outcome[SPEC_SKIP_LISTED]++;
  if (!t->listed_reason)
    t->listed_reason = reason;
}

void spec_tally_record_unreadable_command(spec_tally *t) {
  t->outcome[SPEC_FAIL]++;
  t->unreadable_commands++;
}

void spec_tally_add(spec_tally *into, const spec_tally *from) {
  for (int o = 0; o < SPEC_OUTCOME_COUNT; o++)
    into->outcome[o] += from->outcome[o];
  for (int k = 0; k < SPEC_CMD_KIND_COUNT; k++) {
    for (int o = 0; o < SPEC_OUTCOME_COUNT; o++)
      into->by_kind[k][o] += from->by_kind[k][o];
    for (int s = 0; s < SPEC_REJECT_STAGE_COUNT; s++)
      into->rejected[k][s] += from->rejected[k][s];
    into->text_modules[k] += from->text_modules[k];
    into->binary_modules[k] += from->binary_modules[k];
  }
  into->script_failures += from->script_failures;
  into->unreadable_commands += from->unreadable_commands;
  if (!into->listed_reason)
    into->listed_reason = from->listed_reason;
}

size_t spec_tally_skipped(const spec_tally *t) {
  return t->outcome[SPEC_SKIP_TEXT] + t->outcome[SPEC_SKIP_DEPENDS] +
         t->outcome[SPEC_SKIP_LISTED];
}

void spec_tally_print_file(FILE *out, const char *name, const spec_tally *t) {
  fprintf(out, "%s: %zu passed, %zu failed, %zu skipped", name,
          t->outcome[SPEC_PASS], t->outcome[SPEC_FAIL], spec_tally_skipped(t));
  if (t->outcome[SPEC_SKIP_LISTED] > 0)
    fprintf(out, " (%zu listed: %s)", t->outcome[SPEC_SKIP_LISTED],
            t->listed_reason);
  fputc('\n', out);
}

void spec_tally_print_summary(FILE *out, const spec_tally *t) {
  fprintf(out, "%zu passed, %zu failed, %zu skipped\n", t->outcome[SPEC_PASS],
          t->outcome[SPEC_FAIL], spec_tally_skipped(t));
  fprintf(out,
          "skipped: %zu text-format, %zu depend on a module that failed, "
          "%zu listed in the skip list\n",
          t->outcome[SPEC_SKIP_TEXT], t->outcome[SPEC_SKIP_DEPENDS],
          t->outcome[SPEC_SKIP_LISTED]);
}

static size_t kind_total(const spec_tally *t, int kind) {
  size_t n = 0;
  for (int o = 0; o < SPEC_OUTCOME_COUNT; o++)
    n += t->by_kind[kind][o];
  return n;
}

void spec_tally_print_table(FILE *out, const spec_tally *t) {
  fprintf(out, "%-22s %7s %7s %7s %7s %7s %7s %9s %9s\n", "command", "total",
          "binary", "text", "passed", "failed", "skipped", "rej:dec",
          "rej:val");
  for (int k = 0; k < SPEC_CMD_KIND_COUNT; k++) {
    const size_t *o = t->by_kind[k];
    fprintf(out, "%-22s %7zu %7zu %7zu %7zu %7zu %7zu %9zu %9zu\n",
            spec_command_kind_name((spec_command_kind)k), kind_total(t, k),
            t->binary_modules[k], t->text_modules[k], o[SPEC_PASS],
            o[SPEC_FAIL],
            o[SPEC_SKIP_TEXT] + o[SPEC_SKIP_DEPENDS] + o[SPEC_SKIP_LISTED],
            t->rejected[k][SPEC_REJECTED_BY_DECODE],
            t->rejected[k][SPEC_REJECTED_BY_VALIDATE]);
  }
  if (t->script_failures > 0)
    fprintf(out, "scripts that failed to convert or parse: %zu\n",
            t->script_failures);
  if (t->unreadable_commands > 0)
    fprintf(out, "commands that could not be parsed: %zu\n",
            t->unreadable_commands);
}
