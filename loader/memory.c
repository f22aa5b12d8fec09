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
#define RESERVATION_SIZE ((8ull << 30) + WASM_PAGE_SIZE)

static bool reserve(wasmaot_memory *m, char *err, size_t errlen) {
  void *p = mmap(NULL, RESERVATION_SIZE, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
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

wasmaot_memory *rt_memory_create(wasmaot_engine *e, uint64_t min_pages,
                                 bool has_max, uint64_t max_pages, bool shared,
                                 char *err, size_t errlen) {
  if (min_pages > MAX_PAGES || (has_max && max_pages > MAX_PAGES)) {
    rt_fail(err, errlen, "memory size must be at most 65536 pages (4GiB)");
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
  atomic_init(&m->refs, 1);
  m->engine = e;
  m->has_max = has_max;
  m->max_pages = (uint32_t)(has_max ? max_pages : MAX_PAGES);
  if (!reserve(m, err, errlen)) {
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

wasmaot_memory *wasmaot_memory_new(wasmaot_engine *engine, uint32_t min_pages,
                                   bool has_max, uint32_t max_pages) {
  if (has_max && max_pages < min_pages)
    return NULL;
  return rt_memory_create(engine, min_pages, has_max, max_pages, false, NULL,
                          0);
}

wasmaot_memory *wasmaot_memory_new_shared(wasmaot_engine *engine,
                                          uint32_t min_pages,
                                          uint32_t max_pages) {
  if (max_pages < min_pages)
    return NULL;
  return rt_memory_create(engine, min_pages, true, max_pages, true, NULL, 0);
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
