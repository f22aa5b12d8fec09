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

#include "wasmaot.h"

/* Which code a .wasm runs with on a cache miss (run --tier, WASMAOT_TIER). */
typedef enum run_tier {
  /* A module of RUN_TIER_MIN_WASM_BYTES or more: compile the fast tier,
   * counting (aot-compile --fast --count), run it at once, and leave a
   * detached, niced process that, once the run ended, compiles the
   * optimised tier from the run's profile (aot-compile --profile) into
   * the cache under its entry's lock; later runs map that entry (or one
   * optimised whole, if --tier optimized made one). A smaller module, or
   * no cache: as RUN_TIER_OPTIMIZED. */
  RUN_TIER_TIERED,
  RUN_TIER_OPTIMIZED, /* compile -O2 and wait for it */
  RUN_TIER_FAST,      /* the fast tier only */
} run_tier;

/* Below this, an -O2 compile takes about a second or less: no tiering. */
#define RUN_TIER_MIN_WASM_BYTES (256u * 1024u)

/* How long the background compile of a tiered run waits for the run to
 * end before it takes the profile counted so far (a server never ends). */
#define RUN_TIER_PROFILE_WAIT_MS (10 * 1000)

/* A profile with fewer counts than this saw too little to choose by (a
 * `--help`, a failed start: about 10^5 for yosys, whose synthesis of a
 * counter counts 1.5 * 10^9; the fast tier counts about 6 * 10^8 a
 * second): nothing is compiled and the counts stay, so the next runs add
 * to them until there are enough. */
#define RUN_TIER_MIN_PROFILE_COUNTS 10000000u

typedef struct run_source_options {
  const char *cache_dir; /* --cache-dir, or NULL for the default */
  bool no_cache;         /* --no-cache: compile into memory, store nothing */
  bool verbose;          /* -v: say where the module came from */
  run_tier tier;
} run_source_options;

/* Parses "tiered", "optimized" (or "optimised") and "fast". */
bool run_tier_parse(const char *s, run_tier *tier);

/* The loaded module, or NULL after printing why on stderr. */
wasmaot_module *run_source_load(wasmaot_engine *engine, const char *file,
                                const run_source_options *o);

#endif
