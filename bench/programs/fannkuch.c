/* Integer, branchy code: pancake flipping over permutations of 0..10,
 * enumerated with Heap's algorithm from a scrambled start. For each
 * permutation, reverse the first k+1 elements while the first element k
 * is not 0, and count the reversals. The size is the number of
 * permutations in thousands. Prints the maximum and a parity-weighted
 * sum. */
#include <stdio.h>
#include <stdlib.h>

#define N 11

static int flips(const int *perm, int n) {
  int w[N];
  for (int i = 0; i < n; i++)
    w[i] = perm[i];
  int count = 0;
  int first = w[0];
  while (first != 0) {
    for (int lo = 0, hi = first; lo < hi; lo++, hi--) {
      int t = w[lo];
      w[lo] = w[hi];
      w[hi] = t;
    }
    first = w[0];
    count++;
  }
  return count;
}

int main(int argc, char **argv) {
  long long limit = (argc > 1 ? atoll(argv[1]) : 6000) * 1000;
  const int n = N;
  int perm[N], c[N];
  for (int i = 0; i < n; i++) {
    perm[i] = (i * 7 + 3) % N;
    c[i] = 0;
  }
  long long checksum = 0;
  int maxflips = 0;
  long long index = 0;
  /* Heap's algorithm, iterative form. */
  int f = flips(perm, n);
  checksum += f;
  maxflips = f;
  int i = 1;
  while (i < n && index + 1 < limit) {
    if (c[i] < i) {
      int j = (i & 1) ? c[i] : 0;
      int t = perm[j];
      perm[j] = perm[i];
      perm[i] = t;
      index++;
      f = flips(perm, n);
      checksum += (index & 1) ? -f : f;
      if (f > maxflips)
        maxflips = f;
      c[i]++;
      i = 1;
    } else {
      c[i] = 0;
      i++;
    }
  }
  printf("fannkuch n=%d perms=%lld checksum=%lld maxflips=%d\n", n, index + 1,
         checksum, maxflips);
  return 0;
}
