/* Indirect calls: two kinds of function-pointer dispatch. (1) A table of
 * 16 small operations applied in a pseudo-random order read from an op
 * stream. (2) "Objects" with a per-kind table of methods (a hand-made
 * vtable) visited in a shuffled order. The size is the number of
 * operations in millions. Prints the accumulated state. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef uint64_t (*op_fn)(uint64_t acc, uint64_t arg);

#define NOINLINE __attribute__((noinline))

static NOINLINE uint64_t op_add(uint64_t a, uint64_t b) {
  return a + b;
}
static NOINLINE uint64_t op_sub(uint64_t a, uint64_t b) {
  return a - b;
}
static NOINLINE uint64_t op_xor(uint64_t a, uint64_t b) {
  return a ^ b;
}
static NOINLINE uint64_t op_mul(uint64_t a, uint64_t b) {
  return a * (b | 1);
}
static NOINLINE uint64_t op_rotl(uint64_t a, uint64_t b) {
  unsigned r = b & 63;
  return r ? (a << r) | (a >> (64 - r)) : a;
}
static NOINLINE uint64_t op_rotr(uint64_t a, uint64_t b) {
  unsigned r = b & 63;
  return r ? (a >> r) | (a << (64 - r)) : a;
}
static NOINLINE uint64_t op_and_not(uint64_t a, uint64_t b) {
  return a & ~(b << 7);
}
static NOINLINE uint64_t op_or(uint64_t a, uint64_t b) {
  return a | (b >> 3);
}
static NOINLINE uint64_t op_neg(uint64_t a, uint64_t b) {
  return b - a;
}
static NOINLINE uint64_t op_mix(uint64_t a, uint64_t b) {
  a ^= a >> 31;
  return a * 0x7fb5d329728ea185ull + b;
}
static NOINLINE uint64_t op_min(uint64_t a, uint64_t b) {
  return a < b ? a : b + a;
}
static NOINLINE uint64_t op_max(uint64_t a, uint64_t b) {
  return a > b ? a : b ^ a;
}
static NOINLINE uint64_t op_div(uint64_t a, uint64_t b) {
  return a / ((b & 0xff) + 1) + a;
}
static NOINLINE uint64_t op_popc(uint64_t a, uint64_t b) {
  return a + (uint64_t)__builtin_popcountll(b);
}
static NOINLINE uint64_t op_clz(uint64_t a, uint64_t b) {
  return a + (b ? (uint64_t)__builtin_clzll(b) : 64);
}
static NOINLINE uint64_t op_swap(uint64_t a, uint64_t b) {
  return (a >> 32 | a << 32) + b;
}

static op_fn const ops[16] = {
    op_add, op_sub, op_xor, op_mul, op_rotl, op_rotr, op_and_not, op_or,
    op_neg, op_mix, op_min, op_max, op_div,  op_popc, op_clz,     op_swap};

/* ---- objects with a method table ---- */

struct shape;
struct shape_class {
  int64_t (*area)(const struct shape *);
  int64_t (*perimeter)(const struct shape *);
  void (*grow)(struct shape *, int64_t);
};

struct shape {
  const struct shape_class *cls;
  int64_t a, b;
};

static NOINLINE int64_t rect_area(const struct shape *s) {
  return s->a * s->b;
}
static NOINLINE int64_t rect_perim(const struct shape *s) {
  return 2 * (s->a + s->b);
}
static NOINLINE void rect_grow(struct shape *s, int64_t d) {
  s->a = (s->a + d) & 1023;
  s->b = (s->b + 2 * d) & 1023;
}
static NOINLINE int64_t square_area(const struct shape *s) {
  return s->a * s->a;
}
static NOINLINE int64_t square_perim(const struct shape *s) {
  return 4 * s->a;
}
static NOINLINE void square_grow(struct shape *s, int64_t d) {
  s->a = (s->a + d) & 2047;
}
static NOINLINE int64_t tri_area(const struct shape *s) {
  return s->a * s->b / 2;
}
static NOINLINE int64_t tri_perim(const struct shape *s) {
  return s->a + s->b + (s->a > s->b ? s->a : s->b);
}
static NOINLINE void tri_grow(struct shape *s, int64_t d) {
  s->a = (s->a * 3 + d) & 511;
  s->b = (s->b + d) & 511;
}

static const struct shape_class classes[3] = {
    {rect_area, rect_perim, rect_grow},
    {square_area, square_perim, square_grow},
    {tri_area, tri_perim, tri_grow}};

int main(int argc, char **argv) {
  long millions = argc > 1 ? atol(argv[1]) : 100;
  enum { STREAM = 4096, NSHAPES = 1024 };
  uint8_t stream[STREAM];
  uint64_t args[STREAM];
  uint32_t x = 0x12345678;
  for (int i = 0; i < STREAM; i++) {
    x = x * 1664525u + 1013904223u;
    stream[i] = (uint8_t)(x >> 28);
    args[i] = (uint64_t)x * 0x9e3779b97f4a7c15ull;
  }
  uint64_t acc = 1;
  long total = millions * 1000000L;
  long opcount = total / 2;
  for (long i = 0; i < opcount; i++) {
    int k = (int)(i & (STREAM - 1));
    acc = ops[stream[k]](acc, args[k] + (uint64_t)i);
  }
  static struct shape shapes[NSHAPES];
  for (int i = 0; i < NSHAPES; i++) {
    x = x * 1664525u + 1013904223u;
    shapes[i] = (struct shape){&classes[(x >> 24) % 3], (x >> 8) & 255,
                               (x >> 16) & 255};
  }
  int64_t area = 0, perim = 0;
  long visits = (total - opcount) / 3;
  for (long i = 0; i < visits; i++) {
    struct shape *s = &shapes[(i * 617) & (NSHAPES - 1)];
    area += s->cls->area(s);
    perim += s->cls->perimeter(s);
    s->cls->grow(s, (int64_t)(i & 7));
  }
  printf("dispatch ops=%ld acc=%016llx area=%lld perim=%lld\n", total,
         (unsigned long long)acc, (long long)area, (long long)perim);
  return 0;
}
