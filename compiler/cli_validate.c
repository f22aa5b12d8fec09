/* `wasmaot validate FILE...`: decode and validate, report the first error
 * of each file as FILE:0xOFFSET: message. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_features.h"
#include "wasm_module.h"

static int validate_usage(FILE *out) {
  fprintf(out, "Usage: wasmaot validate [--wasm-features LIST] FILE.wasm...\n"
               "\n"
               "Decodes and validates each WebAssembly binary module and\n"
               "names the features beyond 2.0 it uses (FILE: uses tail-call,\n"
               "...). --wasm-features turns features off or on, e.g.\n"
               "-tail-call,-extended-const (all on by default): a module\n"
               "using one turned off is invalid.\n"
               "Exit status: 0 when every file is valid, 1 otherwise.\n");
  return out == stdout ? 0 : 2;
}

static bool validate_file(const char *path, wasm_features enabled) {
  size_t size;
  uint8_t *bytes = cli_read_file(path, &size);
  if (!bytes) {
    fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
    return false;
  }
  wasm_error err = {0};
  wasm_module *m = wasm_module_decode_features(bytes, size, enabled, &err);
  free(bytes);
  bool ok = m && wasm_module_validate(m, &err) &&
            wasm_module_check_features(m, enabled, &err);
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
  wasm_features enabled = WASM_FEATURES_ALL;
  int first = 1;
  for (; first < argc && argv[first][0] == '-'; first++) {
    const char *s = argv[first];
    if (!strcmp(s, "--help") || !strcmp(s, "-h"))
      return validate_usage(stdout);
    const char *list = NULL;
    if (!strncmp(s, "--wasm-features=", 16))
      list = s + 16;
    else if (!strcmp(s, "--wasm-features") && first + 1 < argc)
      list = argv[++first];
    else
      return validate_usage(stderr);
    char why[256];
    if (!wasm_features_parse(list, &enabled, why, sizeof why)) {
      fprintf(stderr, "wasmaot validate: %s\n", why);
      return 2;
    }
  }
  if (first >= argc)
    return validate_usage(stderr);
  bool all_ok = true;
  for (int i = first; i < argc; i++)
    all_ok &= validate_file(argv[i], enabled);
  return all_ok ? 0 : 1;
}
