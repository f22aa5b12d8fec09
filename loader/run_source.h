/* Where the module `wasmaot run FILE` runs comes from, by FILE's first
 * bytes:
 *   - an artifact (ELF): mapped as it is;
 *   - a .wasm: compiled for this machine through the cache;
 *   - a bundle: the first entry that runs here, decompressed into the
 *     cache once; with none, the embedded .wasm compiled through the
 *     cache, or an error listing what the bundle holds. */
#ifndef WASMAOT_RUN_SOURCE_H
#define WASMAOT_RUN_SOURCE_H

#include <stdbool.h>

#include "include/wasmaot.h"

typedef struct run_source_options {
  const char *cache_dir; /* --cache-dir, or NULL for the default */
  bool no_cache;         /* --no-cache: compile into memory, store nothing */
  bool verbose;          /* -v: say where the module came from */
} run_source_options;

/* The loaded module, or NULL after printing why on stderr. */
wasmaot_module *run_source_load(wasmaot_engine *engine, const char *file,
                                const run_source_options *o);

#endif
