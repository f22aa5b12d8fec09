#include "spec_load.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec_file.h"
#include "wasm_features.h"

static uint8_t *read_module_file(const spec_script *s, const char *filename,
                                 size_t *size, wasm_error *err) {
  char *path = spec_path_join(s->module_dir, filename);
  uint8_t *bytes = path ? spec_read_file(path, size) : NULL;
  if (!bytes)
    wasm_error_set(err, 0, "cannot read %s: %s", path ? path : filename,
                   strerror(errno));
  free(path);
  return bytes;
}

spec_load_result spec_load_module(const spec_script *s, const char *filename,
                                  wasm_module **module, wasm_error *err) {
  *module = NULL;
  wasm_error_clear(err);
  size_t size;
  uint8_t *bytes = read_module_file(s, filename, &size, err);
  if (!bytes)
    return SPEC_LOAD_UNREADABLE;
  wasm_module *m =
      wasm_module_decode_features(bytes, size, s->options->wasm_features, err);
  free(bytes);
  if (!m)
    return SPEC_DECODE_FAILED;
  if (!wasm_module_validate(m, err) ||
      !wasm_module_check_features(m, s->options->wasm_features, err)) {
    wasm_module_free(m);
    return SPEC_VALIDATE_FAILED;
  }
  *module = m;
  return SPEC_LOADED;
}

const char *spec_load_stage_name(spec_load_result result) {
  switch (result) {
  case SPEC_LOADED:
    return "loading";
  case SPEC_LOAD_UNREADABLE:
    return "reading";
  case SPEC_DECODE_FAILED:
    return "decoding";
  case SPEC_VALIDATE_FAILED:
    return "validation";
  }
  return "?";
}
