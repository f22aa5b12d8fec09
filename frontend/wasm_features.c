#include "wasm_features.h"

#include <stdio.h>
#include <string.h>

static const char *const feature_names[WASM_FEATURE_COUNT] = {
#define WASM_FEATURE_NAME(id, name) [WASM_FEATURE_INDEX_##id] = name,
    WASM_FEATURE_LIST(WASM_FEATURE_NAME)
#undef WASM_FEATURE_NAME
};

const char *wasm_feature_name(unsigned index) {
  return index < WASM_FEATURE_COUNT ? feature_names[index] : "?";
}

static bool apply_one(const char *item, size_t len, wasm_features *features,
                      char *why, size_t why_size) {
  bool on = true;
  if (len > 0 && (item[0] == '+' || item[0] == '-')) {
    on = item[0] == '+';
    item++, len--;
  }
  for (unsigned i = 0; i < WASM_FEATURE_COUNT; i++) {
    if (strlen(feature_names[i]) == len &&
        memcmp(feature_names[i], item, len) == 0) {
      if (on)
        *features |= 1u << i;
      else
        *features &= ~(1u << i);
      return true;
    }
  }
  snprintf(why, why_size, "unknown wasm feature '%.*s' (known:", (int)len,
           item);
  for (unsigned i = 0; i < WASM_FEATURE_COUNT; i++) {
    size_t used = strlen(why);
    snprintf(why + used, why_size - used, " %s", feature_names[i]);
  }
  size_t used = strlen(why);
  snprintf(why + used, why_size - used, ")");
  return false;
}

bool wasm_features_parse(const char *list, wasm_features *features, char *why,
                         size_t why_size) {
  const char *p = list;
  while (*p) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len > 0 && !apply_one(p, len, features, why, why_size))
      return false;
    p += len;
    if (*p == ',')
      p++;
  }
  return true;
}
