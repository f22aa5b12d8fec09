/* fd_readdir: directory entries as a packed run of 24-byte dirent headers
 * each followed by its name, cut off at the end of the guest's buffer
 * (the guest notices the buffer is full and asks again with the cookie of
 * the last entry it received whole).
 *
 * A cookie is the host's d_off of the entry before: exactly what
 * seekdir() takes to resume after that entry, stable across calls for
 * every Linux file system (ext4's are hashes, tmpfs's indexes), and 0 is
 * the start of the directory as preview1 requires. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_funcs.h"
#include "wasi_internal.h"

static uint8_t dirent_type(DIR *dir, const struct dirent *de) {
  switch (de->d_type) {
  case DT_REG:
    return WASI_FILETYPE_REGULAR_FILE;
  case DT_DIR:
    return WASI_FILETYPE_DIRECTORY;
  case DT_LNK:
    return WASI_FILETYPE_SYMBOLIC_LINK;
  case DT_CHR:
    return WASI_FILETYPE_CHARACTER_DEVICE;
  case DT_BLK:
    return WASI_FILETYPE_BLOCK_DEVICE;
  case DT_SOCK:
    return WASI_FILETYPE_SOCKET_STREAM;
  case DT_UNKNOWN: {
    /* Some file systems leave the type to a stat. */
    struct stat st;
    if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
      return wasi_filetype_from_mode(st.st_mode);
    return WASI_FILETYPE_UNKNOWN;
  }
  default:
    return WASI_FILETYPE_UNKNOWN;
  }
}

/* The entry's own stream, separate from the fd the guest reads, seeks
 * and opens paths through. */
static int32_t open_stream(wasi_fd_entry *e) {
  if (e->dir)
    return 0;
  int fd = openat(e->host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return wasi_errno_last();
  e->dir = fdopendir(fd);
  if (!e->dir) {
    int32_t err = wasi_errno_last();
    close(fd);
    return err;
  }
  e->dir_cookie_known = false;
  return 0;
}

static void seek_stream(wasi_fd_entry *e, uint64_t cookie) {
  if (e->dir_cookie_known && e->dir_cookie == cookie)
    return;
  if (cookie == 0)
    rewinddir(e->dir);
  else
    seekdir(e->dir, (long)cookie);
}

/* Copies as much of one entry as fits; returns the bytes written. */
static uint32_t put_entry(uint8_t *out, uint32_t room, DIR *dir,
                          const struct dirent *de) {
  uint8_t entry[WASI_DIRENT_SIZE + sizeof de->d_name];
  size_t name_len = strlen(de->d_name);
  memset(entry, 0, WASI_DIRENT_SIZE);
  wasi_put_u64(entry + WASI_DIRENT_NEXT, (uint64_t)de->d_off);
  wasi_put_u64(entry + WASI_DIRENT_INO, (uint64_t)de->d_ino);
  wasi_put_u32(entry + WASI_DIRENT_NAMLEN, (uint32_t)name_len);
  entry[WASI_DIRENT_TYPE] = dirent_type(dir, de);
  memcpy(entry + WASI_DIRENT_SIZE, de->d_name, name_len);
  size_t size = WASI_DIRENT_SIZE + name_len;
  uint32_t n = size < room ? (uint32_t)size : room;
  memcpy(out, entry, n);
  return n;
}

static int32_t wasi_fd_readdir_locked(void *env, int32_t fd, int32_t buf,
                                      int32_t buf_len, int64_t cookie,
                                      int32_t bufused_out) {
  wasi_ctx *ctx = env;
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(ctx, fd, WASI_RIGHT_FD_READDIR, &e);
  if (err)
    return err;
  uint32_t len = (uint32_t)buf_len;
  uint8_t *out = wasi_guest_bytes(ctx, (uint32_t)buf, len);
  if (!out || wasi_check_out(ctx, (uint32_t)bufused_out, 4))
    return WASI_EFAULT;
  err = open_stream(e);
  if (err)
    return err;
  seek_stream(e, (uint64_t)cookie);
  uint32_t used = 0;
  while (used < len) {
    errno = 0;
    struct dirent *de = readdir(e->dir);
    if (!de) {
      if (errno) {
        e->dir_cookie_known = false;
        return wasi_errno_last();
      }
      break;
    }
    uint32_t n = put_entry(out + used, len - used, e->dir, de);
    used += n;
    /* A cut entry is read again next time: the stream has moved past
     * it, so the next call must seek. */
    e->dir_cookie_known = n == WASI_DIRENT_SIZE + strlen(de->d_name);
    e->dir_cookie = (uint64_t)de->d_off;
  }
  return wasi_store_u32(ctx, (uint32_t)bufused_out, used);
}

int32_t wasi_fd_readdir(void *env, int32_t fd, int32_t buf, int32_t buf_len,
                        int64_t cookie, int32_t bufused_out) {
  wasi_fd_table_lock(env);
  int32_t err =
      wasi_fd_readdir_locked(env, fd, buf, buf_len, cookie, bufused_out);
  wasi_fd_table_unlock(env);
  return err;
}
