/* `wasmaot validate FILE...`: decode and validate, report the first error
 * of each file as FILE:0xOFFSET: message. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_read.h"
#include "wasm_module.h"

static int validate_usage(FILE *out) {
  fprintf(out, "Usage: wasmaot validate FILE.wasm...\n"
               "\n"
               "Decodes and validates each WebAssembly binary module.\n"
               "Exit status: 0 when every file is valid, 1 otherwise.\n");
  return out == stdout ? 0 : 2;
}

static bool validate_file(const char *path) {
  size_t size;
  uint8_t *bytes = file_read_all(path, &size);
  if (!bytes) {
    fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
    return false;
  }
  wasm_error err = {0};
  wasm_module *m = wasm_module_decode(bytes, size, &err);
  free(bytes);
  bool ok = m && wasm_module_validate(m, &err);
  if (!ok)
    fprintf(stderr, "%s:0x%zx: %s\n", path, err.offset, err.message);
  wasm_module_free(m);
  return ok;
}

int cli_validate(int argc, char **argv) {
  if (argc < 2)
    return validate_usage(stderr);
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
    return validate_usage(stdout);
  bool all_ok = true;
  for (int i = 1; i < argc; i++)
    all_ok &= validate_file(argv[i]);
  return all_ok ? 0 : 1;
}
