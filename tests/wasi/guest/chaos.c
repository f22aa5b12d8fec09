/* Robustness: calls every preview1 function many times with arguments
 * from a seeded generator — small fds, pointers inside a scratch buffer,
 * at its edges and beyond memory, lengths from 0 to huge, paths from a
 * dictionary of escapes — and checks only that the host keeps answering
 * with an errno. Run with --dir WORK::/c given five times (fds 3-7) and
 * stdin /dev/null; argv: iterations, seed. Sizes
 * and timeouts are bounded so nothing allocates disk or blocks; stdio is
 * left alone so the final line reaches the driver. */
#include <stdbool.h>
#include <stdlib.h>

#include "wasi_test.h"

static uint64_t state = 0x9E3779B97F4A7C15ull;

static uint32_t next(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (uint32_t)(state >> 16);
}

static uint8_t scratch[65536];

/* Calls that take capabilities away run seldom, so the rest of the run
 * still has directories to work in. */
static bool rare(void) {
  return next() % 64 == 0;
}

static int32_t fd(void) {
  static const int32_t fds[] = {3, 3, 4, 5, 6, 7, 8, -1, 100, 0x7FFFFFFF};
  return fds[next() % (sizeof fds / sizeof *fds)];
}

/* A pointer: usually inside scratch, sometimes far beyond memory, just
 * past its end or straddling it (in-bounds writes stay in scratch, or
 * the guest would corrupt itself). */
static int32_t ptr(void) {
  switch (next() % 8) {
  case 0:
    return BAD_PTR;
  case 1:
    return (int32_t)(memory_bytes() - next() % 4);
  case 2:
    return (int32_t)(memory_bytes() + next() % 64);
  default:
    return P(scratch + next() % (sizeof scratch - 1024));
  }
}

/* A length: 0, small, or at least 2 GiB (past any memory here, so never
 * an in-bounds write beyond scratch). */
static int32_t len(void) {
  switch (next() % 6) {
  case 0:
    return 0;
  case 1:
    return (int32_t)(0x80000000u | next());
  default:
    return (int32_t)(next() % 512);
  }
}

static int64_t small64(void) {
  return next() % 4 == 0 ? -(int64_t)(next() % 100) : (int64_t)(next() % 65536);
}

/* A path argument: a dictionary entry copied into scratch, or garbage. */
static const char *const words[] = {
    "a",   "b/c", "..",    "../x",   "/",         "/etc/passwd",
    "",    ".",   "sub",   "sub/..", "sub/../..", "l",
    "l/x", "a/",  "x\xff", "new",    "sub/new",   "a/../b"};

static void path(int32_t *p, int32_t *n) {
  if (next() % 5 == 0) {
    *p = ptr();
    *n = len();
    return;
  }
  const char *w = words[next() % (sizeof words / sizeof *words)];
  uint8_t *at = scratch + 60000 + next() % 1000;
  size_t l = strlen(w);
  memcpy(at, w, l);
  *p = P(at);
  *n = (int32_t)l;
}

/* iovecs in scratch whose buffers are themselves scratch or bad. */
static int32_t iovs(int32_t *count) {
  uint32_t *v = (uint32_t *)(scratch + 50000);
  int n = (int)(next() % 4);
  for (int i = 0; i < n; i++) {
    v[2 * i] = (uint32_t)ptr();
    v[2 * i + 1] = (uint32_t)(next() % 3 == 0 ? (uint32_t)len() : next() % 64);
  }
  *count = next() % 10 == 0 ? (int32_t)next() : n;
  return next() % 10 == 0 ? ptr() : P(v);
}

/* Subscriptions with timeouts under a millisecond. */
static int32_t subscriptions(int32_t *count) {
  __wasi_subscription_t *s = (__wasi_subscription_t *)(scratch + 40000);
  int n = 1 + (int)(next() % 4);
  for (int i = 0; i < n; i++) {
    memset(&s[i], 0, sizeof s[i]);
    s[i].u.tag = (uint8_t)(next() % 4);
    if (s[i].u.tag == 0) {
      s[i].u.u.clock.id = next() % 5;
      s[i].u.u.clock.timeout = next() % 1000000;
      s[i].u.u.clock.flags = (uint16_t)(next() % 2);
    } else {
      s[i].u.u.fd_read.file_descriptor = next() % 2 ? fd() : 0;
    }
  }
  *count = n;
  return P(s);
}

static void one_call(unsigned which) {
  int32_t p1, n1, p2, n2, cnt;
  switch (which) {
  case 0:
    raw_args_get(ptr(), ptr());
    break;
  case 1:
    raw_args_sizes_get(ptr(), ptr());
    break;
  case 2:
    raw_environ_get(ptr(), ptr());
    break;
  case 3:
    raw_environ_sizes_get(ptr(), ptr());
    break;
  case 4:
    raw_clock_res_get((int32_t)(next() % 6), ptr());
    break;
  case 5:
    raw_clock_time_get((int32_t)(next() % 6), small64(), ptr());
    break;
  case 6:
    raw_fd_advise(fd(), small64(), small64(), (int32_t)(next() % 8));
    break;
  case 7:
    raw_fd_allocate(fd(), small64(), small64());
    break;
  case 8:
    if (rare())
      raw_fd_close(fd());
    break;
  case 9:
    raw_fd_datasync(fd());
    break;
  case 10:
    raw_fd_fdstat_get(fd(), ptr());
    break;
  case 11:
    raw_fd_fdstat_set_flags(fd(), (int32_t)(next() % 64));
    break;
  case 12:
    if (rare())
      raw_fd_fdstat_set_rights(fd(), (int64_t)next() << 8, next());
    break;
  case 13:
    raw_fd_filestat_get(fd(), ptr());
    break;
  case 14:
    raw_fd_filestat_set_size(fd(), small64());
    break;
  case 15:
    raw_fd_filestat_set_times(fd(), small64(), small64(), len() % 32);
    break;
  case 16:
    p1 = iovs(&cnt);
    raw_fd_pread(fd(), p1, cnt, small64(), ptr());
    break;
  case 17:
    raw_fd_prestat_get(fd(), ptr());
    break;
  case 18:
    raw_fd_prestat_dir_name(fd(), ptr(), len());
    break;
  case 19:
    p1 = iovs(&cnt);
    raw_fd_pwrite(fd(), p1, cnt, small64(), ptr());
    break;
  case 20:
    p1 = iovs(&cnt);
    raw_fd_read(fd(), p1, cnt, ptr());
    break;
  case 21:
    raw_fd_readdir(fd(), ptr(), len(), next() % 3 ? 0 : next(), ptr());
    break;
  case 22:
    if (rare())
      raw_fd_renumber(fd(), fd());
    break;
  case 23:
    raw_fd_seek(fd(), small64(), (int32_t)(next() % 4), ptr());
    break;
  case 24:
    raw_fd_sync(fd());
    break;
  case 25:
    raw_fd_tell(fd(), ptr());
    break;
  case 26:
    p1 = iovs(&cnt);
    raw_fd_write(fd(), p1, cnt, ptr());
    break;
  case 27:
    path(&p1, &n1);
    raw_path_create_directory(fd(), p1, n1);
    break;
  case 28:
    path(&p1, &n1);
    raw_path_filestat_get(fd(), next() % 2, p1, n1, ptr());
    break;
  case 29:
    path(&p1, &n1);
    raw_path_filestat_set_times(fd(), next() % 2, p1, n1, small64(), small64(),
                                len() % 32);
    break;
  case 30:
    path(&p1, &n1);
    path(&p2, &n2);
    raw_path_link(fd(), next() % 2, p1, n1, fd(), p2, n2);
    break;
  case 31:
    path(&p1, &n1);
    raw_path_open(fd(), next() % 2, p1, n1, (int32_t)(next() % 32),
                  (int64_t)next() << 2, next(), (int32_t)(next() % 64) & ~4,
                  ptr());
    break;
  case 32:
    path(&p1, &n1);
    raw_path_readlink(fd(), p1, n1, ptr(), len(), ptr());
    break;
  case 33:
    path(&p1, &n1);
    raw_path_remove_directory(fd(), p1, n1);
    break;
  case 34:
    path(&p1, &n1);
    path(&p2, &n2);
    raw_path_rename(fd(), p1, n1, fd(), p2, n2);
    break;
  case 35:
    path(&p1, &n1);
    path(&p2, &n2);
    raw_path_symlink(p1, n1, fd(), p2, n2);
    break;
  case 36:
    path(&p1, &n1);
    raw_path_unlink_file(fd(), p1, n1);
    break;
  case 37:
    p1 = subscriptions(&cnt);
    raw_poll_oneoff(p1, next() % 4 ? P(scratch + 30000) : ptr(), cnt, ptr());
    break;
  case 38:
    raw_random_get(ptr(), len() % 4096);
    break;
  case 39:
    raw_sched_yield();
    break;
  case 40:
    raw_sock_accept(fd(), (int32_t)(next() % 8), ptr());
    break;
  case 41:
    p1 = iovs(&cnt);
    raw_sock_recv(fd(), p1, cnt, (int32_t)(next() % 8), ptr(), ptr());
    break;
  case 42:
    p1 = iovs(&cnt);
    raw_sock_send(fd(), p1, cnt, (int32_t)(next() % 2), ptr());
    break;
  case 43:
    raw_sock_shutdown(fd(), (int32_t)(next() % 5));
    break;
  }
}

int main(int argc, char **argv) {
  int iterations = argc > 1 ? atoi(argv[1]) : 20000;
  if (argc > 2)
    state += (uint64_t)atoll(argv[2]);
  for (int i = 0; i < iterations; i++)
    one_call(next() % 44);
  printf("chaos done\n");
  return 0;
}
