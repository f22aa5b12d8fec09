/* The SHA-256 compression function over whole 64-byte blocks, with the
 * x86-64 SHA extensions when the CPU has them. Hashing the .wasm is most
 * of what a warm `wasmaot run app.wasm` does besides mapping the cached
 * artifact: the SHA instructions make that about ten times faster. */
#ifndef WASMAOT_SHA256_BLOCKS_H
#define WASMAOT_SHA256_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

/* Applies the compression function for `count` blocks at `data`. */
void sha256_blocks(uint32_t state[8], const uint8_t *data, size_t count);

/* The portable version, always available (for tests). */
void sha256_blocks_portable(uint32_t state[8], const uint8_t *data,
                            size_t count);

#endif
