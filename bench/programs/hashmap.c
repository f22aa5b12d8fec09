/* Hash maps: an open-addressing table (linear probing, backward-shift
 * deletion, doubling growth) from 64-bit keys to 64-bit values. Inserts
 * n keys, looks up hits and misses, deletes half, reinserts, in several
 * rounds. Prints counts and a checksum of the values found. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct slot {
  uint64_t key; /* 0 means empty */
  uint64_t value;
};

struct map {
  struct slot *slots;
  size_t cap; /* power of two */
  size_t len;
};

static uint64_t mix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdull;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ull;
  k ^= k >> 33;
  return k;
}

static void map_init(struct map *m, size_t cap) {
  m->slots = calloc(cap, sizeof *m->slots);
  if (!m->slots) {
    fprintf(stderr, "hashmap: out of memory\n");
    exit(1);
  }
  m->cap = cap;
  m->len = 0;
}

static void map_put(struct map *m, uint64_t key, uint64_t value);

static void grow(struct map *m) {
  struct slot *old = m->slots;
  size_t oldcap = m->cap;
  map_init(m, oldcap * 2);
  for (size_t i = 0; i < oldcap; i++)
    if (old[i].key)
      map_put(m, old[i].key, old[i].value);
  free(old);
}

static void map_put(struct map *m, uint64_t key, uint64_t value) {
  if ((m->len + 1) * 4 > m->cap * 3)
    grow(m);
  size_t mask = m->cap - 1;
  size_t i = mix(key) & mask;
  while (m->slots[i].key && m->slots[i].key != key)
    i = (i + 1) & mask;
  if (!m->slots[i].key)
    m->len++;
  m->slots[i].key = key;
  m->slots[i].value = value;
}

static struct slot *map_get(struct map *m, uint64_t key) {
  size_t mask = m->cap - 1;
  size_t i = mix(key) & mask;
  while (m->slots[i].key) {
    if (m->slots[i].key == key)
      return &m->slots[i];
    i = (i + 1) & mask;
  }
  return NULL;
}

static int map_del(struct map *m, uint64_t key) {
  size_t mask = m->cap - 1;
  size_t i = mix(key) & mask;
  while (m->slots[i].key != key) {
    if (!m->slots[i].key)
      return 0;
    i = (i + 1) & mask;
  }
  /* Backward shift: pull later entries of the cluster into the hole when
   * their home slot is not between the hole and them. */
  size_t hole = i;
  for (size_t j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
    size_t home = mix(m->slots[j].key) & mask;
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      m->slots[hole] = m->slots[j];
      hole = j;
    }
  }
  m->slots[hole].key = 0;
  m->len--;
  return 1;
}

static uint64_t keyof(uint64_t i) {
  return i * 0x9e3779b97f4a7c15ull + 1;
}

int main(int argc, char **argv) {
  uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
  struct map m;
  map_init(&m, 16);
  uint64_t sum = 0, hits = 0, deleted = 0;
  for (int round = 0; round < 3; round++) {
    for (uint64_t i = 0; i < n; i++)
      map_put(&m, keyof(i), i ^ (uint64_t)round);
    for (uint64_t i = 0; i < 2 * n; i++) {
      struct slot *s = map_get(&m, keyof(i * 7 % (2 * n)));
      if (s) {
        hits++;
        sum = sum * 31 + s->value;
      }
    }
    for (uint64_t i = (uint64_t)round; i < n; i += 2)
      deleted += (uint64_t)map_del(&m, keyof(i));
    for (uint64_t i = 0; i < n; i += 3) {
      struct slot *s = map_get(&m, keyof(i));
      if (s)
        s->value += i;
    }
  }
  for (size_t i = 0; i < m.cap; i++)
    if (m.slots[i].key)
      sum += m.slots[i].value * (m.slots[i].key >> 40);
  printf("hashmap n=%llu len=%zu hits=%llu deleted=%llu sum=%016llx\n",
         (unsigned long long)n, m.len, (unsigned long long)hits,
         (unsigned long long)deleted, (unsigned long long)sum);
  free(m.slots);
  return 0;
}
