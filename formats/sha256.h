/* SHA-256 (FIPS 180-4). Used for the source hash recorded in artifacts and
 * the cache key; lives in the loader because the run path needs it
 * without LLVM. */
#ifndef WASMAOT_SHA256_H
#define WASMAOT_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
  uint32_t state[8];
  uint64_t length; /* bytes hashed so far */
  uint8_t block[64];
  size_t block_len;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
void sha256_final(sha256_ctx *c, uint8_t digest[32]);
void sha256(const void *data, size_t len, uint8_t digest[32]);

#endif
