/* A set of address ranges that a signal handler can search while other
 * threads add and remove ranges.
 *
 * The engine keeps two: the code of loaded artifacts and the address
 * space reserved for linear memories. The trap handler runs on whatever
 * thread faulted and may not take locks, so readers never block: writers
 * (under a mutex) publish a new sorted snapshot with one atomic store, and
 * an old snapshot is freed only when no reader is inside a lookup. */
#ifndef WASMAOT_ADDR_RANGES_H
#define WASMAOT_ADDR_RANGES_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct addr_range {
  uintptr_t lo, hi; /* [lo, hi) */
  void *owner;
} addr_range;

typedef struct addr_range_snapshot addr_range_snapshot;

typedef struct addr_range_set {
  pthread_mutex_t lock;
  _Atomic(addr_range_snapshot *) current;
  atomic_size_t readers;
  /* Replaced snapshots a reader might still be looking at. */
  addr_range_snapshot **retired;
  size_t retired_count, retired_cap;
} addr_range_set;

bool addr_range_set_init(addr_range_set *s);
void addr_range_set_destroy(addr_range_set *s);

/* Adds [lo, hi) for `owner`; false when out of memory. */
bool addr_range_set_add(addr_range_set *s, uintptr_t lo, uintptr_t hi,
                        void *owner);
/* Removes the range starting at `lo` that belongs to `owner`. */
void addr_range_set_remove(addr_range_set *s, uintptr_t lo, void *owner);

/* Finds the range containing `addr`; async-signal-safe and lock-free.
 * Returns false when none does. */
bool addr_range_set_find(addr_range_set *s, uintptr_t addr, addr_range *out);

#endif
