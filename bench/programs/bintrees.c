/* Malloc-heavy code: builds many complete binary trees node by node with
 * malloc, walks them, and frees them, while one long-lived tree stays
 * allocated. The size is the maximum depth. Prints node counts and a
 * checksum of the walks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct node {
  struct node *left, *right;
  uint32_t value;
};

static struct node *build(int depth, uint32_t value) {
  struct node *n = malloc(sizeof *n);
  if (!n) {
    fprintf(stderr, "bintrees: out of memory\n");
    exit(1);
  }
  n->value = value;
  if (depth > 0) {
    n->left = build(depth - 1, value * 2);
    n->right = build(depth - 1, value * 2 + 1);
  } else {
    n->left = n->right = NULL;
  }
  return n;
}

/* Returns the node count; folds the values into *sum. */
static uint32_t walk(const struct node *n, uint64_t *sum) {
  *sum = *sum * 1000003u + n->value;
  if (!n->left)
    return 1;
  return 1 + walk(n->left, sum) + walk(n->right, sum);
}

static void release(struct node *n) {
  if (n->left) {
    release(n->left);
    release(n->right);
  }
  free(n);
}

int main(int argc, char **argv) {
  int maxdepth = argc > 1 ? atoi(argv[1]) : 17;
  if (maxdepth < 6)
    maxdepth = 6;
  uint64_t sum = 0;
  struct node *keep = build(maxdepth, 1);
  uint64_t nodes = 0;
  for (int d = 4; d <= maxdepth; d += 2) {
    uint64_t iters = (uint64_t)1 << (maxdepth - d + 4);
    uint64_t checked = 0;
    for (uint64_t i = 0; i < iters; i++) {
      struct node *t = build(d, (uint32_t)i);
      checked += walk(t, &sum);
      release(t);
    }
    nodes += checked;
  }
  uint64_t kept = walk(keep, &sum);
  release(keep);
  printf("bintrees depth=%d nodes=%llu kept=%llu sum=%016llx\n", maxdepth,
         (unsigned long long)nodes, (unsigned long long)kept,
         (unsigned long long)sum);
  return 0;
}
