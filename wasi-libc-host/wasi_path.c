/* Opening and inspecting paths: path_open, path_filestat_get,
 * path_filestat_set_times, path_readlink. Each resolves the guest's path
 * beneath its directory fd into an fd first (wasi_sandbox.c) and then
 * acts on that fd, so the kernel never resolves a guest path on its own. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_funcs.h"
#include "wasi_internal.h"

int32_t wasi_path_arg(wasi_ctx *ctx, int32_t fd, uint64_t rights, uint32_t path,
                      uint32_t path_len, wasi_fd_entry **dir, char *buf) {
  /* Not a directory before not allowed: a file has no path rights. */
  int32_t err = wasi_fd_lookup(ctx, fd, 0, dir);
  if (!err && (*dir)->filetype != WASI_FILETYPE_DIRECTORY)
    err = WASI_ENOTDIR;
  if (!err)
    err = wasi_fd_lookup(ctx, fd, rights, dir);
  if (!err)
    err = wasi_load_path(ctx, path, path_len, buf);
  return err;
}

/* ---- path_open --------------------------------------------------------- */

/* Rights that need the file open for reading or for writing. The split
 * matches what wasi-libc and Rust's std request for O_RDONLY / O_WRONLY.
 * fd_datasync is not among them: Linux syncs a read-only fd too, and a
 * directory's rights include it, so programs that open a directory with
 * the rights its parent has (Rust's std does) would get EISDIR. */
#define RIGHTS_NEED_READ (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR)
#define RIGHTS_NEED_WRITE                                                      \
  (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE |                              \
   WASI_RIGHT_FD_FILESTAT_SET_SIZE)

/* The rights the directory needs for this open (preview1 ties O_CREAT
 * and O_TRUNC to rights of the directory). */
static uint64_t rights_to_open(uint32_t oflags) {
  uint64_t r = WASI_RIGHT_PATH_OPEN;
  if (oflags & WASI_OFLAG_CREAT)
    r |= WASI_RIGHT_PATH_CREATE_FILE;
  if (oflags & WASI_OFLAG_TRUNC)
    r |= WASI_RIGHT_PATH_FILESTAT_SET_SIZE;
  return r;
}

/* The rights the sync flags need. They describe the new fd, so the
 * directory must be able to hand them out (its inheriting rights); its own
 * base rights do not matter, as in Wasmtime: a directory opened with only
 * path rights can still create a file with FDFLAGS_SYNC. */
static uint64_t rights_for_sync_flags(uint32_t fdflags) {
  uint64_t r = 0;
  if (fdflags & WASI_FDFLAG_DSYNC)
    r |= WASI_RIGHT_FD_DATASYNC;
  if (fdflags & (WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC))
    r |= WASI_RIGHT_FD_SYNC;
  return r;
}

static int open_flags(uint32_t oflags, uint32_t fdflags, uint64_t base) {
  bool rd = base & RIGHTS_NEED_READ, wr = base & RIGHTS_NEED_WRITE;
  int flags = O_NOCTTY | (rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY);
  if (oflags & WASI_OFLAG_CREAT)
    flags |= O_CREAT;
  if (oflags & WASI_OFLAG_DIRECTORY)
    flags |= O_DIRECTORY;
  if (oflags & WASI_OFLAG_EXCL)
    flags |= O_EXCL;
  if (oflags & WASI_OFLAG_TRUNC)
    flags |= O_TRUNC;
  if (fdflags & WASI_FDFLAG_APPEND)
    flags |= O_APPEND;
  if (fdflags & WASI_FDFLAG_NONBLOCK)
    flags |= O_NONBLOCK;
  if (fdflags & WASI_FDFLAG_DSYNC)
    flags |= O_DSYNC;
  if (fdflags & WASI_FDFLAG_RSYNC)
    flags |= O_RSYNC;
  if (fdflags & WASI_FDFLAG_SYNC)
    flags |= O_SYNC;
  return flags;
}

int32_t wasi_path_open(void *env, int32_t fd, int32_t dirflags, int32_t path,
                       int32_t path_len, int32_t oflags, int64_t rights_base,
                       int64_t rights_inheriting, int32_t fdflags,
                       int32_t fd_out) {
  wasi_ctx *ctx = env;
  uint32_t of = (uint32_t)oflags, ff = (uint32_t)fdflags;
  uint64_t base = (uint64_t)rights_base;
  if ((of & ~(uint32_t)WASI_OFLAGS_ALL) || (ff & ~(uint32_t)WASI_FDFLAGS_ALL))
    return WASI_EINVAL;
  char buf[WASI_PATH_MAX];
  wasi_fd_entry *dir;
  int32_t err = wasi_path_arg(ctx, fd, rights_to_open(of), (uint32_t)path,
                              (uint32_t)path_len, &dir, buf);
  if (err)
    return err;
  if (wasi_check_out(ctx, (uint32_t)fd_out, 4))
    return WASI_EFAULT;
  /* A directory hands out no right it was not given to hand out. */
  uint64_t dir_inheriting = dir->rights_inheriting;
  if ((base | rights_for_sync_flags(ff)) & ~dir_inheriting)
    return WASI_ENOTCAPABLE;
  bool follow = (uint32_t)dirflags & WASI_LOOKUP_SYMLINK_FOLLOW;
  int host = wasi_open_beneath(dir->host_fd, buf, open_flags(of, ff, base),
                               0666, follow);
  if (host < 0)
    return -host;
  wasi_fd_entry e = wasi_fd_entry_for(host);
  uint64_t type_inheriting;
  uint64_t type_base = wasi_rights_for_type(e.filetype, &type_inheriting);
  e.rights_base = base & type_base;
  e.rights_inheriting =
      (uint64_t)rights_inheriting & dir_inheriting & type_inheriting;
  e.sync_flags = (uint16_t)(ff & WASI_FDFLAGS_SYNC_ALL);
  uint32_t guest_fd;
  err = wasi_fd_insert(ctx, &e, &guest_fd);
  if (err)
    return err;
  return wasi_store_u32(ctx, (uint32_t)fd_out, guest_fd);
}

/* ---- Inspecting -------------------------------------------------------- */

/* An O_PATH fd for the file `path` names, the link itself when not
 * following; negative errno on failure. */
static int open_for_inspection(int dirfd, const char *path, uint32_t flags) {
  return wasi_open_beneath(dirfd, path, O_PATH, 0,
                           flags & WASI_LOOKUP_SYMLINK_FOLLOW);
}

int32_t wasi_path_filestat_get(void *env, int32_t fd, int32_t flags,
                               int32_t path, int32_t path_len,
                               int32_t stat_out) {
  wasi_ctx *ctx = env;
  char buf[WASI_PATH_MAX];
  wasi_fd_entry *dir;
  int32_t err = wasi_path_arg(ctx, fd, WASI_RIGHT_PATH_FILESTAT_GET,
                              (uint32_t)path, (uint32_t)path_len, &dir, buf);
  if (err)
    return err;
  if (wasi_check_out(ctx, (uint32_t)stat_out, WASI_FILESTAT_SIZE))
    return WASI_EFAULT;
  int target = open_for_inspection(dir->host_fd, buf, (uint32_t)flags);
  if (target < 0)
    return -target;
  struct stat st;
  err = fstat(target, &st) == 0 ? 0 : wasi_errno_last();
  close(target);
  if (err)
    return err;
  return wasi_store_filestat(ctx, (uint32_t)stat_out, &st,
                             wasi_filetype_from_mode(st.st_mode));
}

/* utimensat() on an O_PATH fd; kernels without AT_EMPTY_PATH there get
 * the fd's /proc magic link, which also names exactly that inode. */
static int utimens_fd(int fd, const struct timespec ts[2], bool is_link) {
  if (utimensat(fd, "", ts, AT_EMPTY_PATH) == 0)
    return 0;
  if (errno != EINVAL)
    return -1;
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  return utimensat(AT_FDCWD, proc, ts, is_link ? AT_SYMLINK_NOFOLLOW : 0);
}

int32_t wasi_path_filestat_set_times(void *env, int32_t fd, int32_t flags,
                                     int32_t path, int32_t path_len,
                                     int64_t atim, int64_t mtim,
                                     int32_t fst_flags) {
  wasi_ctx *ctx = env;
  char buf[WASI_PATH_MAX];
  wasi_fd_entry *dir;
  int32_t err = wasi_path_arg(ctx, fd, WASI_RIGHT_PATH_FILESTAT_SET_TIMES,
                              (uint32_t)path, (uint32_t)path_len, &dir, buf);
  if (err)
    return err;
  struct timespec ts[2];
  err = wasi_times_from_fstflags((uint64_t)atim, (uint64_t)mtim,
                                 (uint32_t)fst_flags, ts);
  if (err)
    return err;
  int target = open_for_inspection(dir->host_fd, buf, (uint32_t)flags);
  if (target < 0)
    return -target;
  struct stat st;
  bool is_link = fstat(target, &st) == 0 && S_ISLNK(st.st_mode);
  err = utimens_fd(target, ts, is_link) == 0 ? 0 : wasi_errno_last();
  close(target);
  return err;
}

int32_t wasi_path_readlink(void *env, int32_t fd, int32_t path,
                           int32_t path_len, int32_t buf, int32_t buf_len,
                           int32_t bufused_out) {
  wasi_ctx *ctx = env;
  char name[WASI_PATH_MAX];
  wasi_fd_entry *dir;
  int32_t err = wasi_path_arg(ctx, fd, WASI_RIGHT_PATH_READLINK, (uint32_t)path,
                              (uint32_t)path_len, &dir, name);
  if (err)
    return err;
  uint8_t *out = wasi_guest_bytes(ctx, (uint32_t)buf, (uint32_t)buf_len);
  if (!out || wasi_check_out(ctx, (uint32_t)bufused_out, 4))
    return WASI_EFAULT;
  int link = wasi_open_beneath(dir->host_fd, name, O_PATH, 0, false);
  if (link < 0)
    return -link;
  struct stat st;
  ssize_t n = -1;
  if (fstat(link, &st) != 0)
    err = wasi_errno_last();
  else if (!S_ISLNK(st.st_mode))
    err = WASI_EINVAL;
  else if ((n = readlinkat(link, "", (char *)out, (uint32_t)buf_len)) < 0)
    err = wasi_errno_last();
  close(link);
  if (err)
    return err;
  /* A target longer than the buffer comes back cut to its size, as
   * readlink(2) does; the guest sees bufused == buf_len and may retry. */
  return wasi_store_u32(ctx, (uint32_t)bufused_out, (uint32_t)n);
}
