/* Protocol Buffers wire format, as much as the shim needs: varints,
 * length-delimited fields (strings, bytes, nested messages) and a reader
 * that walks a message field by field. The message layouts themselves
 * (containerd's shim.proto, ttrpc's request.proto) live in the callers. */
#ifndef WASMAOT_SHIM_PROTO_H
#define WASMAOT_SHIM_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growing output buffer. On allocation failure `failed` is set and
 * later writes are dropped, so callers check once at the end. */
typedef struct pb_buf {
  uint8_t *data;
  size_t len, cap;
  bool failed;
} pb_buf;

void pb_buf_free(pb_buf *b);
void pb_put_raw(pb_buf *b, const void *p, size_t n);
/* A varint field (wire type 0); zero values are written too, so callers
 * skip defaults themselves where proto3 would. */
void pb_put_uint(pb_buf *b, uint32_t field, uint64_t v);
/* A length-delimited field (wire type 2). */
void pb_put_bytes(pb_buf *b, uint32_t field, const void *p, size_t n);
/* A string field, omitted when empty or NULL (the proto3 default). */
void pb_put_str(pb_buf *b, uint32_t field, const char *s);
/* A nested message already encoded in `m`. */
void pb_put_msg(pb_buf *b, uint32_t field, const pb_buf *m);
/* A google.protobuf.Timestamp (seconds, nanos) as field `field`. */
void pb_put_timestamp(pb_buf *b, uint32_t field, int64_t sec, int32_t nsec);

typedef struct pb_reader {
  const uint8_t *p, *end;
} pb_reader;

typedef struct pb_field {
  uint32_t number;
  int wire;           /* 0 varint, 1 fixed64, 2 bytes, 5 fixed32 */
  uint64_t value;     /* wire 0, 1, 5 */
  const uint8_t *ptr; /* wire 2 */
  size_t len;
} pb_field;

static inline pb_reader pb_reader_of(const void *p, size_t n) {
  return (pb_reader){(const uint8_t *)p, (const uint8_t *)p + n};
}

/* The next field: 1, 0 at the end, -1 on malformed input. */
int pb_next(pb_reader *r, pb_field *f);

/* A length-delimited field as a malloc'ed NUL-terminated string (NULL
 * when out of memory). */
char *pb_strdup(const pb_field *f);

#endif
