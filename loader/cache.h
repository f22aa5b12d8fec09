/* The artifact cache: `wasmaot run app.wasm` compiles once per module,
 * target CPU, compiler version and options, and maps the stored artifact
 * on every later start without touching LLVM.
 *
 * Layout: DIR/<arch>/<key>.so, where DIR is --cache-dir, else
 * $XDG_CACHE_HOME/wasmaot, else ~/.cache/wasmaot, and key is the SHA-256
 * of the wasm bytes and a variant string naming everything else that
 * changes the code. Stores are atomic (temporary file + rename in the same
 * directory), so concurrent starts never see half an artifact; a damaged
 * entry is refused by the loader's checksum and replaced. */
#ifndef WASMAOT_CACHE_H
#define WASMAOT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CACHE_KEY_HEX 65 /* 64 hex digits + NUL */

/* The cache root. False (with a reason) when no directory can be named. */
bool cache_resolve_dir(const char *override, char *out, size_t size,
                       char *err, size_t errlen);

/* What besides the wasm bytes determines the artifact on this machine:
 * compiler version, optimisation level and the host CPU's identity. */
void cache_variant(unsigned opt_level, char *out, size_t size);

void cache_key(const uint8_t *wasm, size_t size, const char *variant,
               char key[CACHE_KEY_HEX]);

/* DIR/<arch>/<key>.so */
void cache_entry_path(const char *dir, const char *key, char *out,
                      size_t size);

/* Writes an entry atomically, creating directories as needed. */
bool cache_store(const char *path, const void *data, size_t size, char *err,
                 size_t errlen);

/* Marks an entry as just used (for least-recently-used eviction). */
void cache_touch(const char *path);

/* `wasmaot cache list`: one line per entry (key, arch, size, age). */
int cache_list(const char *dir, FILE *out);
/* `wasmaot cache clean`: removes every entry; returns how many. */
int cache_clean(const char *dir);

#endif
