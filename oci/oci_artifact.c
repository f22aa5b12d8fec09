#include "oci_artifact.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "run_source.h"

int oci_open_in_root(const char *root, const char *path, int flags) {
  int dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return -1;
  while (*path == '/')
    path++;
  struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
                         .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  int fd =
      (int)syscall(SYS_openat2, dirfd, *path ? path : ".", &how, sizeof how);
  if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
    /* No openat2 (Linux < 5.6, or a seccomp filter): refuse ".." and a
     * final symbolic link rather than follow them; links in the middle of
     * the path are still followed, so such a host trusts its images. */
    if (strstr(path, "..")) {
      errno = EACCES;
      fd = -1;
    } else {
      fd = openat(dirfd, *path ? path : ".", flags | O_CLOEXEC | O_NOFOLLOW);
    }
  }
  int saved = errno;
  close(dirfd);
  errno = saved;
  return fd;
}

/* Where compiled artifacts are kept between containers: the user's cache
 * when there is a home for it, else a system-wide one (containerd runs
 * runtimes as root with a bare environment). */
static const char *cache_dir(void) {
  if ((getenv("XDG_CACHE_HOME") && *getenv("XDG_CACHE_HOME")) ||
      (getenv("HOME") && *getenv("HOME")))
    return NULL; /* the default: $XDG_CACHE_HOME/wasmaot, ~/.cache/wasmaot */
  return "/var/cache/wasmaot";
}

/* Runs `load` with stderr going to a memory file, so that the loader's
 * and compiler's reasons (which they print) can be put in `err` for the
 * log and for containerd's caller, instead of getting lost on a stderr
 * nobody reads. What it printed goes on to the real stderr too. */
static int capture_stderr_begin(int *saved) {
  fflush(stderr);
  *saved = dup(2);
  int mem = memfd_create("wasmaot-stderr", MFD_CLOEXEC);
  if (*saved < 0 || mem < 0 || dup2(mem, 2) < 0) {
    if (mem >= 0)
      close(mem);
    if (*saved >= 0)
      close(*saved);
    *saved = -1;
    return -1;
  }
  return mem;
}

static void capture_stderr_end(int saved, int mem, char *text, size_t size) {
  text[0] = 0;
  if (saved < 0)
    return;
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  ssize_t n = pread(mem, text, size - 1, 0);
  close(mem);
  text[n > 0 ? n : 0] = 0;
  if (n > 0)
    fputs(text, stderr);
  /* One line for a log message. */
  for (char *p = text; *p; p++)
    if (*p == '\n')
      *p = p[1] ? ' ' : 0;
}

wasmaot_module *oci_load_through_cache(wasmaot_engine *engine, int fd,
                                       const char *name, char *err,
                                       size_t errlen) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  run_source_options o = {.cache_dir = cache_dir()};
  int saved;
  int mem = capture_stderr_begin(&saved);
  wasmaot_module *m = run_source_load(engine, path, &o);
  char said[1024];
  capture_stderr_end(saved, mem, said, sizeof said);
  if (!m)
    snprintf(err, errlen, "%s: cannot be compiled or loaded here: %s", name,
             said[0] ? said : "no reason given");
  return m;
}

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

/* Loads an open artifact through its /proc/self/fd path. */
static wasmaot_module *load_fd(wasmaot_engine *engine, int fd, char *err,
                               size_t errlen) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  return wasmaot_module_load(engine, path, err, errlen);
}

wasmaot_module *oci_module_load(wasmaot_engine *engine, const char *rootfs,
                                const char *cwd, const char *guest_path,
                                const oci_log *log, oci_artifact_source *source,
                                char *err, size_t errlen) {
  char path[4096];
  if (guest_path[0] == '/')
    snprintf(path, sizeof path, "%s", guest_path);
  else
    snprintf(path, sizeof path, "%s/%s", cwd, guest_path);
  char why[512];
  if (has_suffix(path, ".so")) {
    *source = OCI_ARTIFACT_GIVEN;
    int fd = oci_open_in_root(rootfs, path, O_RDONLY);
    if (fd < 0) {
      snprintf(err, errlen, "%s: %s", path, strerror(errno));
      return NULL;
    }
    wasmaot_module *m = load_fd(engine, fd, why, sizeof why);
    close(fd);
    if (!m)
      snprintf(err, errlen, "%s: %s", path, why);
    return m;
  }
  int wasm_fd = oci_open_in_root(rootfs, path, O_RDONLY);
  if (wasm_fd < 0) {
    snprintf(err, errlen, "%s (in the rootfs): %s", path, strerror(errno));
    return NULL;
  }
  if (has_suffix(path, ".wasmaot")) {
    *source = OCI_ARTIFACT_PRECOMPILED;
    wasmaot_module *m =
        oci_load_through_cache(engine, wasm_fd, path, err, errlen);
    close(wasm_fd);
    return m;
  }
  /* app.wasm -> app.<machine>.so */
  struct utsname u;
  char so[4200];
  size_t stem = strlen(path) - (has_suffix(path, ".wasm") ? 5 : 0);
  uname(&u);
  snprintf(so, sizeof so, "%.*s.%s.so", (int)stem, path, u.machine);
  int so_fd = oci_open_in_root(rootfs, so, O_RDONLY);
  if (so_fd >= 0) {
    wasmaot_module *m = load_fd(engine, so_fd, why, sizeof why);
    close(so_fd);
    if (m) {
      close(wasm_fd);
      *source = OCI_ARTIFACT_PRECOMPILED;
      return m;
    }
    oci_warn(log, "%s does not fit this host (%s); compiling %s", so, why,
             path);
  }
  /* app.wasm -> app.wasmaot, a bundle with this machine's entry. */
  char bundle[4200];
  snprintf(bundle, sizeof bundle, "%.*s.wasmaot", (int)stem, path);
  int bundle_fd = oci_open_in_root(rootfs, bundle, O_RDONLY);
  if (bundle_fd >= 0) {
    wasmaot_module *m =
        oci_load_through_cache(engine, bundle_fd, bundle, why, sizeof why);
    close(bundle_fd);
    if (m) {
      close(wasm_fd);
      *source = OCI_ARTIFACT_PRECOMPILED;
      return m;
    }
    oci_warn(log, "%s: %s; compiling %s", bundle, why, path);
  }
  *source = OCI_ARTIFACT_COMPILED;
  wasmaot_module *m =
      oci_load_through_cache(engine, wasm_fd, path, err, errlen);
  close(wasm_fd);
  return m;
}
