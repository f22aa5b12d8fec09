/* Getting a module through the cache: map the entry if it is there and
 * sound, else produce the artifact (compile a .wasm, decompress a bundle
 * entry), store it and map it. The producer runs only on a miss, so a hit
 * never loads the compiler.
 *
 * An entry the loader refuses (checksum, truncation, another compiler
 * version, CPU features) is never run: it is discarded and rebuilt. The
 * rebuild happens under the entry's lock, after a second look, so of
 * several processes starting the same module on a cold cache one
 * compiles and the others map its result. When the cache cannot be
 * written, the artifact is mapped from memory instead. */
#ifndef WASMAOT_CACHE_FETCH_H
#define WASMAOT_CACHE_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "cache.h"
#include "wasmaot.h"

typedef struct cache_place {
  const char *dir; /* the cache root; NULL: no cache, produce into memory */
  bool verbose;    /* say on stderr what happened (hit, miss, rebuild) */
} cache_place;

/* Produces the artifact (malloc'ed bytes). On failure prints why on
 * stderr and returns false. */
typedef bool (*cache_produce_fn)(void *ctx, void **data, size_t *size);

/* The module for `key`, from the cache or produced. NULL after printing
 * the reason on stderr. */
wasmaot_module *cache_fetch(wasmaot_engine *engine, const cache_place *place,
                            const char key[CACHE_KEY_HEX],
                            cache_produce_fn produce, void *ctx);

/* The entry for `key` if it is in the cache and sound; NULL otherwise,
 * without producing anything. */
wasmaot_module *cache_fetch_hit(wasmaot_engine *engine,
                                const cache_place *place,
                                const char key[CACHE_KEY_HEX]);

/* Whether a process holds `key`'s build lock (is producing it now). */
bool cache_entry_busy(const cache_place *place, const char key[CACHE_KEY_HEX]);

/* Loads an artifact held in memory (through a memfd). */
wasmaot_module *module_load_memory(wasmaot_engine *engine, const void *data,
                                   size_t size, char *err, size_t errlen);

#endif
