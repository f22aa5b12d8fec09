/* Linear memories: reservation, growth by mprotect, limits, and a fault in
 * the guard region outside Wasm code still crashing the process. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "crash_status.h"
#include "runtime.h"

#define PAGE 65536u

static int setup_engine(void **state) {
  *state = wasmaot_engine_new();
  return *state ? 0 : -1;
}

static int teardown_engine(void **state) {
  wasmaot_engine_free(*state);
  return 0;
}

static void test_initial_pages_are_zero_and_writable(void **state) {
  wasmaot_memory *m = wasmaot_memory_new(*state, 2, false, 0);
  assert_non_null(m);
  uint8_t *base = wasmaot_memory_data(m);
  assert_int_equal(wasmaot_memory_size(m), 2 * PAGE);
  assert_int_equal(base[0], 0);
  assert_int_equal(base[2 * PAGE - 1], 0);
  base[2 * PAGE - 1] = 7;
  assert_int_equal(base[2 * PAGE - 1], 7);
  wasmaot_memory_free(m);
}

static void test_grow_keeps_base_and_contents(void **state) {
  wasmaot_memory *m = wasmaot_memory_new(*state, 1, true, 4);
  uint8_t *base = wasmaot_memory_data(m);
  base[10] = 99;
  assert_int_equal(wasmaot_memory_grow(m, 2), 1);
  assert_ptr_equal(wasmaot_memory_data(m), base);
  assert_int_equal(base[10], 99);
  assert_int_equal(base[3 * PAGE - 1], 0);
  base[3 * PAGE - 1] = 1;
  assert_int_equal(wasmaot_memory_size(m), 3 * PAGE);
  wasmaot_memory_free(m);
}

static void test_grow_honours_max(void **state) {
  wasmaot_memory *m = wasmaot_memory_new(*state, 1, true, 2);
  assert_int_equal(wasmaot_memory_grow(m, 2), -1);
  assert_int_equal(wasmaot_memory_size(m), PAGE);
  assert_int_equal(wasmaot_memory_grow(m, 1), 1);
  assert_int_equal(wasmaot_memory_grow(m, 1), -1);
  assert_int_equal(wasmaot_memory_grow(m, 0), 2);
  wasmaot_memory_free(m);
}

static void test_grow_to_4gib_without_max(void **state) {
  wasmaot_memory *m = wasmaot_memory_new(*state, 0, false, 0);
  assert_int_equal(wasmaot_memory_size(m), 0);
  assert_int_equal(wasmaot_memory_grow(m, 65536), 0);
  assert_int_equal(wasmaot_memory_size(m), 65536ull * PAGE);
  assert_int_equal(wasmaot_memory_grow(m, 1), -1);
  wasmaot_memory_free(m);
}

/* The engine-wide cap (what a container's memory limit becomes) counts
 * every memory together, refuses growth past it like a memory maximum,
 * and gives the bytes back when a memory goes. */
static void test_engine_memory_limit(void **state) {
  (void)state;
  wasmaot_engine *e = wasmaot_engine_new();
  assert_non_null(e);
  wasmaot_engine_set_memory_limit(e, 4 * PAGE);
  char err[160];
  wasm_memtype five = {.limits = {5, 0, false}};
  assert_null(rt_memory_create(e, &five, err, sizeof err));
  assert_non_null(strstr(err, "memory limit"));
  assert_int_equal(wasmaot_engine_memory_used(e), 0);
  wasmaot_memory *a = wasmaot_memory_new(e, 1, false, 0);
  wasmaot_memory *b = wasmaot_memory_new(e, 2, false, 0);
  assert_non_null(a);
  assert_non_null(b);
  assert_int_equal(wasmaot_engine_memory_used(e), 3 * PAGE);
  assert_int_equal(wasmaot_memory_grow(a, 2), -1);
  assert_int_equal(wasmaot_memory_size(a), PAGE);
  assert_int_equal(wasmaot_memory_grow(a, 1), 1);
  assert_int_equal(wasmaot_memory_grow(b, 1), -1);
  wasmaot_memory_free(a);
  assert_int_equal(wasmaot_engine_memory_used(e), 2 * PAGE);
  assert_int_equal(wasmaot_memory_grow(b, 2), 2);
  assert_int_equal(wasmaot_engine_memory_used(e), 4 * PAGE);
  wasmaot_memory_free(b);
  assert_int_equal(wasmaot_engine_memory_used(e), 0);
  wasmaot_engine_free(e);
}

static void test_limits_beyond_4gib_are_refused(void **state) {
  char err[128];
  wasm_memtype big_min = {.limits = {65537, 0, false}};
  assert_null(rt_memory_create(*state, &big_min, err, sizeof err));
  assert_non_null(strstr(err, "65536 pages"));
  wasm_memtype big_max = {.limits = {1, 70000, true}};
  assert_null(rt_memory_create(*state, &big_max, err, sizeof err));
  assert_null(wasmaot_memory_new(*state, 3, true, 2));
}

/* memory64: no 4 GiB limit; the reservation (the declared maximum here)
 * bounds growth, which may pass 4 GiB, and the base never moves. */
static void test_memory64_grows_past_4gib(void **state) {
  wasmaot_engine *e = *state;
  wasmaot_memory *m = wasmaot_memory_new64(e, 1, true, 65536 + 16);
  assert_non_null(m);
  assert_true(wasmaot_memory_is64(m));
  uint8_t *base = wasmaot_memory_data(m);
  assert_int_equal(wasmaot_memory_grow(m, 65536), 1);
  assert_int_equal(wasmaot_memory_size(m), (65536ull + 1) * PAGE);
  base[(65536ull + 1) * PAGE - 1] = 7; /* the last byte, past 4 GiB */
  assert_int_equal(wasmaot_memory_grow(m, 16), -1); /* past the maximum */
  assert_ptr_equal(wasmaot_memory_data(m), base);
  wasmaot_memory_free(m);
  /* No maximum: 64 GiB reserved, so 2^20 pages (64 GiB) is the most. */
  m = wasmaot_memory_new64(e, 0, false, 0);
  assert_non_null(m);
  assert_int_equal(rt_memory_grow(m, (1ull << 20) + 1), -1);
  assert_int_equal(rt_memory_grow(m, UINT64_MAX), -1);
  wasmaot_memory_free(m);
  char err[128];
  wasm_memtype too_big = {.limits = {(1ull << 48) + 1, 0, false}, .is64 = true};
  assert_null(rt_memory_create(e, &too_big, err, sizeof err));
}

static void test_reservation_is_registered(void **state) {
  wasmaot_engine *e = *state;
  wasmaot_memory *m = wasmaot_memory_new(e, 1, false, 0);
  uintptr_t base = (uintptr_t)wasmaot_memory_data(m);
  addr_range r;
  /* The whole 8 GiB plus guard, not only the accessible part. */
  assert_true(addr_range_set_find(&e->reservations, base + (8ull << 30), &r));
  assert_ptr_equal(r.owner, m);
  assert_false(addr_range_set_find(&e->reservations, base - 1, &r));
  wasmaot_memory_free(m);
  assert_false(addr_range_set_find(&e->reservations, base, &r));
}

/* Runs `body` in a child process; returns its wait status. */
static int run_in_child(void (*body)(wasmaot_engine *), wasmaot_engine *e) {
  pid_t pid = fork();
  if (pid == 0) {
    body(e);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

static void touch_guard_outside_wasm(wasmaot_engine *e) {
  char err[128];
  wasmaot_memory *m = wasmaot_memory_new(e, 1, false, 0);
  if (!rt_thread_prepare(err, sizeof err)) /* installs the handler */
    _exit(3);
  volatile uint8_t *p = wasmaot_memory_data(m) + 2 * PAGE;
  *p = 1;
}

static void test_guard_fault_outside_wasm_crashes(void **state) {
  int status = run_in_child(touch_guard_outside_wasm, *state);
  assert_true(crashed_with_segv(status));
}

static void previous_handler(int sig, siginfo_t *info, void *ctx) {
  (void)info;
  (void)ctx;
  _exit(sig == SIGSEGV ? 42 : 43);
}

/* A handler installed before ours still sees the faults that are not
 * Wasm traps. */
static void fault_with_previous_handler(wasmaot_engine *e) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = previous_handler;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  touch_guard_outside_wasm(e);
}

static void test_fault_goes_to_previous_handler(void **state) {
  int status = run_in_child(fault_with_previous_handler, *state);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 42);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_initial_pages_are_zero_and_writable),
      cmocka_unit_test(test_grow_keeps_base_and_contents),
      cmocka_unit_test(test_grow_honours_max),
      cmocka_unit_test(test_grow_to_4gib_without_max),
      cmocka_unit_test(test_engine_memory_limit),
      cmocka_unit_test(test_limits_beyond_4gib_are_refused),
      cmocka_unit_test(test_memory64_grows_past_4gib),
      cmocka_unit_test(test_reservation_is_registered),
      cmocka_unit_test(test_guard_fault_outside_wasm_crashes),
      cmocka_unit_test(test_fault_goes_to_previous_handler),
  };
  return cmocka_run_group_tests(tests, setup_engine, teardown_engine);
}
