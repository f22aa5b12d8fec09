/* A wasi-threads guest with several threads, built freestanding: Debian
 * ships wasi-libc for wasm32-wasi only, without its threads build, so
 * this program brings the little it needs itself (its imports, the
 * thread entry in threads_start.s, per-thread stacks in static memory).
 * Compiled with -matomics -mbulk-memory and linked with a shared,
 * imported memory, as a wasm32-wasip1-threads program is.
 *
 *   threads          4 threads add to one counter with atomic.rmw.add,
 *                    each also sums privately on its own stack, one
 *                    grows the memory while main spins on memory.size;
 *                    main joins them with memory.atomic.wait32, checks,
 *                    and uses the new page
 *   threads trap     a thread traps (unreachable): the process ends, 134
 *   threads exit     a thread calls proc_exit(7) while main waits forever
 *   threads recurse  a thread recurses without end: its own stack limit
 *                    traps "call stack exhausted" on that thread
 *   threads oob      a thread reads past the memory: the fault handler,
 *                    on that thread's signal stack, makes it a trap
 *   threads dirs     (with a preopen at fd 3) thread 0 opens and closes a
 *                    directory in a loop while threads 1 and 2 read that
 *                    fd's entries: each read sees a whole listing or
 *                    EBADF, never freed host state (run under ASan) */
#include <stddef.h>
#include <stdint.h>

#define WASI(name)                                                             \
  __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))

WASI("fd_write")
int32_t fd_write(int32_t fd, const void *iovs, int32_t n, int32_t *written);
WASI("proc_exit") _Noreturn void proc_exit(int32_t code);
WASI("args_sizes_get") int32_t args_sizes_get(int32_t *argc, int32_t *size);
WASI("args_get") int32_t args_get(char **argv, char *buf);
WASI("path_open")
int32_t path_open(int32_t fd, int32_t dirflags, const char *path,
                  int32_t path_len, int32_t oflags, uint64_t rights_base,
                  uint64_t rights_inheriting, int32_t fdflags, int32_t *out);
WASI("fd_readdir")
int32_t fd_readdir(int32_t fd, void *buf, int32_t len, uint64_t cookie,
                   int32_t *used);
WASI("fd_close") int32_t fd_close(int32_t fd);
__attribute__((import_module("wasi"), import_name("thread-spawn"))) int32_t
thread_spawn(void *start_arg);

enum { THREADS = 4, ADDS = 100000, STACK = 64 * 1024 };

/* What threads_start.s reads first: the top of the thread's stack. */
typedef struct thread_arg {
  char *stack_top;
  int index;
  int32_t tid;
  int32_t done; /* 0, then 1 with a notify */
  uint64_t private_sum;
} thread_arg;

static _Alignas(16) char stacks[THREADS][STACK];
static thread_arg threads[THREADS];
static int32_t counter;
static int32_t never; /* main waits on it in `exit` mode */
static int mode;      /* 0 normal, 1 trap, 2 exit, 3 recurse, 4 oob, 5 dirs */

static size_t length(const char *s) {
  size_t n = 0;
  while (s[n])
    n++;
  return n;
}

static void print(const char *s) {
  struct {
    const char *buf;
    size_t len;
  } iov = {s, length(s)};
  int32_t written;
  fd_write(1, &iov, 1, &written);
}

static void print_uint(uint64_t v) {
  char buf[24];
  int i = sizeof buf - 1;
  buf[i] = '\0';
  do
    buf[--i] = (char)('0' + v % 10);
  while (v /= 10);
  print(buf + i);
}

static int streq(const char *a, const char *b) {
  while (*a && *a == *b)
    a++, b++;
  return *a == *b;
}

/* Deep enough to need a real stack, not so deep that it is one; the
 * volatile keeps the recursion from becoming a loop. */
static uint64_t sum_down(volatile uint64_t n) {
  return n == 0 ? 0 : n + sum_down(n - 1);
}

/* Recursion on the native stack only (no address-taken locals, so
 * nothing on the shadow stack in linear memory), in a form no compiler
 * turns into a loop. */
#pragma clang diagnostic ignored "-Winfinite-recursion"
__attribute__((noinline)) static uint64_t forever(uint64_t n) {
  return (forever(n + 1) >> 1) + n;
}

/* The dirs race: the fd thread 0 has open (0 while closed), when it is
 * done, and what the readers saw. */
enum { DIR_ROUNDS = 3000, ERRNO_BADF = 8, OFLAGS_DIRECTORY = 2 };
static int32_t race_fd, race_last, race_done, race_bad, race_readers;
static int32_t race_listings;

static void open_close_loop(void) {
  const uint64_t readdir_right = 1u << 14;
  /* The race needs both readers running. */
  while (__atomic_load_n(&race_readers, __ATOMIC_SEQ_CST) < 2)
    ;
  for (int i = 0; i < DIR_ROUNDS; i++) {
    int32_t fd;
    if (path_open(3, 0, ".", 1, OFLAGS_DIRECTORY, readdir_right, 0, 0, &fd) !=
        0) {
      __atomic_store_n(&race_bad, 1, __ATOMIC_SEQ_CST);
      break;
    }
    __atomic_store_n(&race_last, fd, __ATOMIC_SEQ_CST);
    __atomic_store_n(&race_fd, fd, __ATOMIC_SEQ_CST);
    __atomic_store_n(&race_fd, 0, __ATOMIC_SEQ_CST);
    if (fd_close(fd) != 0)
      __atomic_store_n(&race_bad, 1, __ATOMIC_SEQ_CST);
  }
  __atomic_store_n(&race_done, 1, __ATOMIC_SEQ_CST);
}

/* Reads the fd as it is this instant, racing its close: success must
 * come with a listing that holds "." (dirent: next u64, ino u64, namlen
 * u32, type u8, pad, then the name), a lost race must be EBADF. */
static void read_loop(int reader) {
  static _Alignas(8) char bufs[2][512];
  char *buf = bufs[reader];
  __atomic_fetch_add(&race_readers, 1, __ATOMIC_SEQ_CST);
  while (!__atomic_load_n(&race_done, __ATOMIC_SEQ_CST)) {
    int32_t fd = __atomic_load_n(&race_fd, __ATOMIC_SEQ_CST), used = 0;
    if (fd == 0) /* between rounds: closed, or just reopened */
      fd = __atomic_load_n(&race_last, __ATOMIC_SEQ_CST);
    if (fd == 0) /* not opened yet (fd 0 is stdin) */
      continue;
    int32_t e = fd_readdir(fd, buf, 512, 0, &used);
    if (e == ERRNO_BADF)
      continue;
    if (e != 0 || used < 24) {
      __atomic_store_n(&race_bad, 1, __ATOMIC_SEQ_CST);
      continue;
    }
    uint32_t namlen = *(uint32_t *)(buf + 16);
    if (namlen == 0 || namlen > 255)
      __atomic_store_n(&race_bad, 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&race_listings, 1, __ATOMIC_SEQ_CST);
  }
}

void thread_entry(int32_t tid, thread_arg *arg) {
  arg->tid = tid;
  if (mode == 1 && arg->index == 2)
    __builtin_trap();
  if (mode == 2 && arg->index == 1)
    proc_exit(7);
  if (mode == 3 && arg->index == 0)
    print_uint(forever(0));
  if (mode == 4 && arg->index == 3)
    print_uint(*(volatile uint32_t *)(uintptr_t)0xfffffff0u);
  if (mode == 5 && arg->index == 0)
    open_close_loop();
  if (mode == 5 && (arg->index == 1 || arg->index == 2))
    read_loop(arg->index - 1);
  for (int i = 0; i < ADDS; i++)
    __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
  arg->private_sum = sum_down(1000);
  if (arg->index == 0)
    __builtin_wasm_memory_grow(0, 1);
  __atomic_store_n(&arg->done, 1, __ATOMIC_SEQ_CST);
  __builtin_wasm_memory_atomic_notify(&arg->done, 1);
}

static void read_mode(void) {
  static char buf[256];
  static char *argv[8];
  int32_t argc, size;
  if (args_sizes_get(&argc, &size) != 0 || argc > 8 || size > 256)
    proc_exit(2);
  args_get(argv, buf);
  if (argc < 2)
    return;
  mode = streq(argv[1], "trap")      ? 1
         : streq(argv[1], "exit")    ? 2
         : streq(argv[1], "recurse") ? 3
         : streq(argv[1], "oob")     ? 4
         : streq(argv[1], "dirs")    ? 5
                                     : 0;
}

void _start(void) {
  read_mode();
  size_t initial_pages = __builtin_wasm_memory_size(0);
  for (int i = 0; i < THREADS; i++) {
    threads[i].stack_top = stacks[i] + STACK;
    threads[i].index = i;
    if (thread_spawn(&threads[i]) <= 0) {
      print("FAIL thread-spawn\n");
      proc_exit(1);
    }
  }
  if (mode == 2)
    __builtin_wasm_memory_atomic_wait32(&never, 0, -1);
  /* Thread 0 grows the shared memory: memory.size must see it here, and
   * the new page must be usable from this thread. The fence keeps clang
   * from hoisting memory.size out of the loop in the Wasm; the loader's
   * compiler must not hoist it either (an atomic read of the size of a
   * shared memory). */
  while (__builtin_wasm_memory_size(0) == initial_pages)
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
  volatile uint8_t *last =
      (volatile uint8_t *)(__builtin_wasm_memory_size(0) * 65536 - 1);
  *last = 42;
  if (*last != 42 || __builtin_wasm_memory_size(0) != initial_pages + 1) {
    print("FAIL memory.grow in a thread\n");
    proc_exit(1);
  }
  for (int i = 0; i < THREADS; i++) {
    /* Ten seconds each: a lost wake-up fails instead of hanging. */
    while (__atomic_load_n(&threads[i].done, __ATOMIC_SEQ_CST) == 0)
      if (__builtin_wasm_memory_atomic_wait32(&threads[i].done, 0,
                                              10000000000LL) == 2) {
        print("FAIL timed out waiting for a thread\n");
        proc_exit(1);
      }
  }
  int failed = 0;
  for (int i = 0; i < THREADS; i++) {
    if (threads[i].tid <= 0 || threads[i].private_sum != 500500)
      failed = 1;
    for (int j = 0; j < i; j++)
      if (threads[j].tid == threads[i].tid)
        failed = 1;
  }
  if (counter != THREADS * ADDS || failed) {
    print("FAIL counter ");
    print_uint((uint64_t)counter);
    print("\n");
    proc_exit(1);
  }
  if (mode == 5) {
    if (race_bad) {
      print("FAIL a directory read racing its close\n");
      proc_exit(1);
    }
    print("dirs ok: ");
    print_uint(DIR_ROUNDS);
    print(" opens, ");
    print_uint((uint64_t)race_listings);
    print(" listings read\n");
  }
  print("threads ok: ");
  print_uint(THREADS);
  print(" x ");
  print_uint(ADDS);
  print("\n");
}
