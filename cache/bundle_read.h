/* Reading a bundle (bundle_format.h): the header and entry table are
 * read and checked when it is opened, which is all the warm path needs;
 * blobs are read, verified and decompressed only on demand. Every
 * malformed input ends in a one-line error, never a crash or an
 * unbounded allocation. */
#ifndef WASMAOT_BUNDLE_READ_H
#define WASMAOT_BUNDLE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle_format.h"

typedef struct bundle bundle;

/* Opens and checks a bundle: header, limits, table checksum, every
 * entry's strings and blob ranges. NULL with the reason in err. */
bundle *bundle_open(const char *path, char *err, size_t errlen);
void bundle_close(bundle *b);

const wasmaot_bundle_header *bundle_header(const bundle *b);
/* Entry i < header->entry_count, and its CPU feature string. */
const wasmaot_bundle_entry *bundle_entry(const bundle *b, uint32_t i);
const char *bundle_entry_features(const bundle *b, uint32_t i);

/* Whether entry i can run in this process: compiler version, target
 * triple and CPU features, as the loader will check them. False with the
 * reason in why. */
bool bundle_entry_runs_here(const bundle *b, uint32_t i, char *why,
                            size_t whylen);

/* The first entry that runs here, or -1. Writers list the preferred
 * (most specific) variant of an architecture first. */
int bundle_select(const bundle *b);

/* Reads, verifies and decompresses a blob of the bundle (an entry's
 * artifact or the embedded wasm): malloc'ed bytes in *out. `what` names
 * it in errors ("entry 2", "embedded wasm"). */
bool bundle_read_blob(const bundle *b, const wasmaot_bundle_blob *blob,
                      const char *what, void **out, size_t *size, char *err,
                      size_t errlen);

/* The table checksum: SHA-256 of the header with table_sha256 read as
 * zero, then the table. Shared by reader and writer. */
void bundle_table_digest(const wasmaot_bundle_header *h, const void *table,
                         size_t table_size, uint8_t digest[32]);

#endif
