/* Shared by the guest test programs (compiled to wasm32-wasi): the raw
 * wasi_snapshot_preview1 imports with every pointer and length as a plain
 * i32, so a test can pass any address it likes, and a few checks that
 * print what failed. A program exits 0 when all its checks passed, 1
 * otherwise. */
#ifndef WASI_TEST_H
#define WASI_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define RAW(name)                                                              \
  __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name))) \
  int32_t raw_##name

RAW(args_get)(int32_t argv, int32_t buf);
RAW(args_sizes_get)(int32_t argc, int32_t size);
RAW(environ_get)(int32_t env, int32_t buf);
RAW(environ_sizes_get)(int32_t count, int32_t size);
RAW(clock_res_get)(int32_t id, int32_t out);
RAW(clock_time_get)(int32_t id, int64_t precision, int32_t out);
RAW(fd_advise)(int32_t fd, int64_t offset, int64_t len, int32_t advice);
RAW(fd_allocate)(int32_t fd, int64_t offset, int64_t len);
RAW(fd_close)(int32_t fd);
RAW(fd_datasync)(int32_t fd);
RAW(fd_fdstat_get)(int32_t fd, int32_t out);
RAW(fd_fdstat_set_flags)(int32_t fd, int32_t flags);
RAW(fd_fdstat_set_rights)(int32_t fd, int64_t base, int64_t inheriting);
RAW(fd_filestat_get)(int32_t fd, int32_t out);
RAW(fd_filestat_set_size)(int32_t fd, int64_t size);
RAW(fd_filestat_set_times)
(int32_t fd, int64_t atim, int64_t mtim, int32_t flags);
RAW(fd_pread)(int32_t fd, int32_t iovs, int32_t n, int64_t off, int32_t out);
RAW(fd_prestat_get)(int32_t fd, int32_t out);
RAW(fd_prestat_dir_name)(int32_t fd, int32_t buf, int32_t len);
RAW(fd_pwrite)(int32_t fd, int32_t iovs, int32_t n, int64_t off, int32_t out);
RAW(fd_read)(int32_t fd, int32_t iovs, int32_t n, int32_t out);
RAW(fd_readdir)
(int32_t fd, int32_t buf, int32_t len, int64_t cookie, int32_t out);
RAW(fd_renumber)(int32_t fd, int32_t to);
RAW(fd_seek)(int32_t fd, int64_t offset, int32_t whence, int32_t out);
RAW(fd_sync)(int32_t fd);
RAW(fd_tell)(int32_t fd, int32_t out);
RAW(fd_write)(int32_t fd, int32_t iovs, int32_t n, int32_t out);
RAW(path_create_directory)(int32_t fd, int32_t path, int32_t len);
RAW(path_filestat_get)
(int32_t fd, int32_t flags, int32_t path, int32_t len, int32_t out);
RAW(path_filestat_set_times)
(int32_t fd, int32_t flags, int32_t path, int32_t len, int64_t atim,
 int64_t mtim, int32_t fst);
RAW(path_link)
(int32_t old_fd, int32_t old_flags, int32_t old_path, int32_t old_len,
 int32_t new_fd, int32_t new_path, int32_t new_len);
RAW(path_open)
(int32_t fd, int32_t dirflags, int32_t path, int32_t len, int32_t oflags,
 int64_t base, int64_t inheriting, int32_t fdflags, int32_t out);
RAW(path_readlink)
(int32_t fd, int32_t path, int32_t len, int32_t buf, int32_t buf_len,
 int32_t out);
RAW(path_remove_directory)(int32_t fd, int32_t path, int32_t len);
RAW(path_rename)
(int32_t fd, int32_t old_path, int32_t old_len, int32_t new_fd,
 int32_t new_path, int32_t new_len);
RAW(path_symlink)
(int32_t old_path, int32_t old_len, int32_t fd, int32_t new_path,
 int32_t new_len);
RAW(path_unlink_file)(int32_t fd, int32_t path, int32_t len);
RAW(poll_oneoff)(int32_t in, int32_t out, int32_t n, int32_t nevents);
RAW(proc_raise)(int32_t sig);
RAW(random_get)(int32_t buf, int32_t len);
RAW(sched_yield)(void);
RAW(sock_accept)(int32_t fd, int32_t flags, int32_t out);
RAW(sock_recv)
(int32_t fd, int32_t iovs, int32_t n, int32_t flags, int32_t out_len,
 int32_t out_flags);
RAW(sock_send)(int32_t fd, int32_t iovs, int32_t n, int32_t flags, int32_t out);
RAW(sock_shutdown)(int32_t fd, int32_t how);
__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("proc_exit"))) _Noreturn void
raw_proc_exit(int32_t code);

/* A guest address as the i32 the imports take. */
#define P(ptr) ((int32_t)(uintptr_t)(ptr))
/* A string argument: pointer and length. */
#define S(str) P(str), (int32_t)strlen(str)
/* Far beyond any memory these programs have. */
#define BAD_PTR ((int32_t)0xFFFFFF00u)

/* Bytes of linear memory right now. */
static inline uint32_t memory_bytes(void) {
  return (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
}

/* preview1 errno values used by the tests (api.h numbering). */
enum {
  E_OK = 0,
  E_ACCES = 2,
  E_AGAIN = 6,
  E_BADF = 8,
  E_EXIST = 20,
  E_FAULT = 21,
  E_ILSEQ = 25,
  E_INVAL = 28,
  E_ISDIR = 31,
  E_LOOP = 32,
  E_NAMETOOLONG = 37,
  E_NOENT = 44,
  E_NOTSUP = 58,
  E_NOTDIR = 54,
  E_NOTEMPTY = 55,
  E_NOTSOCK = 57,
  E_PERM = 63,
  E_SPIPE = 70,
  E_NOTCAPABLE = 76,
};

static int test_failures, test_checks;

#define CHECK(cond)                                                            \
  do {                                                                         \
    test_checks++;                                                             \
    if (!(cond)) {                                                             \
      test_failures++;                                                         \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                   \
    }                                                                          \
  } while (0)

/* Checks a call's errno. */
#define CHECK_ERR(call, expected)                                              \
  do {                                                                         \
    int32_t got_ = (call);                                                     \
    test_checks++;                                                             \
    if (got_ != (expected)) {                                                  \
      test_failures++;                                                         \
      printf("FAIL %s:%d: %s = %d, expected %d\n", __FILE__, __LINE__, #call,  \
             (int)got_, (int)(expected));                                      \
    }                                                                          \
  } while (0)

#define CHECK_OK(call) CHECK_ERR(call, E_OK)

static inline int test_finish(const char *name) {
  printf("%s: %d checks, %d failed\n", name, test_checks, test_failures);
  fflush(stdout);
  return test_failures ? 1 : 0;
}

/* Rights as wasi-libc asks for them: everything for O_RDWR, without the
 * writing ones for O_RDONLY (what a directory must be opened with). */
#define RIGHTS_ALL ((int64_t)((1ull << 30) - 1))
#define RIGHTS_WRITING                                                         \
  ((int64_t)(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE |              \
             __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_DATASYNC))
#define RIGHTS_RW RIGHTS_ALL
#define RIGHTS_RO (RIGHTS_ALL & ~RIGHTS_WRITING)

/* path_open returning the fd or -errno. */
static inline int32_t open_with(int32_t dir, const char *path, int32_t oflags,
                                int32_t fdflags, int32_t lookup,
                                int64_t rights) {
  int32_t fd = -1;
  int32_t err = raw_path_open(dir, lookup, S(path), oflags, rights, RIGHTS_ALL,
                              fdflags, P(&fd));
  return err ? -err : fd;
}

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
/* A file for reading and writing, symbolic links followed. */
static inline int32_t open_rw(int32_t dir, const char *path, int32_t oflags) {
  return open_with(dir, path, oflags, 0, FOLLOW, RIGHTS_RW);
}
static inline int32_t open_ro(int32_t dir, const char *path, int32_t oflags) {
  return open_with(dir, path, oflags, 0, FOLLOW, RIGHTS_RO);
}

/* Writes a whole string through fd_write; returns the errno. */
static inline int32_t write_str(int32_t fd, const char *s) {
  uint32_t iov[2] = {(uint32_t)P(s), (uint32_t)strlen(s)};
  int32_t n;
  return raw_fd_write(fd, P(iov), 1, P(&n));
}

#endif
