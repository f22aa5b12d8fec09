/* A growable byte buffer for the writers (skeleton, metadata). A failed
 * allocation sets `failed` and makes later appends no-ops, so writers
 * check once at the end. */
#ifndef WASMAOT_BYTEBUF_H
#define WASMAOT_BYTEBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bytebuf {
  uint8_t *data;
  size_t len, cap;
  bool failed;
} bytebuf;

void bytebuf_append(bytebuf *b, const void *data, size_t len);
void bytebuf_append_byte(bytebuf *b, uint8_t byte);
void bytebuf_append_u32_leb(bytebuf *b, uint32_t v);
void bytebuf_free(bytebuf *b);

#endif
