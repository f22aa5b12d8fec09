/* Integer code: the sieve of Eratosthenes over odd numbers up to n,
 * one byte per odd number, repeated with growing bounds. Prints the
 * prime count and a sum over the primes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long sieve(unsigned n, unsigned char *composite,
                                unsigned *count) {
  /* composite[i] stands for 2*i+1. */
  unsigned half = n / 2 + 1;
  memset(composite, 0, half);
  for (unsigned i = 1; (2ull * i + 1) * (2ull * i + 1) <= n; i++) {
    if (composite[i])
      continue;
    unsigned p = 2 * i + 1;
    for (unsigned j = (p * p) / 2; j < half; j += p)
      composite[j] = 1;
  }
  unsigned long long sum = n >= 2 ? 2 : 0;
  unsigned c = n >= 2 ? 1 : 0;
  for (unsigned i = 1; 2 * i + 1 <= n; i++)
    if (!composite[i]) {
      c++;
      sum = sum * 31 + 2 * i + 1;
    }
  *count = c;
  return sum;
}

int main(int argc, char **argv) {
  unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 100000000u;
  unsigned char *composite = malloc(n / 2 + 2);
  if (!composite) {
    fprintf(stderr, "sieve: out of memory\n");
    return 1;
  }
  unsigned long long h = 0;
  unsigned count = 0;
  /* A few small sieves (cache resident) and one big one. */
  for (unsigned k = 1; k <= 16; k++) {
    h ^= sieve(n / 64 * k / 4 + 100, composite, &count);
    h = h * 1099511628211ull;
  }
  h ^= sieve(n, composite, &count);
  printf("sieve n=%u primes=%u hash=%016llx\n", n, count, h);
  free(composite);
  return 0;
}
