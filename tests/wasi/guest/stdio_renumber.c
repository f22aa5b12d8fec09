/* Moving stdout away with fd_renumber and back, as a program does to
 * capture what a part of it prints: what is printed after the restore must
 * reach the real stdout again. Run with --dir WORK::/w (fd 3); leaves
 * WORK/captured.txt holding only the captured line. */
#include "wasi_test.h"

enum { DIR_FD = 3 };

static int32_t create(const char *name) {
  int32_t fd = -1;
  int32_t err = raw_path_open(DIR_FD, 0, S(name),
                              __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                              RIGHTS_RW, 0, 0, P(&fd));
  return err ? -err : fd;
}

int main(void) {
  CHECK_OK(write_str(1, "before-capture\n"));
  /* A placeholder to park stdout on: renumber needs an open target. */
  int32_t parked = create("parked.txt");
  CHECK(parked > 3);
  __wasi_fdstat_t tty_before = {0}, tty_after = {0};
  CHECK_OK(raw_fd_fdstat_get(1, P(&tty_before)));
  CHECK_OK(raw_fd_renumber(1, parked));
  CHECK_ERR(write_str(1, "lost\n"), E_BADF);
  /* fd 1 is the lowest free number, so the capture file lands there. */
  int32_t capture = create("captured.txt");
  CHECK(capture == 1);
  CHECK_OK(write_str(1, "captured-line\n"));
  /* Back: the capture file is closed, stdout is fd 1 again. */
  CHECK_OK(raw_fd_renumber(parked, 1));
  CHECK_ERR(raw_fd_close(parked), E_BADF);
  CHECK_OK(raw_fd_fdstat_get(1, P(&tty_after)));
  CHECK(tty_after.fs_filetype == tty_before.fs_filetype);
  CHECK(tty_after.fs_rights_base == tty_before.fs_rights_base);
  CHECK_OK(write_str(1, "after-restore\n"));
  /* stderr was never touched. */
  CHECK_OK(write_str(2, "stderr-line\n"));
  /* Twice more, to catch a table that only survives one round trip. */
  for (int i = 0; i < 2; i++) {
    parked = create("parked.txt");
    CHECK_OK(raw_fd_renumber(1, parked));
    CHECK(create("again.txt") == 1);
    CHECK_OK(raw_fd_renumber(parked, 1));
  }
  CHECK_OK(write_str(1, "after-round-trips\n"));
  CHECK_OK(raw_path_unlink_file(DIR_FD, S("parked.txt")));
  CHECK_OK(raw_path_unlink_file(DIR_FD, S("again.txt")));
  return test_finish("stdio_renumber");
}
