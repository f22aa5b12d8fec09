/* Compression: an LZ77-style compressor (hash of the next 4 bytes finds
 * the last position with the same hash; matches of 4..258 bytes at
 * distances up to 64 KiB) and its decompressor, round-tripping n KiB of
 * generated text with word-level repetition, several rounds. Checks the
 * round trip. Prints the compressed sizes and a hash of the output. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HBITS 15
#define MINMATCH 4
#define MAXMATCH 258
#define WINDOW 65535

/* Format: a token byte. 0x00..0x7f: that many + 1 literal bytes follow.
 * 0x80..0xff: match of length (token & 0x7f) + MINMATCH (if the low bits
 * are 0x7f an extra length byte is added), then a 16-bit distance. */

static uint32_t hash4(const uint8_t *p) {
  uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
               (uint32_t)p[3] << 24;
  return (v * 2654435761u) >> (32 - HBITS);
}

static size_t flush_literals(uint8_t *out, size_t o, const uint8_t *lit,
                             size_t n) {
  while (n > 0) {
    size_t take = n > 128 ? 128 : n;
    out[o++] = (uint8_t)(take - 1);
    memcpy(out + o, lit, take);
    o += take;
    lit += take;
    n -= take;
  }
  return o;
}

static size_t compress(const uint8_t *in, size_t n, uint8_t *out,
                       int32_t *table) {
  for (int i = 0; i < (1 << HBITS); i++)
    table[i] = -1;
  size_t o = 0, i = 0, lit = 0;
  while (i + MINMATCH <= n) {
    uint32_t h = hash4(in + i);
    int32_t cand = table[h];
    table[h] = (int32_t)i;
    if (cand >= 0 && i - (size_t)cand <= WINDOW &&
        memcmp(in + cand, in + i, MINMATCH) == 0) {
      size_t len = MINMATCH;
      size_t max = n - i < MAXMATCH ? n - i : MAXMATCH;
      while (len < max && in[cand + len] == in[i + len])
        len++;
      o = flush_literals(out, o, in + lit, i - lit);
      size_t dist = i - (size_t)cand;
      size_t code = len - MINMATCH;
      if (code < 0x7f) {
        out[o++] = (uint8_t)(0x80 | code);
      } else {
        out[o++] = 0xff;
        out[o++] = (uint8_t)(code - 0x7f);
      }
      out[o++] = (uint8_t)dist;
      out[o++] = (uint8_t)(dist >> 8);
      /* Index a few positions inside the match too. */
      for (size_t k = 1; k < len && i + k + MINMATCH <= n; k += 3)
        table[hash4(in + i + k)] = (int32_t)(i + k);
      i += len;
      lit = i;
    } else {
      i++;
    }
  }
  return flush_literals(out, o, in + lit, n - lit);
}

static size_t decompress(const uint8_t *in, size_t n, uint8_t *out) {
  size_t i = 0, o = 0;
  while (i < n) {
    uint8_t t = in[i++];
    if (t < 0x80) {
      size_t len = (size_t)t + 1;
      memcpy(out + o, in + i, len);
      i += len;
      o += len;
    } else {
      size_t len = (t & 0x7f);
      if (len == 0x7f)
        len += in[i++];
      len += MINMATCH;
      size_t dist = (size_t)in[i] | (size_t)in[i + 1] << 8;
      i += 2;
      const uint8_t *src = out + o - dist;
      /* Overlapping copies are allowed: copy byte by byte. */
      for (size_t k = 0; k < len; k++)
        out[o + k] = src[k];
      o += len;
    }
  }
  return o;
}

static const char *const words[] = {
    "the",     "quick",  "brown",    "fox",     "jumps",  "over",
    "lazy",    "dog",    "wasm",     "module",  "memory", "table",
    "import",  "export", "function", "local",   "global", "branch",
    "compile", "native", "ahead",    "of",      "time",   "loader",
    "section", "custom", "data",     "element", "start",  "value"};

int main(int argc, char **argv) {
  size_t kib = argc > 1 ? strtoul(argv[1], NULL, 10) : 24576;
  size_t n = kib * 1024;
  uint8_t *text = malloc(n);
  uint8_t *packed = malloc(n + n / 64 + 16);
  uint8_t *back = malloc(n);
  int32_t *table = malloc(sizeof(int32_t) << HBITS);
  if (!text || !packed || !back || !table) {
    fprintf(stderr, "lz: out of memory\n");
    return 1;
  }
  uint32_t x = 12345;
  size_t pos = 0;
  const size_t nwords = sizeof words / sizeof words[0];
  while (pos < n) {
    x = x * 1664525u + 1013904223u;
    const char *w = words[(x >> 16) % nwords];
    size_t len = strlen(w);
    for (size_t k = 0; k < len && pos < n; k++)
      text[pos++] = (uint8_t)w[k];
    if (pos < n)
      text[pos++] = ((x >> 8) & 15) == 0 ? '\n' : ' ';
    if (((x >> 4) & 63) == 0 && pos + 4 < n) { /* some noise */
      for (int k = 0; k < 4; k++)
        text[pos++] = (uint8_t)('0' + ((x >> (k * 3)) & 7));
    }
  }
  uint64_t h = 1469598103934665603ull;
  size_t total = 0;
  for (int round = 0; round < 4; round++) {
    size_t m = n - (size_t)round * 4099; /* vary the input a little */
    size_t c = compress(text, m, packed, table);
    size_t d = decompress(packed, c, back);
    if (d != m || memcmp(back, text, m) != 0) {
      fprintf(stderr, "lz: round trip failed in round %d\n", round);
      return 1;
    }
    total += c;
    for (size_t k = 0; k < c; k += 7)
      h = (h ^ packed[k]) * 1099511628211ull;
    text[round * 977] ^= 0x20;
  }
  printf("lz kib=%zu in=%zu packed_total=%zu hash=%016llx\n", kib, n, total,
         (unsigned long long)h);
  free(text);
  free(packed);
  free(back);
  free(table);
  return 0;
}
