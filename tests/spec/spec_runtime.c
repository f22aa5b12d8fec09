#include "spec_runtime.h"

#include <stdio.h>
#include <string.h>

bool spec_runtime_ready(spec_runtime *rt, char *why, size_t why_size) {
  if (rt->engine)
    return true;
  rt->engine = wasmaot_engine_new();
  if (!rt->engine) {
    snprintf(why, why_size, "cannot create a wasmaot engine");
    return false;
  }
  if (!spec_spectest_init(&rt->spectest, rt->engine)) {
    spec_runtime_free(rt);
    snprintf(why, why_size, "cannot create the spectest host module");
    return false;
  }
  return true;
}

void spec_runtime_free(spec_runtime *rt) {
  spec_registry_free(&rt->registry);
  spec_spectest_free(&rt->spectest);
  if (rt->engine)
    wasmaot_engine_free(rt->engine);
  memset(rt, 0, sizeof *rt);
}
