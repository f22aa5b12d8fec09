/* Exception tags: reference-counted objects whose address is their
 * identity (docs/exceptions.md). The defining instance creates one per
 * defined tag; importers share it. */
#include <stdlib.h>

#include "runtime.h"

wasmaot_tag *rt_tag_new(const rt_signature *signature) {
  wasmaot_tag *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  atomic_init(&t->refs, 1);
  t->signature = signature;
  return t;
}

void rt_tag_retain(wasmaot_tag *t) {
  atomic_fetch_add(&t->refs, 1);
}

void rt_tag_release(wasmaot_tag *t) {
  if (t && atomic_fetch_sub(&t->refs, 1) == 1)
    free(t);
}
