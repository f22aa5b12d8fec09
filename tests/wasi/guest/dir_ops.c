/* Directories and the path_* calls inside a preopen (the sandbox's edges
 * are sandbox.c's). Run with --dir WORK::/sandbox (fd 3) on an empty
 * WORK. Leaves WORK/kept/renamed.txt = "payload" and WORK/kept/hard.txt
 * (a hard link to it) for the driver to check. */
#include <dirent.h>
#include <stdlib.h>

#include "wasi_test.h"

enum { DIR_FD = 3 };

static int32_t create_file(int32_t dir, const char *path, const char *data) {
  int32_t fd = open_rw(dir, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC);
  if (fd < 0)
    return -fd;
  int32_t err = write_str(fd, data);
  raw_fd_close(fd);
  return err;
}

static __wasi_filestat_t stat_path(const char *path, int32_t follow) {
  __wasi_filestat_t st = {0};
  CHECK_OK(raw_path_filestat_get(DIR_FD, follow, S(path), P(&st)));
  return st;
}

/* ---- readdir ----------------------------------------------------------- */

enum { NFILES = 50 };

/* Reads `dir` with fd_readdir through a buffer of `bufsize` bytes,
 * resuming with cookies, and counts each name seen: ".", "..", f0..f49. */
static void readdir_all(int32_t dir, uint32_t bufsize, int *seen) {
  static char buf[4096];
  uint64_t cookie = 0;
  for (int round = 0; round < 1000; round++) {
    uint32_t used = 0;
    CHECK_OK(raw_fd_readdir(dir, P(buf), bufsize, cookie, P(&used)));
    uint32_t off = 0;
    while (off + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t de;
      memcpy(&de, buf + off, sizeof de);
      if (off + sizeof de + de.d_namlen > used)
        break; /* cut off: ask again from the last whole entry */
      const char *name = buf + off + sizeof de;
      char tmp[32] = {0};
      memcpy(tmp, name, de.d_namlen < 31 ? de.d_namlen : 31);
      if (!strcmp(tmp, ".") || !strcmp(tmp, "..")) {
        CHECK(de.d_type == __WASI_FILETYPE_DIRECTORY);
        seen[tmp[1] ? NFILES + 1 : NFILES]++;
      } else if (tmp[0] == 'f') {
        CHECK(de.d_type == __WASI_FILETYPE_REGULAR_FILE);
        CHECK(de.d_ino != 0);
        seen[atoi(tmp + 1)]++;
      } else {
        CHECK(!"unexpected name");
      }
      cookie = de.d_next;
      off += sizeof de + de.d_namlen;
    }
    if (used < bufsize)
      return;
  }
  CHECK(!"readdir never ended");
}

static void check_readdir(void) {
  CHECK_OK(raw_path_create_directory(DIR_FD, S("many")));
  for (int i = 0; i < NFILES; i++) {
    char name[32];
    snprintf(name, sizeof name, "many/f%d%s", i, i % 3 ? "" : "-longer-name");
    CHECK_OK(create_file(DIR_FD, name, "x"));
  }
  int32_t dir =
      open_with(DIR_FD, "many", __WASI_OFLAGS_DIRECTORY, 0, 0, RIGHTS_RO);
  CHECK(dir >= 0);
  const uint32_t sizes[] = {4096, 200, 64, 40};
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
    int seen[NFILES + 2] = {0};
    readdir_all(dir, sizes[s], seen);
    for (int i = 0; i < NFILES + 2; i++)
      CHECK(seen[i] == 1);
  }
  /* A cookie from the middle resumes right after its entry. */
  static char buf[4096];
  uint32_t used;
  CHECK_OK(raw_fd_readdir(dir, P(buf), sizeof buf, 0, P(&used)));
  __wasi_dirent_t first, second, again;
  memcpy(&first, buf, sizeof first);
  memcpy(&second, buf + sizeof first + first.d_namlen, sizeof second);
  CHECK_OK(raw_fd_readdir(dir, P(buf), sizeof buf, first.d_next, P(&used)));
  memcpy(&again, buf, sizeof again);
  CHECK(again.d_ino == second.d_ino && again.d_next == second.d_next);

  CHECK_ERR(raw_fd_readdir(dir, BAD_PTR, 100, 0, P(&used)), E_FAULT);
  CHECK_ERR(raw_fd_readdir(dir, P(buf), 100, 0, BAD_PTR), E_FAULT);
  CHECK_ERR(raw_fd_readdir(99, P(buf), 100, 0, P(&used)), E_BADF);
  CHECK_ERR(raw_fd_readdir(1, P(buf), 100, 0, P(&used)), E_NOTCAPABLE);
  CHECK_OK(raw_fd_close(dir));

  /* wasi-libc's own opendir/readdir on top. */
  DIR *d = opendir("/sandbox/many");
  CHECK(d != NULL);
  int count = 0;
  for (struct dirent *e; d && (e = readdir(d));)
    count++;
  CHECK(count == NFILES + 2);
  if (d)
    closedir(d);
}

/* ---- create / remove --------------------------------------------------- */

static void check_mkdir_rmdir_unlink(void) {
  CHECK_OK(raw_path_create_directory(DIR_FD, S("d")));
  CHECK_ERR(raw_path_create_directory(DIR_FD, S("d")), E_EXIST);
  CHECK_ERR(raw_path_create_directory(DIR_FD, S("missing/x")), E_NOENT);
  CHECK_OK(raw_path_create_directory(DIR_FD, S("e/")));
  CHECK_OK(create_file(DIR_FD, "d/file", "data"));
  CHECK(stat_path("d", 0).filetype == __WASI_FILETYPE_DIRECTORY);

  CHECK_ERR(raw_path_remove_directory(DIR_FD, S("d")), E_NOTEMPTY);
  CHECK_ERR(raw_path_remove_directory(DIR_FD, S("d/file")), E_NOTDIR);
  CHECK_ERR(raw_path_remove_directory(DIR_FD, S("nothing")), E_NOENT);
  CHECK_ERR(raw_path_unlink_file(DIR_FD, S("d")), E_ISDIR);
  CHECK_ERR(raw_path_unlink_file(DIR_FD, S("d/file/")), E_NOTDIR);
  CHECK_ERR(raw_path_unlink_file(DIR_FD, S("d/nothing")), E_NOENT);
  CHECK_OK(raw_path_unlink_file(DIR_FD, S("d/file")));
  CHECK_OK(raw_path_remove_directory(DIR_FD, S("d")));
  CHECK_OK(raw_path_remove_directory(DIR_FD, S("e/")));
  __wasi_filestat_t st;
  CHECK_ERR(raw_path_filestat_get(DIR_FD, 0, S("d"), P(&st)), E_NOENT);
  /* The preopen itself cannot be removed through ".". */
  CHECK(raw_path_remove_directory(DIR_FD, S(".")) != E_OK);

  for (int i = 0; i < NFILES; i++) {
    char name[32];
    snprintf(name, sizeof name, "many/f%d%s", i, i % 3 ? "" : "-longer-name");
    CHECK_OK(raw_path_unlink_file(DIR_FD, S(name)));
  }
  CHECK_OK(raw_path_remove_directory(DIR_FD, S("many")));
}

static void check_rename_link(void) {
  CHECK_OK(raw_path_create_directory(DIR_FD, S("kept")));
  CHECK_OK(create_file(DIR_FD, "a.txt", "payload"));
  CHECK_OK(create_file(DIR_FD, "b.txt", "other"));
  /* Renaming over a file replaces it. */
  CHECK_OK(raw_path_rename(DIR_FD, S("a.txt"), DIR_FD, S("b.txt")));
  CHECK(stat_path("b.txt", 0).size == 7);
  CHECK_OK(raw_path_rename(DIR_FD, S("b.txt"), DIR_FD, S("kept/renamed.txt")));
  CHECK_ERR(raw_path_rename(DIR_FD, S("b.txt"), DIR_FD, S("c.txt")), E_NOENT);
  CHECK_ERR(raw_path_rename(DIR_FD, S("kept/renamed.txt/"), DIR_FD, S("c.txt")),
            E_NOTDIR);
  CHECK_OK(raw_path_create_directory(DIR_FD, S("sub")));
  CHECK_OK(raw_path_rename(DIR_FD, S("sub/"), DIR_FD, S("sub2")));
  CHECK_OK(raw_path_remove_directory(DIR_FD, S("sub2")));

  CHECK_OK(raw_path_link(DIR_FD, 0, S("kept/renamed.txt"), DIR_FD,
                         S("kept/hard.txt")));
  CHECK(stat_path("kept/hard.txt", 0).nlink == 2);
  CHECK_ERR(raw_path_link(DIR_FD, 0, S("kept/renamed.txt"), DIR_FD,
                          S("kept/hard.txt")),
            E_EXIST);
  CHECK_ERR(raw_path_link(DIR_FD, 0, S("kept"), DIR_FD, S("dirlink")), E_PERM);
  CHECK_ERR(raw_path_link(DIR_FD, 0, S("nothing"), DIR_FD, S("x")), E_NOENT);
}

static void check_symlinks(void) {
  CHECK_OK(raw_path_symlink(S("kept/renamed.txt"), DIR_FD, S("sym")));
  CHECK_ERR(raw_path_symlink(S("x"), DIR_FD, S("sym")), E_EXIST);
  char buf[64] = {0};
  uint32_t used = 0;
  CHECK_OK(raw_path_readlink(DIR_FD, S("sym"), P(buf), sizeof buf, P(&used)));
  CHECK(used == 16 && !memcmp(buf, "kept/renamed.txt", 16));
  /* A short buffer gets the start of the target. */
  CHECK_OK(raw_path_readlink(DIR_FD, S("sym"), P(buf), 4, P(&used)));
  CHECK(used == 4 && !memcmp(buf, "kept", 4));
  CHECK_ERR(raw_path_readlink(DIR_FD, S("kept"), P(buf), 64, P(&used)),
            E_INVAL);
  CHECK_ERR(raw_path_readlink(DIR_FD, S("sym"), BAD_PTR, 64, P(&used)),
            E_FAULT);
  CHECK_ERR(raw_path_readlink(DIR_FD, S("sym"), P(buf), 64, BAD_PTR), E_FAULT);

  __wasi_filestat_t st = stat_path("sym", 0);
  CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK && st.size == 16);
  st = stat_path("sym", FOLLOW);
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 7);

  int32_t fd = open_with(DIR_FD, "sym", 0, 0, FOLLOW, RIGHTS_RO);
  CHECK(fd >= 0);
  raw_fd_close(fd);
  CHECK(open_with(DIR_FD, "sym", 0, 0, 0, RIGHTS_RO) == -E_LOOP);

  /* path_link follows the source link only when asked. */
  CHECK_OK(raw_path_link(DIR_FD, FOLLOW, S("sym"), DIR_FD, S("hard2")));
  CHECK(stat_path("hard2", 0).filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK_OK(raw_path_link(DIR_FD, 0, S("sym"), DIR_FD, S("symcopy")));
  CHECK(stat_path("symcopy", 0).filetype == __WASI_FILETYPE_SYMBOLIC_LINK);

  /* set_times with and without following. */
  uint64_t t = 1500000000ull * 1000000000ull;
  CHECK_OK(raw_path_filestat_set_times(DIR_FD, FOLLOW, S("sym"), 0, (int64_t)t,
                                       __WASI_FSTFLAGS_MTIM));
  CHECK(stat_path("kept/renamed.txt", 0).mtim == t);
  CHECK_OK(raw_path_filestat_set_times(DIR_FD, 0, S("sym"), 0, (int64_t)(t + 7),
                                       __WASI_FSTFLAGS_MTIM));
  CHECK(stat_path("sym", 0).mtim == t + 7);
  CHECK(stat_path("kept/renamed.txt", 0).mtim == t);
  CHECK_ERR(raw_path_filestat_set_times(DIR_FD, 0, S("sym"), 0, 0,
                                        __WASI_FSTFLAGS_MTIM |
                                            __WASI_FSTFLAGS_MTIM_NOW),
            E_INVAL);

  /* Creating through a dangling link creates its target. */
  CHECK_OK(raw_path_symlink(S("target.txt"), DIR_FD, S("dangling")));
  CHECK_OK(create_file(DIR_FD, "dangling", "made"));
  CHECK(stat_path("target.txt", 0).size == 4);
  CHECK_ERR(raw_path_symlink(S("x"), DIR_FD, S("newlink/")), E_NOENT);

  const char *cleanup[] = {"sym", "hard2", "symcopy", "dangling", "target.txt"};
  for (size_t i = 0; i < sizeof cleanup / sizeof *cleanup; i++)
    CHECK_OK(raw_path_unlink_file(DIR_FD, S(cleanup[i])));
}

/* ---- path_open flags and rights ---------------------------------------- */

static void check_open_flags(void) {
  CHECK_OK(create_file(DIR_FD, "o.txt", "12345"));
  CHECK(open_rw(DIR_FD, "o.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL) ==
        -E_EXIST);
  CHECK(open_rw(DIR_FD, "o.txt", __WASI_OFLAGS_DIRECTORY) == -E_NOTDIR);
  CHECK(open_rw(DIR_FD, "absent.txt", 0) == -E_NOENT);
  CHECK(open_rw(DIR_FD, "kept", 0) == -E_ISDIR);
  CHECK(open_rw(DIR_FD, "o.txt", 0x10) == -E_INVAL);
  CHECK(open_with(DIR_FD, "o.txt", 0, 0x20, 0, RIGHTS_RW) == -E_INVAL);
  CHECK(open_rw(DIR_FD, "", 0) == -E_NOENT);

  int32_t fd = open_rw(DIR_FD, "o.txt", __WASI_OFLAGS_TRUNC);
  CHECK(fd >= 0);
  __wasi_filestat_t st = {0};
  CHECK_OK(raw_fd_filestat_get(fd, P(&st)));
  CHECK(st.size == 0);
  raw_fd_close(fd);

  fd = open_with(DIR_FD, "o.txt", 0,
                 __WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_DSYNC, 0, RIGHTS_RW);
  CHECK(fd >= 0);
  __wasi_fdstat_t fs = {0};
  CHECK_OK(raw_fd_fdstat_get(fd, P(&fs)));
  CHECK(fs.fs_flags == (__WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_DSYNC));
  raw_fd_close(fd);

  int32_t out = -1;
  CHECK_ERR(raw_path_open(DIR_FD, 0, S("o.txt"), 0, RIGHTS_RO, 0, 0, BAD_PTR),
            E_FAULT);
  CHECK_ERR(raw_path_open(DIR_FD, 0, BAD_PTR, 5, 0, RIGHTS_RO, 0, 0, P(&out)),
            E_FAULT);
  CHECK_ERR(
      raw_path_open(DIR_FD, 0, P("o.t\0xt"), 6, 0, RIGHTS_RO, 0, 0, P(&out)),
      E_INVAL);
  CHECK_ERR(
      raw_path_open(DIR_FD, 0, P("o\xff.txt"), 6, 0, RIGHTS_RO, 0, 0, P(&out)),
      E_ILSEQ);
  static char longname[5000];
  memset(longname, 'a', sizeof longname - 1);
  CHECK_ERR(raw_path_open(DIR_FD, 0, S(longname), 0, RIGHTS_RO, 0, 0, P(&out)),
            E_NAMETOOLONG);
  /* A file is not a directory to open paths under. */
  fd = open_rw(DIR_FD, "o.txt", 0);
  CHECK(open_rw(fd, "x", 0) == -E_NOTDIR);
  CHECK_ERR(raw_path_create_directory(fd, S("x")), E_NOTDIR);
  raw_fd_close(fd);
  CHECK_OK(raw_path_unlink_file(DIR_FD, S("o.txt")));
}

static void check_inherited_rights(void) {
  /* A directory fd whose fds may only read. */
  int32_t ro_dir = -1;
  CHECK_OK(raw_path_open(DIR_FD, 0, S("kept"), __WASI_OFLAGS_DIRECTORY,
                         RIGHTS_RO, RIGHTS_RO, 0, P(&ro_dir)));
  CHECK(open_with(ro_dir, "renamed.txt", 0, 0, 0, RIGHTS_RW) == -E_NOTCAPABLE);
  int32_t fd = open_with(ro_dir, "renamed.txt", 0, 0, 0, RIGHTS_RO);
  CHECK(fd >= 0);
  raw_fd_close(fd);
  /* Without PATH_CREATE_FILE nothing is created through it. */
  __wasi_fdstat_t st;
  CHECK_OK(raw_fd_fdstat_get(ro_dir, P(&st)));
  uint64_t base = st.fs_rights_base & ~(uint64_t)__WASI_RIGHTS_PATH_CREATE_FILE;
  CHECK_OK(raw_fd_fdstat_set_rights(ro_dir, (int64_t)base, RIGHTS_RO));
  CHECK(open_with(ro_dir, "new.txt", __WASI_OFLAGS_CREAT, 0, 0, RIGHTS_RO) ==
        -E_NOTCAPABLE);
  base &= ~(
      uint64_t)(__WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_CREATE_DIRECTORY |
                __WASI_RIGHTS_PATH_UNLINK_FILE |
                __WASI_RIGHTS_PATH_FILESTAT_GET | __WASI_RIGHTS_PATH_SYMLINK |
                __WASI_RIGHTS_PATH_READLINK | __WASI_RIGHTS_FD_READDIR);
  CHECK_OK(raw_fd_fdstat_set_rights(ro_dir, (int64_t)base, RIGHTS_RO));
  CHECK(open_with(ro_dir, "renamed.txt", 0, 0, 0, RIGHTS_RO) == -E_NOTCAPABLE);
  CHECK_ERR(raw_path_create_directory(ro_dir, S("x")), E_NOTCAPABLE);
  CHECK_ERR(raw_path_unlink_file(ro_dir, S("hard.txt")), E_NOTCAPABLE);
  __wasi_filestat_t fst;
  CHECK_ERR(raw_path_filestat_get(ro_dir, 0, S("hard.txt"), P(&fst)),
            E_NOTCAPABLE);
  CHECK_ERR(raw_path_symlink(S("a"), ro_dir, S("l")), E_NOTCAPABLE);
  char buf[8];
  uint32_t used;
  CHECK_ERR(raw_path_readlink(ro_dir, S("l"), P(buf), 8, P(&used)),
            E_NOTCAPABLE);
  CHECK_ERR(raw_fd_readdir(ro_dir, P(buf), 8, 0, P(&used)), E_NOTCAPABLE);
  CHECK_OK(raw_fd_close(ro_dir));
}

/* path_open with both rights sets chosen: the fd or -errno. */
static int32_t open_rights(int32_t dir, const char *path, int32_t oflags,
                           int32_t fdflags, int64_t base, int64_t inheriting) {
  int32_t fd = -1;
  int32_t err =
      raw_path_open(dir, 0, S(path), oflags, base, inheriting, fdflags, P(&fd));
  return err ? -err : fd;
}

/* Regressions found by the official WASI test suite (Rust's helper
 * library opens its scratch directory this way). */
static void check_directory_open_rights(void) {
  __wasi_fdstat_t pre;
  CHECK_OK(raw_fd_fdstat_get(DIR_FD, P(&pre)));
  /* Every right the preopen has: a directory's rights include
   * fd_datasync, which must not make the host open it for writing. */
  int32_t fd = open_rights(DIR_FD, ".", __WASI_OFLAGS_DIRECTORY, 0,
                           (int64_t)pre.fs_rights_base,
                           (int64_t)pre.fs_rights_inheriting);
  CHECK(fd >= 0);
  raw_fd_close(fd);
  fd = open_rights(DIR_FD, ".", 0, 0, (int64_t)pre.fs_rights_base,
                   (int64_t)pre.fs_rights_inheriting);
  CHECK(fd >= 0);
  raw_fd_close(fd);
  /* Asking to write a directory is still refused, as on Linux. */
  CHECK(open_rights(DIR_FD, ".", __WASI_OFLAGS_DIRECTORY, 0,
                    __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE,
                    0) == -E_ISDIR);

  /* FDFLAGS_SYNC needs fd_sync among the rights the directory hands out,
   * not among its own. */
  int32_t paths_only =
      open_rights(DIR_FD, ".", __WASI_OFLAGS_DIRECTORY, 0,
                  __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_CREATE_FILE |
                      __WASI_RIGHTS_PATH_UNLINK_FILE,
                  RIGHTS_ALL);
  CHECK(paths_only >= 0);
  fd = open_rights(paths_only, "synced.txt", __WASI_OFLAGS_CREAT,
                   __WASI_FDFLAGS_SYNC,
                   __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0);
  CHECK(fd >= 0);
  __wasi_fdstat_t fs = {0};
  CHECK_OK(raw_fd_fdstat_get(fd, P(&fs)));
  CHECK(fs.fs_flags & __WASI_FDFLAGS_SYNC);
  raw_fd_close(fd);
  int32_t no_sync =
      open_rights(DIR_FD, ".", __WASI_OFLAGS_DIRECTORY, 0,
                  __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_CREATE_FILE,
                  RIGHTS_ALL & ~(int64_t)__WASI_RIGHTS_FD_SYNC);
  CHECK(no_sync >= 0);
  CHECK(open_rights(no_sync, "synced.txt", 0, __WASI_FDFLAGS_SYNC,
                    __WASI_RIGHTS_FD_READ, 0) == -E_NOTCAPABLE);
  raw_fd_close(no_sync);
  CHECK_OK(raw_path_unlink_file(paths_only, S("synced.txt")));
  raw_fd_close(paths_only);
}

int main(void) {
  check_readdir();
  check_mkdir_rmdir_unlink();
  check_rename_link();
  check_symlinks();
  check_open_flags();
  check_inherited_rights();
  check_directory_open_rights();
  __wasi_filestat_t st;
  CHECK_ERR(raw_path_filestat_get(DIR_FD, 0, S("kept"), BAD_PTR), E_FAULT);
  CHECK_ERR(raw_path_filestat_get(DIR_FD, 0, S("nothing"), P(&st)), E_NOENT);
  return test_finish("dir_ops");
}
