/* Looking after the cache directory as a whole: `wasmaot cache list` and
 * `clean`, and the size limit with least-recently-used eviction that runs
 * after each store. Entries are DIR/<arch>/<key>.so (cache.h); their
 * access time is the last use (cache_touch), their modification time the
 * store. */
#ifndef WASMAOT_CACHE_ADMIN_H
#define WASMAOT_CACHE_ADMIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The size limit when WASMAOT_CACHE_MAX_SIZE is not set. */
#define CACHE_DEFAULT_MAX_BYTES (1ull << 30)

/* Parses a size: a number of bytes with an optional K, M or G suffix
 * (powers of 1024); "0" means no limit. */
bool cache_parse_size(const char *s, uint64_t *out);

/* The limit: WASMAOT_CACHE_MAX_SIZE if set and valid, else the default. */
uint64_t cache_max_bytes(void);

/* One line per entry: module hash (SHA-256 of the source .wasm, from the
 * artifact's metadata), architecture, size, age since stored, time since
 * last use, and the key. Returns the number of entries. */
int cache_list(const char *dir, FILE *out);

/* Removes every entry, lock file and abandoned temporary file; returns
 * the number of entries removed. */
int cache_clean(const char *dir);

/* While the entries add up to more than max_bytes (0: no limit), removes
 * the least recently used one other than `keep`. Returns how many. */
int cache_evict(const char *dir, uint64_t max_bytes, const char *keep);

#endif
