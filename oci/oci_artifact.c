#include "oci_artifact.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "compiler_load.h"

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

static uint8_t *read_fd(int fd, size_t *size) {
  struct stat st;
  if (fstat(fd, &st) != 0)
    return NULL;
  if (!S_ISREG(st.st_mode)) {
    errno = EINVAL;
    return NULL;
  }
  size_t n = (size_t)st.st_size, got = 0;
  uint8_t *buf = malloc(n ? n : 1);
  while (buf && got < n) {
    ssize_t r = pread(fd, buf + got, n - got, (off_t)got);
    if (r <= 0) {
      free(buf);
      if (r == 0)
        errno = EIO;
      return NULL;
    }
    got += (size_t)r;
  }
  *size = n;
  return buf;
}

char *oci_compile_artifact(int wasm_fd, const char *name, char *err,
                           size_t errlen) {
  size_t size;
  uint8_t *wasm = read_fd(wasm_fd, &size);
  if (!wasm) {
    snprintf(err, errlen, "%s: cannot read: %s", name, strerror(errno));
    return NULL;
  }
  char why[512];
  const wasmaot_compiler_plugin *compiler = compiler_load(why, sizeof why);
  aot_options opts = {.target = {.opt_level = 2}};
  aot_output out = {0};
  bool ok =
      compiler && compiler->compile(wasm, size, &opts, &out, why, sizeof why);
  free(wasm);
  if (!ok) {
    snprintf(err, errlen, "%s: %s", name, why);
    return NULL;
  }
  const char *tmpdir = getenv("TMPDIR");
  char *path = NULL;
  if (asprintf(&path, "%s/wasmaot-oci-XXXXXX.so", tmpdir ? tmpdir : "/tmp") <
      0) {
    free(out.data);
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  int fd = mkstemps(path, 3);
  ok = fd >= 0 && write(fd, out.data, out.size) == (ssize_t)out.size;
  int saved = errno;
  if (fd >= 0)
    close(fd);
  free(out.data);
  if (!ok) {
    snprintf(err, errlen, "cannot write a compiled artifact: %s",
             strerror(saved));
    if (fd >= 0)
      unlink(path);
    free(path);
    return NULL;
  }
  return path;
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
  *source = OCI_ARTIFACT_COMPILED;
  char *artifact = oci_compile_artifact(wasm_fd, path, err, errlen);
  close(wasm_fd);
  if (!artifact)
    return NULL;
  wasmaot_module *m = wasmaot_module_load(engine, artifact, why, sizeof why);
  if (!m)
    snprintf(err, errlen, "%s: %s", artifact, why);
  /* The mapping stays valid; nothing is left behind in TMPDIR. */
  unlink(artifact);
  free(artifact);
  return m;
}
