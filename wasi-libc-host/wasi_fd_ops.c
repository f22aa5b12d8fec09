/* Calls on a descriptor as a whole: fd_advise, fd_allocate, fd_close,
 * fd_datasync, fd_sync, fd_renumber. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "wasi_funcs.h"
#include "wasi_internal.h"

static bool host_advice(int32_t advice, int *out) {
  switch (advice) {
  case WASI_ADVICE_NORMAL:
    *out = POSIX_FADV_NORMAL;
    return true;
  case WASI_ADVICE_SEQUENTIAL:
    *out = POSIX_FADV_SEQUENTIAL;
    return true;
  case WASI_ADVICE_RANDOM:
    *out = POSIX_FADV_RANDOM;
    return true;
  case WASI_ADVICE_WILLNEED:
    *out = POSIX_FADV_WILLNEED;
    return true;
  case WASI_ADVICE_DONTNEED:
    *out = POSIX_FADV_DONTNEED;
    return true;
  case WASI_ADVICE_NOREUSE:
    *out = POSIX_FADV_NOREUSE;
    return true;
  default:
    return false;
  }
}

int32_t wasi_fd_advise(void *env, int32_t fd, int64_t offset, int64_t len,
                       int32_t advice) {
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(env, fd, WASI_RIGHT_FD_ADVISE, &e);
  if (err)
    return err;
  int host;
  /* offset and len are u64s: past INT64_MAX they name no file range. */
  if (!host_advice(advice, &host) || offset < 0 || len < 0)
    return WASI_EINVAL;
  /* posix_fadvise returns the error instead of setting errno. */
  return wasi_errno_from_host(posix_fadvise(e->host_fd, offset, len, host));
}

int32_t wasi_fd_allocate(void *env, int32_t fd, int64_t offset, int64_t len) {
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(env, fd, WASI_RIGHT_FD_ALLOCATE, &e);
  if (err)
    return err;
  if (offset < 0 || len < 0)
    return WASI_EINVAL;
  if (len > INT64_MAX - offset)
    return WASI_EFBIG;
  int r;
  do
    r = posix_fallocate(e->host_fd, offset, len);
  while (r == EINTR);
  return wasi_errno_from_host(r);
}

static int32_t wasi_fd_close_locked(void *env, int32_t fd) {
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(env, fd, 0, &e);
  if (err)
    return err;
  wasi_fd_release(e);
  return 0;
}

int32_t wasi_fd_close(void *env, int32_t fd) {
  wasi_fd_table_lock(env);
  int32_t err = wasi_fd_close_locked(env, fd);
  wasi_fd_table_unlock(env);
  return err;
}

int32_t wasi_fd_datasync(void *env, int32_t fd) {
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(env, fd, WASI_RIGHT_FD_DATASYNC, &e);
  if (err)
    return err;
  return fdatasync(e->host_fd) == 0 ? 0 : wasi_errno_last();
}

int32_t wasi_fd_sync(void *env, int32_t fd) {
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(env, fd, WASI_RIGHT_FD_SYNC, &e);
  if (err)
    return err;
  return fsync(e->host_fd) == 0 ? 0 : wasi_errno_last();
}

/* Preview1's renumber is dup2() that moves instead of copies: `to` must
 * be open already, and afterwards `fd` is closed. */
static int32_t wasi_fd_renumber_locked(void *env, int32_t fd, int32_t to) {
  wasi_fd_entry *from, *dest;
  int32_t err = wasi_fd_lookup(env, fd, 0, &from);
  if (!err)
    err = wasi_fd_lookup(env, to, 0, &dest);
  if (err)
    return err;
  if (from == dest)
    return 0;
  wasi_fd_release(dest);
  *dest = *from;
  *from = (wasi_fd_entry){.host_fd = -1};
  return 0;
}

int32_t wasi_fd_renumber(void *env, int32_t fd, int32_t to) {
  wasi_fd_table_lock(env);
  int32_t err = wasi_fd_renumber_locked(env, fd, to);
  wasi_fd_table_unlock(env);
  return err;
}
