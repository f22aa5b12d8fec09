/* The guest's fd table: guest fd numbers index the slots (in chunks that
 * never move, wasi_internal.h); each slot owns a
 * host fd plus the preview1 state the host fd cannot carry (rights,
 * preopen name, readdir stream). New fds take the lowest free number, as
 * POSIX does. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

/* What each kind of file can be asked to do at all. */
#define RIGHTS_FILE                                                            \
  (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK |          \
   WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL |  \
   WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ADVISE | WASI_RIGHT_FD_ALLOCATE |       \
   WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_SIZE |              \
   WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_POLL_FD_READWRITE)
#define RIGHTS_DIRECTORY                                                       \
  (WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC |                       \
   WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_ADVISE |                             \
   WASI_RIGHT_PATH_CREATE_DIRECTORY | WASI_RIGHT_PATH_CREATE_FILE |            \
   WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET |                 \
   WASI_RIGHT_PATH_OPEN | WASI_RIGHT_FD_READDIR | WASI_RIGHT_PATH_READLINK |   \
   WASI_RIGHT_PATH_RENAME_SOURCE | WASI_RIGHT_PATH_RENAME_TARGET |             \
   WASI_RIGHT_PATH_FILESTAT_GET | WASI_RIGHT_PATH_FILESTAT_SET_SIZE |          \
   WASI_RIGHT_PATH_FILESTAT_SET_TIMES | WASI_RIGHT_FD_FILESTAT_GET |           \
   WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_PATH_SYMLINK |                \
   WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE |            \
   WASI_RIGHT_POLL_FD_READWRITE)
/* A terminal or other character device: no seek or tell, which is how
 * wasi-libc's isatty() recognises a terminal. */
#define RIGHTS_TTY (RIGHTS_FILE & ~(WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL))
/* Pipes and anything unknown: a byte stream. Seek and tell stay, so the
 * guest learns ESPIPE from the host as a native program would. */
#define RIGHTS_STREAM                                                          \
  (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_FDSTAT_SET_FLAGS | \
   WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_DATASYNC |  \
   WASI_RIGHT_POLL_FD_READWRITE | WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL)
#define RIGHTS_SOCKET                                                          \
  (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_FDSTAT_SET_FLAGS | \
   WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_POLL_FD_READWRITE |                 \
   WASI_RIGHT_SOCK_SHUTDOWN | WASI_RIGHT_SOCK_ACCEPT)

uint64_t wasi_rights_for_type(uint8_t filetype, uint64_t *inheriting) {
  *inheriting = 0;
  switch (filetype) {
  case WASI_FILETYPE_DIRECTORY:
    /* All of them: what an opened file may actually do is decided by its
     * own type when it is opened. */
    *inheriting = WASI_RIGHTS_ALL;
    return RIGHTS_DIRECTORY;
  case WASI_FILETYPE_REGULAR_FILE:
  case WASI_FILETYPE_BLOCK_DEVICE:
    return RIGHTS_FILE;
  case WASI_FILETYPE_CHARACTER_DEVICE:
    return RIGHTS_TTY;
  case WASI_FILETYPE_SOCKET_STREAM:
  case WASI_FILETYPE_SOCKET_DGRAM:
    *inheriting = RIGHTS_SOCKET;
    return RIGHTS_SOCKET;
  default:
    return RIGHTS_STREAM;
  }
}

uint8_t wasi_filetype_from_mode(unsigned mode) {
  switch (mode & S_IFMT) {
  case S_IFREG:
    return WASI_FILETYPE_REGULAR_FILE;
  case S_IFDIR:
    return WASI_FILETYPE_DIRECTORY;
  case S_IFCHR:
    return WASI_FILETYPE_CHARACTER_DEVICE;
  case S_IFBLK:
    return WASI_FILETYPE_BLOCK_DEVICE;
  case S_IFLNK:
    return WASI_FILETYPE_SYMBOLIC_LINK;
  case S_IFSOCK:
    return WASI_FILETYPE_SOCKET_STREAM; /* refined by wasi_filetype_of_fd */
  default:
    return WASI_FILETYPE_UNKNOWN; /* FIFOs have no preview1 type */
  }
}

uint8_t wasi_filetype_of_fd(int host_fd) {
  struct stat st;
  if (fstat(host_fd, &st) != 0)
    return WASI_FILETYPE_UNKNOWN;
  uint8_t type = wasi_filetype_from_mode(st.st_mode);
  if (type == WASI_FILETYPE_SOCKET_STREAM) {
    int sotype = 0;
    socklen_t len = sizeof sotype;
    if (getsockopt(host_fd, SOL_SOCKET, SO_TYPE, &sotype, &len) == 0 &&
        sotype == SOCK_DGRAM)
      type = WASI_FILETYPE_SOCKET_DGRAM;
  }
  return type;
}

/* Rights the open mode rules out: writing through a read-only fd and the
 * reverse. */
static uint64_t rights_of_access_mode(int host_fd) {
  int fl = fcntl(host_fd, F_GETFL);
  if (fl < 0)
    return WASI_RIGHTS_ALL;
  switch (fl & O_ACCMODE) {
  case O_RDONLY:
    return ~(WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE |
             WASI_RIGHT_FD_FILESTAT_SET_SIZE);
  case O_WRONLY:
    return ~(WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR);
  default:
    return WASI_RIGHTS_ALL;
  }
}

wasi_fd_entry wasi_fd_entry_for(int host_fd) {
  wasi_fd_entry e = {.host_fd = host_fd};
  e.filetype = wasi_filetype_of_fd(host_fd);
  e.rights_base = wasi_rights_for_type(e.filetype, &e.rights_inheriting);
  /* Sockets and directories ignore the access mode. */
  if (e.filetype != WASI_FILETYPE_DIRECTORY &&
      e.filetype != WASI_FILETYPE_SOCKET_STREAM &&
      e.filetype != WASI_FILETYPE_SOCKET_DGRAM)
    e.rights_base &= rights_of_access_mode(host_fd);
  return e;
}

static wasi_fd_entry *slot(const wasi_fd_table *t, uint32_t fd) {
  return &t->chunks[fd / WASI_FD_CHUNK][fd % WASI_FD_CHUNK];
}

bool wasi_fd_table_init(wasi_fd_table *t) {
  memset(t->chunks, 0, sizeof t->chunks);
  atomic_init(&t->size, 0);
  return pthread_mutex_init(&t->lock, NULL) == 0;
}

int32_t wasi_fd_lookup(wasi_ctx *ctx, int32_t fd, uint64_t rights,
                       wasi_fd_entry **out) {
  *out = NULL;
  wasi_fd_table *t = &ctx->fds;
  /* The acquire pairs with table_grow's release: a slot below `size`
   * is initialised. */
  if (fd < 0 ||
      (uint32_t)fd >= atomic_load_explicit(&t->size, memory_order_acquire))
    return WASI_EBADF;
  wasi_fd_entry *e = slot(t, (uint32_t)fd);
  if (e->host_fd < 0)
    return WASI_EBADF;
  if ((e->rights_base & rights) != rights)
    return WASI_ENOTCAPABLE;
  *out = e;
  return 0;
}

/* Adds a chunk; under t->lock. */
static bool table_grow(wasi_fd_table *t) {
  uint32_t size = atomic_load_explicit(&t->size, memory_order_relaxed);
  if (size / WASI_FD_CHUNK >= WASI_FD_CHUNKS)
    return false;
  wasi_fd_entry *chunk = malloc(WASI_FD_CHUNK * sizeof *chunk);
  if (!chunk)
    return false;
  for (uint32_t i = 0; i < WASI_FD_CHUNK; i++)
    chunk[i] = (wasi_fd_entry){.host_fd = -1};
  t->chunks[size / WASI_FD_CHUNK] = chunk;
  atomic_store_explicit(&t->size, size + WASI_FD_CHUNK, memory_order_release);
  return true;
}

/* Under t->lock. */
static int32_t insert_at_locked(wasi_fd_table *t, uint32_t fd,
                                wasi_fd_entry *entry) {
  while (fd >= atomic_load_explicit(&t->size, memory_order_relaxed))
    if (!table_grow(t)) {
      wasi_fd_release(entry);
      return WASI_EMFILE;
    }
  wasi_fd_entry *e = slot(t, fd);
  if (e->host_fd >= 0)
    wasi_fd_release(e);
  *e = *entry;
  return 0;
}

int32_t wasi_fd_insert_at(wasi_ctx *ctx, uint32_t fd, wasi_fd_entry *entry) {
  wasi_fd_table *t = &ctx->fds;
  pthread_mutex_lock(&t->lock);
  int32_t err = insert_at_locked(t, fd, entry);
  pthread_mutex_unlock(&t->lock);
  return err;
}

int32_t wasi_fd_insert(wasi_ctx *ctx, wasi_fd_entry *entry, uint32_t *fd_out) {
  wasi_fd_table *t = &ctx->fds;
  pthread_mutex_lock(&t->lock);
  uint32_t fd = 0, size = atomic_load_explicit(&t->size, memory_order_relaxed);
  while (fd < size && slot(t, fd)->host_fd >= 0)
    fd++;
  *fd_out = fd;
  int32_t err = insert_at_locked(t, fd, entry);
  pthread_mutex_unlock(&t->lock);
  return err;
}

void wasi_fd_table_lock(wasi_ctx *ctx) {
  pthread_mutex_lock(&ctx->fds.lock);
}

void wasi_fd_table_unlock(wasi_ctx *ctx) {
  pthread_mutex_unlock(&ctx->fds.lock);
}

void wasi_fd_release(wasi_fd_entry *e) {
  if (e->dir)
    closedir(e->dir);
  if (e->host_fd >= 0)
    close(e->host_fd);
  free(e->preopen_path);
  *e = (wasi_fd_entry){.host_fd = -1};
}

void wasi_fd_table_free(wasi_fd_table *t) {
  uint32_t size = atomic_load(&t->size);
  for (uint32_t i = 0; i < size; i++)
    if (slot(t, i)->host_fd >= 0)
      wasi_fd_release(slot(t, i));
  for (uint32_t c = 0; c < size / WASI_FD_CHUNK; c++) {
    free(t->chunks[c]);
    t->chunks[c] = NULL;
  }
  atomic_store(&t->size, 0);
  pthread_mutex_destroy(&t->lock);
}
