/* Sorting: n pseudo-random 32-bit keys sorted three ways, each written
 * here: quicksort (median of three, insertion sort for small ranges),
 * bottom-up merge sort of (key, index) records, and an LSD radix sort.
 * Checks that all three agree. Prints a position-weighted checksum. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec {
  uint32_t key;
  uint32_t index;
};

static void insertion(uint32_t *a, long lo, long hi) {
  for (long i = lo + 1; i <= hi; i++) {
    uint32_t v = a[i];
    long j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static void quicksort(uint32_t *a, long lo, long hi) {
  while (hi - lo > 16) {
    long mid = lo + (hi - lo) / 2;
    uint32_t x = a[lo], y = a[mid], z = a[hi];
    uint32_t pivot =
        x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    long i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot)
        i++;
      while (a[j] > pivot)
        j--;
      if (i <= j) {
        uint32_t t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    /* Recurse into the smaller half, loop on the larger. */
    if (j - lo < hi - i) {
      quicksort(a, lo, j);
      lo = i;
    } else {
      quicksort(a, i, hi);
      hi = j;
    }
  }
  insertion(a, lo, hi);
}

static void mergesort_recs(struct rec *a, struct rec *tmp, size_t n) {
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n;
      size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        tmp[k++] = a[j].key < a[i].key ? a[j++] : a[i++];
      while (i < mid)
        tmp[k++] = a[i++];
      while (j < hi)
        tmp[k++] = a[j++];
    }
    struct rec *t = a;
    memcpy(t, tmp, n * sizeof *t);
  }
}

static void radixsort(uint32_t *a, uint32_t *tmp, size_t n) {
  for (int shift = 0; shift < 32; shift += 8) {
    size_t count[257] = {0};
    for (size_t i = 0; i < n; i++)
      count[((a[i] >> shift) & 255) + 1]++;
    for (int b = 0; b < 256; b++)
      count[b + 1] += count[b];
    for (size_t i = 0; i < n; i++)
      tmp[count[(a[i] >> shift) & 255]++] = a[i];
    memcpy(a, tmp, n * sizeof *a);
  }
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 3000000;
  uint32_t *orig = malloc(n * sizeof *orig);
  uint32_t *q = malloc(n * sizeof *q);
  uint32_t *r = malloc(n * sizeof *r);
  uint32_t *tmp = malloc(n * sizeof *tmp);
  struct rec *m = malloc(n * sizeof *m);
  struct rec *mtmp = malloc(n * sizeof *mtmp);
  if (!orig || !q || !r || !tmp || !m || !mtmp) {
    fprintf(stderr, "sort: out of memory\n");
    return 1;
  }
  uint64_t s = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < n; i++) {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    uint32_t v = (uint32_t)((s * 0x2545f4914f6cdd1dull) >> 32);
    /* Every 8th key repeats a small value: plenty of duplicates. */
    orig[i] = (i & 7) == 0 ? v & 1023 : v;
  }
  memcpy(q, orig, n * sizeof *q);
  memcpy(r, orig, n * sizeof *r);
  for (size_t i = 0; i < n; i++)
    m[i] = (struct rec){orig[i], (uint32_t)i};
  if (n > 1)
    quicksort(q, 0, (long)n - 1);
  mergesort_recs(m, mtmp, n);
  radixsort(r, tmp, n);
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i++) {
    if (q[i] != r[i] || q[i] != m[i].key) {
      fprintf(stderr, "sort: results differ at %zu\n", i);
      return 1;
    }
    sum = sum * 31 + q[i] + (uint64_t)m[i].index * (i & 15);
  }
  printf("sort n=%zu min=%u max=%u checksum=%016llx\n", n, n ? q[0] : 0,
         n ? q[n - 1] : 0, (unsigned long long)sum);
  free(orig);
  free(q);
  free(r);
  free(tmp);
  free(m);
  free(mtmp);
  return 0;
}
