#include "shim_proto.h"

#include <stdlib.h>
#include <string.h>

void pb_buf_free(pb_buf *b) {
  free(b->data);
  *b = (pb_buf){0};
}

void pb_put_raw(pb_buf *b, const void *p, size_t n) {
  if (b->failed)
    return;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 128;
    while (cap < b->len + n)
      cap *= 2;
    uint8_t *d = realloc(b->data, cap);
    if (!d) {
      b->failed = true;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
}

static void put_varint(pb_buf *b, uint64_t v) {
  uint8_t tmp[10];
  size_t n = 0;
  do {
    tmp[n] = (uint8_t)(v & 0x7f);
    v >>= 7;
    if (v)
      tmp[n] |= 0x80;
    n++;
  } while (v);
  pb_put_raw(b, tmp, n);
}

void pb_put_uint(pb_buf *b, uint32_t field, uint64_t v) {
  put_varint(b, (uint64_t)field << 3);
  put_varint(b, v);
}

void pb_put_bytes(pb_buf *b, uint32_t field, const void *p, size_t n) {
  put_varint(b, (uint64_t)field << 3 | 2);
  put_varint(b, n);
  pb_put_raw(b, p, n);
}

void pb_put_str(pb_buf *b, uint32_t field, const char *s) {
  if (s && *s)
    pb_put_bytes(b, field, s, strlen(s));
}

void pb_put_msg(pb_buf *b, uint32_t field, const pb_buf *m) {
  if (m->failed)
    b->failed = true;
  pb_put_bytes(b, field, m->data, m->len);
}

void pb_put_timestamp(pb_buf *b, uint32_t field, int64_t sec, int32_t nsec) {
  pb_buf t = {0};
  if (sec)
    pb_put_uint(&t, 1, (uint64_t)sec);
  if (nsec)
    pb_put_uint(&t, 2, (uint64_t)(int64_t)nsec);
  pb_put_msg(b, field, &t);
  pb_buf_free(&t);
}

static bool get_varint(pb_reader *r, uint64_t *v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (r->p >= r->end)
      return false;
    uint8_t byte = *r->p++;
    *v |= (uint64_t)(byte & 0x7f) << shift;
    if (!(byte & 0x80))
      return true;
  }
  return false;
}

int pb_next(pb_reader *r, pb_field *f) {
  if (r->p >= r->end)
    return 0;
  uint64_t key;
  if (!get_varint(r, &key) || key >> 3 == 0 || key >> 3 > UINT32_MAX)
    return -1;
  *f = (pb_field){.number = (uint32_t)(key >> 3), .wire = (int)(key & 7)};
  switch (f->wire) {
  case 0:
    return get_varint(r, &f->value) ? 1 : -1;
  case 1:
  case 5: {
    size_t n = f->wire == 1 ? 8 : 4;
    if ((size_t)(r->end - r->p) < n)
      return -1;
    for (size_t i = 0; i < n; i++)
      f->value |= (uint64_t)r->p[i] << (8 * i);
    r->p += n;
    return 1;
  }
  case 2: {
    uint64_t n;
    if (!get_varint(r, &n) || n > (uint64_t)(r->end - r->p))
      return -1;
    f->ptr = r->p;
    f->len = (size_t)n;
    r->p += n;
    return 1;
  }
  }
  return -1;
}

char *pb_strdup(const pb_field *f) {
  char *s = malloc(f->len + 1);
  if (s) {
    memcpy(s, f->ptr, f->len);
    s[f->len] = 0;
  }
  return s;
}
