/* SHA-256 (the artifact's source hash and the cache key): the FIPS 180
 * examples, and the SHA-extension compression function against the
 * portable one on random blocks, fed through every split of the input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"
#include "sha256_blocks.h"

static void hex(const uint8_t d[32], char out[65]) {
  for (int i = 0; i < 32; i++)
    snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void assert_digest(const void *data, size_t len, const char *want) {
  uint8_t d[32];
  char got[65];
  sha256(data, len, d);
  hex(d, got);
  assert_string_equal(got, want);
}

static void test_known_answers(void **state) {
  (void)state;
  assert_digest(
      "", 0,
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert_digest(
      "abc", 3,
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  assert_digest(
      two, strlen(two),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  size_t million = 1000000;
  char *a = malloc(million);
  assert_non_null(a);
  memset(a, 'a', million);
  assert_digest(
      a, million,
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  free(a);
}

static void test_blocks_match_portable(void **state) {
  (void)state;
  static uint8_t data[64 * 70];
  srand(7);
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t)rand();
  for (int trial = 0; trial < 500; trial++) {
    size_t count = (size_t)rand() % 64 + 1, offset = (size_t)rand() % 64;
    uint32_t fast[8], slow[8];
    for (int k = 0; k < 8; k++)
      fast[k] = slow[k] = (uint32_t)rand();
    sha256_blocks(fast, data + offset, count);
    sha256_blocks_portable(slow, data + offset, count);
    assert_memory_equal(fast, slow, sizeof fast);
  }
}

/* Any split of the input into updates gives the one-shot digest. */
static void test_split_updates(void **state) {
  (void)state;
  static uint8_t data[1000];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t)(i * 31 + 7);
  uint8_t whole[32];
  sha256(data, sizeof data, whole);
  for (size_t cut = 0; cut <= sizeof data; cut += 7) {
    for (size_t step = 1; step < 200; step += 37) {
      sha256_ctx c;
      sha256_init(&c);
      sha256_update(&c, data, cut);
      for (size_t p = cut; p < sizeof data; p += step)
        sha256_update(&c, data + p,
                      p + step > sizeof data ? sizeof data - p : step);
      uint8_t d[32];
      sha256_final(&c, d);
      assert_memory_equal(d, whole, 32);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_known_answers),
      cmocka_unit_test(test_blocks_match_portable),
      cmocka_unit_test(test_split_updates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
