#include "wasm_reader.h"

#include <string.h>

static bool unexpected_end(wasm_reader *r) {
  return wasm_error_set(r->err, r->pos,
                        "unexpected end of section or function");
}

bool wasm_read_u8(wasm_reader *r, uint8_t *out) {
  if (r->pos >= r->end)
    return unexpected_end(r);
  *out = r->bytes[r->pos++];
  return true;
}

/* Reads an unsigned or signed LEB128 of `bits` bits. The last permitted
 * byte may only use the bits that still fit; for signed values the unused
 * high bits must repeat the sign bit. */
static bool read_leb(wasm_reader *r, unsigned bits, bool is_signed,
                     uint64_t *out) {
  size_t start = r->pos;
  unsigned max_bytes = (bits + 6) / 7;
  uint64_t result = 0;
  unsigned shift = 0;
  for (unsigned i = 0;; i++) {
    if (r->pos >= r->end)
      return unexpected_end(r);
    uint8_t byte = r->bytes[r->pos++];
    if (i == max_bytes - 1) {
      if (byte & 0x80)
        return wasm_error_set(r->err, start, "integer representation too long");
      unsigned used = bits - shift; /* payload bits that still fit: 1..7 */
      uint8_t unused_mask = (uint8_t)(0x7f & ~((1u << used) - 1));
      if (is_signed) {
        bool sign = (byte >> (used - 1)) & 1;
        if ((byte & unused_mask) != (sign ? unused_mask : 0))
          return wasm_error_set(r->err, start, "integer too large");
      } else if (byte & unused_mask) {
        return wasm_error_set(r->err, start, "integer too large");
      }
    }
    result |= (uint64_t)(byte & 0x7f) << shift;
    shift += 7;
    if (!(byte & 0x80)) {
      if (is_signed && shift < 64 && (byte & 0x40))
        result |= ~(uint64_t)0 << shift;
      break;
    }
  }
  *out = result;
  return true;
}

bool wasm_read_u32(wasm_reader *r, uint32_t *out) {
  uint64_t v;
  if (!read_leb(r, 32, false, &v))
    return false;
  *out = (uint32_t)v;
  return true;
}

bool wasm_read_u64(wasm_reader *r, uint64_t *out) {
  return read_leb(r, 64, false, out);
}

bool wasm_read_s32(wasm_reader *r, int32_t *out) {
  uint64_t v;
  if (!read_leb(r, 32, true, &v))
    return false;
  *out = (int32_t)(uint32_t)v;
  return true;
}

bool wasm_read_s33(wasm_reader *r, int64_t *out) {
  uint64_t v;
  if (!read_leb(r, 33, true, &v))
    return false;
  *out = (int64_t)v;
  return true;
}

bool wasm_read_s64(wasm_reader *r, int64_t *out) {
  uint64_t v;
  if (!read_leb(r, 64, true, &v))
    return false;
  *out = (int64_t)v;
  return true;
}

bool wasm_read_f32_bits(wasm_reader *r, uint32_t *out) {
  const uint8_t *p;
  if (!wasm_read_bytes(r, 4, &p))
    return false;
  *out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
  return true;
}

bool wasm_read_f64_bits(wasm_reader *r, uint64_t *out) {
  const uint8_t *p;
  if (!wasm_read_bytes(r, 8, &p))
    return false;
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = v << 8 | p[i];
  *out = v;
  return true;
}

bool wasm_read_bytes(wasm_reader *r, size_t n, const uint8_t **out) {
  if (n > wasm_reader_remaining(r))
    return wasm_error_set(r->err, r->pos,
                          "unexpected end: %zu bytes needed, %zu left", n,
                          wasm_reader_remaining(r));
  *out = r->bytes + r->pos;
  r->pos += n;
  return true;
}

bool wasm_read_name(wasm_reader *r, const char **out, uint32_t *len) {
  size_t start = r->pos;
  uint32_t n;
  const uint8_t *p;
  if (!wasm_read_u32(r, &n) || !wasm_read_bytes(r, n, &p))
    return false;
  if (!wasm_utf8_valid(p, n))
    return wasm_error_set(r->err, start, "malformed UTF-8 encoding in name");
  *out = (const char *)p;
  *len = n;
  return true;
}

bool wasm_utf8_valid(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint8_t c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    unsigned n;
    uint32_t cp, min;
    if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (len - i <= n)
      return false;
    for (unsigned k = 1; k <= n; k++) {
      if ((s[i + k] & 0xc0) != 0x80)
        return false;
      cp = cp << 6 | (s[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}
