/* The cache's pure parts: keys change with everything that changes the
 * code and nothing else, sizes parse, the progress estimate stays in
 * bounds and never goes backwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cache.h"
#include "cache_admin.h"
#include "compile_progress.h"

static const uint8_t module_a[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
static const uint8_t module_b[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 1, 0};

static void key(const uint8_t *wasm, size_t size,
                const codegen_target_options *o, char out[CACHE_KEY_HEX]) {
  cache_key_compile(wasm, size, o, out);
  assert_int_equal(strlen(out), 64);
  assert_int_equal(strspn(out, "0123456789abcdef"), 64);
}

static void test_keys(void **state) {
  (void)state;
  codegen_target_options o = {.opt_level = 2};
  char base[CACHE_KEY_HEX], again[CACHE_KEY_HEX], other[CACHE_KEY_HEX];
  key(module_a, sizeof module_a, &o, base);
  key(module_a, sizeof module_a, &o, again);
  assert_string_equal(base, again); /* deterministic, CPU id included */
  key(module_b, sizeof module_b, &o, other);
  assert_string_not_equal(base, other);
  codegen_target_options o3 = {.opt_level = 3};
  key(module_a, sizeof module_a, &o3, other);
  assert_string_not_equal(base, other);
  codegen_target_options counting = {.opt_level = 2, .count_entries = true};
  key(module_a, sizeof module_a, &counting, other);
  assert_string_not_equal(base, other);
  cache_key_profiled(base, other);
  assert_string_not_equal(base, other); /* its own entry */
  assert_int_equal(strspn(other, "0123456789abcdef"), 64);
  cache_key_profiled(again, again);
  assert_string_equal(other, again); /* of the key alone */
  codegen_target_options cpu = {.opt_level = 2, .cpu = "x86-64-v2"};
  key(module_a, sizeof module_a, &cpu, other);
  assert_string_not_equal(base, other);
  codegen_target_options feat = {.opt_level = 2, .features = "+avx2"};
  key(module_a, sizeof module_a, &feat, other);
  assert_string_not_equal(base, other);

  uint8_t sha[32];
  memset(sha, 0xab, sizeof sha);
  cache_key_artifact(sha, other);
  assert_string_equal(other, "abababababababababababababababab"
                             "abababababababababababababababab");
}

static void test_entry_path(void **state) {
  (void)state;
  char path[64];
  assert_true(cache_entry_path("/c", "k", path, sizeof path));
#if defined(__x86_64__)
  assert_string_equal(path, "/c/x86_64/k.so");
#endif
  char tiny[8];
  assert_false(cache_entry_path("/cache", "key", tiny, sizeof tiny));
}

static void test_parse_size(void **state) {
  (void)state;
  uint64_t v;
  assert_true(cache_parse_size("0", &v));
  assert_int_equal(v, 0);
  assert_true(cache_parse_size("4096", &v));
  assert_int_equal(v, 4096);
  assert_true(cache_parse_size("2K", &v));
  assert_int_equal(v, 2048);
  assert_true(cache_parse_size("512M", &v));
  assert_int_equal(v, 512ull << 20);
  assert_true(cache_parse_size("3g", &v));
  assert_int_equal(v, 3ull << 30);
  assert_false(cache_parse_size("", &v));
  assert_false(cache_parse_size("-1", &v));
  assert_false(cache_parse_size("12X", &v));
  assert_false(cache_parse_size("1GB", &v));
  assert_false(cache_parse_size("99999999999999999999G", &v));
  assert_false(cache_parse_size(NULL, &v));
}

static void test_progress_fraction(void **state) {
  (void)state;
  double last = 0;
  /* A whole compile, phase by phase, with time passing inside the two
   * phases that report nothing. */
  for (uint32_t i = 0; i <= 100; i++) {
    double f = compile_progress_fraction(AOT_PHASE_LOWER, i, 100, 0, 0, 0);
    assert_true(f >= last);
    last = f;
  }
  for (double t = 0; t < 100; t += 0.25) {
    double f = compile_progress_fraction(AOT_PHASE_OPTIMIZE, 0, 1, t, 0.02, 0);
    assert_true(f >= last && f < 0.5);
    last = f;
  }
  for (double t = 0; t < 100; t += 0.25) {
    double f = compile_progress_fraction(AOT_PHASE_CODEGEN, 0, 1, t, 0.02, 1);
    assert_true(f >= last && f < 0.98);
    last = f;
  }
  assert_true(compile_progress_fraction(AOT_PHASE_LINK, 0, 1, 0, 0, 0) >= last);
  assert_true(compile_progress_fraction(AOT_PHASE_LINK, 1, 1, 0, 0, 0) > 0.999);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_keys),
      cmocka_unit_test(test_entry_path),
      cmocka_unit_test(test_parse_size),
      cmocka_unit_test(test_progress_fraction),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
