/* Memory-bound streaming: memset, memcpy and memmove over buffers larger
 * than the caches, in big blocks and in many small pieces, plus a
 * STREAM-style add/scale pass and a summing read pass. The size is the
 * buffer size in MiB. Prints a checksum of the final contents. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
  size_t n = mib << 20;
  uint8_t *a = malloc(n), *b = malloc(n);
  if (!a || !b) {
    fprintf(stderr, "stream: out of memory\n");
    return 1;
  }
  uint64_t sum = 0;
  for (int round = 0; round < 12; round++) {
    /* Whole-buffer fills and copies. */
    memset(a, 0x11 * (round + 1), n);
    memcpy(b, a, n);
    /* Small pieces of varying sizes (16..1039 bytes). */
    size_t off = 0;
    unsigned piece = 16;
    while (off + 2048 <= n) {
      memset(a + off, (int)(off >> 4), piece);
      memcpy(b + off + 7, a + off, piece);
      off += piece + 64;
      piece = 16 + (piece * 37 + 11) % 1024;
    }
    /* Overlapping moves, forward and backward. */
    memmove(a + 4096, a, n - 4096);
    memmove(a, a + 1000, n - 1000);
    /* Word-wise a = a + 3 * b, then read back. */
    uint32_t *wa = (uint32_t *)a;
    const uint32_t *wb = (const uint32_t *)b;
    for (size_t i = 0; i < n / 4; i++)
      wa[i] = wa[i] + 3 * wb[i];
    uint64_t s = 0;
    for (size_t i = 0; i < n / 4; i++)
      s += wa[i] ^ (i & 0xff);
    sum = sum * 1000003u + s;
  }
  printf("stream mib=%zu sum=%016llx\n", mib, (unsigned long long)sum);
  free(a);
  free(b);
  return 0;
}
