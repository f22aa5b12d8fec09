/* Unit tests for where the spec runner's artifacts come from
 * (spec_artifact.h): the x.N.so / x.N.err files a --compile-only pass
 * leaves and a --precompiled run reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "spec_artifact.h"
#include "spec_file.h"

typedef struct paths {
  char dir[64];
  char *wasm, *so, *err;
} paths;

static int setup(void **state) {
  paths *p = calloc(1, sizeof *p);
  if (!p)
    return -1;
  snprintf(p->dir, sizeof p->dir, "/tmp/wasmaot-spec-artifact-XXXXXX");
  if (!mkdtemp(p->dir))
    return -1;
  p->wasm = spec_path_join(p->dir, "x.3.wasm");
  p->so = spec_path_join(p->dir, "x.3.so");
  p->err = spec_path_join(p->dir, "x.3.err");
  *state = p;
  return p->wasm && p->so && p->err ? 0 : -1;
}

static int teardown(void **state) {
  paths *p = *state;
  unlink(p->wasm);
  unlink(p->so);
  unlink(p->err);
  rmdir(p->dir);
  free(p->wasm);
  free(p->so);
  free(p->err);
  free(p);
  return 0;
}

static void put(const char *path, const char *text) {
  assert_true(spec_write_file(path, text, strlen(text)));
}

static void test_artifact_path(void **state) {
  (void)state;
  char *a = spec_artifact_path("dir/x.3.wasm", ".so");
  char *b = spec_artifact_path("dir.d/x", ".err");
  assert_string_equal(a, "dir/x.3.so");
  assert_string_equal(b, "dir.d/x.err");
  free(a);
  free(b);
}

static void test_precompiled_lookup(void **state) {
  paths *p = *state;
  spec_options o = {.precompiled = true};
  char why[256] = "";
  /* Nothing prepared: an I/O failure that says what to run. */
  assert_int_equal(spec_artifact_obtain(&o, p->wasm, p->so, why, sizeof why),
                   SPEC_COMPILE_IO);
  assert_non_null(strstr(why, "--compile-only"));
  /* A recorded refusal is the compiler's, message and all. */
  put(p->err, "x.3.wasm:0x1a: type mismatch\n");
  assert_int_equal(spec_artifact_obtain(&o, p->wasm, p->so, why, sizeof why),
                   SPEC_COMPILE_REFUSED);
  assert_string_equal(why, "x.3.wasm:0x1a: type mismatch");
  /* An artifact is used as it is: nothing is compiled. */
  unlink(p->err);
  put(p->so, "not even ELF");
  assert_int_equal(spec_artifact_obtain(&o, p->wasm, p->so, why, sizeof why),
                   SPEC_COMPILED);
}

#ifdef SPEC_TEST_HAS_COMPILER
/* The smallest module: magic and version. */
static const char empty_module[] = {0, 'a', 's', 'm', 1, 0, 0, 0};

static void put_bytes(const char *path, const void *data, size_t size) {
  assert_true(spec_write_file(path, data, size));
}

static void test_prepare_writes_one_of_two(void **state) {
  paths *p = *state;
  spec_options o = {.compile_only = true, .target = "aarch64-linux-gnu"};
  char why[512] = "";
  /* A stale refusal goes when the module compiles. */
  put(p->err, "stale");
  put_bytes(p->wasm, empty_module, sizeof empty_module);
  assert_int_equal(spec_artifact_prepare(&o, p->wasm, why, sizeof why),
                   SPEC_COMPILED);
  assert_int_equal(access(p->err, F_OK), -1);
  size_t size;
  uint8_t *so = spec_read_file(p->so, &size);
  assert_non_null(so);
  assert_true(size > 64 && !memcmp(so, "\177ELF", 4));
  assert_int_equal(so[18] | so[19] << 8, 183); /* e_machine: EM_AARCH64 */
  free(so);
  /* A stale artifact goes when the compiler refuses, and the refusal is
   * kept for the run to report. */
  put(p->wasm, "\1asm");
  assert_int_equal(spec_artifact_prepare(&o, p->wasm, why, sizeof why),
                   SPEC_COMPILE_REFUSED);
  assert_int_equal(access(p->so, F_OK), -1);
  uint8_t *err = spec_read_file(p->err, &size);
  assert_non_null(err);
  assert_true(size > 0 && size == strlen(why) && !memcmp(err, why, size));
  free(err);
}
#else
static void test_prepare_without_compiler(void **state) {
  paths *p = *state;
  spec_options o = {.compile_only = true};
  char why[512] = "";
  put(p->wasm, "\1asm");
  assert_int_equal(spec_artifact_prepare(&o, p->wasm, why, sizeof why),
                   SPEC_COMPILE_IO);
  assert_non_null(strstr(why, "--precompiled"));
  assert_int_equal(access(p->so, F_OK), -1);
  assert_int_equal(access(p->err, F_OK), -1);
}
#endif

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_artifact_path),
      cmocka_unit_test_setup_teardown(test_precompiled_lookup, setup, teardown),
#ifdef SPEC_TEST_HAS_COMPILER
      cmocka_unit_test_setup_teardown(test_prepare_writes_one_of_two, setup,
                                      teardown),
#else
      cmocka_unit_test_setup_teardown(test_prepare_without_compiler, setup,
                                      teardown),
#endif
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
