#include "wasm_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool wasm_error_set(wasm_error *err, size_t offset, const char *fmt, ...) {
  if (!err || err->is_set)
    return false;
  err->is_set = true;
  err->offset = offset;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return false;
}

void wasm_error_clear(wasm_error *err) {
  memset(err, 0, sizeof *err);
}
