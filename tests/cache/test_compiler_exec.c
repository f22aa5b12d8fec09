/* The compiler in a child process (cache/compiler_exec.c, what the static
 * containerd shim compiles with) gets every option a tiered run uses:
 * --count reaches the child (the artifact has entry counters), and a
 * profile does (the child checks it against the module: one of the wrong
 * size is refused with the compiler's own reason, one of the right size
 * compiles). Needs `wasmaot` on PATH; argv[1] is a .wasm. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "artifact_info.h"
#include "compiler_load.h"
#include "file_read.h"

static uint8_t *wasm;
static size_t wasm_size;

static bool compile(const aot_options *opts, aot_output *out, char *err,
                    size_t errlen) {
  const wasmaot_compiler_plugin *c = compiler_load(err, errlen);
  assert_non_null(c);
  return c->compile(wasm, wasm_size, opts, out, err, errlen);
}

static void read_info(const aot_output *out, artifact_info *info) {
  char err[256];
  assert_true(artifact_info_read(out->data, out->size, info, err, sizeof err));
  assert_true(info->checksum_ok);
}

static void test_count_reaches_child(void **state) {
  (void)state;
  aot_options opts = {.target = {.fast_tier = true, .count_entries = true}};
  aot_output out;
  char err[512];
  assert_true(compile(&opts, &out, err, sizeof err));
  artifact_info info;
  read_info(&out, &info);
  assert_int_not_equal(info.meta->layout.entry_counts, 0);
  assert_int_equal(info.meta->tier, WASMAOT_TIER_FAST);
  free(out.data);

  opts.target.count_entries = false;
  assert_true(compile(&opts, &out, err, sizeof err));
  read_info(&out, &info);
  assert_int_equal(info.meta->layout.entry_counts, 0);
  free(out.data);
}

static void test_profile_reaches_child(void **state) {
  (void)state;
  aot_options opts = {.target = {.opt_level = 2}};
  aot_output out;
  char err[512];
  assert_true(compile(&opts, &out, err, sizeof err));
  artifact_info info;
  read_info(&out, &info);
  uint32_t defined = info.meta->defined_func_count;
  free(out.data);

  uint64_t *counts = calloc(defined + 1, sizeof *counts);
  assert_non_null(counts);
  counts[0] = 5;
  opts.profile = counts;
  opts.profile_count = defined + 1;
  assert_false(compile(&opts, &out, err, sizeof err));
  char want[96];
  snprintf(want, sizeof want,
           "the profile counts %u functions, the module "
           "defines %u",
           defined + 1, defined);
  assert_non_null(strstr(err, want));

  opts.profile_count = defined;
  assert_true(compile(&opts, &out, err, sizeof err));
  read_info(&out, &info);
  /* A module this small is optimised whole, profile or not. */
  assert_int_equal(info.meta->tier, WASMAOT_TIER_OPTIMIZED);
  free(out.data);
  free(counts);
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  wasm = file_read_all(argv[1], &wasm_size);
  if (!wasm)
    return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_count_reaches_child),
      cmocka_unit_test(test_profile_reaches_child),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  free(wasm);
  return failed;
}
