/* memory.atomic.wait32/wait64 and memory.atomic.notify: the wait queue of
 * a memory and the runtime helpers behind the instructions.
 *
 * Every memory has one queue (rt_wait_queue in runtime.h): a mutex and a
 * FIFO list of waiters, each a node on the waiting thread's stack with a
 * condition variable of its own. wait compares the value with the expected
 * one while it holds the queue's lock and enqueues itself before letting
 * go of it; notify takes the same lock, so a notify that follows the
 * store that changed the value cannot slip between the comparison and the
 * enqueue (no lost wake-ups). notify wakes the oldest waiters on that
 * address first, as the proposal asks, and unlinks them itself, so a
 * woken waiter is never counted twice.
 *
 * One lock per memory, not per address: waits are rare and brief to set
 * up next to the sleep itself, and a hash of queues can come when a
 * program shows the lock contended. The queue belongs to the memory, so
 * every instance that imports a shared memory (one per wasi-thread) meets
 * the same waiters, and nothing here is process-wide. */
#include <errno.h>
#include <stdatomic.h>
#include <time.h>

#include "runtime.h"

#define CALL_SITE() ((uintptr_t)__builtin_return_address(0) - 1)

enum { WAIT_WOKEN = 0, WAIT_NOT_EQUAL = 1, WAIT_TIMED_OUT = 2 };

bool rt_wait_queue_init(rt_wait_queue *q) {
  q->head = q->tail = NULL;
  return pthread_mutex_init(&q->lock, NULL) == 0;
}

void rt_wait_queue_destroy(rt_wait_queue *q) {
  pthread_mutex_destroy(&q->lock);
}

static void unlink_waiter(rt_wait_queue *q, rt_waiter *w) {
  if (w->prev)
    w->prev->next = w->next;
  else
    q->head = w->next;
  if (w->next)
    w->next->prev = w->prev;
  else
    q->tail = w->prev;
  w->next = w->prev = NULL;
}

static void append_waiter(rt_wait_queue *q, rt_waiter *w) {
  w->next = NULL;
  w->prev = q->tail;
  if (q->tail)
    q->tail->next = w;
  else
    q->head = w;
  q->tail = w;
}

/* The absolute CLOCK_MONOTONIC deadline `ns` from now. */
static struct timespec deadline_after(int64_t ns) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  int64_t sec = ns / 1000000000, rem = ns % 1000000000;
  t.tv_sec += (time_t)sec;
  t.tv_nsec += (long)rem;
  if (t.tv_nsec >= 1000000000) {
    t.tv_sec++;
    t.tv_nsec -= 1000000000;
  }
  return t;
}

/* Sleeps until notified or until timeout_ns (< 0: forever) has passed. */
static int sleep_on(rt_wait_queue *q, uint64_t addr, int64_t timeout_ns) {
  rt_waiter w = {.addr = addr};
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&w.cond, &attr);
  pthread_condattr_destroy(&attr);
  append_waiter(q, &w);
  struct timespec deadline = {0};
  if (timeout_ns >= 0)
    deadline = deadline_after(timeout_ns);
  int rc = 0;
  while (!w.woken && rc != ETIMEDOUT) {
    if (timeout_ns < 0)
      pthread_cond_wait(&w.cond, &q->lock);
    else
      rc = pthread_cond_timedwait(&w.cond, &q->lock, &deadline);
  }
  if (!w.woken)
    unlink_waiter(q, &w);
  pthread_cond_destroy(&w.cond);
  return w.woken ? WAIT_WOKEN : WAIT_TIMED_OUT;
}

/* Bounds first, then alignment, as the spec orders the checks. */
static void check_address(const wasmaot_memory *m, uint64_t addr, uint64_t size,
                          uintptr_t site) {
  if (addr + size > m->obj.size_bytes)
    rt_trap_raise(WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS, site);
  if (addr & (size - 1))
    rt_trap_raise(WASMAOT_TRAP_UNALIGNED_ATOMIC, site);
}

static uint32_t wait_on(wasmaot_memory *m, uint64_t addr, uint64_t expected,
                        bool wide, int64_t timeout_ns, uintptr_t site) {
  check_address(m, addr, wide ? 8 : 4, site);
  if (!m->shared)
    rt_trap_raise(WASMAOT_TRAP_EXPECTED_SHARED_MEMORY, site);
  rt_wait_queue *q = &m->waiters;
  pthread_mutex_lock(&q->lock);
  uint64_t value;
  if (wide)
    value = atomic_load((_Atomic uint64_t *)(m->obj.base + addr));
  else
    value = atomic_load((_Atomic uint32_t *)(m->obj.base + addr));
  int result =
      value != expected ? WAIT_NOT_EQUAL : sleep_on(q, addr, timeout_ns);
  pthread_mutex_unlock(&q->lock);
  return (uint32_t)result;
}

uint32_t rt_atomic_notify(wasmaot_memory *m, uint64_t addr, uint32_t count) {
  rt_wait_queue *q = &m->waiters;
  uint32_t woken = 0;
  pthread_mutex_lock(&q->lock);
  for (rt_waiter *w = q->head; w && woken < count;) {
    rt_waiter *next = w->next;
    if (w->addr == addr) {
      unlink_waiter(q, w);
      w->woken = true;
      pthread_cond_signal(&w->cond);
      woken++;
    }
    w = next;
  }
  pthread_mutex_unlock(&q->lock);
  return woken;
}

/* ---- The helpers (artifact_format.h) ------------------------------------ */

uint32_t rt_helper_atomic_notify(void *vmctx, uint32_t mem, uint64_t addr,
                                 uint32_t count) {
  wasmaot_memory *m = rt_instance_of_vmctx(vmctx)->memories[mem];
  check_address(m, addr, 4, CALL_SITE());
  /* An unshared memory has no other agent to wake. */
  return m->shared ? rt_atomic_notify(m, addr, count) : 0;
}

uint32_t rt_helper_atomic_wait32(void *vmctx, uint32_t mem, uint64_t addr,
                                 uint32_t expected, int64_t timeout_ns) {
  wasmaot_memory *m = rt_instance_of_vmctx(vmctx)->memories[mem];
  return wait_on(m, addr, expected, false, timeout_ns, CALL_SITE());
}

uint32_t rt_helper_atomic_wait64(void *vmctx, uint32_t mem, uint64_t addr,
                                 uint64_t expected, int64_t timeout_ns) {
  wasmaot_memory *m = rt_instance_of_vmctx(vmctx)->memories[mem];
  return wait_on(m, addr, expected, true, timeout_ns, CALL_SITE());
}
