/* `wasmaot validate [--wasm-features=LIST] FILE...`: decode and validate,
 * report the first error of each file as FILE:0xOFFSET: message. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_read.h"
#include "wasm_features.h"
#include "wasm_module.h"

static int validate_usage(FILE *out) {
  fprintf(out, "Usage: wasmaot validate [--wasm-features=LIST] FILE.wasm...\n"
               "\n"
               "Decodes and validates each WebAssembly binary module and\n"
               "names the features beyond 2.0 it uses (FILE: uses tail-call,\n"
               "...). --wasm-features turns features off or on, e.g.\n"
               "-tail-call,-threads (all on by default): a module using one\n"
               "turned off is invalid. Known:");
  for (unsigned i = 0; i < WASM_FEATURE_COUNT; i++)
    fprintf(out, " %s", wasm_feature_name(i));
  fprintf(out, ").\n"
               "Exit status: 0 when every file is valid, 1 otherwise.\n");
  return out == stdout ? 0 : 2;
}

static bool validate_file(const char *path, wasm_features features) {
  size_t size;
  uint8_t *bytes = file_read_all(path, &size);
  if (!bytes) {
    fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
    return false;
  }
  wasm_error err = {0};
  wasm_module *m = wasm_module_decode_features(bytes, size, features, &err);
  free(bytes);
  bool ok = m && wasm_module_validate(m, &err) &&
            wasm_module_check_features(m, features, &err);
  if (!ok) {
    fprintf(stderr, "%s:0x%zx: %s\n", path, err.offset, err.message);
  } else {
    char names[256];
    wasm_features_format(wasm_module_features(m, NULL), names, sizeof names);
    if (names[0])
      printf("%s: uses %s\n", path, names);
  }
  wasm_module_free(m);
  return ok;
}

int cli_validate(int argc, char **argv) {
  if (argc < 2)
    return validate_usage(stderr);
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
    return validate_usage(stdout);
  wasm_features features = WASM_FEATURES_DEFAULT;
  int i = 1;
  for (; i < argc && !strncmp(argv[i], "--wasm-features", 15); i++) {
    const char *list = argv[i][15] == '=' ? argv[i] + 16 : NULL;
    if (!list && argv[i][15] == '\0' && i + 1 < argc)
      list = argv[++i];
    char why[256];
    if (!list)
      return validate_usage(stderr);
    if (!wasm_features_parse(list, &features, why, sizeof why)) {
      fprintf(stderr, "wasmaot validate: %s\n", why);
      return 2;
    }
  }
  if (i >= argc)
    return validate_usage(stderr);
  bool all_ok = true;
  for (; i < argc; i++)
    all_ok &= validate_file(argv[i], features);
  return all_ok ? 0 : 1;
}
