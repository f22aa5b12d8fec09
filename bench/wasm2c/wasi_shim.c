/* A minimal WASI preview1 host for the benchmark programs translated by
 * wasm2c (wabt 1.0.32 naming). It implements only what wasi-libc's stdio,
 * argv and clock code needs; everything talks to the host directly.
 *
 * Build: wasm2c -n prog X.wasm -o prog.c, then compile this file with
 * -I<dir of prog.h> together with prog.c and wasm-rt-impl.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "prog.h"
#include "wasm-rt-impl.h"

/* WASI errno values. */
enum {
  WASI_ESUCCESS = 0,
  WASI_EBADF = 8,
  WASI_EFAULT = 21,
  WASI_EINVAL = 28,
  WASI_EIO = 29,
  WASI_ESPIPE = 70,
};

struct Z_wasi_snapshot_preview1_instance_t {
  wasm_rt_memory_t *mem;
  int argc;
  char **argv;
};

typedef struct Z_wasi_snapshot_preview1_instance_t wasi_t;

/* A pointer to [addr, addr + len) in linear memory, or NULL if it is out
 * of bounds. */
static uint8_t *mem_at(wasi_t *w, uint32_t addr, uint64_t len) {
  if ((uint64_t)addr + len > w->mem->size)
    return NULL;
  return w->mem->data + addr;
}

static int put_u32(wasi_t *w, uint32_t addr, uint32_t v) {
  uint8_t *p = mem_at(w, addr, 4);
  if (!p)
    return 0;
  memcpy(p, &v, 4); /* the host is little-endian like Wasm */
  return 1;
}

static int put_u64(wasi_t *w, uint32_t addr, uint64_t v) {
  uint8_t *p = mem_at(w, addr, 8);
  if (!p)
    return 0;
  memcpy(p, &v, 8);
  return 1;
}

static uint32_t errno_to_wasi(int e) {
  switch (e) {
  case EBADF:
    return WASI_EBADF;
  case EINVAL:
    return WASI_EINVAL;
  case ESPIPE:
    return WASI_ESPIPE;
  default:
    return WASI_EIO;
  }
}

u32 Z_wasi_snapshot_preview1Z_args_sizes_get(wasi_t *w, u32 argc_ptr,
                                             u32 size_ptr) {
  uint32_t size = 0;
  for (int i = 0; i < w->argc; i++)
    size += (uint32_t)strlen(w->argv[i]) + 1;
  if (!put_u32(w, argc_ptr, (uint32_t)w->argc) || !put_u32(w, size_ptr, size))
    return WASI_EFAULT;
  return WASI_ESUCCESS;
}

u32 Z_wasi_snapshot_preview1Z_args_get(wasi_t *w, u32 argv_ptr, u32 buf_ptr) {
  for (int i = 0; i < w->argc; i++) {
    size_t len = strlen(w->argv[i]) + 1;
    uint8_t *dst = mem_at(w, buf_ptr, len);
    if (!dst || !put_u32(w, argv_ptr + 4u * (uint32_t)i, buf_ptr))
      return WASI_EFAULT;
    memcpy(dst, w->argv[i], len);
    buf_ptr += (uint32_t)len;
  }
  return WASI_ESUCCESS;
}

u32 Z_wasi_snapshot_preview1Z_environ_sizes_get(wasi_t *w, u32 count_ptr,
                                                u32 size_ptr) {
  if (!put_u32(w, count_ptr, 0) || !put_u32(w, size_ptr, 0))
    return WASI_EFAULT;
  return WASI_ESUCCESS;
}

u32 Z_wasi_snapshot_preview1Z_environ_get(wasi_t *w, u32 environ_ptr,
                                          u32 buf_ptr) {
  (void)w, (void)environ_ptr, (void)buf_ptr;
  return WASI_ESUCCESS;
}

u32 Z_wasi_snapshot_preview1Z_fd_write(wasi_t *w, u32 fd, u32 iovs,
                                       u32 iovs_len, u32 nwritten_ptr) {
  if (fd > 2)
    return WASI_EBADF;
  struct iovec vec[64];
  uint32_t total = 0;
  while (iovs_len > 0) {
    uint32_t n = iovs_len < 64 ? iovs_len : 64;
    for (uint32_t i = 0; i < n; i++) {
      uint8_t *iov = mem_at(w, iovs + 8 * i, 8);
      if (!iov)
        return WASI_EFAULT;
      uint32_t base, len;
      memcpy(&base, iov, 4);
      memcpy(&len, iov + 4, 4);
      uint8_t *p = mem_at(w, base, len);
      if (!p)
        return WASI_EFAULT;
      vec[i].iov_base = p;
      vec[i].iov_len = len;
    }
    ssize_t r = writev((int)fd, vec, (int)n);
    if (r < 0)
      return errno_to_wasi(errno);
    total += (uint32_t)r;
    iovs += 8 * n;
    iovs_len -= n;
  }
  return put_u32(w, nwritten_ptr, total) ? WASI_ESUCCESS : WASI_EFAULT;
}

u32 Z_wasi_snapshot_preview1Z_fd_close(wasi_t *w, u32 fd) {
  (void)w;
  return fd <= 2 ? WASI_ESUCCESS : WASI_EBADF;
}

u32 Z_wasi_snapshot_preview1Z_fd_fdstat_get(wasi_t *w, u32 fd, u32 buf) {
  if (fd > 2)
    return WASI_EBADF;
  struct stat st;
  if (fstat((int)fd, &st) != 0)
    return errno_to_wasi(errno);
  /* struct fdstat: u8 filetype, u16 flags at 2, u64 rights at 8 and 16. */
  uint8_t *p = mem_at(w, buf, 24);
  if (!p)
    return WASI_EFAULT;
  memset(p, 0, 24);
  uint64_t rights = ~(uint64_t)0;
  if (S_ISCHR(st.st_mode)) {
    p[0] = 2;                           /* character device */
    rights &= ~((1u << 2) | (1u << 5)); /* no fd_seek, fd_tell */
  } else if (S_ISREG(st.st_mode)) {
    p[0] = 4; /* regular file */
  } else {
    p[0] = 0; /* unknown (pipes, sockets) */
  }
  memcpy(p + 8, &rights, 8);
  memcpy(p + 16, &rights, 8);
  return WASI_ESUCCESS;
}

u32 Z_wasi_snapshot_preview1Z_fd_seek(wasi_t *w, u32 fd, u64 offset, u32 whence,
                                      u32 newoffset_ptr) {
  if (fd > 2)
    return WASI_EBADF;
  static const int whences[3] = {SEEK_SET, SEEK_CUR, SEEK_END};
  if (whence > 2)
    return WASI_EINVAL;
  off_t r = lseek((int)fd, (off_t)offset, whences[whence]);
  if (r < 0)
    return errno_to_wasi(errno);
  return put_u64(w, newoffset_ptr, (uint64_t)r) ? WASI_ESUCCESS : WASI_EFAULT;
}

u32 Z_wasi_snapshot_preview1Z_clock_time_get(wasi_t *w, u32 id, u64 precision,
                                             u32 time_ptr) {
  (void)precision;
  static const clockid_t ids[4] = {CLOCK_REALTIME, CLOCK_MONOTONIC,
                                   CLOCK_PROCESS_CPUTIME_ID,
                                   CLOCK_THREAD_CPUTIME_ID};
  if (id > 3)
    return WASI_EINVAL;
  struct timespec ts;
  if (clock_gettime(ids[id], &ts) != 0)
    return errno_to_wasi(errno);
  uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  return put_u64(w, time_ptr, ns) ? WASI_ESUCCESS : WASI_EFAULT;
}

u32 Z_wasi_snapshot_preview1Z_random_get(wasi_t *w, u32 buf, u32 len) {
  uint8_t *p = mem_at(w, buf, len);
  if (!p)
    return WASI_EFAULT;
  while (len > 0) {
    ssize_t r = getrandom(p, len, 0);
    if (r < 0)
      return errno_to_wasi(errno);
    p += r;
    len -= (u32)r;
  }
  return WASI_ESUCCESS;
}

void Z_wasi_snapshot_preview1Z_proc_exit(wasi_t *w, u32 code) {
  (void)w;
  exit((int)code);
}

int main(int argc, char **argv) {
  static Z_prog_instance_t inst;
  static wasi_t wasi;
  wasi.argc = argc;
  wasi.argv = argv;
  wasm_rt_init();
  Z_prog_init_module();
  Z_prog_instantiate(&inst, &wasi);
  wasi.mem = Z_progZ_memory(&inst);
  wasm_rt_trap_t trap = (wasm_rt_trap_t)wasm_rt_impl_try();
  if (trap != WASM_RT_TRAP_NONE) {
    fprintf(stderr, "wasm2c: trap: %s\n", wasm_rt_strerror(trap));
    return 134;
  }
  Z_progZ__start(&inst);
  Z_prog_free(&inst);
  wasm_rt_free();
  return 0;
}
