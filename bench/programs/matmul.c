/* Dense float math: C = A * B for n x n double matrices (i-k-j order, so
 * the inner loop streams rows and vectorises), repeated until about
 * 2 * n^3 * reps flops are done. Prints the sum and a corner of C. */
#include <stdio.h>
#include <stdlib.h>

static void matmul(int n, const double *a, const double *b, double *c) {
  for (int i = 0; i < n * n; i++)
    c[i] = 0.0;
  for (int i = 0; i < n; i++) {
    double *ci = c + (size_t)i * n;
    for (int k = 0; k < n; k++) {
      double aik = a[(size_t)i * n + k];
      const double *bk = b + (size_t)k * n;
      for (int j = 0; j < n; j++)
        ci[j] += aik * bk[j];
    }
  }
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 900;
  if (n < 2)
    n = 2;
  size_t nn = (size_t)n * n;
  double *a = malloc(nn * sizeof *a);
  double *b = malloc(nn * sizeof *b);
  double *c = malloc(nn * sizeof *c);
  if (!a || !b || !c) {
    fprintf(stderr, "matmul: out of memory\n");
    return 1;
  }
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      a[(size_t)i * n + j] = (double)((i * 7 + j * 3) % 17) / 16.0 - 0.5;
      b[(size_t)i * n + j] = (double)((i * 5 + j * 11) % 13) / 12.0 - 0.25;
    }
  /* Square A a few times: each round feeds the previous product back in,
   * scaled to keep the values bounded. */
  double sum = 0.0;
  for (int r = 0; r < 4; r++) {
    matmul(n, a, b, c);
    double scale = 1.0 / n;
    for (size_t i = 0; i < nn; i++)
      a[i] = c[i] * scale;
  }
  for (size_t i = 0; i < nn; i++)
    sum += c[i];
  printf("matmul n=%d sum=%.10e c[0]=%.10e c[last]=%.10e\n", n, sum, c[0],
         c[nn - 1]);
  free(a);
  free(b);
  free(c);
  return 0;
}
