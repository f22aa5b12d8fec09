/* Entry counts of code compiled to count: where the counters live (in
 * memory, or in a profile file mapped shared), and reading a profile
 * back for a compile. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile_format.h"
#include "runtime.h"

static uint32_t defined_funcs(const wasmaot_module *m) {
  return m->wasm->func_count - m->wasm->import_func_count;
}

bool rt_module_init_counts(wasmaot_module *m, char *err, size_t errlen) {
  if (!m->meta->layout.entry_counts)
    return true;
  uint32_t n = defined_funcs(m);
  m->entry_counts = calloc(n ? n : 1, sizeof *m->entry_counts);
  if (!m->entry_counts)
    return rt_fail(err, errlen, "out of memory");
  return true;
}

void rt_module_free_counts(wasmaot_module *m) {
  if (m->counts_map)
    munmap(m->counts_map, m->counts_map_size);
  else
    free(m->entry_counts);
  m->entry_counts = NULL;
  m->counts_map = NULL;
}

/* Why `h` (of a file of `size` bytes) is not a profile of the module
 * with `sha256` (NULL: of any), or NULL if it is one. */
static const char *profile_mismatch(const wasmaot_profile_header *h,
                                    uint64_t size, const uint8_t *sha256) {
  if (size < sizeof *h || memcmp(h->magic, WASMAOT_PROFILE_MAGIC, 8) != 0 ||
      h->header_size != sizeof *h)
    return "not a wasmaot profile";
  if (size != sizeof *h + 8ull * h->count)
    return "profile is truncated or has trailing bytes";
  if (sha256 && memcmp(h->wasm_sha256, sha256, 32) != 0)
    return "profile is of another module";
  return NULL;
}

/* Creates the file's header if the file is empty (the first process to
 * count into it); checks it otherwise. */
static bool prepare_profile_file(int fd, const wasmaot_module *m, size_t bytes,
                                 const char *path, char *err, size_t errlen) {
  struct stat st;
  if (fstat(fd, &st) != 0)
    return rt_fail(err, errlen, "%s: %s", path, strerror(errno));
  wasmaot_profile_header h;
  if (st.st_size == 0) {
    h = wasmaot_profile_header_for(defined_funcs(m), m->meta->wasm_sha256);
    if (ftruncate(fd, (off_t)bytes) != 0 ||
        pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
      return rt_fail(err, errlen, "%s: cannot write: %s", path,
                     strerror(errno));
    return true;
  }
  if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
    memset(&h, 0, sizeof h);
  const char *why =
      profile_mismatch(&h, (uint64_t)st.st_size, m->meta->wasm_sha256);
  if (!why && h.count != defined_funcs(m))
    why = "profile has another number of functions";
  if (why)
    return rt_fail(err, errlen, "%s: %s", path, why);
  return true;
}

bool wasmaot_module_count_into(wasmaot_module *m, const char *path, char *err,
                               size_t errlen) {
  if (!m->meta->layout.entry_counts)
    return rt_fail(err, errlen,
                   "the artifact counts nothing: compile it with "
                   "`aot-compile --fast --count`");
  if (atomic_load(&m->refs) != 1)
    return rt_fail(err, errlen,
                   "a module's counts can only be moved before it is "
                   "instantiated");
  size_t bytes = sizeof(wasmaot_profile_header) + 8ull * defined_funcs(m);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return rt_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
  bool ok = prepare_profile_file(fd, m, bytes, path, err, errlen);
  void *map = ok ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
                 : MAP_FAILED;
  if (ok && map == MAP_FAILED)
    ok = rt_fail(err, errlen, "%s: cannot map: %s", path, strerror(errno));
  close(fd);
  if (!ok)
    return false;
  /* Counts made before this (none: no instance ran) are dropped. */
  rt_module_free_counts(m);
  m->counts_map = map;
  m->counts_map_size = bytes;
  m->entry_counts =
      (uint64_t *)((uint8_t *)map + sizeof(wasmaot_profile_header));
  return true;
}

bool wasmaot_profile_read(const char *path, const uint8_t *wasm_sha256,
                          uint64_t **counts, uint32_t *count, char *err,
                          size_t errlen) {
  *counts = NULL;
  *count = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return rt_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
  struct stat st;
  wasmaot_profile_header h;
  memset(&h, 0, sizeof h);
  bool ok = fstat(fd, &st) == 0;
  if (ok && pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
    memset(&h, 0, sizeof h);
  const char *why =
      ok ? profile_mismatch(&h, (uint64_t)st.st_size, wasm_sha256) : NULL;
  if (!ok)
    rt_fail(err, errlen, "%s: %s", path, strerror(errno));
  else if (why)
    ok = rt_fail(err, errlen, "%s: %s", path, why);
  uint64_t *c = ok ? malloc(h.count ? 8ull * h.count : 1) : NULL;
  if (ok && !c)
    ok = rt_fail(err, errlen, "out of memory");
  size_t want = 8ull * h.count;
  if (ok && want && pread(fd, c, want, sizeof h) != (ssize_t)want)
    ok = rt_fail(err, errlen, "%s: cannot read: %s", path, strerror(errno));
  close(fd);
  if (!ok) {
    free(c);
    return false;
  }
  *counts = c;
  *count = h.count;
  return true;
}
