/* The WebAssembly features beyond 2.0 that wasmaot implements: their
 * names (wasm-tools' spelling, as in `--wasm-features=-tail-call`), which
 * of them a module uses, and the refusal of a module that uses one turned
 * off. Each is on by default and each is a bit that `--wasm-features=-NAME`
 * clears, so a module can be checked against what an older engine would
 * take (the 2.0 spec suite, for one, calls a shared memory's limits flag
 * and a memory index byte other than 0 malformed). 2.0 is always on.
 *
 *   WASM_FEATURE(ID, "name")
 *
 * One line per feature; the enum bit is WASM_FEATURE_<ID>, its index
 * WASM_FEATURE_INDEX_<ID>. A feature that lands adds its line here and its
 * detection in wasm_features.c. */
#ifndef WASMAOT_WASM_FEATURES_H
#define WASMAOT_WASM_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm_error.h"

#define WASM_FEATURE_LIST(WASM_FEATURE)                                        \
  /* shared memories, 0xFE atomics */                                          \
  WASM_FEATURE(THREADS, "threads")                                             \
  /* i32/i64 add, sub, mul in constant expressions */                          \
  WASM_FEATURE(EXTENDED_CONST, "extended-const")                               \
  /* return_call, return_call_indirect */                                      \
  WASM_FEATURE(TAIL_CALL, "tail-call")                                         \
  /* several memories, memory indices */                                       \
  WASM_FEATURE(MULTI_MEMORY, "multi-memory")                                   \
  /* the 20 relaxed SIMD instructions */                                       \
  WASM_FEATURE(RELAXED_SIMD, "relaxed-simd")                                   \
  /* (ref null? ht), call_ref, br_on_null, ..., rec groups, subtypes */        \
  WASM_FEATURE(FUNCTION_REFERENCES, "function-references")                     \
  /* memories and tables with i64 addresses (limits flag 0x04) */             \
  WASM_FEATURE(MEMORY64, "memory64")                                           \
  /* tags, throw, throw_ref, try_table, exnref */                              \
  WASM_FEATURE(EXCEPTIONS, "exceptions")                                       \
  /* try, catch, catch_all, delegate, rethrow (and tags, throw) */             \
  WASM_FEATURE(LEGACY_EXCEPTIONS, "legacy-exceptions")

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

/* "extended-const, tail-call", or "" when the set is empty. */
void wasm_features_format(wasm_features set, char *buf, size_t size);

struct wasm_module;

/* Which features a decoded module uses, and where each is first used
 * (offsets[WASM_FEATURE_INDEX_<ID>], when `offsets` is not NULL). A
 * function body that does not decode stops the scan (validation reports
 * it). */
wasm_features wasm_module_features(const struct wasm_module *m,
                                   size_t offsets[WASM_FEATURE_COUNT]);

/* False, with "FEATURE is turned off (--wasm-features)" at its first use,
 * when the module uses a feature not in `enabled`. */
bool wasm_module_check_features(const struct wasm_module *m,
                                wasm_features enabled, wasm_error *err);

#endif
