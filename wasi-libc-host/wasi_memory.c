/* Guest memory seen from the host. The guest hands us 32-bit addresses
 * and lengths it fully controls; each one is checked against the
 * memory's size at the moment of the call (it may have grown since the
 * last call; the base never moves). Sums are done in 64 bits, where two
 * 32-bit values cannot overflow. */
#include "wasi_internal.h"

uint8_t *wasi_guest_bytes(const wasi_ctx *ctx, uint32_t ptr, uint64_t len) {
  if (!ctx->memory)
    return NULL;
  uint64_t size = wasmaot_memory_size(ctx->memory);
  if (len > size || ptr > size - len)
    return NULL;
  return wasmaot_memory_data(ctx->memory) + ptr;
}

int32_t wasi_check_out(const wasi_ctx *ctx, uint32_t ptr, uint64_t len) {
  return wasi_guest_bytes(ctx, ptr, len) ? 0 : WASI_EFAULT;
}

int32_t wasi_store_u32(const wasi_ctx *ctx, uint32_t ptr, uint32_t v) {
  uint8_t *p = wasi_guest_bytes(ctx, ptr, 4);
  if (!p)
    return WASI_EFAULT;
  wasi_put_u32(p, v);
  return 0;
}

int32_t wasi_store_u64(const wasi_ctx *ctx, uint32_t ptr, uint64_t v) {
  uint8_t *p = wasi_guest_bytes(ctx, ptr, 8);
  if (!p)
    return WASI_EFAULT;
  wasi_put_u64(p, v);
  return 0;
}

int32_t wasi_load_iovecs(const wasi_ctx *ctx, uint32_t iovs, uint32_t count,
                         struct iovec *out, int *n_out) {
  *n_out = 0;
  const uint8_t *array =
      wasi_guest_bytes(ctx, iovs, (uint64_t)count * WASI_IOVEC_SIZE);
  if (!array)
    return WASI_EFAULT;
  uint32_t n = count < WASI_IOV_MAX ? count : WASI_IOV_MAX;
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *entry = array + (size_t)i * WASI_IOVEC_SIZE;
    uint32_t buf = wasi_get_u32(entry + WASI_IOVEC_BUF);
    uint32_t len = wasi_get_u32(entry + WASI_IOVEC_LEN);
    uint8_t *host = wasi_guest_bytes(ctx, buf, len);
    if (!host)
      return WASI_EFAULT;
    out[i].iov_base = host;
    out[i].iov_len = len;
  }
  *n_out = (int)n;
  return 0;
}

/* Length of the UTF-8 sequence starting at s (at most n bytes), or 0 if
 * it is malformed: overlong forms, surrogates and values past U+10FFFF
 * included. */
static size_t utf8_sequence(const uint8_t *s, size_t n) {
  uint8_t c = s[0];
  size_t len;
  uint32_t min, cp;
  if (c < 0x80)
    return 1;
  if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    cp = cp << 6 | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

int32_t wasi_load_path(const wasi_ctx *ctx, uint32_t ptr, uint32_t len,
                       char *buf) {
  const uint8_t *src = wasi_guest_bytes(ctx, ptr, len);
  if (!src)
    return WASI_EFAULT;
  if (len >= WASI_PATH_MAX)
    return WASI_ENAMETOOLONG;
  /* Copy first: the guest cannot change what we check afterwards. */
  memcpy(buf, src, len);
  buf[len] = 0;
  if (memchr(buf, 0, len))
    return WASI_EINVAL;
  for (size_t i = 0; i < len;) {
    size_t n = utf8_sequence((const uint8_t *)buf + i, len - i);
    if (!n)
      return WASI_EILSEQ;
    i += n;
  }
  return 0;
}
