/* The artifact checksum (formats/artifact_checksum.c): every flipped bit is
 * seen, the checksum field itself is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "artifact_checksum.h"

static void fill(uint8_t *buf, size_t n) {
  uint32_t x = 12345;
  for (size_t i = 0; i < n; i++) {
    x = x * 1103515245u + 12345u;
    buf[i] = (uint8_t)(x >> 16);
  }
}

static void test_every_flipped_bit_changes_the_checksum(void **state) {
  (void)state;
  /* Sizes around the 32-byte block and 8-byte word boundaries. */
  static const size_t sizes[] = {1, 7, 8, 31, 32, 33, 100, 1000};
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
    size_t n = sizes[s];
    uint8_t *buf = malloc(n);
    fill(buf, n);
    uint64_t sum = artifact_checksum(buf, n, (size_t)-1);
    for (size_t bit = 0; bit < 8 * n; bit++) {
      buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
      assert_true(artifact_checksum(buf, n, (size_t)-1) != sum);
      buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
    }
    free(buf);
  }
}

static void test_skipped_field_does_not_count(void **state) {
  (void)state;
  uint8_t buf[200];
  fill(buf, sizeof buf);
  uint64_t sum = artifact_checksum(buf, sizeof buf, 40);
  for (int i = 40; i < 48; i++)
    buf[i] ^= 0xff;
  assert_true(artifact_checksum(buf, sizeof buf, 40) == sum);
  buf[48] ^= 1;
  assert_true(artifact_checksum(buf, sizeof buf, 40) != sum);
}

static void test_length_counts(void **state) {
  (void)state;
  uint8_t zeros[64] = {0};
  assert_true(artifact_checksum(zeros, 63, (size_t)-1) !=
              artifact_checksum(zeros, 64, (size_t)-1));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_flipped_bit_changes_the_checksum),
      cmocka_unit_test(test_skipped_field_does_not_count),
      cmocka_unit_test(test_length_counts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
