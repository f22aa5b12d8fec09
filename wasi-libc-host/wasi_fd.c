/* Data transfer and file positions: fd_read, fd_write, fd_pread,
 * fd_pwrite, fd_seek, fd_tell. The host reads and writes straight into
 * guest memory through host iovecs that point into it, so nothing is
 * copied on the way. */
#include <errno.h>
#include <unistd.h>

#include "wasi_funcs.h"
#include "wasi_internal.h"

typedef enum { TRANSFER_READ, TRANSFER_WRITE } transfer_dir;

/* One readv/writev/preadv/pwritev, retried when a signal interrupts it
 * before any data moved. offset < 0: the fd's own position. */
static ssize_t transfer(int fd, transfer_dir dir, const struct iovec *iov,
                        int n, int64_t offset) {
  ssize_t r;
  do {
    if (dir == TRANSFER_READ)
      r = offset < 0 ? readv(fd, iov, n) : preadv(fd, iov, n, offset);
    else
      r = offset < 0 ? writev(fd, iov, n) : pwritev(fd, iov, n, offset);
  } while (r < 0 && errno == EINTR);
  return r;
}

/* The shared body of the four calls. */
static int32_t transfer_call(wasi_ctx *ctx, int32_t fd, uint64_t rights,
                             transfer_dir dir, int32_t iovs, int32_t iovs_len,
                             int64_t offset, int32_t done_out) {
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(ctx, fd, rights, &e);
  if (err)
    return err;
  if (wasi_check_out(ctx, (uint32_t)done_out, 4))
    return WASI_EFAULT;
  struct iovec iov[WASI_IOV_MAX];
  int n;
  err = wasi_load_iovecs(ctx, (uint32_t)iovs, (uint32_t)iovs_len, iov, &n);
  if (err)
    return err;
  ssize_t done = transfer(e->host_fd, dir, iov, n, offset);
  if (done < 0)
    return wasi_errno_last();
  /* The count fits the guest's u32: Linux moves at most 0x7ffff000
   * bytes in one call. */
  return wasi_store_u32(ctx, (uint32_t)done_out, (uint32_t)done);
}

int32_t wasi_fd_read(void *env, int32_t fd, int32_t iovs, int32_t iovs_len,
                     int32_t nread_out) {
  return transfer_call(env, fd, WASI_RIGHT_FD_READ, TRANSFER_READ, iovs,
                       iovs_len, -1, nread_out);
}

int32_t wasi_fd_write(void *env, int32_t fd, int32_t iovs, int32_t iovs_len,
                      int32_t nwritten_out) {
  return transfer_call(env, fd, WASI_RIGHT_FD_WRITE, TRANSFER_WRITE, iovs,
                       iovs_len, -1, nwritten_out);
}

int32_t wasi_fd_pread(void *env, int32_t fd, int32_t iovs, int32_t iovs_len,
                      int64_t offset, int32_t nread_out) {
  /* The offset is a u64 in preview1: past INT64_MAX it is no offset. */
  if (offset < 0)
    return WASI_EINVAL;
  return transfer_call(env, fd, WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK,
                       TRANSFER_READ, iovs, iovs_len, offset, nread_out);
}

int32_t wasi_fd_pwrite(void *env, int32_t fd, int32_t iovs, int32_t iovs_len,
                       int64_t offset, int32_t nwritten_out) {
  if (offset < 0)
    return WASI_EINVAL;
  return transfer_call(env, fd, WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_SEEK,
                       TRANSFER_WRITE, iovs, iovs_len, offset, nwritten_out);
}

int32_t wasi_fd_seek(void *env, int32_t fd, int64_t offset, int32_t whence,
                     int32_t newoffset_out) {
  wasi_ctx *ctx = env;
  int host_whence;
  switch (whence) {
  case WASI_WHENCE_SET:
    host_whence = SEEK_SET;
    break;
  case WASI_WHENCE_CUR:
    host_whence = SEEK_CUR;
    break;
  case WASI_WHENCE_END:
    host_whence = SEEK_END;
    break;
  default:
    return WASI_EINVAL;
  }
  /* Asking where we are is fd_tell's right; moving needs fd_seek's. */
  uint64_t right = host_whence == SEEK_CUR && offset == 0 ? WASI_RIGHT_FD_TELL
                                                          : WASI_RIGHT_FD_SEEK;
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(ctx, fd, right, &e);
  if (err)
    return err;
  if (wasi_check_out(ctx, (uint32_t)newoffset_out, 8))
    return WASI_EFAULT;
  off_t pos = lseek(e->host_fd, offset, host_whence);
  if (pos < 0)
    return wasi_errno_last();
  return wasi_store_u64(ctx, (uint32_t)newoffset_out, (uint64_t)pos);
}

int32_t wasi_fd_tell(void *env, int32_t fd, int32_t offset_out) {
  wasi_ctx *ctx = env;
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(ctx, fd, WASI_RIGHT_FD_TELL, &e);
  if (err)
    return err;
  off_t pos = lseek(e->host_fd, 0, SEEK_CUR);
  if (pos < 0)
    return wasi_errno_last();
  return wasi_store_u64(ctx, (uint32_t)offset_out, (uint64_t)pos);
}
