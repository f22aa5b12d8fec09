/* Path resolution that cannot leave a preopened directory.
 *
 * The kernel does it for us where it can: openat2() with RESOLVE_BENEATH
 * refuses absolute paths, `..` above the starting directory and symbolic
 * links that lead outside (EXDEV), and it does so atomically, so a guest
 * racing renames against us cannot win. Kernels before 5.6 (or seccomp
 * profiles that hide openat2) get a component walk that holds an fd for
 * every directory it descends into: `..` pops that stack instead of
 * asking the file system, and every component is opened with O_NOFOLLOW so
 * a symbolic link is seen and expanded here, never by the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wasi_internal.h"

/* openat2 may be newer than the C library's headers. */
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#else
struct open_how {
  uint64_t flags, mode, resolve;
};
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_BENEATH 0x08
#endif
#ifndef SYS_openat2
#define SYS_openat2 437 /* the same number on every architecture */
#endif

/* Linux's limit on symbolic links in one resolution. */
enum { MAX_SYMLINKS = 40 };
/* openat2 answers EAGAIN when a concurrent rename makes `..` ambiguous. */
enum { OPENAT2_RETRIES = 8 };

static int32_t resolve_error(int host_errno) {
  return host_errno == EXDEV ? WASI_ENOTCAPABLE
                             : wasi_errno_from_host(host_errno);
}

/* Returns the fd or a negative preview1 errno; sets *unsupported (and the
 * result means nothing) when the kernel has no usable openat2. */
static int try_openat2(int dirfd, const char *path, int flags, unsigned mode,
                       bool *unsupported) {
  struct open_how how = {
      .flags = (uint64_t)(flags | O_CLOEXEC),
      /* openat2 refuses a mode it would not use. O_TMPFILE includes the
       * O_DIRECTORY bit, so test it whole. */
      .mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0,
      .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
  };
  for (int attempt = 0; attempt < OPENAT2_RETRIES; attempt++) {
    long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (fd >= 0)
      return (int)fd;
    if (errno == EAGAIN || errno == EINTR)
      continue;
    /* EPERM may also be a seccomp filter's answer; the walk then gives
     * the file system's own answer, which is EPERM again if real. */
    if (errno == ENOSYS || errno == EPERM)
      break;
    return -resolve_error(errno);
  }
  *unsupported = true;
  return -1;
}

int wasi_open_beneath(int dirfd, const char *path, int flags, unsigned mode,
                      bool follow) {
  if (path[0] == '/')
    return -WASI_ENOTCAPABLE;
  if (!follow)
    flags |= O_NOFOLLOW;
  bool unsupported = false;
  int fd = try_openat2(dirfd, path, flags, mode, &unsupported);
  if (!unsupported)
    return fd;
  return wasi_open_beneath_walk(dirfd, path, flags & ~O_NOFOLLOW, mode, follow);
}

/* ---- The component walk ------------------------------------------------ */

/* The directories entered so far: fds[0] is the caller's dirfd (not
 * ours to close), the rest are O_PATH fds we opened. */
typedef struct dir_stack {
  int *fds;
  size_t depth, cap;
} dir_stack;

static int stack_top(const dir_stack *s) {
  return s->fds[s->depth];
}

static bool stack_push(dir_stack *s, int fd) {
  if (s->depth + 1 >= s->cap) {
    size_t cap = s->cap * 2;
    int *fds = realloc(s->fds, cap * sizeof *fds);
    if (!fds)
      return false;
    s->fds = fds;
    s->cap = cap;
  }
  s->fds[++s->depth] = fd;
  return true;
}

static void stack_pop(dir_stack *s) {
  close(s->fds[s->depth--]);
}

static void stack_free(dir_stack *s) {
  while (s->depth > 0)
    stack_pop(s);
  free(s->fds);
}

/* The path still to resolve, rewritten in place when a symbolic link is
 * expanded: `pos` is where the next component starts. */
typedef struct walk_state {
  char path[2 * WASI_PATH_MAX];
  size_t pos;
  int symlinks;
} walk_state;

/* Extracts the next component into comp (NUL-terminated); sets *last when
 * nothing but slashes follows it and *trailing when some do. False at the
 * end of the path. */
static bool next_component(walk_state *w, char *comp, bool *last,
                           bool *trailing) {
  while (w->path[w->pos] == '/')
    w->pos++;
  if (!w->path[w->pos])
    return false;
  size_t n = strcspn(w->path + w->pos, "/");
  memcpy(comp, w->path + w->pos, n);
  comp[n] = 0;
  w->pos += n;
  size_t after = w->pos;
  while (w->path[after] == '/')
    after++;
  *last = !w->path[after];
  *trailing = *last && after > w->pos;
  return true;
}

/* Replaces the component just read by the link's target: the walk then
 * goes on through the target, relative to the same directory. What
 * follows the component (empty, or starting with '/') stays, so a
 * trailing slash survives the expansion. */
static int32_t splice_symlink(walk_state *w, int dirfd, const char *name) {
  if (++w->symlinks > MAX_SYMLINKS)
    return WASI_ELOOP;
  char target[WASI_PATH_MAX];
  ssize_t n = readlinkat(dirfd, name, target, sizeof target);
  if (n < 0)
    return wasi_errno_last();
  if ((size_t)n >= sizeof target)
    return WASI_ENAMETOOLONG;
  if (n == 0)
    return WASI_ENOENT;
  if (target[0] == '/')
    return WASI_ENOTCAPABLE;
  const char *rest = w->path + w->pos;
  size_t rest_len = strlen(rest);
  if ((size_t)n + rest_len >= sizeof w->path)
    return WASI_ENAMETOOLONG;
  memmove(w->path + n, rest, rest_len + 1);
  memcpy(w->path, target, (size_t)n);
  w->pos = 0;
  return 0;
}

/* One directory component that is not the last: enter it, or expand it
 * when it is a symbolic link. */
static int32_t enter_component(walk_state *w, dir_stack *s, const char *comp) {
  if (!strcmp(comp, "."))
    return 0;
  if (!strcmp(comp, "..")) {
    if (s->depth == 0)
      return WASI_ENOTCAPABLE;
    stack_pop(s);
    return 0;
  }
  int fd = openat(stack_top(s), comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return wasi_errno_last();
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int32_t err = wasi_errno_last();
    close(fd);
    return err;
  }
  if (S_ISLNK(st.st_mode)) {
    close(fd);
    return splice_symlink(w, stack_top(s), comp);
  }
  if (!S_ISDIR(st.st_mode)) {
    close(fd);
    return WASI_ENOTDIR;
  }
  if (!stack_push(s, fd)) {
    close(fd);
    return WASI_ENOMEM;
  }
  return 0;
}

/* Opens the last component without following a link. Sets *is_link when
 * it is one (and returns no fd then), except for an O_PATH open of a link
 * that is not to be followed, which returns the link itself as openat2
 * does. */
static int open_nofollow(int dirfd, const char *comp, int flags, unsigned mode,
                         bool follow, bool *is_link) {
  *is_link = false;
  int fd = openat(dirfd, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
  struct stat st;
  if (fd < 0) {
    /* ELOOP: O_NOFOLLOW met a link. ENOTDIR: O_DIRECTORY may have met one
     * (a link to a directory is not a directory). Ask which. */
    int err = errno;
    if ((err == ELOOP || err == ENOTDIR) &&
        fstatat(dirfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(st.st_mode)) {
      *is_link = true;
      return -1;
    }
    return -wasi_errno_from_host(err);
  }
  if ((flags & O_PATH) && follow && fstat(fd, &st) == 0 &&
      S_ISLNK(st.st_mode)) {
    close(fd);
    *is_link = true;
    return -1;
  }
  return fd;
}

/* The last component. Returns an fd or a negative errno, or sets *again
 * after expanding a symbolic link (the walk goes on). */
static int open_last(walk_state *w, dir_stack *s, const char *comp, int flags,
                     unsigned mode, bool follow, bool trailing, bool *again) {
  *again = false;
  if (!strcmp(comp, "..")) {
    if (s->depth == 0)
      return -WASI_ENOTCAPABLE;
    stack_pop(s);
    comp = ".";
  }
  /* "name/" must be a directory, and a link there is followed. O_CREAT
   * cannot make one: like the kernel, answer EISDIR when it is missing. */
  bool create_dir = trailing && (flags & O_CREAT);
  if (trailing) {
    flags = (flags & ~O_CREAT) | O_DIRECTORY;
    follow = true;
  }
  bool is_link;
  int fd = open_nofollow(stack_top(s), comp, flags, mode, follow, &is_link);
  if (!is_link)
    return create_dir && fd == -WASI_ENOENT ? -WASI_EISDIR : fd;
  if (!follow) /* the kernel's answers for O_NOFOLLOW on a link */
    return (flags & O_DIRECTORY) ? -WASI_ENOTDIR : -WASI_ELOOP;
  int32_t err = splice_symlink(w, stack_top(s), comp);
  *again = err == 0;
  return -err;
}

static int walk(walk_state *w, dir_stack *s, int flags, unsigned mode,
                bool follow) {
  char comp[sizeof w->path]; /* no component can be longer than the path */
  bool last, trailing;
  while (next_component(w, comp, &last, &trailing)) {
    if (last) {
      bool again;
      int fd = open_last(w, s, comp, flags, mode, follow, trailing, &again);
      if (!again)
        return fd;
      continue;
    }
    int32_t err = enter_component(w, s, comp);
    if (err)
      return -err;
  }
  return -WASI_ENOENT; /* only "" has no last component */
}

int wasi_open_beneath_walk(int dirfd, const char *path, int flags,
                           unsigned mode, bool follow) {
  if (path[0] == '/')
    return -WASI_ENOTCAPABLE;
  if (!path[0])
    return -WASI_ENOENT;
  walk_state *w = malloc(sizeof *w);
  dir_stack s = {.fds = malloc(16 * sizeof(int)), .depth = 0, .cap = 16};
  if (!w || !s.fds) {
    free(w);
    free(s.fds);
    return -WASI_ENOMEM;
  }
  size_t len = strlen(path);
  if (len >= sizeof w->path) {
    free(w);
    free(s.fds);
    return -WASI_ENAMETOOLONG;
  }
  memcpy(w->path, path, len + 1);
  w->pos = 0;
  w->symlinks = 0;
  s.fds[0] = dirfd;
  int fd = walk(w, &s, flags & ~O_NOFOLLOW, mode, follow);
  stack_free(&s);
  free(w);
  return fd;
}

/* ---- Parent + name ----------------------------------------------------- */

static bool is_dot_or_dotdot(const char *name) {
  return !strcmp(name, ".") || !strcmp(name, "..");
}

int32_t wasi_resolve_parent(int dirfd, const char *path, wasi_parent *out) {
  out->parent = -1;
  out->name = NULL;
  out->trailing_slash = false;
  size_t len = strlen(path);
  if (len == 0)
    return WASI_ENOENT;
  if (path[0] == '/')
    return WASI_ENOTCAPABLE;
  if (len >= sizeof out->buf)
    return WASI_ENAMETOOLONG;
  memcpy(out->buf, path, len + 1);
  while (len > 1 && out->buf[len - 1] == '/') {
    out->buf[--len] = 0;
    out->trailing_slash = true;
  }
  char *slash = strrchr(out->buf, '/');
  char *name = slash ? slash + 1 : out->buf;
  int fd;
  if (is_dot_or_dotdot(name)) {
    /* Resolve the whole path as a directory, so `..` is checked like any
     * other step, and act on it as ".". */
    fd = wasi_open_beneath(dirfd, out->buf, O_PATH | O_DIRECTORY, 0, true);
    out->name = ".";
  } else {
    if (slash)
      *slash = 0;
    fd = wasi_open_beneath(dirfd, slash ? out->buf : ".", O_PATH | O_DIRECTORY,
                           0, true);
    out->name = name;
  }
  if (fd < 0)
    return -fd;
  out->parent = fd;
  return 0;
}

void wasi_parent_close(wasi_parent *p) {
  if (p->parent >= 0)
    close(p->parent);
  p->parent = -1;
}
