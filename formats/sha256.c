#include "sha256.h"

#include <string.h>

#include "sha256_blocks.h"

void sha256_init(sha256_ctx *c) {
  static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                      0xa54ff53a, 0x510e527f, 0x9b05688c,
                                      0x1f83d9ab, 0x5be0cd19};
  memcpy(c->state, initial, sizeof initial);
  c->length = 0;
  c->block_len = 0;
}

/* At most two calls to sha256_blocks per update (each asks the CPU
 * which implementation to use): the pending block once full, then every
 * whole block straight from the input. */
void sha256_update(sha256_ctx *c, const void *data, size_t len) {
  const uint8_t *p = data;
  if (len == 0)
    return; /* data may be NULL */
  c->length += len;
  if (c->block_len > 0) {
    size_t take = 64 - c->block_len;
    if (take > len)
      take = len;
    memcpy(c->block + c->block_len, p, take);
    c->block_len += take;
    p += take;
    len -= take;
    if (c->block_len < 64)
      return;
    sha256_blocks(c->state, c->block, 1);
    c->block_len = 0;
  }
  if (len >= 64) {
    sha256_blocks(c->state, p, len / 64);
    p += len / 64 * 64;
    len %= 64;
  }
  memcpy(c->block, p, len);
  c->block_len = len;
}

void sha256_final(sha256_ctx *c, uint8_t digest[32]) {
  uint64_t bits = c->length * 8;
  uint8_t pad = 0x80;
  sha256_update(c, &pad, 1);
  pad = 0;
  while (c->block_len != 56)
    sha256_update(c, &pad, 1);
  uint8_t len_be[8];
  for (int i = 0; i < 8; i++)
    len_be[i] = (uint8_t)(bits >> (56 - 8 * i));
  sha256_update(c, len_be, 8);
  for (int i = 0; i < 8; i++) {
    digest[4 * i] = (uint8_t)(c->state[i] >> 24);
    digest[4 * i + 1] = (uint8_t)(c->state[i] >> 16);
    digest[4 * i + 2] = (uint8_t)(c->state[i] >> 8);
    digest[4 * i + 3] = (uint8_t)c->state[i];
  }
}

void sha256(const void *data, size_t len, uint8_t digest[32]) {
  sha256_ctx c;
  sha256_init(&c);
  sha256_update(&c, data, len);
  sha256_final(&c, digest);
}
