#include "bundle_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime.h"
#include "sha256.h"
#include "zstd_api.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the bundle reader assumes a little-endian host"
#endif

struct bundle {
  int fd;
  uint64_t file_size;
  wasmaot_bundle_header header;
  uint8_t *table; /* header.table_size bytes: entries, then strings */
};

void bundle_table_digest(const wasmaot_bundle_header *h, const void *table,
                         size_t table_size, uint8_t digest[32]) {
  wasmaot_bundle_header copy = *h;
  memset(copy.table_sha256, 0, sizeof copy.table_sha256);
  sha256_ctx c;
  sha256_init(&c);
  sha256_update(&c, &copy, sizeof copy);
  sha256_update(&c, table, table_size);
  sha256_final(&c, digest);
}

/* pread of exactly `size` bytes at `offset`. */
static bool read_at(int fd, void *buf, size_t size, uint64_t offset) {
  uint8_t *p = buf;
  while (size > 0) {
    ssize_t n = pread(fd, p, size, (off_t)offset);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    p += n;
    size -= (size_t)n;
    offset += (uint64_t)n;
  }
  return true;
}

/* [offset, offset + len) lies inside a file of `size` bytes. */
static bool in_file(uint64_t offset, uint64_t len, uint64_t size) {
  return offset <= size && len <= size - offset;
}

static bool check_header(const bundle *b, char *err, size_t errlen) {
  const wasmaot_bundle_header *h = &b->header;
  if (h->format_version != WASMAOT_BUNDLE_VERSION)
    return rt_fail(err, errlen,
                   "bundle format version %u, this runtime reads version %u",
                   h->format_version, WASMAOT_BUNDLE_VERSION);
  if (h->header_size != sizeof *h ||
      h->entry_size != sizeof(wasmaot_bundle_entry))
    return rt_fail(err, errlen, "bundle header is corrupt (structure sizes)");
  if (h->entry_count == 0 || h->entry_count > WASMAOT_BUNDLE_MAX_ENTRIES)
    return rt_fail(err, errlen,
                   "bundle header is corrupt (%u entries; 1 to %u "
                   "allowed)",
                   h->entry_count, WASMAOT_BUNDLE_MAX_ENTRIES);
  uint64_t entries = (uint64_t)h->entry_count * sizeof(wasmaot_bundle_entry);
  if (h->table_size < entries || h->table_size > WASMAOT_BUNDLE_MAX_TABLE ||
      h->table_offset < sizeof *h)
    return rt_fail(err, errlen, "bundle header is corrupt (table size)");
  if (!in_file(h->table_offset, h->table_size, b->file_size))
    return rt_fail(err, errlen,
                   "bundle is truncated (the entry table ends "
                   "beyond the end of the file)");
  return true;
}

static bool terminated(const char *s, size_t size) {
  return memchr(s, '\0', size) != NULL;
}

/* A blob lies inside the file and its sizes are within the limits. */
static bool check_blob(const bundle *b, const wasmaot_bundle_blob *blob,
                       const char *what, char *err, size_t errlen) {
  if (blob->stored_size == 0 || blob->size == 0 ||
      blob->size > WASMAOT_BUNDLE_MAX_BLOB)
    return rt_fail(
        err, errlen,
        "bundle %s is corrupt (sizes: %llu stored, %llu decompressed;"
        " at most %llu allowed)",
        what, (unsigned long long)blob->stored_size,
        (unsigned long long)blob->size,
        (unsigned long long)WASMAOT_BUNDLE_MAX_BLOB);
  if (!in_file(blob->offset, blob->stored_size, b->file_size))
    return rt_fail(err, errlen,
                   "bundle is truncated (%s ends beyond the end of the file)",
                   what);
  return true;
}

static bool check_entry(const bundle *b, uint32_t i, char *err, size_t errlen) {
  const wasmaot_bundle_entry *e = bundle_entry(b, i);
  const wasmaot_bundle_header *h = &b->header;
  uint64_t strings = (uint64_t)h->entry_count * sizeof *e;
  uint64_t end = (uint64_t)e->cpu_features_offset + e->cpu_features_size;
  if (!terminated(e->target_triple, sizeof e->target_triple) ||
      !terminated(e->cpu_name, sizeof e->cpu_name) ||
      !terminated(e->compiler_version, sizeof e->compiler_version) ||
      e->cpu_features_offset < strings || e->cpu_features_size == 0 ||
      end > h->table_size || b->table[end - 1] != '\0')
    return rt_fail(err, errlen, "bundle entry %u is corrupt (strings)", i + 1);
  char what[32];
  snprintf(what, sizeof what, "entry %u", i + 1);
  return check_blob(b, &e->artifact, what, err, errlen);
}

static bool is_zero(const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++)
    if (b[i])
      return false;
  return true;
}

static bool load_table(bundle *b, char *err, size_t errlen) {
  const wasmaot_bundle_header *h = &b->header;
  b->table = malloc(h->table_size);
  if (!b->table)
    return rt_fail(err, errlen, "out of memory");
  if (!read_at(b->fd, b->table, h->table_size, h->table_offset))
    return rt_fail(err, errlen, "cannot read the bundle's entry table");
  uint8_t digest[32];
  bundle_table_digest(h, b->table, h->table_size, digest);
  if (memcmp(digest, h->table_sha256, 32) != 0)
    return rt_fail(err, errlen,
                   "bundle header or entry table is corrupt "
                   "(checksum mismatch)");
  for (uint32_t i = 0; i < h->entry_count; i++)
    if (!check_entry(b, i, err, errlen))
      return false;
  if (!is_zero(&h->wasm, sizeof h->wasm) &&
      !check_blob(b, &h->wasm, "embedded wasm", err, errlen))
    return false;
  return true;
}

bundle *bundle_open(const char *path, char *err, size_t errlen) {
  bundle *b = calloc(1, sizeof *b);
  if (!b) {
    rt_fail(err, errlen, "out of memory");
    return NULL;
  }
  b->fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  bool ok = b->fd >= 0 && fstat(b->fd, &st) == 0;
  if (!ok)
    rt_fail(err, errlen, "cannot open: %s", strerror(errno));
  if (ok) {
    b->file_size = (uint64_t)st.st_size;
    ok = b->file_size >= sizeof b->header &&
         read_at(b->fd, &b->header, sizeof b->header, 0);
    if (!ok)
      rt_fail(err, errlen,
              "bundle is truncated (%llu bytes; the header alone "
              "is %zu)",
              (unsigned long long)b->file_size, sizeof b->header);
  }
  if (ok && memcmp(b->header.magic, WASMAOT_BUNDLE_MAGIC,
                   sizeof b->header.magic) != 0)
    ok = rt_fail(err, errlen, "not a wasmaot bundle (bad magic)");
  ok = ok && check_header(b, err, errlen) && load_table(b, err, errlen);
  if (!ok) {
    bundle_close(b);
    return NULL;
  }
  return b;
}

void bundle_close(bundle *b) {
  if (!b)
    return;
  if (b->fd >= 0)
    close(b->fd);
  free(b->table);
  free(b);
}

const wasmaot_bundle_header *bundle_header(const bundle *b) {
  return &b->header;
}

const wasmaot_bundle_entry *bundle_entry(const bundle *b, uint32_t i) {
  return (const wasmaot_bundle_entry *)(b->table +
                                        i * sizeof(wasmaot_bundle_entry));
}

const char *bundle_entry_features(const bundle *b, uint32_t i) {
  return (const char *)b->table + bundle_entry(b, i)->cpu_features_offset;
}

bool bundle_entry_runs_here(const bundle *b, uint32_t i, char *why,
                            size_t whylen) {
  const wasmaot_bundle_entry *e = bundle_entry(b, i);
  if (strcmp(e->compiler_version, wasmaot_version()) != 0)
    return rt_fail(why, whylen, "compiled by wasmaot %s, this is wasmaot %s",
                   e->compiler_version, wasmaot_version());
  return rt_check_triple(e->target_triple, why, whylen) &&
         rt_check_cpu(e->cpu_name, bundle_entry_features(b, i), why, whylen);
}

int bundle_select(const bundle *b) {
  char why[256];
  for (uint32_t i = 0; i < b->header.entry_count; i++)
    if (bundle_entry_runs_here(b, i, why, sizeof why))
      return (int)i;
  return -1;
}

/* The compressed bytes, checked against their SHA-256. */
static void *read_stored(const bundle *b, const wasmaot_bundle_blob *blob,
                         const char *what, char *err, size_t errlen) {
  void *stored = malloc(blob->stored_size);
  if (!stored) {
    rt_fail(err, errlen, "out of memory");
    return NULL;
  }
  uint8_t digest[32];
  errno = 0;
  if (!read_at(b->fd, stored, blob->stored_size, blob->offset)) {
    rt_fail(err, errlen, "bundle %s: cannot read: %s", what,
            errno ? strerror(errno) : "file shrank");
  } else {
    sha256(stored, blob->stored_size, digest);
    if (memcmp(digest, blob->stored_sha256, 32) == 0)
      return stored;
    rt_fail(err, errlen, "bundle %s is corrupt (checksum mismatch)", what);
  }
  free(stored);
  return NULL;
}

/* Decompresses into a buffer of exactly the declared size: zstd never
 * writes beyond it, so a frame that expands further fails instead of
 * growing. */
static void *decompress(const void *src, size_t src_size, size_t size,
                        const char *what, char *err, size_t errlen) {
  zstd_api z;
  if (!zstd_api_get(&z, err, errlen))
    return NULL;
  /* One frame, filling the blob exactly, that declares its size. */
  unsigned long long declared = z.getFrameContentSize(src, src_size);
  if (z.findFrameCompressedSize(src, src_size) != src_size ||
      declared != size) {
    rt_fail(err, errlen,
            "bundle %s is corrupt (not one zstd frame of the %zu bytes the "
            "entry table says)",
            what, size);
    return NULL;
  }
  void *out = malloc(size);
  if (!out) {
    rt_fail(err, errlen, "out of memory (%zu bytes for %s)", size, what);
    return NULL;
  }
  size_t n = z.decompress(out, size, src, src_size);
  if (z.isError(n) || n != size) {
    rt_fail(err, errlen, "bundle %s: cannot decompress: %s", what,
            z.isError(n) ? z.getErrorName(n) : "short output");
    free(out);
    return NULL;
  }
  return out;
}

bool bundle_read_blob(const bundle *b, const wasmaot_bundle_blob *blob,
                      const char *what, void **out, size_t *size, char *err,
                      size_t errlen) {
  void *stored = read_stored(b, blob, what, err, errlen);
  if (!stored)
    return false;
  void *data =
      decompress(stored, blob->stored_size, blob->size, what, err, errlen);
  free(stored);
  if (!data)
    return false;
  uint8_t digest[32];
  sha256(data, blob->size, digest);
  if (memcmp(digest, blob->sha256, 32) != 0) {
    free(data);
    return rt_fail(err, errlen,
                   "bundle %s is corrupt (decompressed data does not match its "
                   "checksum)",
                   what);
  }
  *out = data;
  *size = blob->size;
  return true;
}
