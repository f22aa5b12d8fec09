/* Escapes from a preopen, each of which must fail. The driver builds
 *   ROOT/outside/secret.txt
 *   ROOT/box/            preopened as /box (fd 3)
 *     inside.txt, sub/deeper/
 *     link_abs -> ROOT/outside          (absolute, leads out)
 *     link_abs_in -> ROOT/box/inside.txt (absolute, even though inside)
 *     link_up -> ../outside             (relative, leads out)
 *     sub/link_up2 -> ../../outside/secret.txt
 *     chain1 -> chain2 -> sub/chain3 -> ../../outside
 *     link_ok -> sub/../inside.txt      (stays inside)
 *     sub/link_dot -> ..                (the box itself)
 *     loop1 <-> loop2
 *     dangle_out -> ../outside/created_by_guest
 *   ROOT/other/          preopened as /other (fd 4)
 * and afterwards checks nothing outside changed. */
#include "wasi_test.h"

enum { BOX = 3, OTHER = 4 };

static int32_t open_path(const char *path, int32_t lookup) {
  return open_with(BOX, path, 0, 0, lookup, RIGHTS_RO);
}

static int32_t stat_err(const char *path, int32_t lookup) {
  __wasi_filestat_t st;
  return raw_path_filestat_get(BOX, lookup, S(path), P(&st));
}

static void check_open_escapes(void) {
  static const char *const escapes[] = {"..",
                                        "../outside/secret.txt",
                                        "sub/../..",
                                        "sub/deeper/../../..",
                                        "./../box/inside.txt",
                                        "/etc/passwd",
                                        "/box/inside.txt",
                                        "/",
                                        "link_abs",
                                        "link_abs/secret.txt",
                                        "link_abs_in",
                                        "link_up",
                                        "link_up/secret.txt",
                                        "sub/link_up2",
                                        "chain1",
                                        "chain1/secret.txt",
                                        "sub/link_dot/link_up/secret.txt",
                                        "sub/link_dot/../outside"};
  for (size_t i = 0; i < sizeof escapes / sizeof *escapes; i++) {
    int32_t fd = open_path(escapes[i], FOLLOW);
    if (fd != -E_NOTCAPABLE)
      printf("FAIL open %s: %d\n", escapes[i], (int)fd);
    CHECK(fd == -E_NOTCAPABLE);
    CHECK_ERR(stat_err(escapes[i], FOLLOW), E_NOTCAPABLE);
  }
  /* Intermediate links are always followed, so always checked. */
  CHECK_ERR(stat_err("link_up/secret.txt", 0), E_NOTCAPABLE);
  CHECK(open_path("link_abs/secret.txt", 0) == -E_NOTCAPABLE);
  /* Not following, the last component is the link itself. */
  CHECK(open_path("sub/link_up2", 0) == -E_LOOP);
  CHECK_OK(stat_err("link_abs", 0));
  CHECK(open_path("loop1", FOLLOW) == -E_LOOP);
}

static void check_allowed(void) {
  static const char *const fine[] = {"inside.txt",
                                     "sub/../inside.txt",
                                     "./sub/./deeper/../../inside.txt",
                                     "link_ok",
                                     "sub/link_dot/inside.txt",
                                     "sub/deeper/../../link_ok"};
  for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
    int32_t fd = open_path(fine[i], FOLLOW);
    if (fd < 0)
      printf("FAIL open %s: %d\n", fine[i], (int)fd);
    CHECK(fd >= 0);
    char buf[8] = {0};
    uint32_t iov[2] = {(uint32_t)P(buf), 6}, n = 0;
    CHECK_OK(raw_fd_read(fd, P(iov), 1, P(&n)));
    CHECK(n == 6 && !memcmp(buf, "inside", 6));
    raw_fd_close(fd);
  }
  /* The preopen itself, by "." and by "sub/..". */
  int32_t fd =
      open_with(BOX, "sub/..", __WASI_OFLAGS_DIRECTORY, 0, 0, RIGHTS_RO);
  CHECK(fd >= 0);
  CHECK(open_with(fd, "..", 0, 0, 0, RIGHTS_RO) == -E_NOTCAPABLE);
  raw_fd_close(fd);
  /* A link's text may be read: it is only a string. */
  char buf[256];
  uint32_t used = 0;
  CHECK_OK(raw_path_readlink(BOX, S("link_up"), P(buf), sizeof buf, P(&used)));
  CHECK(used == 10 && !memcmp(buf, "../outside", 10));
  CHECK_ERR(
      raw_path_readlink(BOX, S("link_up/secret.txt"), P(buf), 256, P(&used)),
      E_NOTCAPABLE);
}

/* An fd opened beneath the box is confined to the box too, from where
 * it stands. */
static void check_subdir_fd(void) {
  int32_t sub = open_with(BOX, "sub", __WASI_OFLAGS_DIRECTORY, 0, 0, RIGHTS_RO);
  CHECK(sub >= 0);
  CHECK(open_with(sub, "../inside.txt", 0, 0, FOLLOW, RIGHTS_RO) ==
        -E_NOTCAPABLE);
  CHECK(open_with(sub, "link_dot", 0, 0, FOLLOW, RIGHTS_RO) == -E_NOTCAPABLE);
  CHECK(open_with(sub, "deeper/..", 0, 0, FOLLOW, RIGHTS_RO) >= 0);
  raw_fd_close(sub);
}

static void check_mutation_escapes(void) {
  CHECK_ERR(raw_path_create_directory(BOX, S("../outside/newdir")),
            E_NOTCAPABLE);
  CHECK_ERR(raw_path_create_directory(BOX, S("link_up/newdir")), E_NOTCAPABLE);
  CHECK_ERR(raw_path_create_directory(BOX, S("/tmp/newdir")), E_NOTCAPABLE);
  CHECK_ERR(raw_path_unlink_file(BOX, S("../outside/secret.txt")),
            E_NOTCAPABLE);
  CHECK_ERR(raw_path_unlink_file(BOX, S("link_up/secret.txt")), E_NOTCAPABLE);
  CHECK_ERR(raw_path_unlink_file(BOX, S("chain1/secret.txt")), E_NOTCAPABLE);
  CHECK_ERR(raw_path_remove_directory(BOX, S("..")), E_NOTCAPABLE);
  CHECK_ERR(raw_path_remove_directory(BOX, S("../outside")), E_NOTCAPABLE);
  CHECK_ERR(raw_path_remove_directory(BOX, S("sub/../..")), E_NOTCAPABLE);
  CHECK_ERR(raw_path_rename(BOX, S("inside.txt"), BOX, S("../outside/moved")),
            E_NOTCAPABLE);
  CHECK_ERR(raw_path_rename(BOX, S("../outside/secret.txt"), BOX, S("stolen")),
            E_NOTCAPABLE);
  CHECK_ERR(raw_path_rename(BOX, S("inside.txt"), BOX, S("link_up/moved")),
            E_NOTCAPABLE);
  CHECK_ERR(raw_path_filestat_set_times(BOX, FOLLOW, S("link_abs"), 0, 0,
                                        __WASI_FSTFLAGS_MTIM_NOW),
            E_NOTCAPABLE);
  CHECK_ERR(raw_path_filestat_set_times(BOX, 0, S("../outside/secret.txt"), 0,
                                        0, __WASI_FSTFLAGS_MTIM_NOW),
            E_NOTCAPABLE);
  /* Creating through a path or a dangling link that leads out. */
  CHECK(open_rw(BOX, "../outside/created", __WASI_OFLAGS_CREAT) ==
        -E_NOTCAPABLE);
  CHECK(open_rw(BOX, "dangle_out", __WASI_OFLAGS_CREAT) == -E_NOTCAPABLE);
  CHECK(open_rw(BOX, "link_up/created", __WASI_OFLAGS_CREAT) == -E_NOTCAPABLE);
}

/* Hard links: neither a file outside can be linked in, nor one inside
 * linked out. */
static void check_hard_links(void) {
  CHECK_ERR(raw_path_link(BOX, 0, S("../outside/secret.txt"), BOX, S("stolen")),
            E_NOTCAPABLE);
  CHECK_ERR(raw_path_link(BOX, 0, S("link_up/secret.txt"), BOX, S("stolen")),
            E_NOTCAPABLE);
  CHECK_ERR(raw_path_link(BOX, FOLLOW, S("sub/link_up2"), BOX, S("stolen")),
            E_NOTCAPABLE);
  CHECK_ERR(
      raw_path_link(BOX, FOLLOW, S("chain1/secret.txt"), BOX, S("stolen")),
      E_NOTCAPABLE);
  CHECK_ERR(raw_path_link(BOX, 0, S("inside.txt"), BOX, S("../outside/x")),
            E_NOTCAPABLE);
  CHECK_ERR(raw_path_link(BOX, 0, S("inside.txt"), BOX, S("link_up/x")),
            E_NOTCAPABLE);
}

static void check_symlink_creation(void) {
  CHECK_ERR(raw_path_symlink(S("/etc/passwd"), BOX, S("abs")), E_PERM);
  /* A relative link leading out may exist; it just never resolves. */
  CHECK_OK(raw_path_symlink(S("../outside/secret.txt"), BOX, S("rel_out")));
  CHECK(open_path("rel_out", FOLLOW) == -E_NOTCAPABLE);
  CHECK_ERR(raw_path_symlink(S("x"), BOX, S("../outside/evil")), E_NOTCAPABLE);
  CHECK_OK(raw_path_unlink_file(BOX, S("rel_out")));
  /* Removing a link that points out removes the link, not its target. */
  CHECK_OK(raw_path_unlink_file(BOX, S("sub/link_up2")));
}

/* Between two preopens, both capabilities held: allowed. */
static void check_cross_preopen(void) {
  CHECK(open_rw(BOX, "copy.txt", __WASI_OFLAGS_CREAT) >= 0);
  CHECK_OK(raw_path_rename(BOX, S("copy.txt"), OTHER, S("moved.txt")));
  CHECK_OK(raw_path_link(OTHER, 0, S("moved.txt"), BOX, S("back.txt")));
  CHECK(open_with(OTHER, "../box/inside.txt", 0, 0, 0, RIGHTS_RO) ==
        -E_NOTCAPABLE);
}

int main(void) {
  check_open_escapes();
  check_allowed();
  check_subdir_fd();
  check_mutation_escapes();
  check_hard_links();
  check_symlink_creation();
  check_cross_preopen();
  return test_finish("sandbox");
}
