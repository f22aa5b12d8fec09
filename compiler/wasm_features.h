/* The WebAssembly features beyond 2.0 that wasmaot implements: their
 * names (wasm-tools' spelling, as in `--wasm-features=-tail-call`), which
 * of them a module uses, and the refusal of a module that uses one
 * turned off. Every feature is on by default; 2.0 is always on.
 *
 * One table (wasm_features.c) lists them; a feature that lands adds its
 * row and its detection there. */
#ifndef WASMAOT_WASM_FEATURES_H
#define WASMAOT_WASM_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm_error.h"
#include "wasm_module.h"

typedef enum wasm_feature {
  WASM_FEATURE_EXTENDED_CONST, /* i32/i64 add, sub, mul in constant exprs */
  WASM_FEATURE_TAIL_CALL,      /* return_call, return_call_indirect */
  WASM_FEATURE_MULTI_MEMORY,   /* several memories, memory indices */
  WASM_FEATURE_RELAXED_SIMD,   /* the 20 relaxed SIMD instructions */
  WASM_FEATURE_COUNT
} wasm_feature;

typedef uint32_t wasm_features; /* bit (1 << wasm_feature) */

#define WASM_FEATURES_ALL ((wasm_features)((1u << WASM_FEATURE_COUNT) - 1))

const char *wasm_feature_name(wasm_feature f);

/* Applies "-tail-call,+extended-const" (a name alone means +) to
 * *enabled. False with the reason in `why` for an unknown name. */
bool wasm_features_parse(const char *list, wasm_features *enabled, char *why,
                         size_t why_size);

/* "extended-const, tail-call", or "" when the set is empty. */
void wasm_features_format(wasm_features set, char *buf, size_t size);

/* Which features a decoded module uses, and where each is first used
 * (offsets[f], when `offsets` is not NULL). A function body that does
 * not decode stops the scan (validation reports it). */
wasm_features wasm_module_features(const wasm_module *m,
                                   size_t offsets[WASM_FEATURE_COUNT]);

/* False, with "FEATURE is turned off (--wasm-features)" at its first use,
 * when the module uses a feature not in `enabled`. */
bool wasm_module_check_features(const wasm_module *m, wasm_features enabled,
                                wasm_error *err);

#endif
