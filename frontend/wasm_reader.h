/* A bounds-checked cursor over the bytes of a WebAssembly binary.
 *
 * Every read checks the end of its window and, on failure, records an error
 * at the current offset and returns false; nothing here reads past `end`.
 * LEB128 reads follow the binary format's exact rules: at most ceil(N/7)
 * bytes for an N-bit integer, and the unused bits of the last byte must be
 * zero (unsigned) or copies of the sign bit (signed). */
#ifndef WASMAOT_WASM_READER_H
#define WASMAOT_WASM_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm_error.h"

typedef struct wasm_reader {
  const uint8_t *bytes; /* start of the whole module: offsets are from here */
  size_t pos;           /* next byte to read */
  size_t end;           /* one past the last readable byte of this window */
  wasm_error *err;
} wasm_reader;

static inline bool wasm_reader_at_end(const wasm_reader *r) {
  return r->pos >= r->end;
}

static inline size_t wasm_reader_remaining(const wasm_reader *r) {
  return r->pos < r->end ? r->end - r->pos : 0;
}

bool wasm_read_u8(wasm_reader *r, uint8_t *out);
bool wasm_read_u32(wasm_reader *r, uint32_t *out);
bool wasm_read_u64(wasm_reader *r, uint64_t *out);
bool wasm_read_s32(wasm_reader *r, int32_t *out);
bool wasm_read_s33(wasm_reader *r, int64_t *out); /* block types */
bool wasm_read_s64(wasm_reader *r, int64_t *out);
/* Raw little-endian IEEE-754 bits: floats are never converted, so NaN
 * payloads survive. */
bool wasm_read_f32_bits(wasm_reader *r, uint32_t *out);
bool wasm_read_f64_bits(wasm_reader *r, uint64_t *out);
/* Points *out at the next n bytes and skips them. */
bool wasm_read_bytes(wasm_reader *r, size_t n, const uint8_t **out);
/* A vec(byte) name: length-prefixed, must be valid UTF-8. */
bool wasm_read_name(wasm_reader *r, const char **out, uint32_t *len);

/* Is s[0..len) well-formed UTF-8 (no overlongs, surrogates or values above
 * U+10FFFF)? */
bool wasm_utf8_valid(const uint8_t *s, size_t len);

#endif
