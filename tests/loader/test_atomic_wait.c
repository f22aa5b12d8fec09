/* memory.atomic.wait32/wait64 and notify (loader/atomic_wait.c) with real
 * threads: the three results of wait, timeouts, how many notify wakes,
 * that it wakes the oldest waiter first and only waiters on its address,
 * and that every instance of a shared memory meets the same queue. The
 * helpers are called as compiled code calls them, with a vmctx whose
 * instance holds the memory. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "runtime.h"

/* Just enough of an instance for the helpers: vmctx -> instance ->
 * memories[0]. */
typedef struct fake_instance {
  wasmaot_vmctx_header vmctx;
  wasmaot_instance inst;
  wasmaot_memory *memories[1];
} fake_instance;

static void fake_init(fake_instance *f, wasmaot_memory *m) {
  memset(f, 0, sizeof *f);
  f->memories[0] = m;
  f->inst.memories = f->memories;
  f->vmctx.instance = &f->inst;
}

static size_t queued(wasmaot_memory *m) {
  size_t n = 0;
  pthread_mutex_lock(&m->waiters.lock);
  for (rt_waiter *w = m->waiters.head; w; w = w->next)
    n++;
  pthread_mutex_unlock(&m->waiters.lock);
  return n;
}

static void wait_until_queued(wasmaot_memory *m, size_t n) {
  while (queued(m) < n) {
    struct timespec t = {0, 1000000};
    nanosleep(&t, NULL);
  }
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct waiter_arg {
  fake_instance *f;
  uint64_t addr;
  int64_t timeout;
  uint32_t result;
  atomic_int done;
} waiter_arg;

static void *wait_thread(void *p) {
  waiter_arg *a = p;
  a->result = rt_helper_atomic_wait32(&a->f->vmctx, 0, a->addr, 0, a->timeout);
  atomic_store(&a->done, 1);
  return NULL;
}

static wasmaot_memory *shared_memory(void **state) {
  wasmaot_memory *m = wasmaot_memory_new_shared(*state, 1, 1);
  assert_non_null(m);
  assert_true(wasmaot_memory_is_shared(m));
  return m;
}

static void test_wait_results(void **state) {
  wasmaot_memory *m = shared_memory(state);
  fake_instance f;
  fake_init(&f, m);
  uint8_t *base = wasmaot_memory_data(m);
  memcpy(base + 8, &(uint64_t){0x1122334455667788u}, 8);
  /* Not the expected value: 1 at once, whatever the timeout. */
  assert_int_equal(rt_helper_atomic_wait32(&f.vmctx, 0, 8, 0, -1), 1);
  assert_int_equal(
      rt_helper_atomic_wait64(&f.vmctx, 0, 8, 0x1122334455667787u, -1), 1);
  /* The expected value and no notify: 2 once the timeout has passed. */
  double start = now_s();
  assert_int_equal(
      rt_helper_atomic_wait64(&f.vmctx, 0, 8, 0x1122334455667788u, 20000000),
      2);
  assert_true(now_s() - start >= 0.019);
  assert_int_equal(rt_helper_atomic_wait32(&f.vmctx, 0, 0, 0, 0), 2);
  assert_int_equal(queued(m), 0);
  /* No one waits: notify wakes no one. */
  assert_int_equal(rt_helper_atomic_notify(&f.vmctx, 0, 0, 5), 0);
  wasmaot_memory_free(m);
}

static void test_notify_counts_and_addresses(void **state) {
  wasmaot_memory *m = shared_memory(state);
  fake_instance f;
  fake_init(&f, m);
  waiter_arg args[4];
  pthread_t threads[4];
  for (int i = 0; i < 4; i++) {
    args[i] = (waiter_arg){.f = &f, .addr = i == 3 ? 16 : 0, .timeout = -1};
    assert_int_equal(pthread_create(&threads[i], NULL, wait_thread, &args[i]),
                     0);
  }
  wait_until_queued(m, 4);
  /* Two of the three on address 0, then the last; 16 is another queue
   * entry no notify on 0 touches. */
  assert_int_equal(rt_helper_atomic_notify(&f.vmctx, 0, 0, 2), 2);
  assert_int_equal(rt_helper_atomic_notify(&f.vmctx, 0, 0, 10), 1);
  assert_int_equal(rt_helper_atomic_notify(&f.vmctx, 0, 0, 10), 0);
  assert_int_equal(queued(m), 1);
  assert_int_equal(atomic_load(&args[3].done), 0);
  assert_int_equal(rt_helper_atomic_notify(&f.vmctx, 0, 16, 1), 1);
  for (int i = 0; i < 4; i++) {
    pthread_join(threads[i], NULL);
    assert_int_equal(args[i].result, 0);
  }
  wasmaot_memory_free(m);
}

static void test_notify_wakes_oldest_first(void **state) {
  wasmaot_memory *m = shared_memory(state);
  fake_instance f;
  fake_init(&f, m);
  waiter_arg first = {.f = &f, .addr = 4, .timeout = -1};
  waiter_arg second = {.f = &f, .addr = 4, .timeout = -1};
  pthread_t t1, t2;
  assert_int_equal(pthread_create(&t1, NULL, wait_thread, &first), 0);
  wait_until_queued(m, 1);
  assert_int_equal(pthread_create(&t2, NULL, wait_thread, &second), 0);
  wait_until_queued(m, 2);
  assert_int_equal(rt_helper_atomic_notify(&f.vmctx, 0, 4, 1), 1);
  pthread_join(t1, NULL);
  assert_int_equal(first.result, 0);
  assert_int_equal(atomic_load(&second.done), 0);
  assert_int_equal(queued(m), 1);
  assert_int_equal(rt_helper_atomic_notify(&f.vmctx, 0, 4, 1), 1);
  pthread_join(t2, NULL);
  assert_int_equal(second.result, 0);
  wasmaot_memory_free(m);
}

/* Two instances (two threads' vmctx) importing one shared memory: a
 * notify through one wakes a wait through the other. */
static void test_queue_belongs_to_the_memory(void **state) {
  wasmaot_memory *m = shared_memory(state);
  fake_instance a, b;
  fake_init(&a, m);
  fake_init(&b, m);
  waiter_arg w = {.f = &a, .addr = 12, .timeout = 5000000000};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, wait_thread, &w), 0);
  wait_until_queued(m, 1);
  assert_int_equal(rt_helper_atomic_notify(&b.vmctx, 0, 12, 1), 1);
  pthread_join(t, NULL);
  assert_int_equal(w.result, 0);
  wasmaot_memory_free(m);
}

static void test_shared_memory_needs_max(void **state) {
  char err[128];
  wasm_memtype unbounded = {.limits = {1, 0, false}, .shared = true};
  assert_null(rt_memory_create(*state, &unbounded, err, sizeof err));
  assert_string_equal(err, "shared memory must have maximum");
  assert_null(wasmaot_memory_new_shared(*state, 2, 1));
  /* Unshared: notify finds no one to wake. */
  wasmaot_memory *m = wasmaot_memory_new(*state, 1, false, 0);
  assert_false(wasmaot_memory_is_shared(m));
  fake_instance f;
  fake_init(&f, m);
  assert_int_equal(rt_helper_atomic_notify(&f.vmctx, 0, 0, 1), 0);
  wasmaot_memory_free(m);
}

static int setup_engine(void **state) {
  *state = wasmaot_engine_new();
  return *state ? 0 : -1;
}

static int teardown_engine(void **state) {
  wasmaot_engine_free(*state);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_wait_results, setup_engine,
                                      teardown_engine),
      cmocka_unit_test_setup_teardown(test_notify_counts_and_addresses,
                                      setup_engine, teardown_engine),
      cmocka_unit_test_setup_teardown(test_notify_wakes_oldest_first,
                                      setup_engine, teardown_engine),
      cmocka_unit_test_setup_teardown(test_queue_belongs_to_the_memory,
                                      setup_engine, teardown_engine),
      cmocka_unit_test_setup_teardown(test_shared_memory_needs_max,
                                      setup_engine, teardown_engine),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
