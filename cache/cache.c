#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artifact_format.h"
#include "compiler_plugin.h"
#include "file_write.h"
#include "host_arch.h"
#include "host_cpu_id.h"
#include "sha256.h"

#ifndef WASMAOT_VERSION
#error "build with -DWASMAOT_VERSION=\"x.y.z\""
#endif

bool cache_resolve_dir(const char *override, char *out, size_t size, char *err,
                       size_t errlen) {
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
    snprintf(err, errlen,
             "no cache directory: set XDG_CACHE_HOME or HOME, "
             "or pass --cache-dir");
    return false;
  }
  if (n < 0 || (size_t)n >= size) {
    snprintf(err, errlen, "cache directory path too long");
    return false;
  }
  return true;
}

static void hex(const uint8_t digest[32], char key[CACHE_KEY_HEX]) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    key[2 * i] = digits[digest[i] >> 4];
    key[2 * i + 1] = digits[digest[i] & 15];
  }
  key[64] = '\0';
}

/* Everything besides the wasm bytes that changes the artifact: the
 * compiler and the formats it writes, the target (this machine; with the
 * host CPU, the CPU's identity, since the compiler asks LLVM for the
 * host's CPU name and features), extra features and the optimisation
 * level. */
static void compile_variant(const codegen_target_options *opts, char *out,
                            size_t size) {
  char cpu[512];
  if (opts->cpu)
    snprintf(cpu, sizeof cpu, "%s", opts->cpu);
  else
    host_cpu_id(cpu, sizeof cpu);
  snprintf(out, size,
           "wasmaot %s\nformat %u\nplugin-abi %u\ntarget %s-linux\ncpu %s\n"
           "features %s\nopt %u%s%s\n",
           WASMAOT_VERSION, WASMAOT_FORMAT_VERSION, WASMAOT_COMPILER_PLUGIN_ABI,
           WASMAOT_HOST_ARCH, cpu, opts->features ? opts->features : "",
           opts->opt_level, opts->fast_tier ? " fast" : "",
           opts->count_entries ? " count" : "");
}

void cache_key_compile(const uint8_t *wasm, size_t size,
                       const codegen_target_options *opts,
                       char key[CACHE_KEY_HEX]) {
  char variant[1024];
  compile_variant(opts, variant, sizeof variant);
  sha256_ctx c;
  uint8_t digest[32];
  sha256_init(&c);
  sha256_update(&c, variant, strlen(variant) + 1);
  sha256_update(&c, wasm, size);
  sha256_final(&c, digest);
  hex(digest, key);
}

void cache_key_profiled(const char key[CACHE_KEY_HEX],
                        char profiled[CACHE_KEY_HEX]) {
  static const char tag[] = "profiled ";
  sha256_ctx c;
  uint8_t digest[32];
  sha256_init(&c);
  sha256_update(&c, tag, sizeof tag - 1);
  sha256_update(&c, key, CACHE_KEY_HEX - 1);
  sha256_final(&c, digest);
  hex(digest, profiled);
}

void cache_key_artifact(const uint8_t sha256[32], char key[CACHE_KEY_HEX]) {
  hex(sha256, key);
}

bool cache_entry_path(const char *dir, const char *key, char *out,
                      size_t size) {
  int n = snprintf(out, size, "%s/%s/%s.so", dir, WASMAOT_HOST_ARCH, key);
  return n > 0 && (size_t)n < size;
}

/* mkdir -p of the directory part of `path`. */
static bool make_parent_dirs(const char *path) {
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
    errno = ENAMETOOLONG;
    return false;
  }
  char *last = strrchr(buf, '/');
  if (!last || last == buf)
    return true;
  *last = '\0';
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
      return false;
    *p = '/';
  }
  return mkdir(buf, 0755) == 0 || errno == EEXIST;
}

/* No fsync: after a crash the renamed file may be empty or short, which
 * the loader's checksum refuses and the next start rebuilds. That costs
 * one compile in a rare case instead of a disk flush on every miss. */
bool cache_store(const char *path, const void *data, size_t size, char *err,
                 size_t errlen) {
  if (make_parent_dirs(path) && file_write_atomic(path, data, size))
    return true;
  snprintf(err, errlen, "cannot store %s: %s", path, strerror(errno));
  return false;
}

static int lock_entry(const char *path, int how) {
  char lock[4200];
  if (snprintf(lock, sizeof lock, "%s.lock", path) >= (int)sizeof lock ||
      !make_parent_dirs(lock))
    return -1;
  int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;
  while (flock(fd, how) != 0) {
    if (errno != EINTR) {
      close(fd);
      return -1;
    }
  }
  return fd;
}

int cache_lock(const char *path) {
  return lock_entry(path, LOCK_EX);
}

int cache_trylock(const char *path) {
  return lock_entry(path, LOCK_EX | LOCK_NB);
}

void cache_unlock(int fd) {
  if (fd >= 0)
    close(fd); /* releases the flock */
}

void cache_touch(const char *path) {
  /* Only the access time: the modification time stays the store time. */
  const struct timespec times[2] = {{.tv_nsec = UTIME_NOW},
                                    {.tv_nsec = UTIME_OMIT}};
  utimensat(AT_FDCWD, path, times, 0);
}
