#include "bundle_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact_info.h"
#include "bundle_format.h"
#include "bundle_read.h"
#include "runtime.h"
#include "sha256.h"
#include "zstd_api.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the bundle writer assumes a little-endian host"
#endif

/* Artifacts are mostly code and tables; level 19 gains a few percent over
 * the default at many times the time, which matters on a build machine
 * compressing several targets. */
#define DEFAULT_LEVEL 9

/* A compressed blob before it has a place in the file. */
typedef struct pending_blob {
  void *stored;
  wasmaot_bundle_blob blob; /* all but offset */
} pending_blob;

static bool compress_blob(const void *data, size_t size, int level,
                          pending_blob *out, char *err, size_t errlen) {
  if (size == 0 || size > WASMAOT_BUNDLE_MAX_BLOB)
    return rt_fail(err, errlen, "cannot bundle %zu bytes (at most %llu)", size,
                   (unsigned long long)WASMAOT_BUNDLE_MAX_BLOB);
  zstd_api z;
  if (!zstd_api_get(&z, err, errlen))
    return false;
  size_t bound = z.compressBound(size);
  out->stored = malloc(bound);
  ZSTD_CCtx *cctx = z.createCCtx();
  if (!out->stored || !cctx) {
    z.freeCCtx(cctx);
    return rt_fail(err, errlen, "out of memory");
  }
  z.CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  z.CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
  z.CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  size_t n = z.compress2(cctx, out->stored, bound, data, size);
  z.freeCCtx(cctx);
  if (z.isError(n))
    return rt_fail(err, errlen, "zstd: %s", z.getErrorName(n));
  out->blob.stored_size = n;
  out->blob.size = size;
  sha256(out->stored, n, out->blob.stored_sha256);
  sha256(data, size, out->blob.sha256);
  return true;
}

static void copy_string(char *dst, size_t size, const char *src) {
  memset(dst, 0, size);
  snprintf(dst, size, "%s", src);
}

/* The entry for artifact i, except its features offset and blob offset.
 * The first artifact's source module hash goes into module_sha; the
 * others must have the same. */
static bool describe_artifact(const bundle_artifact *a, size_t i,
                              uint8_t module_sha[32], wasmaot_bundle_entry *e,
                              const char **features, char *err, size_t errlen) {
  artifact_info info;
  char why[256];
  if (!artifact_info_read(a->data, a->size, &info, why, sizeof why))
    return rt_fail(err, errlen, "artifact %zu: %s", i + 1, why);
  if (!info.checksum_ok)
    return rt_fail(err, errlen, "artifact %zu: checksum mismatch", i + 1);
  if (i == 0)
    memcpy(module_sha, info.meta->wasm_sha256, 32);
  else if (memcmp(module_sha, info.meta->wasm_sha256, 32) != 0)
    return rt_fail(err, errlen,
                   "artifact %zu is compiled from another module than the "
                   "first",
                   i + 1);
  memset(e, 0, sizeof *e);
  copy_string(e->target_triple, sizeof e->target_triple,
              info.meta->target_triple);
  copy_string(e->cpu_name, sizeof e->cpu_name, info.meta->cpu_name);
  copy_string(e->compiler_version, sizeof e->compiler_version,
              info.meta->compiler_version);
  e->opt_level = info.meta->opt_level;
  e->cpu_features_size = (uint32_t)strlen(info.cpu_features) + 1;
  *features = info.cpu_features;
  return true;
}

typedef struct layout {
  wasmaot_bundle_header header;
  wasmaot_bundle_entry *entries;
  const char **features;
  pending_blob *blobs; /* one per artifact, then the wasm */
  size_t blob_count;
  size_t total;
} layout;

static bool plan(const bundle_source *src, layout *l, char *err,
                 size_t errlen) {
  size_t n = src->artifact_count;
  if (n == 0 || n > WASMAOT_BUNDLE_MAX_ENTRIES)
    return rt_fail(err, errlen, "a bundle holds 1 to %u artifacts, not %zu",
                   WASMAOT_BUNDLE_MAX_ENTRIES, n);
  l->entries = calloc(n, sizeof *l->entries);
  l->features = calloc(n, sizeof *l->features);
  l->blobs = calloc(n + 1, sizeof *l->blobs);
  if (!l->entries || !l->features || !l->blobs)
    return rt_fail(err, errlen, "out of memory");
  wasmaot_bundle_header *h = &l->header;
  uint64_t strings = n * sizeof *l->entries;
  for (size_t i = 0; i < n; i++) {
    if (!describe_artifact(&src->artifacts[i], i, h->wasm_sha256,
                           &l->entries[i], &l->features[i], err, errlen))
      return false;
    l->entries[i].cpu_features_offset = (uint32_t)strings;
    strings += l->entries[i].cpu_features_size;
  }
  if (strings > WASMAOT_BUNDLE_MAX_TABLE)
    return rt_fail(err, errlen, "the entry table is too large");
  if (src->wasm) {
    uint8_t digest[32];
    sha256(src->wasm, src->wasm_size, digest);
    if (memcmp(digest, h->wasm_sha256, 32) != 0)
      return rt_fail(err, errlen,
                     "the artifacts are not compiled from the module to embed");
  }
  memcpy(h->magic, WASMAOT_BUNDLE_MAGIC, sizeof h->magic);
  h->format_version = WASMAOT_BUNDLE_VERSION;
  h->header_size = sizeof *h;
  h->entry_count = (uint32_t)n;
  h->entry_size = sizeof *l->entries;
  h->table_offset = sizeof *h;
  h->table_size = strings;
  return true;
}

/* Compresses every blob and gives it its offset after the table. */
static bool compress_all(const bundle_source *src, layout *l, char *err,
                         size_t errlen) {
  int level = src->level ? src->level : DEFAULT_LEVEL;
  uint64_t offset = l->header.table_offset + l->header.table_size;
  for (size_t i = 0; i < src->artifact_count; i++) {
    pending_blob *p = &l->blobs[l->blob_count++];
    if (!compress_blob(src->artifacts[i].data, src->artifacts[i].size, level, p,
                       err, errlen))
      return false;
    p->blob.offset = offset;
    offset += p->blob.stored_size;
    l->entries[i].artifact = p->blob;
  }
  if (src->wasm) {
    pending_blob *p = &l->blobs[l->blob_count++];
    if (!compress_blob(src->wasm, src->wasm_size, level, p, err, errlen))
      return false;
    p->blob.offset = offset;
    offset += p->blob.stored_size;
    l->header.wasm = p->blob;
  }
  l->total = offset;
  return true;
}

static void emit(const layout *l, uint8_t *out) {
  const wasmaot_bundle_header *h = &l->header;
  memcpy(out, h, sizeof *h);
  uint8_t *table = out + h->table_offset;
  memcpy(table, l->entries, h->entry_count * sizeof *l->entries);
  for (uint32_t i = 0; i < h->entry_count; i++)
    memcpy(table + l->entries[i].cpu_features_offset, l->features[i],
           l->entries[i].cpu_features_size);
  for (size_t i = 0; i < l->blob_count; i++)
    memcpy(out + l->blobs[i].blob.offset, l->blobs[i].stored,
           l->blobs[i].blob.stored_size);
}

bool bundle_write(const bundle_source *src, void **out, size_t *out_size,
                  char *err, size_t errlen) {
  layout l;
  memset(&l, 0, sizeof l);
  bool ok = plan(src, &l, err, errlen) && compress_all(src, &l, err, errlen);
  uint8_t *bytes = ok ? calloc(1, l.total) : NULL;
  if (ok && !bytes)
    ok = rt_fail(err, errlen, "out of memory");
  if (ok) {
    emit(&l, bytes);
    bundle_seal(bytes, l.total);
    *out = bytes;
    *out_size = l.total;
  }
  for (size_t i = 0; i < l.blob_count; i++)
    free(l.blobs[i].stored);
  free(l.blobs);
  free(l.features);
  free(l.entries);
  return ok;
}

bool bundle_seal(void *bundle, size_t size) {
  wasmaot_bundle_header h;
  if (size < sizeof h)
    return false;
  memcpy(&h, bundle, sizeof h);
  if (h.table_offset > size || h.table_size > size - h.table_offset)
    return false;
  uint8_t digest[32];
  bundle_table_digest(&h, (uint8_t *)bundle + h.table_offset, h.table_size,
                      digest);
  memcpy((uint8_t *)bundle + offsetof(wasmaot_bundle_header, table_sha256),
         digest, sizeof digest);
  return true;
}
