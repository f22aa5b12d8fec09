/* The fd_* calls on files and stdio. Run with --dir WORK::/work (fd 3)
 * and stdin from /dev/null. Leaves work/data.txt = "hello WORLD\ntail\n"
 * and prints "stdout-line" for the driver to check. */
#include "wasi_test.h"

enum { PREOPEN = 3 };

typedef struct {
  uint32_t buf, len;
} iovec32;

static int32_t read_at(int32_t fd, char *buf, uint32_t len, int64_t off,
                       uint32_t *n) {
  iovec32 iov = {(uint32_t)P(buf), len};
  return off < 0 ? raw_fd_read(fd, P(&iov), 1, P(n))
                 : raw_fd_pread(fd, P(&iov), 1, off, P(n));
}

static uint64_t file_size(int32_t fd) {
  __wasi_filestat_t st = {0};
  CHECK_OK(raw_fd_filestat_get(fd, P(&st)));
  return st.size;
}

static void check_prestat(void) {
  __wasi_prestat_t ps = {0};
  CHECK_OK(raw_fd_prestat_get(PREOPEN, P(&ps)));
  CHECK(ps.tag == __WASI_PREOPENTYPE_DIR && ps.u.dir.pr_name_len == 5);
  char name[8] = {0};
  CHECK_OK(raw_fd_prestat_dir_name(PREOPEN, P(name), 5));
  CHECK(!memcmp(name, "/work", 5));
  CHECK_ERR(raw_fd_prestat_dir_name(PREOPEN, P(name), 4), E_NAMETOOLONG);
  CHECK_ERR(raw_fd_prestat_dir_name(PREOPEN, BAD_PTR, 5), E_FAULT);
  CHECK_ERR(raw_fd_prestat_get(PREOPEN, BAD_PTR), E_FAULT);
  CHECK_ERR(raw_fd_prestat_get(1, P(&ps)), E_BADF); /* not a preopen */
  CHECK_ERR(raw_fd_prestat_get(4, P(&ps)), E_BADF); /* no fd 4 */

  __wasi_fdstat_t st = {0};
  CHECK_OK(raw_fd_fdstat_get(PREOPEN, P(&st)));
  CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK(st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN);
  CHECK(!(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK));
  CHECK_ERR(raw_fd_fdstat_get(PREOPEN, BAD_PTR), E_FAULT);
  /* A directory is not read or positioned like a file. */
  int64_t pos;
  CHECK_ERR(raw_fd_seek(PREOPEN, 0, 0, P(&pos)), E_NOTCAPABLE);
}

static void check_write_read_seek(int32_t fd) {
  const char *a = "hello ", *b = "world\n";
  iovec32 iov[2] = {{(uint32_t)P(a), 6}, {(uint32_t)P(b), 6}};
  uint32_t n = 0;
  CHECK_OK(raw_fd_write(fd, P(iov), 2, P(&n)));
  CHECK(n == 12);
  uint64_t pos = 0;
  CHECK_OK(raw_fd_tell(fd, P(&pos)));
  CHECK(pos == 12);
  CHECK_OK(raw_fd_seek(fd, 0, __WASI_WHENCE_SET, P(&pos)));
  CHECK(pos == 0);
  char buf[16] = {0};
  CHECK_OK(read_at(fd, buf, 5, -1, &n));
  CHECK(n == 5 && !memcmp(buf, "hello", 5));
  CHECK_OK(raw_fd_seek(fd, 1, __WASI_WHENCE_CUR, P(&pos)));
  CHECK(pos == 6);
  CHECK_OK(raw_fd_seek(fd, -6, __WASI_WHENCE_END, P(&pos)));
  CHECK(pos == 6);
  CHECK_ERR(raw_fd_seek(fd, 0, 3, P(&pos)), E_INVAL);
  CHECK_ERR(raw_fd_seek(fd, -100, __WASI_WHENCE_SET, P(&pos)), E_INVAL);
  CHECK_ERR(raw_fd_seek(fd, 0, __WASI_WHENCE_CUR, BAD_PTR), E_FAULT);
  CHECK_ERR(raw_fd_tell(fd, BAD_PTR), E_FAULT);

  /* pread/pwrite leave the position alone. */
  memset(buf, 0, sizeof buf);
  CHECK_OK(read_at(fd, buf, 5, 6, &n));
  CHECK(n == 5 && !memcmp(buf, "world", 5));
  iovec32 up = {(uint32_t)P("WORLD"), 5};
  CHECK_OK(raw_fd_pwrite(fd, P(&up), 1, 6, P(&n)));
  CHECK(n == 5);
  CHECK_OK(raw_fd_tell(fd, P(&pos)));
  CHECK(pos == 6);
  CHECK_ERR(raw_fd_pread(fd, P(&up), 1, -1, P(&n)), E_INVAL);
  CHECK_ERR(raw_fd_pwrite(fd, P(&up), 1, -1, P(&n)), E_INVAL);
  /* At end of file a read returns 0 bytes. */
  CHECK_OK(read_at(fd, buf, 5, 100, &n));
  CHECK(n == 0);
}

static void check_bad_buffers(int32_t fd) {
  char buf[8];
  uint32_t n;
  iovec32 bad_buf = {(uint32_t)BAD_PTR, 4};
  iovec32 straddle = {memory_bytes() - 2, 4};
  iovec32 wraps = {(uint32_t)P(buf), 0xFFFFFFF0u};
  iovec32 good = {(uint32_t)P(buf), 4};
  CHECK_ERR(raw_fd_write(fd, BAD_PTR, 1, P(&n)), E_FAULT);
  CHECK_ERR(raw_fd_write(fd, P(&bad_buf), 1, P(&n)), E_FAULT);
  CHECK_ERR(raw_fd_read(fd, P(&straddle), 1, P(&n)), E_FAULT);
  CHECK_ERR(raw_fd_read(fd, P(&wraps), 1, P(&n)), E_FAULT);
  CHECK_ERR(raw_fd_write(fd, P(&good), 1, BAD_PTR), E_FAULT);
  /* An iovec count whose array runs past the end of memory. */
  CHECK_ERR(raw_fd_write(fd, P(&good), 0x20000000, P(&n)), E_FAULT);
  CHECK_ERR(raw_fd_pread(fd, P(&bad_buf), 1, 0, P(&n)), E_FAULT);
  CHECK_ERR(raw_fd_pwrite(fd, P(&straddle), 1, 0, P(&n)), E_FAULT);
  /* Zero iovecs is a zero-byte transfer. */
  CHECK_OK(raw_fd_write(fd, P(&good), 0, P(&n)));
  CHECK(n == 0);
  CHECK_ERR(raw_fd_write(99, P(&good), 1, P(&n)), E_BADF);
  CHECK_ERR(raw_fd_read(-1, P(&good), 1, P(&n)), E_BADF);
}

static void check_filestat(int32_t fd) {
  __wasi_filestat_t st = {0};
  CHECK_OK(raw_fd_filestat_get(fd, P(&st)));
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK(st.size == 12 && st.nlink == 1 && st.ino != 0);
  CHECK_ERR(raw_fd_filestat_get(fd, BAD_PTR), E_FAULT);
  CHECK_ERR(raw_fd_filestat_get(fd, (int32_t)(memory_bytes() - 32)), E_FAULT);

  CHECK_OK(raw_fd_filestat_set_size(fd, 20));
  CHECK(file_size(fd) == 20);
  CHECK_OK(raw_fd_filestat_set_size(fd, 12));
  CHECK_ERR(raw_fd_filestat_set_size(fd, -1), E_INVAL);

  uint64_t atim = 1000000000ull * 1000, mtim = 2000000000ull * 1000 + 5;
  CHECK_OK(
      raw_fd_filestat_set_times(fd, (int64_t)atim, (int64_t)mtim,
                                __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  CHECK_OK(raw_fd_filestat_get(fd, P(&st)));
  CHECK(st.atim == atim && st.mtim == mtim);
  CHECK_OK(raw_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  CHECK_OK(raw_fd_filestat_get(fd, P(&st)));
  CHECK(st.atim == atim && st.mtim > mtim);
  CHECK_ERR(raw_fd_filestat_set_times(
                fd, 0, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
            E_INVAL);
  CHECK_ERR(raw_fd_filestat_set_times(fd, 0, 0, 0x10), E_INVAL);

  CHECK_OK(raw_fd_advise(fd, 0, 12, __WASI_ADVICE_SEQUENTIAL));
  CHECK_OK(raw_fd_advise(fd, 0, 0, __WASI_ADVICE_DONTNEED));
  CHECK_ERR(raw_fd_advise(fd, 0, 12, 9), E_INVAL);
  CHECK_OK(raw_fd_allocate(fd, 0, 100));
  CHECK(file_size(fd) == 100);
  CHECK_OK(raw_fd_filestat_set_size(fd, 12));
  CHECK_ERR(raw_fd_allocate(fd, -1, 10), E_INVAL);
  CHECK_OK(raw_fd_datasync(fd));
  CHECK_OK(raw_fd_sync(fd));
}

static void check_fdflags(int32_t fd) {
  __wasi_fdstat_t st = {0};
  CHECK_OK(raw_fd_fdstat_get(fd, P(&st)));
  CHECK(st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK(st.fs_flags == 0);
  CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK);
  CHECK(!(st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN));

  /* Append: writes go to the end wherever the position is. */
  CHECK_OK(raw_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
  CHECK_OK(raw_fd_fdstat_get(fd, P(&st)));
  CHECK(st.fs_flags == __WASI_FDFLAGS_APPEND);
  uint64_t pos;
  CHECK_OK(raw_fd_seek(fd, 0, __WASI_WHENCE_SET, P(&pos)));
  CHECK_OK(write_str(fd, "tail\n"));
  CHECK(file_size(fd) == 17);
  CHECK_OK(raw_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK));
  CHECK_OK(raw_fd_fdstat_get(fd, P(&st)));
  CHECK(st.fs_flags == __WASI_FDFLAGS_NONBLOCK);
  CHECK_OK(raw_fd_fdstat_set_flags(fd, 0));
  CHECK_ERR(raw_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_DSYNC), E_NOTSUP);
  CHECK_ERR(raw_fd_fdstat_set_flags(fd, 0x40), E_INVAL);
}

static void check_rights(int32_t fd) {
  __wasi_fdstat_t st = {0};
  CHECK_OK(raw_fd_fdstat_get(fd, P(&st)));
  uint64_t base = st.fs_rights_base;
  uint64_t without_write = base & ~(uint64_t)__WASI_RIGHTS_FD_WRITE;
  CHECK_OK(raw_fd_fdstat_set_rights(fd, (int64_t)without_write, 0));
  CHECK_ERR(write_str(fd, "x"), E_NOTCAPABLE);
  char buf[4];
  uint32_t n;
  CHECK_OK(read_at(fd, buf, 4, 0, &n));
  /* Rights never grow back. */
  CHECK_ERR(raw_fd_fdstat_set_rights(fd, (int64_t)base, 0), E_NOTCAPABLE);
  CHECK_OK(raw_fd_fdstat_get(fd, P(&st)));
  CHECK(st.fs_rights_base == without_write);
  /* Each call checks its own right. */
  uint64_t none = 0;
  CHECK_OK(raw_fd_fdstat_set_rights(fd, 0, 0));
  CHECK_ERR(raw_fd_tell(fd, P(&none)), E_NOTCAPABLE);
  CHECK_ERR(raw_fd_sync(fd), E_NOTCAPABLE);
  CHECK_ERR(raw_fd_datasync(fd), E_NOTCAPABLE);
  CHECK_ERR(raw_fd_advise(fd, 0, 0, 0), E_NOTCAPABLE);
  CHECK_ERR(raw_fd_allocate(fd, 0, 1), E_NOTCAPABLE);
  CHECK_ERR(raw_fd_filestat_set_size(fd, 0), E_NOTCAPABLE);
  CHECK_ERR(raw_fd_filestat_set_times(fd, 0, 0, 0), E_NOTCAPABLE);
  CHECK_ERR(raw_fd_filestat_get(fd, P(&st)), E_NOTCAPABLE);
  CHECK_ERR(raw_fd_fdstat_set_flags(fd, 0), E_NOTCAPABLE);
  CHECK_ERR(read_at(fd, buf, 4, -1, &n), E_NOTCAPABLE);
  CHECK_OK(raw_fd_fdstat_get(fd, P(&st))); /* needs no right */
}

static void check_read_only(void) {
  int32_t fd = open_ro(PREOPEN, "data.txt", 0);
  CHECK(fd >= 0);
  CHECK_ERR(write_str(fd, "x"), E_NOTCAPABLE);
  CHECK_ERR(raw_fd_filestat_set_size(fd, 0), E_NOTCAPABLE);
  char buf[5];
  uint32_t n;
  CHECK_OK(read_at(fd, buf, 5, -1, &n));
  CHECK(n == 5 && !memcmp(buf, "hello", 5));
  CHECK_OK(raw_fd_close(fd));
}

static void check_renumber_close(void) {
  int32_t a = open_ro(PREOPEN, "data.txt", 0);
  int32_t b = open_rw(PREOPEN, "other.txt", __WASI_OFLAGS_CREAT);
  CHECK(a >= 0 && b >= 0 && a != b);
  CHECK_OK(raw_fd_renumber(a, b));
  /* b is now data.txt, a is gone. */
  CHECK(file_size(b) == 17);
  CHECK_ERR(raw_fd_close(a), E_BADF);
  CHECK_ERR(raw_fd_renumber(b, 77), E_BADF);
  CHECK_ERR(raw_fd_renumber(77, b), E_BADF);
  CHECK_OK(raw_fd_renumber(b, b));
  /* The lowest free number is reused. */
  int32_t c = open_ro(PREOPEN, "data.txt", 0);
  CHECK(c == a);
  CHECK_OK(raw_fd_close(b));
  CHECK_OK(raw_fd_close(c));
  CHECK_ERR(raw_fd_close(c), E_BADF);
  CHECK_ERR(raw_fd_close(-5), E_BADF);
}

static void check_stdio(void) {
  CHECK_OK(write_str(1, "stdout-line\n"));
  CHECK_OK(write_str(2, "stderr-line\n"));
  char buf[4];
  uint32_t n = 99;
  CHECK_OK(read_at(0, buf, sizeof buf, -1, &n)); /* /dev/null */
  CHECK(n == 0);
  __wasi_fdstat_t st = {0};
  CHECK_OK(raw_fd_fdstat_get(0, P(&st)));
  CHECK(st.fs_filetype == __WASI_FILETYPE_CHARACTER_DEVICE);
  /* What wasi-libc's isatty() looks at: a character device without seek
   * and tell rights. */
  CHECK(!(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK));
}

int main(void) {
  check_prestat();
  int32_t fd =
      open_rw(PREOPEN, "data.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC);
  CHECK(fd >= 0);
  check_write_read_seek(fd);
  check_bad_buffers(fd);
  check_filestat(fd);
  check_fdflags(fd);
  check_rights(fd);
  CHECK_OK(raw_fd_close(fd));
  check_read_only();
  check_renumber_close();
  check_stdio();
  return test_finish("fd_io");
}
