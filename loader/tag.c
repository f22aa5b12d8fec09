/* Exception tags: reference-counted objects whose address is their
 * identity (docs/exceptions.md). The defining instance creates one per
 * defined tag; importers share it. */
#include <stdlib.h>

#include "runtime.h"

wasmaot_tag *rt_tag_new(wasmaot_engine *engine, const rt_signature *signature) {
  wasmaot_tag *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  atomic_init(&t->refs, 1);
  t->engine = engine;
  t->signature = signature;
  return t;
}

wasmaot_tag *wasmaot_tag_new(wasmaot_engine *engine,
                             const wasmaot_valkind *params,
                             uint32_t param_count) {
  const rt_signature *sig =
      rt_signature_intern(&engine->signatures, params, param_count, NULL, 0);
  return sig ? rt_tag_new(engine, sig) : NULL;
}

void wasmaot_tag_free(wasmaot_tag *tag) {
  rt_tag_release(tag);
}

void rt_tag_retain(wasmaot_tag *t) {
  atomic_fetch_add(&t->refs, 1);
}

void rt_tag_release(wasmaot_tag *t) {
  if (t && atomic_fetch_sub(&t->refs, 1) == 1)
    free(t);
}
