#include "artifact_checksum.h"

#include <string.h>

/* Four independent multiply-rotate lanes over 32-byte blocks keep the
 * CPU's multipliers busy: a few GB/s, so checking a large artifact costs
 * well under a millisecond per megabyte. */
static const uint64_t k1 = 0x9e3779b185ebca87ull;
static const uint64_t k2 = 0xc2b2ae3d27d4eb4full;
static const uint64_t k3 = 0x165667b19e3779f9ull;

static uint64_t rotl64(uint64_t x, unsigned r) {
  return x << r | x >> (64 - r);
}

static uint64_t mix_lane(uint64_t lane, uint64_t word) {
  return rotl64(lane + word * k2, 31) * k1;
}

static uint64_t read64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* Copies the block at data+pos (len bytes) into buf with the skipped
 * field zeroed, when the two overlap; else returns the block in place. */
static const uint8_t *block_view(const uint8_t *data, size_t pos, size_t len,
                                 size_t skip, uint8_t *buf) {
  if (skip + 8 <= pos || skip >= pos + len)
    return data + pos;
  memcpy(buf, data + pos, len);
  for (size_t i = 0; i < 8; i++)
    if (skip + i >= pos && skip + i < pos + len)
      buf[skip + i - pos] = 0;
  return buf;
}

static uint64_t avalanche(uint64_t h) {
  h ^= h >> 33;
  h *= k2;
  h ^= h >> 29;
  h *= k3;
  h ^= h >> 32;
  return h;
}

uint64_t artifact_checksum(const void *data, size_t size, size_t skip_offset) {
  const uint8_t *p = data;
  uint64_t lane[4] = {k1 + k2, k2, 0, (uint64_t)0 - k1};
  uint8_t buf[32];
  size_t pos = 0;
  for (; size - pos >= 32; pos += 32) {
    const uint8_t *b = block_view(p, pos, 32, skip_offset, buf);
    for (int i = 0; i < 4; i++)
      lane[i] = mix_lane(lane[i], read64(b + 8 * i));
  }
  uint64_t h = rotl64(lane[0], 1) + rotl64(lane[1], 7) + rotl64(lane[2], 12) +
               rotl64(lane[3], 18) + (uint64_t)size;
  size_t tail = size - pos;
  memset(buf, 0, sizeof buf);
  const uint8_t *t = block_view(p, pos, tail, skip_offset, buf);
  uint8_t last[32] = {0};
  memcpy(last, t, tail);
  for (size_t i = 0; i < 32; i += 8)
    h = mix_lane(h, read64(last + i)) ^ rotl64(h, 27);
  return avalanche(h);
}
