/* Refusing artifacts that cannot run here, with a message that says why:
 * metadata format, compiler version, machine, CPU features; and files
 * that are not artifacts at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime.h"

#if defined(__x86_64__)
#define HOST_TRIPLE "x86_64-unknown-linux-gnu"
#define OTHER_TRIPLE "aarch64-unknown-linux-gnu"
#define BASELINE_CPU "x86-64"
#define HOST_FEATURE "+sse2"
#else
#define HOST_TRIPLE "aarch64-unknown-linux-gnu"
#define OTHER_TRIPLE "x86_64-unknown-linux-gnu"
#define BASELINE_CPU "generic"
#define HOST_FEATURE "+neon"
#endif

/* A header followed by its feature string and a (fake) skeleton. */
typedef struct meta_blob {
  wasmaot_meta_header h;
  char features[128];
  uint8_t skeleton[16];
} meta_blob;

static void make_good(meta_blob *b, const char *features) {
  memset(b, 0, sizeof *b);
  memcpy(b->h.magic, WASMAOT_META_MAGIC, 8);
  b->h.format_version = WASMAOT_FORMAT_VERSION;
  b->h.header_size = sizeof b->h;
  snprintf(b->h.compiler_version, sizeof b->h.compiler_version, "%s",
           wasmaot_version());
  snprintf(b->h.target_triple, sizeof b->h.target_triple, HOST_TRIPLE);
  snprintf(b->h.cpu_name, sizeof b->h.cpu_name, BASELINE_CPU);
  snprintf(b->features, sizeof b->features, "%s", features);
  b->h.cpu_features_offset = offsetof(meta_blob, features);
  b->h.cpu_features_size = (uint32_t)strlen(features) + 1;
  b->h.skeleton_offset = offsetof(meta_blob, skeleton);
  b->h.skeleton_size = sizeof b->skeleton;
}

/* Runs both checks; returns the message, "" when accepted. */
static const char *check(const meta_blob *b) {
  static char err[256];
  err[0] = '\0';
  if (rt_module_check_format(&b->h, sizeof *b, err, sizeof err))
    rt_module_check_target(&b->h, sizeof *b, err, sizeof err);
  return err;
}

static void assert_refused(const meta_blob *b, const char *needle) {
  const char *msg = check(b);
  if (!strstr(msg, needle))
    fail_msg("expected a message with '%s', got '%s'", needle, msg);
}

static void test_good_metadata_is_accepted(void **state) {
  (void)state;
  meta_blob b;
  make_good(&b, HOST_FEATURE);
  assert_string_equal(check(&b), "");
  make_good(&b, "");
  assert_string_equal(check(&b), "");
  make_good(&b, "-avx512f," HOST_FEATURE);
  assert_string_equal(check(&b), "");
}

static void test_bad_magic(void **state) {
  (void)state;
  meta_blob b;
  make_good(&b, "");
  b.h.magic[0] = 'X';
  assert_refused(&b, "bad metadata magic");
}

static void test_wrong_format_version(void **state) {
  (void)state;
  meta_blob b;
  make_good(&b, "");
  b.h.format_version = WASMAOT_FORMAT_VERSION + 1;
  assert_refused(&b, "format version");
  make_good(&b, "");
  b.h.header_size = 12;
  assert_refused(&b, "header size");
}

static void test_wrong_compiler_version(void **state) {
  (void)state;
  meta_blob b;
  make_good(&b, "");
  snprintf(b.h.compiler_version, sizeof b.h.compiler_version, "0.0.0-other");
  assert_refused(&b, "compiled by wasmaot 0.0.0-other");
}

static void test_wrong_machine(void **state) {
  (void)state;
  meta_blob b;
  make_good(&b, "");
  snprintf(b.h.target_triple, sizeof b.h.target_triple, OTHER_TRIPLE);
  assert_refused(&b, "compile it with --target");
  make_good(&b, "");
  snprintf(b.h.target_triple, sizeof b.h.target_triple, "x86_64-apple-darwin");
#if defined(__x86_64__)
  assert_refused(&b, "runs on Linux");
#endif
}

static void test_cpu_features(void **state) {
  (void)state;
  meta_blob b;
  make_good(&b, "+frobnicate");
  assert_refused(&b, "cannot check");
  /* Some feature of the table is missing on any real CPU. */
#if defined(__x86_64__)
  static const char *const rare[] = {"+xop", "+fma4", "+tbm",
                                     "+avx512vp2intersect", "+lwp"};
#else
  static const char *const rare[] = {"+sve", "+sm4",      "+sha3",
                                     "+sme", "+sme-fa64", "+mte"};
#endif
  bool refused = false;
  for (size_t i = 0; i < sizeof rare / sizeof *rare && !refused; i++) {
    make_good(&b, rare[i]);
    refused = strstr(check(&b), "does not have") != NULL;
  }
  assert_true(refused);
}

/* A refusal names every missing feature, not only the first, and not
 * the present ones. */
static void test_cpu_refusal_names_all_missing(void **state) {
  (void)state;
#if defined(__x86_64__)
  static const char *const rare[] = {"xop", "fma4", "tbm", "avx512vp2intersect",
                                     "lwp", "sse4a"};
#else
  static const char *const rare[] = {"sve", "sm4", "sha3", "fp16fml"};
#endif
  char list[256] = HOST_FEATURE;
  const char *absent[8];
  size_t absent_count = 0;
  meta_blob b;
  for (size_t i = 0; i < sizeof rare / sizeof *rare; i++) {
    char one[64];
    snprintf(one, sizeof one, "+%s", rare[i]);
    make_good(&b, one);
    if (strstr(check(&b), "does not have")) {
      absent[absent_count++] = rare[i];
      strcat(list, ",");
      strcat(list, one);
    }
  }
  if (absent_count < 2)
    skip(); /* an unusual CPU: not enough absent features to list */
  make_good(&b, list);
  const char *msg = check(&b);
  assert_non_null(strstr(msg, "features this CPU does not have"));
  for (size_t i = 0; i < absent_count; i++)
    assert_non_null(strstr(msg, absent[i]));
  assert_null(strstr(msg, HOST_FEATURE + 1));
}

static void test_named_cpu_needs_a_feature_list(void **state) {
  (void)state;
  meta_blob b;
  make_good(&b, "");
  snprintf(b.h.cpu_name, sizeof b.h.cpu_name, "some-future-cpu");
  assert_refused(&b, "without a feature list");
  make_good(&b, HOST_FEATURE);
  snprintf(b.h.cpu_name, sizeof b.h.cpu_name, "some-future-cpu");
  assert_string_equal(check(&b), "");
}

static void test_corrupt_ranges(void **state) {
  (void)state;
  meta_blob b;
  make_good(&b, "");
  b.h.skeleton_size = 1000;
  assert_refused(&b, "corrupt");
  make_good(&b, HOST_FEATURE);
  b.h.cpu_features_size = 2; /* no NUL inside */
  assert_refused(&b, "corrupt");
  make_good(&b, "");
  memset(b.h.target_triple, 'x', sizeof b.h.target_triple);
  assert_refused(&b, "corrupt");
}

static void test_files_that_are_not_artifacts(void **state) {
  (void)state;
  wasmaot_engine *e = wasmaot_engine_new();
  char err[256];
  assert_null(wasmaot_module_load(e, "/nonexistent/x.so", err, sizeof err));
  assert_non_null(strstr(err, "/nonexistent/x.so"));
  assert_non_null(strstr(err, "cannot open"));

  char path[] = "/tmp/wasmaot-test-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  static const char junk[] = "this is not an ELF file, just some text....";
  assert_int_equal(write(fd, junk, sizeof junk), sizeof junk);
  close(fd);
  assert_null(wasmaot_module_load(e, path, err, sizeof err));
  assert_non_null(strstr(err, path));
  unlink(path);
  wasmaot_engine_free(e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good_metadata_is_accepted),
      cmocka_unit_test(test_bad_magic),
      cmocka_unit_test(test_wrong_format_version),
      cmocka_unit_test(test_wrong_compiler_version),
      cmocka_unit_test(test_wrong_machine),
      cmocka_unit_test(test_cpu_features),
      cmocka_unit_test(test_cpu_refusal_names_all_missing),
      cmocka_unit_test(test_named_cpu_needs_a_feature_list),
      cmocka_unit_test(test_corrupt_ranges),
      cmocka_unit_test(test_files_that_are_not_artifacts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
