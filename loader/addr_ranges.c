#include "addr_ranges.h"

#include <stdlib.h>
#include <string.h>

struct addr_range_snapshot {
  size_t count;
  addr_range items[]; /* sorted by lo, non-overlapping */
};

bool addr_range_set_init(addr_range_set *s) {
  memset(s, 0, sizeof *s);
  if (pthread_mutex_init(&s->lock, NULL) != 0)
    return false;
  atomic_init(&s->current, NULL);
  atomic_init(&s->readers, 0);
  return true;
}

static void free_retired(addr_range_set *s) {
  for (size_t i = 0; i < s->retired_count; i++)
    free(s->retired[i]);
  s->retired_count = 0;
}

void addr_range_set_destroy(addr_range_set *s) {
  free_retired(s);
  free(s->retired);
  free(atomic_load(&s->current));
  pthread_mutex_destroy(&s->lock);
}

static addr_range_snapshot *new_snapshot(size_t count) {
  addr_range_snapshot *snap =
      malloc(sizeof *snap + (count ? count : 1) * sizeof(addr_range));
  if (snap)
    snap->count = count;
  return snap;
}

/* Publishes `next` and frees what no reader can still see. The order is
 * what makes this safe: a reader increments `readers` before loading
 * `current`, we store `current` before reading `readers` (both seq_cst),
 * so a reader we do not count has loaded `next`. */
static bool publish(addr_range_set *s, addr_range_snapshot *next) {
  addr_range_snapshot *old = atomic_exchange(&s->current, next);
  if (old) {
    if (s->retired_count == s->retired_cap) {
      size_t cap = s->retired_cap ? 2 * s->retired_cap : 8;
      addr_range_snapshot **r = realloc(s->retired, cap * sizeof *r);
      if (!r) {
        /* Leak rather than free something a reader may hold. */
        return true;
      }
      s->retired = r;
      s->retired_cap = cap;
    }
    s->retired[s->retired_count++] = old;
  }
  if (atomic_load(&s->readers) == 0)
    free_retired(s);
  return true;
}

bool addr_range_set_add(addr_range_set *s, uintptr_t lo, uintptr_t hi,
                        void *owner) {
  pthread_mutex_lock(&s->lock);
  addr_range_snapshot *cur = atomic_load(&s->current);
  size_t n = cur ? cur->count : 0;
  addr_range_snapshot *next = new_snapshot(n + 1);
  bool ok = next != NULL;
  if (ok) {
    size_t at = 0;
    while (at < n && cur->items[at].lo < lo)
      at++;
    if (at)
      memcpy(next->items, cur->items, at * sizeof(addr_range));
    next->items[at] = (addr_range){lo, hi, owner};
    if (n > at)
      memcpy(next->items + at + 1, cur->items + at,
             (n - at) * sizeof(addr_range));
    publish(s, next);
  }
  pthread_mutex_unlock(&s->lock);
  return ok;
}

void addr_range_set_remove(addr_range_set *s, uintptr_t lo, void *owner) {
  pthread_mutex_lock(&s->lock);
  addr_range_snapshot *cur = atomic_load(&s->current);
  size_t n = cur ? cur->count : 0;
  size_t at = 0;
  while (at < n && !(cur->items[at].lo == lo && cur->items[at].owner == owner))
    at++;
  if (at < n) {
    addr_range_snapshot *next = new_snapshot(n - 1);
    if (next) {
      memcpy(next->items, cur->items, at * sizeof(addr_range));
      memcpy(next->items + at, cur->items + at + 1,
             (n - at - 1) * sizeof(addr_range));
      publish(s, next);
    } else {
      /* Cannot shrink: make the entry match nothing instead. Only the
       * writer (under the lock) mutates, but a reader may see either
       * value of the fields, both of which are harmless. */
      cur->items[at].hi = cur->items[at].lo;
    }
  }
  pthread_mutex_unlock(&s->lock);
}

bool addr_range_set_find(addr_range_set *s, uintptr_t addr, addr_range *out) {
  atomic_fetch_add(&s->readers, 1);
  const addr_range_snapshot *snap = atomic_load(&s->current);
  bool found = false;
  if (snap) {
    size_t lo = 0, hi = snap->count;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (snap->items[mid].lo <= addr)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo > 0 && addr < snap->items[lo - 1].hi) {
      *out = snap->items[lo - 1];
      found = true;
    }
  }
  atomic_fetch_sub(&s->readers, 1);
  return found;
}
