/* The bundle reader on damaged and crafted bundles: every one gets a clear
 * error, none crashes, none allocates beyond the declared limits. Bundles
 * are built with bundle_write from a real artifact (argv[1]), then cut,
 * flipped or rewritten and re-sealed (bundle_seal) so that each check is
 * reached past the table checksum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <zstd.h>

#include "bundle_read.h"
#include "bundle_write.h"
#include "sha256.h"

static const char *artifact_path;
static uint8_t *artifact;
static size_t artifact_size;
static char bundle_path[64];

static uint8_t *read_whole(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc((size_t)n);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *size = (size_t)n;
  return buf;
}

/* A good two-entry bundle of the artifact (twice: enough for the table
 * paths), in memory. */
static uint8_t *make_bundle(size_t *size) {
  bundle_artifact a[2] = {{artifact, artifact_size}, {artifact, artifact_size}};
  bundle_source src = {.artifacts = a, .artifact_count = 2};
  void *out;
  char err[256];
  assert_true(bundle_write(&src, &out, size, err, sizeof err));
  return out;
}

/* The bundle under test lives in a memfd, reopened through /proc: the
 * reader takes a path, and thousands of rewrites of a file on disk would
 * make the test wait for the disk. */
static int bundle_fd = -1;

static void write_bundle_file(const uint8_t *bytes, size_t size) {
  assert_int_equal(ftruncate(bundle_fd, 0), 0);
  assert_int_equal(pwrite(bundle_fd, bytes, size, 0), (ssize_t)size);
}

/* Opens bytes as a bundle file; returns the error ("" when it opened,
 * then *out holds it). */
static const char *open_bytes(const uint8_t *bytes, size_t size, bundle **out) {
  static char err[512];
  err[0] = '\0';
  write_bundle_file(bytes, size);
  *out = bundle_open(bundle_path, err, sizeof err);
  return err;
}

static void assert_open_fails(const uint8_t *bytes, size_t size,
                              const char *needle) {
  bundle *b;
  const char *err = open_bytes(bytes, size, &b);
  if (b)
    bundle_close(b);
  assert_null(b);
  if (!strstr(err, needle))
    fail_msg("expected '%s' in '%s'", needle, err);
}

static wasmaot_bundle_header *header_of(uint8_t *bytes) {
  return (wasmaot_bundle_header *)bytes;
}

static wasmaot_bundle_entry *entry_of(uint8_t *bytes, uint32_t i) {
  return (wasmaot_bundle_entry *)(bytes + header_of(bytes)->table_offset) + i;
}

/* Reads entry i's artifact; returns the error ("" on success, after
 * checking the bytes are the artifact's). */
static const char *read_entry(const uint8_t *bytes, size_t size, uint32_t i) {
  static char err[512];
  bundle *b;
  const char *open_err = open_bytes(bytes, size, &b);
  if (!b)
    return open_err;
  void *data = NULL;
  size_t n = 0;
  err[0] = '\0';
  if (bundle_read_blob(b, &bundle_entry(b, i)->artifact, "entry", &data, &n,
                       err, sizeof err)) {
    assert_int_equal(n, artifact_size);
    assert_memory_equal(data, artifact, n);
    free(data);
  }
  bundle_close(b);
  return err;
}

static void test_round_trip(void **state) {
  (void)state;
  size_t size;
  uint8_t *bytes = make_bundle(&size);
  assert_string_equal(read_entry(bytes, size, 0), "");
  assert_string_equal(read_entry(bytes, size, 1), "");
  bundle *b;
  assert_string_equal(open_bytes(bytes, size, &b), "");
  assert_int_equal(bundle_header(b)->entry_count, 2);
  assert_int_equal(bundle_select(b), 0); /* a host artifact runs here */
  bundle_close(b);
  free(bytes);
}

static void test_truncated_anywhere(void **state) {
  (void)state;
  size_t size;
  uint8_t *bytes = make_bundle(&size);
  /* Every cut in the header and table, then a sample of blob cuts. */
  const wasmaot_bundle_header *h = header_of(bytes);
  size_t table_end = h->table_offset + h->table_size;
  for (size_t cut = 0; cut < size; cut += cut < table_end ? 1 : 997) {
    bundle *b;
    const char *err = open_bytes(bytes, cut, &b);
    assert_null(b);
    if (!strstr(err, "truncated"))
      fail_msg("cut at %zu: '%s'", cut, err);
  }
  free(bytes);
}

static void test_flipped_header_and_table(void **state) {
  (void)state;
  size_t size;
  uint8_t *bytes = make_bundle(&size);
  size_t table_end =
      header_of(bytes)->table_offset + header_of(bytes)->table_size;
  for (size_t i = 0; i < table_end; i++) {
    bytes[i] ^= 0x20;
    bundle *b;
    const char *err = open_bytes(bytes, size, &b);
    if (b)
      fail_msg("flip at %zu accepted", i);
    assert_true(strlen(err) > 0);
    bytes[i] ^= 0x20;
  }
  free(bytes);
}

static void test_flipped_blob(void **state) {
  (void)state;
  size_t size;
  uint8_t *bytes = make_bundle(&size);
  const wasmaot_bundle_blob *blob = &entry_of(bytes, 1)->artifact;
  size_t at = blob->offset + blob->stored_size / 2;
  bytes[at] ^= 1;
  /* The table is intact: opening works, reading the entry does not. */
  assert_non_null(strstr(read_entry(bytes, size, 1), "checksum mismatch"));
  assert_string_equal(read_entry(bytes, size, 0), "");
  free(bytes);
}

/* Replaces entry 0's blob by `stored` (appended at the end), with its
 * stored checksum fixed and the table re-sealed, so only the
 * decompression checks can refuse it. */
static uint8_t *with_blob(const uint8_t *bytes, size_t size, const void *stored,
                          size_t stored_size, uint64_t declared,
                          size_t *out_size) {
  uint8_t *out = malloc(size + stored_size);
  assert_non_null(out);
  memcpy(out, bytes, size);
  memcpy(out + size, stored, stored_size);
  wasmaot_bundle_blob *blob = &entry_of(out, 0)->artifact;
  blob->offset = size;
  blob->stored_size = stored_size;
  blob->size = declared;
  sha256(stored, stored_size, blob->stored_sha256);
  assert_true(bundle_seal(out, size + stored_size));
  *out_size = size + stored_size;
  return out;
}

static void *compress(const void *data, size_t size, size_t *out_size) {
  size_t bound = ZSTD_compressBound(size);
  void *out = malloc(bound);
  assert_non_null(out);
  *out_size = ZSTD_compress(out, bound, data, size, 3);
  assert_false(ZSTD_isError(*out_size));
  return out;
}

static void test_decompression_bomb(void **state) {
  (void)state;
  size_t size;
  uint8_t *bytes = make_bundle(&size);
  /* 64 MiB of zeros compress to a few KiB; the table claims 4 KiB. */
  size_t big = 64u << 20;
  uint8_t *zeros = calloc(1, big);
  assert_non_null(zeros);
  size_t stored_size;
  void *stored = compress(zeros, big, &stored_size);
  free(zeros);
  size_t n;
  uint8_t *bomb = with_blob(bytes, size, stored, stored_size, 4096, &n);
  assert_non_null(strstr(read_entry(bomb, n, 0), "not one zstd frame"));
  free(bomb);
  /* Declaring more than the limit is refused when the bundle opens,
   * before anything is allocated. */
  bomb = with_blob(bytes, size, stored, stored_size,
                   WASMAOT_BUNDLE_MAX_BLOB + 1, &n);
  assert_open_fails(bomb, n, "at most");
  free(bomb);
  free(stored);
  free(bytes);
}

static void test_wrong_content(void **state) {
  (void)state;
  size_t size;
  uint8_t *bytes = make_bundle(&size);
  /* A sound zstd frame of the right size whose content is not the
   * artifact the table describes. */
  uint8_t *other = malloc(artifact_size);
  assert_non_null(other);
  memcpy(other, artifact, artifact_size);
  other[artifact_size / 2] ^= 1;
  size_t stored_size, n;
  void *stored = compress(other, artifact_size, &stored_size);
  uint8_t *bad = with_blob(bytes, size, stored, stored_size, artifact_size, &n);
  assert_non_null(strstr(read_entry(bad, n, 0), "does not match its checksum"));
  free(bad);
  /* Not zstd at all. */
  bad = with_blob(bytes, size, other, 64, artifact_size, &n);
  assert_non_null(strstr(read_entry(bad, n, 0), "corrupt"));
  free(bad);
  free(stored);
  free(other);
  free(bytes);
}

static void test_header_limits(void **state) {
  (void)state;
  size_t size;
  uint8_t *bytes = make_bundle(&size);
  uint8_t *copy = malloc(size);
  assert_non_null(copy);
  memcpy(copy, bytes, size);
  header_of(copy)->entry_count = 0;
  bundle_seal(copy, size);
  assert_open_fails(copy, size, "entries");
  memcpy(copy, bytes, size);
  header_of(copy)->entry_count = WASMAOT_BUNDLE_MAX_ENTRIES + 1;
  bundle_seal(copy, size);
  assert_open_fails(copy, size, "entries");
  memcpy(copy, bytes, size);
  header_of(copy)->table_size = UINT64_MAX - 8;
  assert_open_fails(copy, size, "table size");
  memcpy(copy, bytes, size);
  header_of(copy)->format_version = 99;
  assert_open_fails(copy, size, "format version 99");
  memcpy(copy, bytes, size);
  memcpy(copy, "WAOTMETA", 8);
  assert_open_fails(copy, size, "not a wasmaot bundle");
  memcpy(copy, bytes, size);
  entry_of(copy, 1)->cpu_features_offset = 5; /* inside the entries */
  bundle_seal(copy, size);
  assert_open_fails(copy, size, "entry 2 is corrupt");
  memcpy(copy, bytes, size);
  entry_of(copy, 0)->artifact.offset = UINT64_MAX - 4;
  bundle_seal(copy, size);
  assert_open_fails(copy, size, "truncated");
  free(copy);
  free(bytes);
}

static void test_entry_selection(void **state) {
  (void)state;
  size_t size;
  uint8_t *bytes = make_bundle(&size);
  snprintf(entry_of(bytes, 0)->target_triple, 64, "riscv64-unknown-linux-gnu");
  bundle_seal(bytes, size);
  bundle *b;
  assert_string_equal(open_bytes(bytes, size, &b), "");
  assert_int_equal(bundle_select(b), 1);
  char why[256];
  assert_false(bundle_entry_runs_here(b, 0, why, sizeof why));
  assert_non_null(strstr(why, "riscv64"));
  bundle_close(b);
  snprintf(entry_of(bytes, 1)->compiler_version, 32, "0.0.0-other");
  bundle_seal(bytes, size);
  assert_string_equal(open_bytes(bytes, size, &b), "");
  assert_int_equal(bundle_select(b), -1);
  assert_false(bundle_entry_runs_here(b, 1, why, sizeof why));
  assert_non_null(strstr(why, "0.0.0-other"));
  bundle_close(b);
  free(bytes);
}

static void test_writer_refusals(void **state) {
  (void)state;
  char err[256];
  void *out;
  size_t n;
  bundle_source none = {.artifact_count = 0};
  assert_false(bundle_write(&none, &out, &n, err, sizeof err));
  uint8_t junk[64] = {0};
  bundle_artifact bad = {junk, sizeof junk};
  bundle_source src = {.artifacts = &bad, .artifact_count = 1};
  assert_false(bundle_write(&src, &out, &n, err, sizeof err));
  assert_non_null(strstr(err, "artifact 1"));
  /* A .wasm to embed that is not the artifact's source. */
  bundle_artifact good = {artifact, artifact_size};
  static const uint8_t empty_module[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  bundle_source mismatch = {.artifacts = &good,
                            .artifact_count = 1,
                            .wasm = empty_module,
                            .wasm_size = sizeof empty_module};
  assert_false(bundle_write(&mismatch, &out, &n, err, sizeof err));
  assert_non_null(strstr(err, "not compiled from the module"));
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s ARTIFACT.so\n", argv[0]);
    return 2;
  }
  artifact_path = argv[1];
  artifact = read_whole(artifact_path, &artifact_size);
  bundle_fd = memfd_create("bundle", 0);
  if (bundle_fd < 0)
    return 1;
  snprintf(bundle_path, sizeof bundle_path, "/proc/self/fd/%d", bundle_fd);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_truncated_anywhere),
      cmocka_unit_test(test_flipped_header_and_table),
      cmocka_unit_test(test_flipped_blob),
      cmocka_unit_test(test_decompression_bomb),
      cmocka_unit_test(test_wrong_content),
      cmocka_unit_test(test_header_limits),
      cmocka_unit_test(test_entry_selection),
      cmocka_unit_test(test_writer_refusals),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  close(bundle_fd);
  free(artifact);
  return failed;
}
