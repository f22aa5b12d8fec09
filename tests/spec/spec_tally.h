/* Counting outcomes per script and for the whole run, and printing them. */
#ifndef WASMAOT_SPEC_TALLY_H
#define WASMAOT_SPEC_TALLY_H

#include <stddef.h>
#include <stdio.h>

#include "spec_command.h"

typedef enum spec_outcome {
  SPEC_PASS,
  SPEC_FAIL,
  SPEC_SKIP_TEXT, /* the module is in the text format */
  /* The command acts on a module that failed (to compile, load or
   * instantiate); that module's command is the failure that counts. */
  SPEC_SKIP_DEPENDS,
  /* The skip list names it: a feature not implemented (spec_skip_list.h) */
  SPEC_SKIP_LISTED,
  SPEC_OUTCOME_COUNT
} spec_outcome;

/* Which stage turned away a module an assertion expects to be rejected;
 * a malformed module caught only by validation hints at a decoder gap. */
typedef enum spec_reject_stage {
  SPEC_REJECTED_BY_DECODE,
  SPEC_REJECTED_BY_VALIDATE,
  SPEC_REJECT_STAGE_COUNT
} spec_reject_stage;

typedef struct spec_tally {
  size_t outcome[SPEC_OUTCOME_COUNT];
  size_t by_kind[SPEC_CMD_KIND_COUNT][SPEC_OUTCOME_COUNT];
  size_t text_modules[SPEC_CMD_KIND_COUNT];
  size_t binary_modules[SPEC_CMD_KIND_COUNT];
  size_t rejected[SPEC_CMD_KIND_COUNT][SPEC_REJECT_STAGE_COUNT];
  /* Scripts that failed as a whole (conversion, unreadable JSON); each
   * also counts as one failure in `outcome`. */
  size_t script_failures;
  /* Commands whose JSON could not be understood; also failures. */
  size_t unreadable_commands;
  /* The reason of the first listed skip, for the script's line. */
  const char *listed_reason;
} spec_tally;

void spec_tally_record(spec_tally *t, const spec_command *cmd,
                       spec_outcome outcome);
void spec_tally_record_rejection(spec_tally *t, spec_command_kind kind,
                                 spec_reject_stage stage);
void spec_tally_record_script_failure(spec_tally *t);
/* A command the skip list names, with the list's reason. */
void spec_tally_record_listed(spec_tally *t, const char *reason);
void spec_tally_record_unreadable_command(spec_tally *t);
void spec_tally_add(spec_tally *into, const spec_tally *from);

size_t spec_tally_skipped(const spec_tally *t);

/* "name: P passed, F failed, S skipped" */
void spec_tally_print_file(FILE *out, const char *name, const spec_tally *t);
/* "N passed, M failed, K skipped" and the breakdown of the skips. */
void spec_tally_print_summary(FILE *out, const spec_tally *t);
/* Per command kind: module formats, outcomes, rejection stages. */
void spec_tally_print_table(FILE *out, const spec_tally *t);

#endif
