/* The artifact cache: `wasmaot run app.wasm` compiles once per module,
 * host CPU, compiler version and options, and maps the stored artifact on
 * every later start without loading the compiler.
 *
 * Layout: DIR/<arch>/<key>.so, where DIR is --cache-dir, else
 * $XDG_CACHE_HOME/wasmaot, else ~/.cache/wasmaot. The key is a SHA-256:
 * for a .wasm, of the wasm bytes and a variant string naming everything
 * else that changes the code (cache_key_compile); for a bundle entry, the
 * SHA-256 of the artifact the bundle records, which covers all of that
 * already (cache_key_artifact).
 *
 * Stores are atomic (temporary file + rename in the same directory), so a
 * reader maps either nothing or a complete file. An entry damaged anyway
 * (a crash before the data reached the disk, a full disk, a stray write)
 * is refused by the loader's checksum; the caller discards and rebuilds
 * it. A per-entry lock file lets concurrent starts of one module compile
 * it once; correctness never depends on it. */
#ifndef WASMAOT_CACHE_H
#define WASMAOT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target_options.h"

#define CACHE_KEY_HEX 65 /* 64 hex digits + NUL */

/* The cache root: `override` when given, else $XDG_CACHE_HOME/wasmaot
 * (when absolute, as the XDG spec asks), else $HOME/.cache/wasmaot. False
 * with a reason when no directory can be named. */
bool cache_resolve_dir(const char *override, char *out, size_t size, char *err,
                       size_t errlen);

/* The key for compiling `wasm` on this machine with `opts` (its triple
 * must be NULL: the cache holds code for the host only). */
void cache_key_compile(const uint8_t *wasm, size_t size,
                       const codegen_target_options *opts,
                       char key[CACHE_KEY_HEX]);

/* The key for the compile that `key` (a cache_key_compile) names, guided
 * by the profile of a run (whichever run it was: a later run takes the
 * entry whatever its own workload). Derived from `key`, so the .wasm is
 * not hashed again on every run. */
void cache_key_profiled(const char key[CACHE_KEY_HEX],
                        char profiled[CACHE_KEY_HEX]);

/* The key for an artifact known by its SHA-256 (a bundle entry). */
void cache_key_artifact(const uint8_t sha256[32], char key[CACHE_KEY_HEX]);

/* DIR/<arch>/<key>.so; false when the path does not fit. */
bool cache_entry_path(const char *dir, const char *key, char *out, size_t size);

/* Writes an entry atomically, creating directories as needed. */
bool cache_store(const char *path, const void *data, size_t size, char *err,
                 size_t errlen);

/* Takes the entry's build lock (PATH.lock), waiting for another process
 * that holds it. Returns the lock's fd, or -1 when no lock can be taken
 * (the caller goes on without: the store is atomic regardless). */
int cache_lock(const char *path);
/* The same without waiting: -1 also when another process holds it. */
int cache_trylock(const char *path);
void cache_unlock(int fd);

/* Records a use of the entry (its access time) for LRU eviction. */
void cache_touch(const char *path);

#endif
