/* The WebAssembly features beyond 2.0 that the decoder accepts, each on by
 * default and each one a bit that `--wasm-features=-NAME` clears, so a
 * module can be checked against what an older engine would take (the 2.0
 * spec suite, for one, calls a shared memory's limits flag malformed).
 *
 *   WASM_FEATURE(ID, "name")
 *
 * One line per feature; the enum bit is WASM_FEATURE_<ID>. */
#ifndef WASMAOT_WASM_FEATURES_H
#define WASMAOT_WASM_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WASM_FEATURE_LIST(WASM_FEATURE)                                        \
  WASM_FEATURE(THREADS, "threads") /* shared memories, 0xFE atomics */

enum {
#define WASM_FEATURE_BIT_INDEX(id, name) WASM_FEATURE_INDEX_##id,
  WASM_FEATURE_LIST(WASM_FEATURE_BIT_INDEX)
#undef WASM_FEATURE_BIT_INDEX
      WASM_FEATURE_COUNT
};

typedef uint32_t wasm_features;

enum {
#define WASM_FEATURE_BIT(id, name)                                             \
  WASM_FEATURE_##id = 1u << WASM_FEATURE_INDEX_##id,
  WASM_FEATURE_LIST(WASM_FEATURE_BIT)
#undef WASM_FEATURE_BIT
};

#define WASM_FEATURES_ALL ((wasm_features)((1u << WASM_FEATURE_COUNT) - 1))
#define WASM_FEATURES_DEFAULT WASM_FEATURES_ALL

/* The name of feature bit `index` (< WASM_FEATURE_COUNT). */
const char *wasm_feature_name(unsigned index);

/* Applies a comma-separated list of "+name", "-name" or "name" (= +) to
 * *features. On an unknown name returns false and writes why. */
bool wasm_features_parse(const char *list, wasm_features *features, char *why,
                         size_t why_size);

#endif
