/* The two resolvers behind wasi_open_beneath() must agree: openat2 with
 * RESOLVE_BENEATH (what runs on this kernel) and the component walk (what
 * runs on kernels without it). Builds a tree with escapes of every kind
 * and resolves a list of paths with both, comparing the errno or the
 * inode reached; a few results are also pinned to their expected value. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

static int failures;

static void make_tree(const char *root) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd,
           "set -e; cd '%s'; mkdir -p outside box/sub/deeper; "
           "echo secret > outside/secret.txt; echo inside > box/inside.txt; "
           "ln -s \"$PWD/outside\" box/link_abs; ln -s ../outside box/link_up; "
           "ln -s ../../outside/secret.txt box/sub/link_up2; "
           "ln -s chain2 box/chain1; ln -s sub/chain3 box/chain2; "
           "ln -s ../../outside box/sub/chain3; "
           "ln -s sub/../inside.txt box/link_ok; ln -s .. box/sub/link_dot; "
           "ln -s loop2 box/loop1; ln -s loop1 box/loop2; "
           "ln -s sub box/link_sub; ln -s missing box/dangling",
           root);
  if (system(cmd) != 0) {
    fprintf(stderr, "cannot build the test tree in %s\n", root);
    exit(1);
  }
}

/* "errno N" or "ino N" for what a resolver returned. */
static void describe(int r, char *buf, size_t size) {
  struct stat st;
  if (r < 0)
    snprintf(buf, size, "errno %d", -r);
  else if (fstat(r, &st) == 0)
    snprintf(buf, size, "ino %llu", (unsigned long long)st.st_ino);
  else
    snprintf(buf, size, "fstat failed");
  if (r >= 0)
    close(r);
}

static void compare(int box, const char *path, int flags, bool follow,
                    int expect_errno) {
  char a[64], b[64];
  describe(wasi_open_beneath(box, path, flags, 0644, follow), a, sizeof a);
  describe(wasi_open_beneath_walk(box, path, flags, 0644, follow), b, sizeof b);
  bool agree = !strcmp(a, b);
  char want[64];
  snprintf(want, sizeof want, "errno %d", expect_errno);
  bool expected = expect_errno < 0    ? strncmp(a, "ino", 3) == 0
                  : expect_errno == 0 ? true
                                      : !strcmp(a, want);
  if (!agree || !expected) {
    printf("FAIL %-32s flags %#o follow %d: openat2 %s, walk %s", path, flags,
           follow, a, b);
    if (!expected)
      printf(", expected %s", expect_errno < 0 ? "success" : want);
    printf("\n");
    failures++;
  }
}

enum { ANY = 0, OPENS = -1 };

int main(void) {
  char root[] = "/tmp/wasi-sandbox-XXXXXX";
  if (!mkdtemp(root))
    return 1;
  make_tree(root);
  char boxpath[4096];
  snprintf(boxpath, sizeof boxpath, "%s/box", root);
  int box = open(boxpath, O_RDONLY | O_DIRECTORY);

  static const struct {
    const char *path;
    int expect; /* OPENS, a preview1 errno, or ANY (only agreement) */
  } cases[] = {
      {"inside.txt", OPENS},
      {"sub/../inside.txt", OPENS},
      {"./sub/./deeper/../../inside.txt", OPENS},
      {"link_ok", OPENS},
      {"sub/link_dot/inside.txt", OPENS},
      {"link_sub/deeper/../../inside.txt", OPENS},
      {".", OPENS},
      {"sub/..", OPENS},
      {"sub/", OPENS},
      {"link_sub/", OPENS},
      {"..", WASI_ENOTCAPABLE},
      {"../outside/secret.txt", WASI_ENOTCAPABLE},
      {"sub/../..", WASI_ENOTCAPABLE},
      {"/etc/passwd", WASI_ENOTCAPABLE},
      {"link_abs", WASI_ENOTCAPABLE},
      {"link_abs/secret.txt", WASI_ENOTCAPABLE},
      {"link_up/secret.txt", WASI_ENOTCAPABLE},
      {"sub/link_up2", WASI_ENOTCAPABLE},
      {"chain1", WASI_ENOTCAPABLE},
      {"chain1/secret.txt", WASI_ENOTCAPABLE},
      {"sub/link_dot/../outside", WASI_ENOTCAPABLE},
      {"loop1", WASI_ELOOP},
      {"missing", WASI_ENOENT},
      {"dangling", WASI_ENOENT},
      {"inside.txt/", WASI_ENOTDIR},
      {"inside.txt/x", WASI_ENOTDIR},
      {"", WASI_ENOENT},
  };
  const int flag_sets[] = {O_RDONLY, O_PATH, O_RDONLY | O_DIRECTORY};
  for (size_t f = 0; f < sizeof flag_sets / sizeof *flag_sets; f++)
    for (int follow = 0; follow <= 1; follow++)
      for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        /* The pinned results hold for the plain following open. */
        bool pinned = f == 0 && follow;
        compare(box, cases[i].path, flag_sets[f], follow,
                pinned ? cases[i].expect : ANY);
      }

  /* Creating: through a dangling link inside (allowed), a dangling link
   * out (refused), and "name/" (EISDIR). */
  compare(box, "dangling", O_RDONLY, true, WASI_ENOENT);
  int fd =
      wasi_open_beneath_walk(box, "dangling", O_WRONLY | O_CREAT, 0644, true);
  if (fd < 0 || faccessat(box, "missing", F_OK, 0) != 0) {
    printf("FAIL walk: O_CREAT through box/dangling did not create "
           "box/missing (%d)\n",
           fd);
    failures++;
  }
  if (fd >= 0)
    close(fd);
  unlinkat(box, "missing", 0);
  compare(box, "link_up/new", O_WRONLY | O_CREAT, true, WASI_ENOTCAPABLE);
  compare(box, "newdir/", O_WRONLY | O_CREAT, true, WASI_EISDIR);

  char cmd[4200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd) != 0)
    failures++;
  printf("%s\n", failures ? "FAILED" : "both resolvers agree");
  return failures ? 1 : 0;
}
