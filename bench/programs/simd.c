/* SIMD kernel: a 3x3 [1 2 1; 2 4 2; 1 2 1] / 16 blur over an 8-bit image,
 * an i16 dot product and an f32 a*x+y update. Built for wasm with
 * -msimd128, it uses the wasm_simd128.h intrinsics; built for x86-64, the
 * same kernels with SSE2 intrinsics (so the native baseline is hand-
 * vectorised too); elsewhere plain loops. All results are exact or
 * element-wise, so every build prints the same checksum. The size is the
 * number of passes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#define W 1024
#define H 768
#define VLEN 65536

static unsigned blur_px(const uint8_t *s, int x) {
  const uint8_t *t = s - W, *b = s + W;
  unsigned sum = t[x - 1] + 2u * t[x] + t[x + 1] + 2u * s[x - 1] + 4u * s[x] +
                 2u * s[x + 1] + b[x - 1] + 2u * b[x] + b[x + 1];
  return (sum + 8) >> 4;
}

static void blur(const uint8_t *src, uint8_t *dst) {
  memcpy(dst, src, W);
  memcpy(dst + (size_t)(H - 1) * W, src + (size_t)(H - 1) * W, W);
  for (int y = 1; y < H - 1; y++) {
    const uint8_t *s = src + (size_t)y * W;
    uint8_t *d = dst + (size_t)y * W;
    d[0] = s[0];
    d[W - 1] = s[W - 1];
    int x = 1;
#if defined(__wasm_simd128__)
    const v128_t eight = wasm_i16x8_splat(8);
    for (; x + 16 <= W - 1; x += 16) {
      v128_t lo = eight, hi = eight;
      for (int r = -1; r <= 1; r++) {
        const uint8_t *row = s + r * W + x;
        v128_t l = wasm_v128_load(row - 1);
        v128_t c = wasm_v128_load(row);
        v128_t rr = wasm_v128_load(row + 1);
        v128_t slo =
            wasm_i16x8_add(wasm_i16x8_add(wasm_u16x8_extend_low_u8x16(l),
                                          wasm_u16x8_extend_low_u8x16(rr)),
                           wasm_i16x8_shl(wasm_u16x8_extend_low_u8x16(c), 1));
        v128_t shi =
            wasm_i16x8_add(wasm_i16x8_add(wasm_u16x8_extend_high_u8x16(l),
                                          wasm_u16x8_extend_high_u8x16(rr)),
                           wasm_i16x8_shl(wasm_u16x8_extend_high_u8x16(c), 1));
        if (r == 0) {
          slo = wasm_i16x8_shl(slo, 1);
          shi = wasm_i16x8_shl(shi, 1);
        }
        lo = wasm_i16x8_add(lo, slo);
        hi = wasm_i16x8_add(hi, shi);
      }
      lo = wasm_u16x8_shr(lo, 4);
      hi = wasm_u16x8_shr(hi, 4);
      wasm_v128_store(d + x, wasm_u8x16_narrow_i16x8(lo, hi));
    }
#elif defined(__SSE2__)
    const __m128i eight = _mm_set1_epi16(8), zero = _mm_setzero_si128();
    for (; x + 16 <= W - 1; x += 16) {
      __m128i lo = eight, hi = eight;
      for (int r = -1; r <= 1; r++) {
        const uint8_t *row = s + r * W + x;
        __m128i l = _mm_loadu_si128((const __m128i *)(row - 1));
        __m128i c = _mm_loadu_si128((const __m128i *)row);
        __m128i rr = _mm_loadu_si128((const __m128i *)(row + 1));
        __m128i slo =
            _mm_add_epi16(_mm_add_epi16(_mm_unpacklo_epi8(l, zero),
                                        _mm_unpacklo_epi8(rr, zero)),
                          _mm_slli_epi16(_mm_unpacklo_epi8(c, zero), 1));
        __m128i shi =
            _mm_add_epi16(_mm_add_epi16(_mm_unpackhi_epi8(l, zero),
                                        _mm_unpackhi_epi8(rr, zero)),
                          _mm_slli_epi16(_mm_unpackhi_epi8(c, zero), 1));
        if (r == 0) {
          slo = _mm_slli_epi16(slo, 1);
          shi = _mm_slli_epi16(shi, 1);
        }
        lo = _mm_add_epi16(lo, slo);
        hi = _mm_add_epi16(hi, shi);
      }
      lo = _mm_srli_epi16(lo, 4);
      hi = _mm_srli_epi16(hi, 4);
      _mm_storeu_si128((__m128i *)(d + x), _mm_packus_epi16(lo, hi));
    }
#endif
    for (; x < W - 1; x++)
      d[x] = (uint8_t)blur_px(s, x);
  }
}

static int64_t dot(const int16_t *a, const int16_t *b, int n) {
  int64_t total = 0;
  for (int blk = 0; blk < n; blk += 1024) {
    int end = blk + 1024 < n ? blk + 1024 : n;
    int i = blk;
#if defined(__wasm_simd128__)
    v128_t acc = wasm_i32x4_splat(0);
    for (; i + 8 <= end; i += 8)
      acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_v128_load(a + i),
                                                     wasm_v128_load(b + i)));
    total += (int64_t)wasm_i32x4_extract_lane(acc, 0) +
             wasm_i32x4_extract_lane(acc, 1) + wasm_i32x4_extract_lane(acc, 2) +
             wasm_i32x4_extract_lane(acc, 3);
#elif defined(__SSE2__)
    __m128i acc = _mm_setzero_si128();
    for (; i + 8 <= end; i += 8)
      acc = _mm_add_epi32(
          acc, _mm_madd_epi16(_mm_loadu_si128((const __m128i *)(a + i)),
                              _mm_loadu_si128((const __m128i *)(b + i))));
    int32_t lanes[4];
    _mm_storeu_si128((__m128i *)lanes, acc);
    total += (int64_t)lanes[0] + lanes[1] + lanes[2] + lanes[3];
#endif
    int32_t part = 0;
    for (; i < end; i++)
      part += (int32_t)a[i] * b[i];
    total += part;
  }
  return total;
}

static void axpy(float alpha, const float *x, float *y, int n) {
  int i = 0;
#if defined(__wasm_simd128__)
  v128_t va = wasm_f32x4_splat(alpha);
  v128_t decay = wasm_f32x4_splat(0.75f);
  for (; i + 4 <= n; i += 4) {
    v128_t vy = wasm_v128_load(y + i);
    v128_t vx = wasm_v128_load(x + i);
    vy = wasm_f32x4_add(wasm_f32x4_mul(vy, decay), wasm_f32x4_mul(va, vx));
    wasm_v128_store(y + i, vy);
  }
#elif defined(__SSE2__)
  __m128 va = _mm_set1_ps(alpha), decay = _mm_set1_ps(0.75f);
  for (; i + 4 <= n; i += 4) {
    __m128 vy = _mm_loadu_ps(y + i);
    __m128 vx = _mm_loadu_ps(x + i);
    _mm_storeu_ps(y + i, _mm_add_ps(_mm_mul_ps(vy, decay), _mm_mul_ps(va, vx)));
  }
#endif
  for (; i < n; i++)
    y[i] = y[i] * 0.75f + alpha * x[i];
}

int main(int argc, char **argv) {
  int passes = argc > 1 ? atoi(argv[1]) : 500;
  uint8_t *img = malloc((size_t)W * H), *tmp = malloc((size_t)W * H);
  int16_t *va = malloc(VLEN * sizeof *va), *vb = malloc(VLEN * sizeof *vb);
  float *fx = malloc(VLEN * sizeof *fx), *fy = malloc(VLEN * sizeof *fy);
  if (!img || !tmp || !va || !vb || !fx || !fy) {
    fprintf(stderr, "simd: out of memory\n");
    return 1;
  }
  uint32_t s = 0xdeadbeef;
  for (size_t i = 0; i < (size_t)W * H; i++) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    /* Smooth gradient plus noise. */
    img[i] = (uint8_t)(((i % W) / 5 + (i / W) / 4 + (s & 63)) & 255);
  }
  for (int i = 0; i < VLEN; i++) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    va[i] = (int16_t)((s & 255) - 128);
    vb[i] = (int16_t)(((s >> 8) & 255) - 128);
    fx[i] = (float)((int)(s >> 20) - 2048) / 1024.0f;
    fy[i] = 0.0f;
  }
  int64_t dsum = 0;
  for (int p = 0; p < passes; p++) {
    blur(img, tmp);
    blur(tmp, img);
    for (int k = 0; k < 8; k++) {
      dsum += dot(va + k, vb, VLEN - 8);
      axpy((float)(p % 7) * 0.125f - 0.375f, fx, fy, VLEN);
    }
    va[p % VLEN] = (int16_t)(img[(size_t)p * 31 % ((size_t)W * H)] - 100);
  }
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < (size_t)W * H; i++)
    h = (h ^ img[i]) * 1099511628211ull;
  double fsum = 0.0;
  for (int i = 0; i < VLEN; i++)
    fsum += fy[i];
  printf("simd passes=%d image=%016llx dot=%lld axpy=%.9e\n", passes,
         (unsigned long long)h, (long long)dsum, fsum);
  free(img);
  free(tmp);
  free(va);
  free(vb);
  free(fx);
  free(fy);
  return 0;
}
