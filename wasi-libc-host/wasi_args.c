/* args_* and environ_*: both hand the guest a list of NUL-terminated
 * strings as an array of pointers into one buffer, sized beforehand by the
 * *_sizes_get call. */
#include <stdlib.h>
#include <string.h>

#include "wasi_funcs.h"
#include "wasi_internal.h"

bool wasi_strings_init(wasi_strings *s, const char *const *items,
                       size_t count) {
  *s = (wasi_strings){0};
  if (count == 0)
    return true;
  /* The guest's sizes are 32-bit, and it needs count * 4 bytes of
   * pointers too: keep both representable. */
  if (count > UINT32_MAX / 4)
    return false;
  s->items = calloc(count, sizeof *s->items);
  if (!s->items)
    return false;
  uint64_t bytes = 0;
  for (size_t i = 0; i < count; i++) {
    s->items[i] = strdup(items[i]);
    s->count++;
    if (!s->items[i])
      return false;
    bytes += strlen(items[i]) + 1;
    if (bytes > UINT32_MAX)
      return false;
  }
  s->bytes = (uint32_t)bytes;
  return true;
}

void wasi_strings_free(wasi_strings *s) {
  for (uint32_t i = 0; i < s->count; i++)
    free(s->items[i]);
  free(s->items);
  *s = (wasi_strings){0};
}

static int32_t strings_sizes(const wasi_ctx *ctx, const wasi_strings *s,
                             uint32_t count_out, uint32_t size_out) {
  if (wasi_check_out(ctx, count_out, 4) || wasi_check_out(ctx, size_out, 4))
    return WASI_EFAULT;
  wasi_store_u32(ctx, count_out, s->count);
  wasi_store_u32(ctx, size_out, s->bytes);
  return 0;
}

static int32_t strings_get(const wasi_ctx *ctx, const wasi_strings *s,
                           uint32_t ptrs, uint32_t buf) {
  uint8_t *ptr_area = wasi_guest_bytes(ctx, ptrs, (uint64_t)s->count * 4);
  uint8_t *buf_area = wasi_guest_bytes(ctx, buf, s->bytes);
  if (!ptr_area || !buf_area)
    return WASI_EFAULT;
  uint32_t offset = 0;
  for (uint32_t i = 0; i < s->count; i++) {
    size_t len = strlen(s->items[i]) + 1;
    memcpy(buf_area + offset, s->items[i], len);
    /* buf + offset stays below the memory size: checked above. */
    wasi_put_u32(ptr_area + 4 * (size_t)i, buf + offset);
    offset += (uint32_t)len;
  }
  return 0;
}

int32_t wasi_args_sizes_get(void *env, int32_t argc_out, int32_t size_out) {
  wasi_ctx *ctx = env;
  return strings_sizes(ctx, &ctx->args, (uint32_t)argc_out, (uint32_t)size_out);
}

int32_t wasi_args_get(void *env, int32_t argv, int32_t argv_buf) {
  wasi_ctx *ctx = env;
  return strings_get(ctx, &ctx->args, (uint32_t)argv, (uint32_t)argv_buf);
}

int32_t wasi_environ_sizes_get(void *env, int32_t count_out, int32_t size_out) {
  wasi_ctx *ctx = env;
  return strings_sizes(ctx, &ctx->env, (uint32_t)count_out, (uint32_t)size_out);
}

int32_t wasi_environ_get(void *env, int32_t environ, int32_t environ_buf) {
  wasi_ctx *ctx = env;
  return strings_get(ctx, &ctx->env, (uint32_t)environ, (uint32_t)environ_buf);
}
