#include "cache_fetch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_admin.h"
#include "file_write.h"

wasmaot_module *module_load_memory(wasmaot_engine *engine, const void *data,
                                   size_t size, char *err, size_t errlen) {
  int fd = memfd_create("wasmaot-artifact", MFD_CLOEXEC);
  if (fd < 0 || !file_write_all(fd, data, size)) {
    snprintf(err, errlen, "cannot hold the artifact in memory: %s",
             strerror(errno));
    if (fd >= 0)
      close(fd);
    return NULL;
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  wasmaot_module *m = wasmaot_module_load(engine, path, err, errlen);
  close(fd); /* the mapping keeps the memory */
  return m;
}

static wasmaot_module *produce_into_memory(wasmaot_engine *engine,
                                           cache_produce_fn produce,
                                           void *ctx) {
  void *data;
  size_t size;
  if (!produce(ctx, &data, &size))
    return NULL;
  char err[512];
  wasmaot_module *m = module_load_memory(engine, data, size, err, sizeof err);
  free(data);
  if (!m)
    fprintf(stderr, "wasmaot: %s\n", err);
  return m;
}

/* Loads the entry if there is one. *present says whether a file was
 * there (a refused one leaves its reason in err). */
static wasmaot_module *try_entry(wasmaot_engine *engine, const char *path,
                                 bool *present, char *err, size_t errlen) {
  struct stat st;
  *present = stat(path, &st) == 0;
  if (!*present)
    return NULL;
  return wasmaot_module_load(engine, path, err, errlen);
}

/* Under the lock: store the produced artifact and map the stored file.
 * A store that fails (read-only or full disk) still runs the module. */
static wasmaot_module *produce_and_store(wasmaot_engine *engine,
                                         const cache_place *place,
                                         const char *path,
                                         cache_produce_fn produce, void *ctx) {
  void *data;
  size_t size;
  if (!produce(ctx, &data, &size))
    return NULL;
  char err[512];
  wasmaot_module *m = NULL;
  if (cache_store(path, data, size, err, sizeof err)) {
    int evicted = cache_evict(place->dir, cache_max_bytes(), path);
    if (place->verbose && evicted)
      fprintf(stderr,
              "wasmaot: cache: evicted %d least recently used "
              "entr%s\n",
              evicted, evicted == 1 ? "y" : "ies");
    m = wasmaot_module_load(engine, path, err, sizeof err);
  } else {
    fprintf(stderr, "wasmaot: %s; running without the cache\n", err);
    m = module_load_memory(engine, data, size, err, sizeof err);
  }
  if (!m)
    fprintf(stderr, "wasmaot: %s\n", err);
  free(data);
  return m;
}

/* The entry at `path` as a cache hit: loaded, marked used for the LRU
 * limit and, with -v, reported. NULL (with *present and why as
 * try_entry sets them) when it is missing or refused. */
static wasmaot_module *load_hit(wasmaot_engine *engine,
                                const cache_place *place, const char *path,
                                bool *present, char *why, size_t whylen) {
  wasmaot_module *m = try_entry(engine, path, present, why, whylen);
  if (m) {
    cache_touch(path);
    if (place->verbose)
      fprintf(stderr, "wasmaot: cache hit: %s\n", path);
  }
  return m;
}

wasmaot_module *cache_fetch_hit(wasmaot_engine *engine,
                                const cache_place *place,
                                const char key[CACHE_KEY_HEX]) {
  char path[4096], why[512];
  bool present;
  if (!place->dir || !cache_entry_path(place->dir, key, path, sizeof path))
    return NULL;
  return load_hit(engine, place, path, &present, why, sizeof why);
}

bool cache_entry_busy(const cache_place *place, const char key[CACHE_KEY_HEX]) {
  char path[4096];
  if (!place->dir || !cache_entry_path(place->dir, key, path, sizeof path))
    return false;
  int lock = cache_trylock(path);
  if (lock < 0)
    return true;
  cache_unlock(lock);
  return false;
}

wasmaot_module *cache_fetch(wasmaot_engine *engine, const cache_place *place,
                            const char key[CACHE_KEY_HEX],
                            cache_produce_fn produce, void *ctx) {
  char path[4096];
  if (!place->dir)
    return produce_into_memory(engine, produce, ctx);
  if (!cache_entry_path(place->dir, key, path, sizeof path)) {
    fprintf(stderr, "wasmaot: cache directory path too long; running "
                    "without the cache\n");
    return produce_into_memory(engine, produce, ctx);
  }
  char why[512] = "";
  bool present;
  wasmaot_module *m = load_hit(engine, place, path, &present, why, sizeof why);
  if (m)
    return m;
  /* Under the lock, look again: another process may have built or
   * rebuilt the entry while this one waited. */
  int lock = cache_lock(path);
  bool was_present = present;
  m = try_entry(engine, path, &present, why, sizeof why);
  if (m) {
    cache_unlock(lock);
    cache_touch(path);
    if (place->verbose)
      fprintf(stderr, "wasmaot: cache hit (%s by another process): %s\n",
              was_present ? "rebuilt" : "built", path);
    return m;
  }
  if (present) {
    /* Refused by the loader: damaged, or not for this runtime or CPU. */
    fprintf(stderr, "wasmaot: discarding cache entry %s\n", why);
    unlink(path);
  } else if (place->verbose) {
    fprintf(stderr, "wasmaot: cache miss: %s\n", path);
  }
  m = produce_and_store(engine, place, path, produce, ctx);
  cache_unlock(lock);
  return m;
}
