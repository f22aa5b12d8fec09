/* Linear memories: address space reserved up front, grown by mprotect.
 *
 * Compiled code adds a zero-extended 32-bit index and a 32-bit static
 * offset to the base without a bounds check, and may access up to 16 bytes
 * there, so everything up to 8 GiB + 16 bytes past the base must either be
 * the accessible part or fault. We reserve 8 GiB plus one 64 KiB guard as
 * PROT_NONE; the fault handler turns faults inside the reservation into
 * "out of bounds memory access". The base never moves, so compiled code
 * may keep it in a register across calls.
 *
 * A 64-bit memory (memory64) cannot be covered that way, so compiled code
 * checks its accesses against the current size instead. It still gets a
 * reservation, so its base never moves either: its declared maximum, or
 * MEMORY64_RESERVATION (64 GiB) when it has none or a larger one. Where
 * the host refuses that much address space (a ulimit -v, a small
 * aarch64 VA), the reservation is halved until it fits, down to the
 * initial size. It grows, beyond 4 GiB too, up to what it reserved;
 * memory.grow past that returns -1, as past a maximum. No guard pages:
 * nothing is accessed unchecked.
 *
 * A shared memory (threads) is no different in layout: its reservation is
 * already the whole index space, so growing it in one thread never moves
 * it under another; growth takes grow_lock, and size_bytes is written
 * after the pages are accessible, with release order, so a thread that
 * sees the new size can use the pages. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime.h"

#define WASM_PAGE_SIZE 65536ull
#define MAX_PAGES 65536ull /* 4 GiB: the 32-bit index space */
#define MAX_PAGES64 (1ull << 48) /* 2^64 bytes: the 64-bit index space */
#define RESERVATION_SIZE ((8ull << 30) + WASM_PAGE_SIZE)
#define MEMORY64_RESERVATION (64ull << 30)

static void *map_reservation(uint64_t size) {
  return mmap(NULL, size, PROT_NONE,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
}

static bool reserve(wasmaot_memory *m, char *err, size_t errlen) {
  void *p = map_reservation(RESERVATION_SIZE);
  if (p == MAP_FAILED)
    return rt_fail(err, errlen,
                   "cannot reserve 8 GiB of address space for a linear "
                   "memory: %s",
                   strerror(errno));
  m->reservation = p;
  m->reservation_size = RESERVATION_SIZE;
  m->obj.base = p;
  return true;
}

/* A 64-bit memory's reservation, which bounds what it may grow to
 * (m->max_pages: the declared maximum or 2^48 before, what was reserved
 * after). A memory of no pages still maps one, for a base of its own. */
static bool reserve64(wasmaot_memory *m, uint64_t min_pages, char *err,
                      size_t errlen) {
  uint64_t want = MEMORY64_RESERVATION / WASM_PAGE_SIZE;
  if (m->max_pages < want)
    want = m->max_pages;
  if (want < min_pages)
    want = min_pages;
  void *p = MAP_FAILED;
  /* Beyond any host's address space; also keeps the byte count below 2^64. */
  if (min_pages <= (1ull << 48) / WASM_PAGE_SIZE) {
    for (;;) {
      p = map_reservation(want ? want * WASM_PAGE_SIZE : WASM_PAGE_SIZE);
      if (p != MAP_FAILED || want <= min_pages)
        break;
      want = want / 2 > min_pages ? want / 2 : min_pages;
    }
  }
  if (p == MAP_FAILED)
    return rt_fail(err, errlen,
                   "cannot reserve %llu pages of address space for a 64-bit "
                   "linear memory",
                   (unsigned long long)min_pages);
  m->reservation = p;
  m->reservation_size = want ? want * WASM_PAGE_SIZE : WASM_PAGE_SIZE;
  m->obj.base = p;
  m->max_pages = want;
  return true;
}

static bool make_accessible(wasmaot_memory *m, uint64_t from, uint64_t to) {
  if (to == from)
    return true;
  return mprotect(m->reservation + from, to - from, PROT_READ | PROT_WRITE) ==
         0;
}

static void destroy(wasmaot_memory *m) {
  rt_engine_memory_uncharge(m->engine, m->obj.size_bytes);
  if (m->reservation) {
    addr_range_set_remove(&m->engine->reservations, (uintptr_t)m->reservation,
                          m);
    munmap(m->reservation, m->reservation_size);
  }
  pthread_mutex_destroy(&m->grow_lock);
  rt_wait_queue_destroy(&m->waiters);
  free(m);
}

wasmaot_memory *rt_memory_create(wasmaot_engine *e, const wasm_memtype *type,
                                 char *err, size_t errlen) {
  uint64_t min_pages = type->limits.min, max_pages = type->limits.max;
  bool has_max = type->limits.has_max, shared = type->shared;
  uint64_t limit = type->is64 ? MAX_PAGES64 : MAX_PAGES;
  if (min_pages > limit || (has_max && max_pages > limit)) {
    rt_fail(err, errlen,
            type->is64 ? "memory size must be at most 2^48 pages"
                       : "memory size must be at most 65536 pages (4GiB)");
    return NULL;
  }
  if (shared && !has_max) {
    rt_fail(err, errlen, "shared memory must have maximum");
    return NULL;
  }
  wasmaot_memory *m = calloc(1, sizeof *m);
  if (!m || pthread_mutex_init(&m->grow_lock, NULL) != 0) {
    free(m);
    rt_fail(err, errlen, "out of memory");
    return NULL;
  }
  if (!rt_wait_queue_init(&m->waiters)) {
    pthread_mutex_destroy(&m->grow_lock);
    free(m);
    rt_fail(err, errlen, "out of memory");
    return NULL;
  }
  m->shared = shared;
  m->is64 = type->is64;
  atomic_init(&m->refs, 1);
  m->engine = e;
  m->has_max = has_max;
  m->declared_max = max_pages;
  m->max_pages = has_max ? max_pages : limit;
  if (!(type->is64 ? reserve64(m, min_pages, err, errlen)
                   : reserve(m, err, errlen))) {
    destroy(m);
    return NULL;
  }
  if (!addr_range_set_add(&e->reservations, (uintptr_t)m->reservation,
                          (uintptr_t)m->reservation + m->reservation_size, m)) {
    munmap(m->reservation, m->reservation_size);
    m->reservation = NULL;
    destroy(m);
    rt_fail(err, errlen, "out of memory");
    return NULL;
  }
  if (!rt_engine_memory_charge(e, min_pages * WASM_PAGE_SIZE)) {
    rt_fail(err, errlen,
            "%llu pages of linear memory exceed the engine's memory limit "
            "(%llu bytes)",
            (unsigned long long)min_pages, (unsigned long long)e->memory_limit);
    destroy(m);
    return NULL;
  }
  m->obj.size_bytes = min_pages * WASM_PAGE_SIZE;
  if (!make_accessible(m, 0, min_pages * WASM_PAGE_SIZE)) {
    rt_fail(err, errlen, "cannot commit %llu pages of linear memory: %s",
            (unsigned long long)min_pages, strerror(errno));
    destroy(m);
    return NULL;
  }
  return m;
}

void rt_memory_retain(wasmaot_memory *m) {
  atomic_fetch_add(&m->refs, 1);
}

void rt_memory_release(wasmaot_memory *m) {
  if (m && atomic_fetch_sub(&m->refs, 1) == 1)
    destroy(m);
}

int64_t rt_memory_grow(wasmaot_memory *m, uint64_t delta_pages) {
  pthread_mutex_lock(&m->grow_lock);
  uint64_t old = rt_memory_pages(m);
  int64_t result = -1;
  uint64_t delta_bytes = delta_pages * WASM_PAGE_SIZE;
  if (delta_pages <= m->max_pages - old &&
      rt_engine_memory_charge(m->engine, delta_bytes)) {
    if (make_accessible(m, old * WASM_PAGE_SIZE,
                        (old + delta_pages) * WASM_PAGE_SIZE)) {
      atomic_store_explicit((_Atomic uint64_t *)&m->obj.size_bytes,
                            (old + delta_pages) * WASM_PAGE_SIZE,
                            memory_order_release);
      result = (int64_t)old;
    } else {
      rt_engine_memory_uncharge(m->engine, delta_bytes);
    }
  }
  pthread_mutex_unlock(&m->grow_lock);
  return result;
}

/* ---- Public API ---------------------------------------------------------- */

static wasmaot_memory *memory_new(wasmaot_engine *engine, uint64_t min_pages,
                                  bool has_max, uint64_t max_pages, bool shared,
                                  bool is64) {
  if (has_max && max_pages < min_pages)
    return NULL;
  wasm_memtype type = {.limits = {min_pages, max_pages, has_max},
                       .shared = shared,
                       .is64 = is64};
  return rt_memory_create(engine, &type, NULL, 0);
}

wasmaot_memory *wasmaot_memory_new(wasmaot_engine *engine, uint32_t min_pages,
                                   bool has_max, uint32_t max_pages) {
  return memory_new(engine, min_pages, has_max, max_pages, false, false);
}

wasmaot_memory *wasmaot_memory_new64(wasmaot_engine *engine, uint64_t min_pages,
                                     bool has_max, uint64_t max_pages) {
  return memory_new(engine, min_pages, has_max, max_pages, false, true);
}

wasmaot_memory *wasmaot_memory_new_shared(wasmaot_engine *engine,
                                          uint32_t min_pages,
                                          uint32_t max_pages) {
  return memory_new(engine, min_pages, true, max_pages, true, false);
}

bool wasmaot_memory_is64(const wasmaot_memory *memory) {
  return memory->is64;
}

bool wasmaot_memory_is_shared(const wasmaot_memory *memory) {
  return memory->shared;
}

void wasmaot_memory_free(wasmaot_memory *memory) {
  rt_memory_release(memory);
}

uint8_t *wasmaot_memory_data(const wasmaot_memory *memory) {
  return memory->obj.base;
}

uint64_t wasmaot_memory_size(const wasmaot_memory *memory) {
  return memory->obj.size_bytes;
}

int64_t wasmaot_memory_grow(wasmaot_memory *memory, uint32_t delta_pages) {
  return rt_memory_grow(memory, delta_pages);
}
