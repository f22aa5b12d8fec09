#include "sha256_blocks.h"

#include <stdbool.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, unsigned n) {
  return x >> n | x << (32 - n);
}

static void compress(uint32_t state[8], const uint8_t block[64]) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 |
           (uint32_t)block[4 * i + 2] << 8 | block[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
                  ((e & f) ^ (~e & g)) + round_constants[i] + w[i];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) +
                  ((a & b) ^ (a & c) ^ (b & c));
    h = g, g = f, f = e, e = d + t1;
    d = c, c = b, b = a, a = t1 + t2;
  }
  state[0] += a, state[1] += b, state[2] += c, state[3] += d;
  state[4] += e, state[5] += f, state[6] += g, state[7] += h;
}

void sha256_blocks_portable(uint32_t state[8], const uint8_t *data,
                            size_t count) {
  for (size_t i = 0; i < count; i++)
    compress(state, data + 64 * i);
}

#if defined(__x86_64__)

/* SHA (CPUID.7.0:EBX bit 29) with the SSSE3 and SSE4.1 shuffles used
 * around it. Asked each time (one CPUID per hash, not per block): the
 * loader keeps no process-wide state. */
static bool has_sha_extensions(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
    return false;
  return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}

#define SHA_TARGET __attribute__((target("sha,ssse3,sse4.1")))

/* The state as the SHA instructions want it: {A,B,E,F} and {C,D,G,H},
 * each with the first-named word in the highest lane. */
SHA_TARGET static void to_sha_order(const uint32_t state[8], __m128i *abef,
                                    __m128i *cdgh) {
  __m128i abcd = _mm_loadu_si128((const __m128i *)&state[0]);
  __m128i efgh = _mm_loadu_si128((const __m128i *)&state[4]);
  __m128i badc = _mm_shuffle_epi32(abcd, 0xb1); /* lanes b a d c */
  __m128i hgfe = _mm_shuffle_epi32(efgh, 0x1b); /* lanes h g f e */
  *abef = _mm_alignr_epi8(badc, hgfe, 8);       /* lanes f e b a */
  *cdgh = _mm_blend_epi16(hgfe, badc, 0xf0);    /* lanes h g d c */
}

SHA_TARGET static void from_sha_order(__m128i abef, __m128i cdgh,
                                      uint32_t state[8]) {
  __m128i feba = _mm_shuffle_epi32(abef, 0x1b); /* lanes a b e f */
  __m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1); /* lanes g h c d */
  __m128i abcd = _mm_blend_epi16(feba, dchg, 0xf0);
  __m128i efgh = _mm_alignr_epi8(dchg, feba, 8);
  _mm_storeu_si128((__m128i *)&state[0], abcd);
  _mm_storeu_si128((__m128i *)&state[4], efgh);
}

/* 64 rounds over one block, four at a time. m[] holds the last sixteen
 * message words, four per register: group g's words overwrite group
 * g - 4's. */
SHA_TARGET static void compress_sha(__m128i *abef, __m128i *cdgh,
                                    const uint8_t *block) {
  const __m128i byteswap =
      _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
  __m128i s0 = *abef, s1 = *cdgh, m[4];
  for (int g = 0; g < 16; g++) {
    __m128i *w = &m[g % 4];
    if (g < 4) {
      *w = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 16 * g)),
                            byteswap);
    } else {
      /* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]: msg1 adds
       * s0 to the words 16 back, alignr brings the words 7 back, msg2
       * adds s1 of the words 2 back. */
      __m128i t = _mm_sha256msg1_epu32(*w, m[(g + 1) % 4]);
      t = _mm_add_epi32(t, _mm_alignr_epi8(m[(g + 3) % 4], m[(g + 2) % 4], 4));
      *w = _mm_sha256msg2_epu32(t, m[(g + 3) % 4]);
    }
    __m128i k = _mm_add_epi32(
        *w, _mm_loadu_si128((const __m128i *)&round_constants[4 * g]));
    /* Two rounds per instruction; after them the old {A,B,E,F} is the
     * new {C,D,G,H}. */
    s1 = _mm_sha256rnds2_epu32(s1, s0, k);
    s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(k, 0x0e));
  }
  *abef = _mm_add_epi32(*abef, s0);
  *cdgh = _mm_add_epi32(*cdgh, s1);
}

SHA_TARGET static void sha256_blocks_sha(uint32_t state[8], const uint8_t *data,
                                         size_t count) {
  __m128i abef, cdgh;
  to_sha_order(state, &abef, &cdgh);
  for (size_t i = 0; i < count; i++)
    compress_sha(&abef, &cdgh, data + 64 * i);
  from_sha_order(abef, cdgh, state);
}

void sha256_blocks(uint32_t state[8], const uint8_t *data, size_t count) {
  if (has_sha_extensions())
    sha256_blocks_sha(state, data, count);
  else
    sha256_blocks_portable(state, data, count);
}

#else

void sha256_blocks(uint32_t state[8], const uint8_t *data, size_t count) {
  sha256_blocks_portable(state, data, count);
}

#endif
