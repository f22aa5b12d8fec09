/* compiler/elf/elf_merge.h: two objects that call into each other, merged,
 * linked by our linker and run; malformed inputs refused without a crash.
 *
 * Usage: test_elf_merge A.o B.o [A_FOREIGN.o B_FOREIGN.o]
 * (merge_a.c and merge_b.c compiled by clang, see meson.build). */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elf_link.h"
#include "elf_merge.h"
#include "elf_test_util.h"

typedef struct objects {
  uint8_t *a, *b, *fa, *fb;
  size_t a_size, b_size, fa_size, fb_size;
} objects;

static bool merge2(const uint8_t *x, size_t xs, const uint8_t *y, size_t ys,
                   void **out, size_t *out_size, char *err, size_t errlen) {
  elf_merge_object objs[2] = {{x, xs}, {y, ys}};
  return elf_merge_objects(objs, 2, out, out_size, err, errlen);
}

static bool link_merged(const void *obj, size_t size, void **out,
                        size_t *out_size, char *err, size_t errlen) {
  elf_link_extra_section meta = {".wasmaot.meta", test_metadata_blob,
                                 test_metadata_size, 16, "wasmaot_metadata"};
  elf_link_input in = {
      .object = obj, .object_size = size, .extra = &meta, .extra_count = 1};
  return elf_link_shared_object(&in, out, out_size, err, errlen);
}

/* Merges x then y, links, maps and calls every API function. */
static void check_runs(const uint8_t *x, size_t xs, const uint8_t *y,
                       size_t ys) {
  char err[256];
  void *merged, *so;
  size_t merged_size, so_size;
  if (!merge2(x, xs, y, ys, &merged, &merged_size, err, sizeof err))
    fail_msg("merge: %s", err);
  if (!link_merged(merged, merged_size, &so, &so_size, err, sizeof err))
    fail_msg("link: %s", err);
  artifact_map *m = test_map_image(so, so_size, err, sizeof err);
  if (!m)
    fail_msg("map: %s", err);
  int (*entry)(int) = (int (*)(int))artifact_symbol(m, "ma_entry");
  int (*ma_count)(void) = (int (*)(void))artifact_symbol(m, "ma_count");
  int (*mb_count)(void) = (int (*)(void))artifact_symbol(m, "mb_count");
  int (*apply)(int, int) = (int (*)(int, int))artifact_symbol(m, "ma_apply");
  double (*weight)(int) = (double (*)(int))artifact_symbol(m, "ma_weight");
  const char *(*name)(void) =
      (const char *(*)(void))artifact_symbol(m, "mb_name");
  assert_non_null(entry);
  assert_non_null(ma_count);
  assert_non_null(mb_count);
  assert_non_null(apply);
  assert_non_null(weight);
  assert_non_null(name);
  /* Across objects both ways, each object's own static of the same name. */
  assert_int_equal(entry(5), ((3 * 5 + 1) - 7) * 10 + 3);
  assert_int_equal(entry(-2), ((3 * -2 + 1) - 7) * 10 + 3);
  assert_int_equal(ma_count(), 1);
  assert_int_equal(mb_count(), 110);
  assert_int_equal(ma_count(), 2);
  assert_int_equal(mb_count(), 120);
  /* A table in one object pointing at functions of both. */
  assert_int_equal(apply(0, 5), 10);
  assert_int_equal(apply(1, 5), -5);
  assert_int_equal(apply(2, 5), 6);
  /* Constants the code reaches through section symbols. */
  assert_true(weight(1) == 3.0);
  assert_true(weight(3) == 7.0);
  assert_string_equal(name(), "merge_b");
  artifact_unmap(m);
  free(so);
  free(merged);
}

static void merged_objects_run(void **state) {
  objects *o = *state;
  check_runs(o->a, o->a_size, o->b, o->b_size);
}

static void merge_order_does_not_matter(void **state) {
  objects *o = *state;
  check_runs(o->b, o->b_size, o->a, o->a_size);
}

static void single_object_merges(void **state) {
  objects *o = *state;
  char err[256];
  void *out;
  size_t size;
  elf_merge_object one = {o->a, o->a_size};
  assert_true(elf_merge_objects(&one, 1, &out, &size, err, sizeof err));
  /* Alone, a's references to b stay undefined: they become imports the
   * loader cannot resolve, and it names one. */
  void *so;
  size_t so_size;
  if (!link_merged(out, size, &so, &so_size, err, sizeof err))
    fail_msg("link: %s", err);
  artifact_map *m = test_map_image(so, so_size, err, sizeof err);
  assert_null(m);
  assert_non_null(strstr(err, "mb_"));
  free(so);
  free(out);
}

static void duplicate_definition_refused(void **state) {
  objects *o = *state;
  char err[256];
  void *out = (void *)1;
  size_t size;
  assert_false(
      merge2(o->a, o->a_size, o->a, o->a_size, &out, &size, err, sizeof err));
  assert_null(out);
  assert_non_null(strstr(err, "defined in more than one object"));
}

static void mixed_machines_refused(void **state) {
  objects *o = *state;
  if (!o->fa)
    skip();
  char err[256];
  void *out;
  size_t size;
  assert_false(
      merge2(o->a, o->a_size, o->fb, o->fb_size, &out, &size, err, sizeof err));
  assert_non_null(strstr(err, "machine"));
}

static void foreign_objects_link(void **state) {
  objects *o = *state;
  if (!o->fa)
    skip();
  char err[256];
  void *merged, *so;
  size_t merged_size, so_size;
  if (!merge2(o->fa, o->fa_size, o->fb, o->fb_size, &merged, &merged_size, err,
              sizeof err))
    fail_msg("merge: %s", err);
  if (!link_merged(merged, merged_size, &so, &so_size, err, sizeof err))
    fail_msg("link: %s", err);
  free(so);
  free(merged);
}

static void garbage_refused(void **state) {
  (void)state;
  static const uint8_t junk[64] = "\177ELF not really";
  char err[256];
  void *out;
  size_t size;
  elf_merge_object objs[1] = {{junk, sizeof junk}};
  assert_false(elf_merge_objects(objs, 1, &out, &size, err, sizeof err));
  assert_false(elf_merge_objects(objs, 0, &out, &size, err, sizeof err));
  for (size_t n = 0; n < sizeof junk; n++) {
    objs[0].size = n;
    assert_false(elf_merge_objects(objs, 1, &out, &size, err, sizeof err));
  }
}

/* Every byte of b's headers, symbols and relocations flipped in turn:
 * merging either fails cleanly or gives an object (the sanitizers, where
 * enabled, watch for reads out of bounds). */
static void survives_byte_flips(void **state) {
  objects *o = *state;
  uint8_t *copy = test_copy(o->b, o->b_size);
  assert_non_null(copy);
  size_t failures = 0;
  for (size_t i = 0; i < o->b_size; i += (i < 64 ? 1 : 7)) {
    uint8_t saved = copy[i];
    copy[i] ^= 0xa5;
    char err[256];
    void *out;
    size_t size;
    if (merge2(o->a, o->a_size, copy, o->b_size, &out, &size, err, sizeof err))
      free(out);
    else
      failures++;
    copy[i] = saved;
  }
  assert_true(failures > 0);
  free(copy);
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 5) {
    fprintf(stderr, "usage: %s A.o B.o [A_FOREIGN.o B_FOREIGN.o]\n", argv[0]);
    return 2;
  }
  objects o = {0};
  o.a = test_read_file(argv[1], &o.a_size);
  o.b = test_read_file(argv[2], &o.b_size);
  if (argc == 5) {
    o.fa = test_read_file(argv[3], &o.fa_size);
    o.fb = test_read_file(argv[4], &o.fb_size);
  }
  if (!o.a || !o.b || (argc == 5 && (!o.fa || !o.fb))) {
    fprintf(stderr, "cannot read the fixtures\n");
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_prestate(merged_objects_run, &o),
      cmocka_unit_test_prestate(merge_order_does_not_matter, &o),
      cmocka_unit_test_prestate(single_object_merges, &o),
      cmocka_unit_test_prestate(duplicate_definition_refused, &o),
      cmocka_unit_test_prestate(mixed_machines_refused, &o),
      cmocka_unit_test_prestate(foreign_objects_link, &o),
      cmocka_unit_test_prestate(garbage_refused, &o),
      cmocka_unit_test_prestate(survives_byte_flips, &o),
  };
  int failed = cmocka_run_group_tests_name("elf_merge", tests, NULL, NULL);
  free(o.a);
  free(o.b);
  free(o.fa);
  free(o.fb);
  return failed ? 1 : 0;
}
