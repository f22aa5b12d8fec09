/* clock_res_get / clock_time_get, and the nanosecond conversions the
 * file-time and poll code share. */
#include <time.h>

#include "wasi_funcs.h"
#include "wasi_internal.h"

bool wasi_clock_to_host(uint32_t id, clockid_t *out) {
  switch (id) {
  case WASI_CLOCK_REALTIME:
    *out = CLOCK_REALTIME;
    return true;
  case WASI_CLOCK_MONOTONIC:
    *out = CLOCK_MONOTONIC;
    return true;
  case WASI_CLOCK_PROCESS_CPUTIME:
    *out = CLOCK_PROCESS_CPUTIME_ID;
    return true;
  case WASI_CLOCK_THREAD_CPUTIME:
    *out = CLOCK_THREAD_CPUTIME_ID;
    return true;
  default:
    return false;
  }
}

/* Times before 1970 are clamped to 0: preview1 timestamps are unsigned. */
uint64_t wasi_timespec_to_ns(const struct timespec *ts) {
  if (ts->tv_sec < 0)
    return 0;
  return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

struct timespec wasi_ns_to_timespec(uint64_t ns) {
  struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
                        .tv_nsec = (long)(ns % 1000000000u)};
  return ts;
}

int32_t wasi_clock_now(uint32_t id, uint64_t *ns) {
  clockid_t host;
  if (!wasi_clock_to_host(id, &host))
    return WASI_EINVAL;
  struct timespec ts;
  if (clock_gettime(host, &ts) != 0)
    return wasi_errno_last();
  *ns = wasi_timespec_to_ns(&ts);
  return 0;
}

int32_t wasi_clock_res_get(void *env, int32_t id, int32_t res_out) {
  wasi_ctx *ctx = env;
  clockid_t host;
  if (!wasi_clock_to_host((uint32_t)id, &host))
    return WASI_EINVAL;
  struct timespec ts;
  if (clock_getres(host, &ts) != 0)
    return wasi_errno_last();
  uint64_t ns = wasi_timespec_to_ns(&ts);
  /* Preview1 requires a non-zero resolution for supported clocks. */
  return wasi_store_u64(ctx, (uint32_t)res_out, ns ? ns : 1);
}

int32_t wasi_clock_time_get(void *env, int32_t id, int64_t precision,
                            int32_t time_out) {
  wasi_ctx *ctx = env;
  (void)precision; /* every host clock read is as precise as it gets */
  if (wasi_check_out(ctx, (uint32_t)time_out, 8))
    return WASI_EFAULT;
  uint64_t ns;
  int32_t err = wasi_clock_now((uint32_t)id, &ns);
  if (err)
    return err;
  return wasi_store_u64(ctx, (uint32_t)time_out, ns);
}
