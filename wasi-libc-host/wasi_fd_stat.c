/* Descriptor and file attributes: fd_fdstat_*, fd_filestat_*,
 * fd_prestat_*, and the filestat and set-times conversions the path_*
 * calls share. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_funcs.h"
#include "wasi_internal.h"

int32_t wasi_store_filestat(const wasi_ctx *ctx, uint32_t ptr,
                            const struct stat *st, uint8_t filetype) {
  uint8_t *p = wasi_guest_bytes(ctx, ptr, WASI_FILESTAT_SIZE);
  if (!p)
    return WASI_EFAULT;
  memset(p, 0, WASI_FILESTAT_SIZE);
  wasi_put_u64(p + WASI_FILESTAT_DEV, (uint64_t)st->st_dev);
  wasi_put_u64(p + WASI_FILESTAT_INO, (uint64_t)st->st_ino);
  p[WASI_FILESTAT_FILETYPE] = filetype;
  wasi_put_u64(p + WASI_FILESTAT_NLINK, (uint64_t)st->st_nlink);
  wasi_put_u64(p + WASI_FILESTAT_FILESIZE, (uint64_t)st->st_size);
  wasi_put_u64(p + WASI_FILESTAT_ATIM, wasi_timespec_to_ns(&st->st_atim));
  wasi_put_u64(p + WASI_FILESTAT_MTIM, wasi_timespec_to_ns(&st->st_mtim));
  wasi_put_u64(p + WASI_FILESTAT_CTIM, wasi_timespec_to_ns(&st->st_ctim));
  return 0;
}

static struct timespec time_to_set(uint64_t ns, bool set, bool now) {
  if (now)
    return (struct timespec){.tv_nsec = UTIME_NOW};
  if (set)
    return wasi_ns_to_timespec(ns);
  return (struct timespec){.tv_nsec = UTIME_OMIT};
}

int32_t wasi_times_from_fstflags(uint64_t atim, uint64_t mtim,
                                 uint32_t fst_flags, struct timespec ts[2]) {
  bool a_set = fst_flags & WASI_FSTFLAG_ATIM;
  bool a_now = fst_flags & WASI_FSTFLAG_ATIM_NOW;
  bool m_set = fst_flags & WASI_FSTFLAG_MTIM;
  bool m_now = fst_flags & WASI_FSTFLAG_MTIM_NOW;
  if ((fst_flags & ~(uint32_t)WASI_FSTFLAGS_ALL) || (a_set && a_now) ||
      (m_set && m_now))
    return WASI_EINVAL;
  ts[0] = time_to_set(atim, a_set, a_now);
  ts[1] = time_to_set(mtim, m_set, m_now);
  return 0;
}

/* ---- fdstat ------------------------------------------------------------ */

int32_t wasi_fd_fdstat_get(void *env, int32_t fd, int32_t stat_out) {
  wasi_ctx *ctx = env;
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(ctx, fd, 0, &e);
  if (err)
    return err;
  uint8_t *p = wasi_guest_bytes(ctx, (uint32_t)stat_out, WASI_FDSTAT_SIZE);
  if (!p)
    return WASI_EFAULT;
  int fl = fcntl(e->host_fd, F_GETFL);
  if (fl < 0)
    return wasi_errno_last();
  uint16_t flags = e->sync_flags;
  if (fl & O_APPEND)
    flags |= WASI_FDFLAG_APPEND;
  if (fl & O_NONBLOCK)
    flags |= WASI_FDFLAG_NONBLOCK;
  memset(p, 0, WASI_FDSTAT_SIZE);
  p[WASI_FDSTAT_FILETYPE] = e->filetype;
  wasi_put_u16(p + WASI_FDSTAT_FLAGS, flags);
  wasi_put_u64(p + WASI_FDSTAT_RIGHTS_BASE, e->rights_base);
  wasi_put_u64(p + WASI_FDSTAT_RIGHTS_INHERITING, e->rights_inheriting);
  return 0;
}

int32_t wasi_fd_fdstat_set_flags(void *env, int32_t fd, int32_t flags) {
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(env, fd, WASI_RIGHT_FD_FDSTAT_SET_FLAGS, &e);
  if (err)
    return err;
  if ((uint32_t)flags & ~(uint32_t)WASI_FDFLAGS_ALL)
    return WASI_EINVAL;
  /* Linux fixes O_DSYNC/O_SYNC at open: only append and nonblock can
   * change. Restating the current sync flags is fine. */
  if (((uint32_t)flags & WASI_FDFLAGS_SYNC_ALL) != e->sync_flags)
    return WASI_ENOTSUP;
  int fl = fcntl(e->host_fd, F_GETFL);
  if (fl < 0)
    return wasi_errno_last();
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (flags & WASI_FDFLAG_APPEND)
    fl |= O_APPEND;
  if (flags & WASI_FDFLAG_NONBLOCK)
    fl |= O_NONBLOCK;
  return fcntl(e->host_fd, F_SETFL, fl) == 0 ? 0 : wasi_errno_last();
}

/* Rights only ever shrink: a capability cannot be regained. */
int32_t wasi_fd_fdstat_set_rights(void *env, int32_t fd, int64_t base,
                                  int64_t inheriting) {
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(env, fd, 0, &e);
  if (err)
    return err;
  uint64_t b = (uint64_t)base, i = (uint64_t)inheriting;
  if ((b & ~e->rights_base) || (i & ~e->rights_inheriting))
    return WASI_ENOTCAPABLE;
  e->rights_base = b;
  e->rights_inheriting = i;
  return 0;
}

/* ---- filestat ---------------------------------------------------------- */

int32_t wasi_fd_filestat_get(void *env, int32_t fd, int32_t stat_out) {
  wasi_ctx *ctx = env;
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(ctx, fd, WASI_RIGHT_FD_FILESTAT_GET, &e);
  if (err)
    return err;
  struct stat st;
  if (fstat(e->host_fd, &st) != 0)
    return wasi_errno_last();
  /* The entry's type, which tells stream from datagram sockets. */
  return wasi_store_filestat(ctx, (uint32_t)stat_out, &st, e->filetype);
}

int32_t wasi_fd_filestat_set_size(void *env, int32_t fd, int64_t size) {
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(env, fd, WASI_RIGHT_FD_FILESTAT_SET_SIZE, &e);
  if (err)
    return err;
  if (size < 0)
    return WASI_EINVAL;
  return ftruncate(e->host_fd, size) == 0 ? 0 : wasi_errno_last();
}

int32_t wasi_fd_filestat_set_times(void *env, int32_t fd, int64_t atim,
                                   int64_t mtim, int32_t fst_flags) {
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(env, fd, WASI_RIGHT_FD_FILESTAT_SET_TIMES, &e);
  if (err)
    return err;
  struct timespec ts[2];
  err = wasi_times_from_fstflags((uint64_t)atim, (uint64_t)mtim,
                                 (uint32_t)fst_flags, ts);
  if (err)
    return err;
  return futimens(e->host_fd, ts) == 0 ? 0 : wasi_errno_last();
}

/* ---- prestat ----------------------------------------------------------- */

static int32_t lookup_preopen(wasi_ctx *ctx, int32_t fd, wasi_fd_entry **e) {
  int32_t err = wasi_fd_lookup(ctx, fd, 0, e);
  if (!err && !(*e)->preopen_path)
    err = WASI_EBADF;
  return err;
}

static int32_t wasi_fd_prestat_get_locked(void *env, int32_t fd,
                                          int32_t prestat_out) {
  wasi_ctx *ctx = env;
  wasi_fd_entry *e;
  int32_t err = lookup_preopen(ctx, fd, &e);
  if (err)
    return err;
  uint8_t *p = wasi_guest_bytes(ctx, (uint32_t)prestat_out, WASI_PRESTAT_SIZE);
  if (!p)
    return WASI_EFAULT;
  memset(p, 0, WASI_PRESTAT_SIZE);
  p[WASI_PRESTAT_TAG] = WASI_PREOPENTYPE_DIR;
  wasi_put_u32(p + WASI_PRESTAT_NAME_LEN, (uint32_t)strlen(e->preopen_path));
  return 0;
}

int32_t wasi_fd_prestat_get(void *env, int32_t fd, int32_t prestat_out) {
  wasi_fd_table_lock(env);
  int32_t err = wasi_fd_prestat_get_locked(env, fd, prestat_out);
  wasi_fd_table_unlock(env);
  return err;
}

static int32_t wasi_fd_prestat_dir_name_locked(void *env, int32_t fd,
                                               int32_t path, int32_t path_len) {
  wasi_ctx *ctx = env;
  wasi_fd_entry *e;
  int32_t err = lookup_preopen(ctx, fd, &e);
  if (err)
    return err;
  size_t len = strlen(e->preopen_path);
  uint8_t *p = wasi_guest_bytes(ctx, (uint32_t)path, (uint32_t)path_len);
  if (!p)
    return WASI_EFAULT;
  if ((uint32_t)path_len < len)
    return WASI_ENAMETOOLONG;
  memcpy(p, e->preopen_path, len); /* not NUL-terminated, as specified */
  return 0;
}

int32_t wasi_fd_prestat_dir_name(void *env, int32_t fd, int32_t path,
                                 int32_t path_len) {
  wasi_fd_table_lock(env);
  int32_t err = wasi_fd_prestat_dir_name_locked(env, fd, path, path_len);
  wasi_fd_table_unlock(env);
  return err;
}
