/* Traps without a compiler: small C functions placed in their own section
 * stand in for compiled code (the section is registered as an artifact's
 * code range), so every trap path can be driven directly — the TRAP
 * helper, host traps, faults in a memory reservation, stack exhaustion by
 * the prologue check and by the guard page — and faults that are not
 * Wasm traps still crash. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "crash_status.h"
#include "runtime.h"

#define FAKE_CODE __attribute__((section("wasmaot_fake_code"), noinline, used))
extern char __start_wasmaot_fake_code[], __stop_wasmaot_fake_code[];

typedef struct fixture {
  wasmaot_engine *engine;
  wasmaot_module *module;     /* only owns the code range */
  wasmaot_instance *instance; /* only holds vmctx */
  wasmaot_vmctx_header vmctx;
  wasmaot_memory *memory;
} fixture;

/* ---- "Compiled code" ------------------------------------------------------
 */

typedef void (*fake_fn)(void *vmctx, uint64_t *slots);
typedef void (*trap_helper)(void *vmctx, uint32_t kind);

FAKE_CODE static void fake_tramp(void *code, void *env, uint64_t *slots) {
  ((fake_fn)code)(env, slots);
}

FAKE_CODE static void fake_trap(void *vmctx, uint64_t *slots) {
  const void *const *helpers = ((wasmaot_vmctx_header *)vmctx)->helpers;
  ((trap_helper)helpers[WASMAOT_HELPER_TRAP])(vmctx, (uint32_t)slots[0]);
}

FAKE_CODE static void fake_load(void *vmctx, uint64_t *slots) {
  (void)vmctx;
  slots[0] = *(volatile uint8_t *)(uintptr_t)slots[0];
}

FAKE_CODE static void fake_add(void *vmctx, uint64_t *slots) {
  (void)vmctx;
  slots[0] = slots[0] + slots[2];
}

/* Recursion with the prologue check compiled code has. */
FAKE_CODE static uint64_t fake_checked_recursion(void *vmctx, uint64_t n) {
  volatile char marker[64];
  marker[0] = (char)n;
  if (n == UINT64_MAX) /* never: keeps the compiler from calling it endless */
    return 0;
  if ((uintptr_t)marker < ((wasmaot_vmctx_header *)vmctx)->stack_limit) {
    const void *const *helpers = ((wasmaot_vmctx_header *)vmctx)->helpers;
    ((trap_helper)helpers[WASMAOT_HELPER_TRAP])(vmctx,
                                                WASMAOT_TRAP_STACK_EXHAUSTED);
  }
  return fake_checked_recursion(vmctx, n + 1) + marker[0];
}

FAKE_CODE static void fake_recurse(void *vmctx, uint64_t *slots) {
  slots[0] = fake_checked_recursion(vmctx, 0);
}

/* Recursion without the check: only the guard page stops it. */
FAKE_CODE static uint64_t fake_unchecked_recursion(uint64_t n) {
  volatile char frame[256];
  frame[0] = (char)n;
  if (n == UINT64_MAX)
    return 0;
  return fake_unchecked_recursion(n + 1) + frame[0];
}

FAKE_CODE static void fake_overflow(void *vmctx, uint64_t *slots) {
  (void)vmctx;
  slots[0] = fake_unchecked_recursion(0);
}

/* A "host function" compiled code calls. */
static void host_raise(void) {
  wasmaot_trap_raise("host refused");
}

FAKE_CODE static void fake_call_host(void *vmctx, uint64_t *slots) {
  (void)vmctx;
  (void)slots;
  host_raise();
}

/* ---- Fixture ----------------------------------------------------------------
 */

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  f->engine = wasmaot_engine_new();
  f->module = calloc(1, sizeof *f->module);
  f->module->engine = f->engine;
  addr_range_set_add(&f->engine->code, (uintptr_t)__start_wasmaot_fake_code,
                     (uintptr_t)__stop_wasmaot_fake_code, f->module);
  f->instance = calloc(1, sizeof *f->instance);
  f->instance->engine = f->engine;
  f->instance->vmctx = (uint8_t *)&f->vmctx;
  f->vmctx.helpers = rt_helper_table;
  f->vmctx.instance = f->instance;
  f->memory = wasmaot_memory_new(f->engine, 1, false, 0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  wasmaot_memory_free(f->memory);
  addr_range_set_remove(&f->engine->code, (uintptr_t)__start_wasmaot_fake_code,
                        f->module);
  free(f->instance);
  free(f->module);
  wasmaot_engine_free(f->engine);
  free(f);
  return 0;
}

static bool invoke(fixture *f, fake_fn fn, uint64_t *slots,
                   wasmaot_trap *trap) {
  return rt_invoke(f->engine, f->instance, fake_tramp, (void *)fn, &f->vmctx,
                   slots, trap);
}

/* ---- Tests ------------------------------------------------------------------
 */

static void test_normal_return(void **state) {
  uint64_t slots[4] = {40, 0, 2, 0};
  wasmaot_trap trap;
  assert_true(invoke(*state, fake_add, slots, &trap));
  assert_int_equal(slots[0], 42);
  assert_int_equal(trap.kind, WASMAOT_TRAP_NONE);
}

static void test_trap_helper_unwinds(void **state) {
  for (uint32_t kind = 1; kind < WASMAOT_TRAP_COUNT; kind++) {
    uint64_t slots[2] = {kind, 0};
    wasmaot_trap trap;
    assert_false(invoke(*state, fake_trap, slots, &trap));
    assert_int_equal(trap.kind, kind);
    assert_string_equal(trap.message, wasmaot_trap_kind_message(kind));
  }
  uint64_t slots[4] = {1, 0, 2, 0};
  wasmaot_trap trap;
  assert_true(invoke(*state, fake_add, slots, &trap));
}

static void test_host_trap(void **state) {
  uint64_t slots[2] = {0, 0};
  wasmaot_trap trap;
  assert_false(invoke(*state, fake_call_host, slots, &trap));
  assert_int_equal(trap.kind, WASMAOT_TRAP_HOST);
  assert_string_equal(trap.message, "host refused");
}

static void test_fault_in_reservation_is_a_trap(void **state) {
  fixture *f = *state;
  uint8_t *base = wasmaot_memory_data(f->memory);
  base[5] = 77;
  uint64_t slots[2] = {(uintptr_t)(base + 5), 0};
  wasmaot_trap trap;
  assert_true(invoke(f, fake_load, slots, &trap));
  assert_int_equal(slots[0], 77);
  /* Just past the accessible page, and far into the guard. */
  uint64_t offsets[] = {65536, 0xffffffffull, 0x1fffffff0ull};
  for (size_t i = 0; i < 3; i++) {
    slots[0] = (uintptr_t)(base + offsets[i]);
    assert_false(invoke(f, fake_load, slots, &trap));
    assert_int_equal(trap.kind, WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
  }
  /* Signals work again afterwards: the mask was restored. */
  slots[0] = (uintptr_t)(base + 65536);
  assert_false(invoke(f, fake_load, slots, &trap));
}

static void test_stack_check_traps(void **state) {
  fixture *f = *state;
  uint64_t slots[2] = {0, 0};
  wasmaot_trap trap;
  assert_false(invoke(f, fake_recurse, slots, &trap));
  assert_int_equal(trap.kind, WASMAOT_TRAP_STACK_EXHAUSTED);
  assert_true(f->vmctx.stack_limit != 0);
  /* The margin leaves room below the limit for host code. */
  assert_true(f->vmctx.stack_limit - 128 * 1024 >=
              rt_thread_stack_limit() - 256 * 1024);
}

typedef struct overflow_run {
  fixture *f;
  bool returned;
  wasmaot_trap trap;
} overflow_run;

static void *overflow_thread(void *arg) {
  overflow_run *run = arg;
  uint64_t slots[2] = {0, 0};
  /* No stack limit: only the guard page below the stack catches it. */
  run->f->vmctx.stack_limit = 0;
  run->returned =
      rt_invoke(run->f->engine, NULL, fake_tramp, (void *)fake_overflow,
                &run->f->vmctx, slots, &run->trap);
  return NULL;
}

static void test_guard_page_overflow_is_a_trap(void **state) {
  overflow_run run = {.f = *state};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 512 * 1024);
  pthread_t t;
  assert_int_equal(pthread_create(&t, &attr, overflow_thread, &run), 0);
  pthread_join(t, NULL);
  pthread_attr_destroy(&attr);
  assert_false(run.returned);
  assert_int_equal(run.trap.kind, WASMAOT_TRAP_STACK_EXHAUSTED);
}

/* On the main thread the runtime finds the stack without /proc (trap.c):
 * its limit must be the one glibc's bounds give, and running off the end
 * of the stack (the kernel refuses to grow it past RLIMIT_STACK) must be
 * classified as stack exhaustion, which it is only if the bound is right
 * to the page. Above 128 MiB (or unlimited) the runtime assumes 128 MiB
 * and glibc the distance to the next mapping: nothing to compare. */
static bool stack_rlimit_is_moderate(void) {
  struct rlimit rl;
  return getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
         rl.rlim_cur <= (128u << 20);
}

static void test_main_stack_bounds_match_glibc(void **state) {
  (void)state;
  if (!stack_rlimit_is_moderate())
    skip();
  char err[128];
  assert_true(rt_thread_prepare(err, sizeof err));
  pthread_attr_t attr;
  void *addr;
  size_t size;
  assert_int_equal(pthread_getattr_np(pthread_self(), &attr), 0);
  assert_int_equal(pthread_attr_getstack(&attr, &addr, &size), 0);
  pthread_attr_destroy(&attr);
  assert_true(size >= 512 * 1024);
  assert_int_equal(rt_thread_stack_limit(), (uintptr_t)addr + 256 * 1024);
}

static void test_main_stack_overflow_is_a_trap(void **state) {
  if (!stack_rlimit_is_moderate())
    skip();
  overflow_run run = {.f = *state};
  overflow_thread(&run);
  assert_false(run.returned);
  assert_int_equal(run.trap.kind, WASMAOT_TRAP_STACK_EXHAUSTED);
}

/* A host function that re-enters Wasm: the inner trap stops at the inner
 * entry, the outer call goes on. */
static fixture *nested_fixture;
static wasmaot_trap nested_trap;

static void host_reenter(void) {
  uint64_t slots[2] = {WASMAOT_TRAP_INT_OVERFLOW, 0};
  assert_false(invoke(nested_fixture, fake_trap, slots, &nested_trap));
}

FAKE_CODE static void fake_reenter(void *vmctx, uint64_t *slots) {
  (void)vmctx;
  host_reenter();
  slots[0] = 5;
}

static void test_nested_activations(void **state) {
  nested_fixture = *state;
  uint64_t slots[2] = {0, 0};
  wasmaot_trap trap;
  assert_true(invoke(*state, fake_reenter, slots, &trap));
  assert_int_equal(slots[0], 5);
  assert_int_equal(nested_trap.kind, WASMAOT_TRAP_INT_OVERFLOW);
}

/* Not in the fake code section: a fault here is a host bug. */
static void host_load(void *vmctx, uint64_t *slots) {
  (void)vmctx;
  slots[0] = *(volatile uint8_t *)(uintptr_t)slots[0];
}

static void test_fault_outside_compiled_code_crashes(void **state) {
  fixture *f = *state;
  pid_t pid = fork();
  if (pid == 0) {
    uint64_t slots[2] = {(uintptr_t)wasmaot_memory_data(f->memory) + 65536, 0};
    wasmaot_trap trap;
    invoke(f, host_load, slots, &trap);
    _exit(0);
  }
  int status;
  waitpid(pid, &status, 0);
  assert_true(crashed_with_segv(status));
}

static void test_fault_outside_reservation_crashes(void **state) {
  fixture *f = *state;
  pid_t pid = fork();
  if (pid == 0) {
    uint64_t slots[2] = {16, 0}; /* the null page */
    wasmaot_trap trap;
    invoke(f, fake_load, slots, &trap);
    _exit(0);
  }
  int status;
  waitpid(pid, &status, 0);
  assert_true(crashed_with_segv(status));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_normal_return),
      cmocka_unit_test(test_trap_helper_unwinds),
      cmocka_unit_test(test_host_trap),
      cmocka_unit_test(test_fault_in_reservation_is_a_trap),
      cmocka_unit_test(test_stack_check_traps),
      cmocka_unit_test(test_guard_page_overflow_is_a_trap),
      cmocka_unit_test(test_main_stack_bounds_match_glibc),
      cmocka_unit_test(test_main_stack_overflow_is_a_trap),
      cmocka_unit_test(test_nested_activations),
      cmocka_unit_test(test_fault_outside_compiled_code_crashes),
      cmocka_unit_test(test_fault_outside_reservation_crashes),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
