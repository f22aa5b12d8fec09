#include "file_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

uint8_t *file_read_all(const char *path, size_t *size_out) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    len += fread(buf + len, 1, cap - len, f);
    if (len < cap)
      break;
    uint8_t *grown = realloc(buf, cap *= 2);
    if (!grown) {
      free(buf);
      buf = NULL;
      errno = ENOMEM;
    }
    buf = grown;
  }
  if (buf && ferror(f)) {
    int e = errno;
    free(buf);
    buf = NULL;
    errno = e;
  }
  fclose(f);
  *size_out = len;
  return buf;
}
