/* Writing a bundle (bundle_format.h) from artifacts in memory: each
 * artifact's target is read from its own metadata (artifact_info.h), so
 * the entry table cannot disagree with what it describes. */
#ifndef WASMAOT_BUNDLE_WRITE_H
#define WASMAOT_BUNDLE_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bundle_artifact {
  const void *data; /* 8-byte aligned (malloc) */
  size_t size;
} bundle_artifact;

typedef struct bundle_source {
  const bundle_artifact *artifacts; /* in order of preference */
  size_t artifact_count;
  const void *wasm; /* the source module to embed, or NULL */
  size_t wasm_size;
  int level; /* zstd level; 0 for the default */
} bundle_source;

/* Builds the bundle in memory (malloc'ed *out). Every artifact must be a
 * sound artifact of the same source module (and of `wasm` when given);
 * false with a reason otherwise. */
bool bundle_write(const bundle_source *src, void **out, size_t *out_size,
                  char *err, size_t errlen);

/* Recomputes the table checksum of a bundle in memory: the writer's last
 * step, and how tests re-seal a bundle they altered on purpose. False
 * when the header or table does not lie inside `size`. */
bool bundle_seal(void *bundle, size_t size);

#endif
