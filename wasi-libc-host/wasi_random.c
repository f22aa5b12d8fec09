/* random_get: the kernel's CSPRNG straight into guest memory. */
#include <errno.h>
#include <sys/random.h>

#include "wasi_funcs.h"
#include "wasi_internal.h"

int32_t wasi_random_get(void *env, int32_t buf, int32_t buf_len) {
  wasi_ctx *ctx = env;
  uint8_t *p = wasi_guest_bytes(ctx, (uint32_t)buf, (uint32_t)buf_len);
  if (!p)
    return WASI_EFAULT;
  size_t left = (uint32_t)buf_len;
  /* getrandom() returns at most 32 MiB per call and may be interrupted. */
  while (left > 0) {
    ssize_t n = getrandom(p, left, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return wasi_errno_last();
    }
    p += n;
    left -= (size_t)n;
  }
  return 0;
}
