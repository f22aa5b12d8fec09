/* The wasmaot bundle format: one file holding a zstd-compressed artifact
 * per target (and optionally the source .wasm), so one image layer can
 * carry native code for several architectures or CPU levels. The writer
 * is `wasmaot aot-compile --target A,B ... -o app.wasmaot`
 * (bundle_write.c); the reader is `wasmaot run app.wasmaot`
 * (bundle_read.c), which decompresses the host's entry into the cache
 * once and maps it from there. docs/bundle-format.md explains it in
 * prose; this header is the authority.
 *
 * Layout (all integers little-endian, offsets from the start of the
 * file):
 *
 *   wasmaot_bundle_header          at 0
 *   wasmaot_bundle_entry[count]    at header.table_offset
 *   string area                    right after the entries: the entries'
 *                                  NUL-terminated CPU feature strings
 *   blobs                          zstd frames: each entry's artifact and
 *                                  the embedded .wasm, anywhere after the
 *                                  table
 *
 * The "table" is the entries plus the string area, table_size bytes in
 * all. Integrity:
 *   - table_sha256 covers the header (with that field read as zero) and
 *     the table, so the warm path (read header and table, pick an entry,
 *     map it from the cache) checks everything it relies on;
 *   - each blob has the SHA-256 of its compressed bytes, checked before
 *     decompressing, and of its decompressed bytes, checked after;
 *   - a blob decompresses into exactly `size` bytes, never more, and
 *     `size` is capped, so a crafted frame cannot exhaust memory. */
#ifndef WASMAOT_BUNDLE_FORMAT_H
#define WASMAOT_BUNDLE_FORMAT_H

#include <stdint.h>

#define WASMAOT_BUNDLE_MAGIC "WAOTBNDL"
/* Bump on any change to the structures below. */
#define WASMAOT_BUNDLE_VERSION 1u

/* Limits a reader enforces before allocating anything. */
#define WASMAOT_BUNDLE_MAX_ENTRIES 64u
#define WASMAOT_BUNDLE_MAX_TABLE (1u << 20)  /* entries + strings */
#define WASMAOT_BUNDLE_MAX_BLOB (1ull << 30) /* decompressed */

/* A zstd frame stored in the bundle. All zero for an absent blob. */
typedef struct wasmaot_bundle_blob {
  uint64_t offset;           /* of the compressed bytes */
  uint64_t stored_size;      /* compressed size */
  uint64_t size;             /* decompressed size */
  uint8_t stored_sha256[32]; /* of the compressed bytes */
  uint8_t sha256[32];        /* of the decompressed bytes */
} wasmaot_bundle_blob;

/* One compiled target. The strings are copied from the artifact's
 * metadata (artifact_format.h), so a reader can choose an entry without
 * decompressing any. */
typedef struct wasmaot_bundle_entry {
  char target_triple[64];       /* NUL-terminated */
  char cpu_name[32];            /* NUL-terminated */
  char compiler_version[32];    /* NUL-terminated */
  uint32_t cpu_features_offset; /* from table_offset, into the string area */
  uint32_t cpu_features_size;   /* including the NUL */
  uint32_t opt_level;
  uint32_t reserved;            /* zero */
  wasmaot_bundle_blob artifact; /* the artifact (an ELF shared object) */
} wasmaot_bundle_entry;

typedef struct wasmaot_bundle_header {
  char magic[8];           /* WASMAOT_BUNDLE_MAGIC, no NUL */
  uint32_t format_version; /* WASMAOT_BUNDLE_VERSION */
  uint32_t header_size;    /* sizeof(wasmaot_bundle_header) */
  uint32_t entry_count;    /* 1 .. WASMAOT_BUNDLE_MAX_ENTRIES */
  uint32_t entry_size;     /* sizeof(wasmaot_bundle_entry) */
  uint64_t table_offset;
  uint64_t table_size;      /* entries + string area */
  uint8_t wasm_sha256[32];  /* the source module every entry comes from */
  wasmaot_bundle_blob wasm; /* the embedded .wasm, or all zero */
  uint8_t table_sha256[32]; /* see above */
} wasmaot_bundle_header;

/* The structures are the file's bytes: no padding anywhere. */
_Static_assert(sizeof(wasmaot_bundle_blob) == 88, "bundle blob layout");
_Static_assert(sizeof(wasmaot_bundle_entry) == 232, "bundle entry layout");
_Static_assert(sizeof(wasmaot_bundle_header) == 192, "bundle header layout");

#endif
