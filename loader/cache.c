#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <sys/auxv.h>
#endif

#include "sha256.h"

#ifndef WASMAOT_VERSION
#define WASMAOT_VERSION "unknown"
#endif

bool cache_resolve_dir(const char *override, char *out, size_t size,
                       char *err, size_t errlen) {
  const char *xdg = getenv("XDG_CACHE_HOME");
  const char *home = getenv("HOME");
  int n;
  if (override && *override)
    n = snprintf(out, size, "%s", override);
  else if (xdg && *xdg == '/')
    n = snprintf(out, size, "%s/wasmaot", xdg);
  else if (home && *home)
    n = snprintf(out, size, "%s/.cache/wasmaot", home);
  else {
    snprintf(err, errlen, "no cache directory: set XDG_CACHE_HOME or HOME, "
                          "or pass --cache-dir");
    return false;
  }
  if (n < 0 || (size_t)n >= size) {
    snprintf(err, errlen, "cache directory path too long");
    return false;
  }
  return true;
}

/* The host CPU's identity for the cache key: vendor, family/model and the
 * feature words, so a cache directory shared between machines (an NFS
 * home) keeps one entry per kind of CPU instead of thrashing. */
static void host_cpu_identity(char *out, size_t size) {
#if defined(__x86_64__)
  unsigned a = 0, b = 0, c = 0, d = 0, words[8] = {0};
  __get_cpuid(0, &a, &b, &c, &d);
  words[0] = b, words[1] = d, words[2] = c; /* vendor string */
  __get_cpuid(1, &a, &b, &c, &d);
  words[3] = a, words[4] = c, words[5] = d;
  __get_cpuid_count(7, 0, &a, &b, &c, &d);
  words[6] = b, words[7] = c;
  snprintf(out, size, "x86_64:%08x%08x%08x%08x%08x%08x%08x%08x", words[0],
           words[1], words[2], words[3], words[4], words[5], words[6],
           words[7]);
#elif defined(__aarch64__)
  snprintf(out, size, "aarch64:%lx:%lx", getauxval(AT_HWCAP),
           getauxval(AT_HWCAP2));
#else
  snprintf(out, size, "unknown");
#endif
}

void cache_variant(unsigned opt_level, char *out, size_t size) {
  char cpu[160];
  host_cpu_identity(cpu, sizeof cpu);
  snprintf(out, size, "wasmaot %s; -O%u; host; %s", WASMAOT_VERSION,
           opt_level, cpu);
}

void cache_key(const uint8_t *wasm, size_t size, const char *variant,
               char key[CACHE_KEY_HEX]) {
  sha256_ctx c;
  uint8_t digest[32];
  sha256_init(&c);
  sha256_update(&c, variant, strlen(variant) + 1);
  sha256_update(&c, wasm, size);
  sha256_final(&c, digest);
  for (int i = 0; i < 32; i++)
    snprintf(key + 2 * i, 3, "%02x", digest[i]);
}

static const char *host_arch(void) {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "unknown";
#endif
}

void cache_entry_path(const char *dir, const char *key, char *out,
                      size_t size) {
  snprintf(out, size, "%s/%s/%s.so", dir, host_arch(), key);
}

/* mkdir -p of the directory part of `path`. */
static bool make_parent_dirs(const char *path) {
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
    return false;
  char *last = strrchr(buf, '/');
  if (!last)
    return true;
  *last = 0;
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = 0;
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
      return false;
    *p = '/';
  }
  return mkdir(buf, 0755) == 0 || errno == EEXIST;
}

static bool write_all(int fd, const void *data, size_t size) {
  const char *p = data;
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    p += n;
    size -= (size_t)n;
  }
  return true;
}

bool cache_store(const char *path, const void *data, size_t size, char *err,
                 size_t errlen) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path);
  int fd = -1;
  bool ok = make_parent_dirs(path) && (fd = mkstemp(tmp)) >= 0 &&
            write_all(fd, data, size) && fchmod(fd, 0644) == 0;
  if (fd >= 0)
    ok = close(fd) == 0 && ok;
  /* rename() replaces atomically: a concurrent reader maps either the old
   * complete file or the new one, never a partial write. */
  ok = ok && rename(tmp, path) == 0;
  if (!ok) {
    snprintf(err, errlen, "cannot store %s: %s", path, strerror(errno));
    if (fd >= 0)
      unlink(tmp);
  }
  return ok;
}

void cache_touch(const char *path) { utimensat(AT_FDCWD, path, NULL, 0); }

typedef void (*entry_fn)(const char *arch, const char *name,
                         const char *path, const struct stat *st, void *ctx);

/* Calls fn for every DIR/<arch>/<key>.so entry; returns how many. */
static int for_each_entry(const char *dir, entry_fn fn, void *ctx) {
  DIR *top = opendir(dir);
  if (!top)
    return 0;
  int count = 0;
  struct dirent *a;
  while ((a = readdir(top))) {
    if (a->d_name[0] == '.')
      continue;
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/%s", dir, a->d_name);
    DIR *d = opendir(sub);
    if (!d)
      continue;
    struct dirent *e;
    while ((e = readdir(d))) {
      size_t len = strlen(e->d_name);
      if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0)
        continue;
      char path[8192];
      snprintf(path, sizeof path, "%s/%s", sub, e->d_name);
      struct stat st;
      if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        continue;
      fn(a->d_name, e->d_name, path, &st, ctx);
      count++;
    }
    closedir(d);
  }
  closedir(top);
  return count;
}

static void format_age(time_t seconds, char *buf, size_t size) {
  if (seconds < 120)
    snprintf(buf, size, "%lds", (long)seconds);
  else if (seconds < 7200)
    snprintf(buf, size, "%ldm", (long)seconds / 60);
  else if (seconds < 172800)
    snprintf(buf, size, "%ldh", (long)seconds / 3600);
  else
    snprintf(buf, size, "%ldd", (long)seconds / 86400);
}

static void print_entry(const char *arch, const char *name, const char *path,
                        const struct stat *st, void *ctx) {
  (void)path;
  char age[32];
  format_age(time(NULL) - st->st_mtime, age, sizeof age);
  fprintf((FILE *)ctx, "%.16s  %-8s %10lld  %s\n", name, arch,
          (long long)st->st_size, age);
}

int cache_list(const char *dir, FILE *out) {
  fprintf(out, "%-16s  %-8s %10s  %s\n", "MODULE", "ARCH", "BYTES", "AGE");
  return for_each_entry(dir, print_entry, out);
}

static void remove_entry(const char *arch, const char *name, const char *path,
                         const struct stat *st, void *ctx) {
  (void)arch, (void)name, (void)st, (void)ctx;
  unlink(path);
}

int cache_clean(const char *dir) {
  return for_each_entry(dir, remove_entry, NULL);
}
