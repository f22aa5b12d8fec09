#include "bytebuf.h"

#include <stdlib.h>
#include <string.h>

static bool reserve(bytebuf *b, size_t extra) {
  if (b->failed)
    return false;
  if (extra <= b->cap - b->len)
    return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap - b->len < extra) {
    if (cap > SIZE_MAX / 2) {
      b->failed = true;
      return false;
    }
    cap *= 2;
  }
  uint8_t *p = realloc(b->data, cap);
  if (!p) {
    b->failed = true;
    return false;
  }
  b->data = p;
  b->cap = cap;
  return true;
}

void bytebuf_append(bytebuf *b, const void *data, size_t len) {
  if (len && reserve(b, len)) {
    memcpy(b->data + b->len, data, len);
    b->len += len;
  }
}

void bytebuf_append_byte(bytebuf *b, uint8_t byte) {
  bytebuf_append(b, &byte, 1);
}

void bytebuf_append_u32_leb(bytebuf *b, uint32_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    bytebuf_append_byte(b, byte | (v ? 0x80 : 0));
  } while (v);
}

void bytebuf_free(bytebuf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
