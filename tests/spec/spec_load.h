/* Loading a binary module of the script: read, decode, validate. */
#ifndef WASMAOT_SPEC_LOAD_H
#define WASMAOT_SPEC_LOAD_H

#include "spec_script.h"
#include "wasm_module.h"

typedef enum spec_load_result {
  SPEC_LOADED,
  SPEC_LOAD_UNREADABLE, /* the runner's problem, never a rejection */
  SPEC_DECODE_FAILED,
  SPEC_VALIDATE_FAILED,
} spec_load_result;

/* Loads `filename` from the script's module directory. On SPEC_LOADED,
 * *module is a valid module the caller frees; otherwise *module is NULL
 * and *err says why. */
spec_load_result spec_load_module(const spec_script *s, const char *filename,
                                  wasm_module **module, wasm_error *err);

/* "reading", "decoding", "validation": the stage that failed. */
const char *spec_load_stage_name(spec_load_result result);

#endif
