/* Shared internals of wasi-libc-host: the context, the guest fd table,
 * guest memory access and errno translation. Every host function takes
 * the context as its env and returns a preview1 errno. */
#ifndef WASI_INTERNAL_H
#define WASI_INTERNAL_H

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include "wasi_abi.h"
#include "wasmaot_wasi.h"

/* ---- The context -------------------------------------------------------- */

/* A NUL-terminated string list as args_get/environ_get hand it out. */
typedef struct wasi_strings {
  char **items;
  uint32_t count;
  uint32_t bytes; /* sum of the lengths including each NUL */
} wasi_strings;

typedef struct wasi_fd_entry {
  int host_fd; /* -1: the slot is free */
  uint8_t filetype;
  /* dsync/rsync/sync as opened: Linux cannot report rsync apart from
   * sync, so fd_fdstat_get answers from here. */
  uint16_t sync_flags;
  uint64_t rights_base;
  uint64_t rights_inheriting;
  char *preopen_path; /* the guest's name of a preopened directory */
  /* fd_readdir's stream, opened on first use, and the cookie of the
   * entry it reads next (when known it saves a seekdir). */
  DIR *dir;
  uint64_t dir_cookie;
  bool dir_cookie_known;
} wasi_fd_entry;

/* Slots live in chunks that never move once allocated, so an entry
 * pointer one thread got from wasi_fd_lookup stays valid while another
 * thread (wasi-threads) opens fds and the table grows. `lock` serialises
 * the changes to which slots exist and which are taken. */
enum { WASI_FD_CHUNK = 64, WASI_FD_CHUNKS = 1024 };
typedef struct wasi_fd_table {
  wasi_fd_entry *chunks[WASI_FD_CHUNKS];
  _Atomic uint32_t size; /* slots in the allocated chunks */
  pthread_mutex_t lock;
} wasi_fd_table;

/* Makes the table empty; false when out of resources. */
bool wasi_fd_table_init(wasi_fd_table *table);

enum { WASI_FUNC_COUNT = 46 };

struct wasi_ctx {
  wasmaot_engine *engine;
  wasmaot_memory *memory;
  wasi_strings args;
  wasi_strings env;
  wasi_fd_table fds;
  wasmaot_func *funcs[WASI_FUNC_COUNT]; /* created as imports ask */
  bool exited;
  int exit_status;
  struct wasi_threads *threads; /* wasi_ctx_enable_threads(), else NULL */
};

/* wasi_threads.c */
void wasi_threads_free(struct wasi_threads *threads);

/* ---- errno -------------------------------------------------------------- */

/* The preview1 errno for a host errno value. */
int32_t wasi_errno_from_host(int host_errno);
/* Same, for the current errno. */
int32_t wasi_errno_last(void);

/* ---- Guest memory (wasi_memory.c) --------------------------------------- */

/* The host address of guest bytes [ptr, ptr + len), or NULL when any of
 * them lies outside the memory's current size (or no memory is bound).
 * Valid until the guest runs again. */
uint8_t *wasi_guest_bytes(const wasi_ctx *ctx, uint32_t ptr, uint64_t len);

static inline void wasi_put_u16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static inline void wasi_put_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}
static inline void wasi_put_u64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t wasi_get_u16(const uint8_t *p) {
  return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t wasi_get_u32(const uint8_t *p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}
static inline uint64_t wasi_get_u64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

/* Stores a little-endian value at a guest address; EFAULT when it does
 * not fit. */
int32_t wasi_store_u32(const wasi_ctx *ctx, uint32_t ptr, uint32_t v);
int32_t wasi_store_u64(const wasi_ctx *ctx, uint32_t ptr, uint64_t v);
/* Checks that a result of `len` bytes fits at `ptr` before the call has
 * side effects it could not undo. */
int32_t wasi_check_out(const wasi_ctx *ctx, uint32_t ptr, uint64_t len);

/* The most iovecs one call passes to the host; more make a short
 * transfer, which preview1 allows. */
enum { WASI_IOV_MAX = 1024 };

/* Translates the guest's (c)iovec array into host iovecs (at most
 * WASI_IOV_MAX of them). EFAULT when the array or any buffer used is out
 * of bounds. */
int32_t wasi_load_iovecs(const wasi_ctx *ctx, uint32_t iovs, uint32_t count,
                         struct iovec *out, int *n_out);

/* The longest path a guest may pass, including the NUL added here. */
enum { WASI_PATH_MAX = 4096 };

/* Copies a guest string (pointer + length, not NUL-terminated) into buf
 * (WASI_PATH_MAX bytes) and terminates it. EFAULT, ENAMETOOLONG, EILSEQ
 * (not UTF-8) or EINVAL (contains NUL). */
int32_t wasi_load_path(const wasi_ctx *ctx, uint32_t ptr, uint32_t len,
                       char *buf);

/* ---- The fd table (wasi_fdtable.c) -------------------------------------- */

/* Rights a descriptor of this type can use at all; `inheriting` gets what
 * fds opened through it may have. */
uint64_t wasi_rights_for_type(uint8_t filetype, uint64_t *inheriting);
/* The WASI filetype of an open host fd (fstat + socket type). */
uint8_t wasi_filetype_of_fd(int host_fd);
uint8_t wasi_filetype_from_mode(unsigned mode);

/* Looks up guest fd `fd` and checks it holds every right in `rights`:
 * EBADF or ENOTCAPABLE otherwise. The pointer is valid until the table
 * changes (an insert may move it). */
int32_t wasi_fd_lookup(wasi_ctx *ctx, int32_t fd, uint64_t rights,
                       wasi_fd_entry **out);
/* Takes ownership of entry->host_fd (and preopen_path) and gives it the
 * lowest free guest fd. On failure releases them and returns EMFILE. */
int32_t wasi_fd_insert(wasi_ctx *ctx, wasi_fd_entry *entry, uint32_t *fd_out);
/* The same at guest fd `fd`, closing what was there. */
int32_t wasi_fd_insert_at(wasi_ctx *ctx, uint32_t fd, wasi_fd_entry *entry);
/* The table's mutex (the one inserts take), held by the calls that free
 * an entry's heap parts (fd_close, fd_renumber) and by those that use
 * them (fd_readdir's DIR stream, the prestat calls' preopen name), so
 * that one thread of a wasi-threads program closing an fd cannot free
 * what another thread is reading. None of them blocks for long. */
void wasi_fd_table_lock(wasi_ctx *ctx);
void wasi_fd_table_unlock(wasi_ctx *ctx);
/* A new table entry for an open host fd with default rights for its
 * type. */
wasi_fd_entry wasi_fd_entry_for(int host_fd);
/* Closes and frees whatever the entry holds; the slot becomes free. */
void wasi_fd_release(wasi_fd_entry *entry);
void wasi_fd_table_free(wasi_fd_table *table);

/* ---- Path resolution beneath a directory (wasi_sandbox.c) --------------- */

/* Opens `path` relative to directory fd `dirfd`, never leaving the tree
 * under it. `flags` are open(2) flags; a symbolic link as the last
 * component is followed only when `follow` (else O_NOFOLLOW applies); a
 * trailing slash always follows. Returns the new host fd, or a negative
 * preview1 errno: -ENOTCAPABLE when the path would leave the tree
 * (absolute, `..` above the top, a symbolic link pointing outside). */
int wasi_open_beneath(int dirfd, const char *path, int flags, unsigned mode,
                      bool follow);
/* The component walk wasi_open_beneath falls back to when the kernel has
 * no openat2 (exposed for the tests, which check both agree). */
int wasi_open_beneath_walk(int dirfd, const char *path, int flags,
                           unsigned mode, bool follow);

/* A path split for the *at() calls: `parent` is an O_PATH fd of the
 * directory that holds the last component (resolved beneath the preopen,
 * symbolic links followed) and `name` the last component, never "..",
 * never containing '/'. A path ending in "." or ".." names the directory
 * it resolves to, as ("that directory", "."). trailing_slash records a
 * slash after the last component. */
typedef struct wasi_parent {
  int parent;
  const char *name;
  bool trailing_slash;
  char buf[WASI_PATH_MAX];
} wasi_parent;

/* Resolves all but the last component of `path`. Returns 0 or a
 * preview1 errno. */
int32_t wasi_resolve_parent(int dirfd, const char *path, wasi_parent *out);
void wasi_parent_close(wasi_parent *p);

/* ---- Path arguments (wasi_path.c) --------------------------------------- */

/* The entry of directory `fd` holding `rights` (else EBADF, ENOTDIR or
 * ENOTCAPABLE, in that order) and the guest's path copied into buf
 * (WASI_PATH_MAX bytes; errors as wasi_load_path). */
int32_t wasi_path_arg(wasi_ctx *ctx, int32_t fd, uint64_t rights, uint32_t path,
                      uint32_t path_len, wasi_fd_entry **dir, char *buf);

/* ---- Clocks (wasi_clock.c) ---------------------------------------------- */

/* The host clock of a preview1 clock id; false for an unknown id. */
bool wasi_clock_to_host(uint32_t id, clockid_t *out);
/* The current value of a preview1 clock in nanoseconds; EINVAL for an
 * unknown id. */
int32_t wasi_clock_now(uint32_t id, uint64_t *ns);
uint64_t wasi_timespec_to_ns(const struct timespec *ts);
struct timespec wasi_ns_to_timespec(uint64_t ns);

/* ---- Attributes (wasi_fd_stat.c) --------------------------------------- */

/* Writes a filestat for `st` at guest address ptr; EFAULT if it does not
 * fit. */
struct stat;
int32_t wasi_store_filestat(const wasi_ctx *ctx, uint32_t ptr,
                            const struct stat *st, uint8_t filetype);
/* Fills the two timespecs utimensat()/futimens() take from preview1's
 * set_times arguments; EINVAL for contradictory or unknown flags. */
int32_t wasi_times_from_fstflags(uint64_t atim, uint64_t mtim,
                                 uint32_t fst_flags, struct timespec ts[2]);

/* ---- Set-up (wasi_args.c, wasi_sock.c) --------------------------------- */

/* Copies a configuration string list. False when out of memory or when a
 * string does not fit the guest's 32-bit sizes. */
bool wasi_strings_init(wasi_strings *s, const char *const *items, size_t count);
void wasi_strings_free(wasi_strings *s);

/* Opens the listening socket of a "HOST:PORT" address; -1 with a reason
 * in err. */
int wasi_listen_tcp(const char *address, char *err, size_t errlen);

#endif
