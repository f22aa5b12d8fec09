/* Changing the tree: path_create_directory, path_remove_directory,
 * path_unlink_file, path_link, path_rename, path_symlink. Each resolves
 * the parent directory beneath the preopen (wasi_resolve_parent) and then
 * acts on the last component with the *at() call relative to that fd;
 * the last component is never followed by the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_funcs.h"
#include "wasi_internal.h"

/* A guest path argument resolved to (parent fd, last name). */
static int32_t parent_arg(wasi_ctx *ctx, int32_t fd, uint64_t rights,
                          int32_t path, int32_t path_len, wasi_parent *out) {
  out->parent = -1;
  char buf[WASI_PATH_MAX];
  wasi_fd_entry *dir;
  int32_t err = wasi_path_arg(ctx, fd, rights, (uint32_t)path,
                              (uint32_t)path_len, &dir, buf);
  if (err)
    return err;
  return wasi_resolve_parent(dir->host_fd, buf, out);
}

/* "name/" names a directory: for calls that take files, the answer the
 * kernel would give had the slash reached it. */
static int32_t trailing_slash_error(const wasi_parent *p) {
  struct stat st;
  if (fstatat(p->parent, p->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return wasi_errno_last();
  return S_ISDIR(st.st_mode) ? 0 : WASI_ENOTDIR;
}

int32_t wasi_path_create_directory(void *env, int32_t fd, int32_t path,
                                   int32_t path_len) {
  wasi_parent p;
  int32_t err =
      parent_arg(env, fd, WASI_RIGHT_PATH_CREATE_DIRECTORY, path, path_len, &p);
  if (!err && mkdirat(p.parent, p.name, 0777) != 0)
    err = wasi_errno_last();
  wasi_parent_close(&p);
  return err;
}

int32_t wasi_path_remove_directory(void *env, int32_t fd, int32_t path,
                                   int32_t path_len) {
  wasi_parent p;
  int32_t err =
      parent_arg(env, fd, WASI_RIGHT_PATH_REMOVE_DIRECTORY, path, path_len, &p);
  if (!err && unlinkat(p.parent, p.name, AT_REMOVEDIR) != 0)
    err = wasi_errno_last();
  wasi_parent_close(&p);
  return err;
}

int32_t wasi_path_unlink_file(void *env, int32_t fd, int32_t path,
                              int32_t path_len) {
  wasi_parent p;
  int32_t err =
      parent_arg(env, fd, WASI_RIGHT_PATH_UNLINK_FILE, path, path_len, &p);
  if (!err && p.trailing_slash) {
    err = trailing_slash_error(&p);
    if (!err)
      err = WASI_EISDIR;
  }
  if (!err && unlinkat(p.parent, p.name, 0) != 0)
    err = wasi_errno_last();
  wasi_parent_close(&p);
  return err;
}

/* linkat() of an fd already resolved beneath the preopen, so no guest
 * path is looked up again: through its /proc magic link, or where /proc
 * is missing with AT_EMPTY_PATH (which older kernels allow only with
 * CAP_DAC_READ_SEARCH). */
static int link_resolved(int target, int new_parent, const char *new_name) {
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", target);
  if (linkat(AT_FDCWD, proc, new_parent, new_name, AT_SYMLINK_FOLLOW) == 0)
    return 0;
  if (errno != ENOENT || access("/proc/self/fd", F_OK) == 0)
    return -1;
  return linkat(target, "", new_parent, new_name, AT_EMPTY_PATH);
}

static int32_t link_following(wasi_ctx *ctx, int32_t old_fd, int32_t old_path,
                              int32_t old_path_len, const wasi_parent *to) {
  char buf[WASI_PATH_MAX];
  wasi_fd_entry *dir;
  int32_t err =
      wasi_path_arg(ctx, old_fd, WASI_RIGHT_PATH_LINK_SOURCE,
                    (uint32_t)old_path, (uint32_t)old_path_len, &dir, buf);
  if (err)
    return err;
  int target = wasi_open_beneath(dir->host_fd, buf, O_PATH, 0, true);
  if (target < 0)
    return -target;
  err =
      link_resolved(target, to->parent, to->name) == 0 ? 0 : wasi_errno_last();
  close(target);
  return err;
}

int32_t wasi_path_link(void *env, int32_t old_fd, int32_t old_flags,
                       int32_t old_path, int32_t old_path_len, int32_t new_fd,
                       int32_t new_path, int32_t new_path_len) {
  wasi_parent to, from = {.parent = -1};
  int32_t err = parent_arg(env, new_fd, WASI_RIGHT_PATH_LINK_TARGET, new_path,
                           new_path_len, &to);
  if (!err && to.trailing_slash)
    err = WASI_ENOENT;
  if (!err && ((uint32_t)old_flags & WASI_LOOKUP_SYMLINK_FOLLOW)) {
    err = link_following(env, old_fd, old_path, old_path_len, &to);
  } else if (!err) {
    err = parent_arg(env, old_fd, WASI_RIGHT_PATH_LINK_SOURCE, old_path,
                     old_path_len, &from);
    if (!err && from.trailing_slash)
      err = trailing_slash_error(&from);
    if (!err && linkat(from.parent, from.name, to.parent, to.name, 0) != 0)
      err = wasi_errno_last();
  }
  wasi_parent_close(&from);
  wasi_parent_close(&to);
  return err;
}

int32_t wasi_path_rename(void *env, int32_t fd, int32_t old_path,
                         int32_t old_path_len, int32_t new_fd, int32_t new_path,
                         int32_t new_path_len) {
  wasi_parent from, to = {.parent = -1};
  int32_t err = parent_arg(env, fd, WASI_RIGHT_PATH_RENAME_SOURCE, old_path,
                           old_path_len, &from);
  if (!err)
    err = parent_arg(env, new_fd, WASI_RIGHT_PATH_RENAME_TARGET, new_path,
                     new_path_len, &to);
  /* Only a directory may be renamed through or to "name/". */
  if (!err && (from.trailing_slash || to.trailing_slash))
    err = trailing_slash_error(&from);
  if (!err && renameat(from.parent, from.name, to.parent, to.name) != 0)
    err = wasi_errno_last();
  wasi_parent_close(&from);
  wasi_parent_close(&to);
  return err;
}

/* The link's contents are not a path resolved now, but following the
 * link later is (beneath the preopen, where an absolute target never
 * resolves): refusing absolute targets up front, as wasmtime does, saves
 * the guest a link that can only fail. */
int32_t wasi_path_symlink(void *env, int32_t old_path, int32_t old_path_len,
                          int32_t fd, int32_t new_path, int32_t new_path_len) {
  wasi_ctx *ctx = env;
  char target[WASI_PATH_MAX];
  int32_t err =
      wasi_load_path(ctx, (uint32_t)old_path, (uint32_t)old_path_len, target);
  if (err)
    return err;
  wasi_parent p;
  err =
      parent_arg(ctx, fd, WASI_RIGHT_PATH_SYMLINK, new_path, new_path_len, &p);
  if (!err && target[0] == '/')
    err = WASI_EPERM;
  if (!err && p.trailing_slash) {
    /* symlink(2) with "new/": EEXIST if it exists, else ENOENT. */
    struct stat st;
    err = fstatat(p.parent, p.name, &st, AT_SYMLINK_NOFOLLOW) == 0
              ? WASI_EEXIST
              : WASI_ENOENT;
  }
  if (!err && symlinkat(target, p.parent, p.name) != 0)
    err = wasi_errno_last();
  wasi_parent_close(&p);
  return err;
}
