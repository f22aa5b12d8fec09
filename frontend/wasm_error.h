/* Error reporting shared by the decoder, validator and code generator.
 *
 * Every failure carries the byte offset in the module where it was found,
 * so a user sees `app.wasm:0x1a3: type mismatch in i32.add: expected i32,
 * found f64`. The first error wins: later calls to wasm_error_set() on an
 * error that is already set are ignored, so the deepest, most specific
 * message survives the unwinding of callers. */
#ifndef WASMAOT_WASM_ERROR_H
#define WASMAOT_WASM_ERROR_H

#include <stdbool.h>
#include <stddef.h>

typedef struct wasm_error {
  bool is_set;
  size_t offset;     /* byte offset in the module binary */
  char message[256]; /* without the offset prefix */
} wasm_error;

/* Records the first error; returns false so callers can `return
 * wasm_error_set(...)` from a bool function. */
bool wasm_error_set(wasm_error *err, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void wasm_error_clear(wasm_error *err);

#endif
