/* Exceptions across the embedding API (docs/exceptions.md): a tag made by
 * the host, thrown by a host function with wasmaot_throw() and caught in
 * Wasm by identity; exceptions that leave Wasm reported as traps with
 * their tag and payload; a payload that does not match the tag refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "wasmaot.h"

static const char *artifact_dir;

typedef struct host {
  wasmaot_engine *engine;
  wasmaot_tag *err;
  wasmaot_func *raise;
  bool bad_payload; /* raise throws an i64 instead of the tag's i32 */
} host;

static host the_host;

static void host_raise(void *env, int32_t v) {
  host *h = env;
  wasmaot_val payload = {.kind = WASMAOT_I32, .of.i32 = v};
  if (h->bad_payload)
    payload = (wasmaot_val){.kind = WASMAOT_I64, .of.i64 = v};
  wasmaot_throw(h->err, &payload, 1);
}

static bool name_is(const char *s, size_t len, const char *want) {
  return len == strlen(want) && memcmp(s, want, len) == 0;
}

static bool resolve(void *ctx, const wasmaot_import_ref *imp,
                    wasmaot_extern *out) {
  host *h = ctx;
  if (name_is(imp->name, imp->name_len, "err")) {
    *out = (wasmaot_extern){.kind = WASMAOT_EXTERN_TAG, .of.tag = h->err};
    return true;
  }
  if (name_is(imp->name, imp->name_len, "raise")) {
    *out = (wasmaot_extern){.kind = WASMAOT_EXTERN_FUNC, .of.func = h->raise};
    return true;
  }
  return false;
}

static wasmaot_instance *instantiate(host *h) {
  char path[4096], err[512];
  snprintf(path, sizeof path, "%s/exceptions.so", artifact_dir);
  wasmaot_module *m = wasmaot_module_load(h->engine, path, err, sizeof err);
  if (!m)
    fail_msg("load: %s", err);
  wasmaot_trap trap;
  wasmaot_instance *inst =
      wasmaot_instantiate(m, resolve, h, &trap, err, sizeof err);
  wasmaot_module_free(m);
  if (!inst)
    fail_msg("instantiate: %s", err);
  return inst;
}

static bool call1(wasmaot_instance *inst, const char *name, int32_t arg,
                  int32_t *result, wasmaot_trap *trap) {
  wasmaot_extern e;
  assert_true(wasmaot_instance_export(inst, name, strlen(name), &e));
  wasmaot_val a = {.kind = WASMAOT_I32, .of.i32 = arg}, r[1];
  const wasmaot_valkind *p, *rk;
  uint32_t np, nr;
  wasmaot_func_signature(e.of.func, &p, &np, &rk, &nr);
  bool ok = wasmaot_call(e.of.func, &a, 1, r, nr, trap);
  if (ok && nr == 1)
    *result = r[0].of.i32;
  return ok;
}

static int setup(void **state) {
  host *h = &the_host;
  memset(h, 0, sizeof *h);
  h->engine = wasmaot_engine_new();
  wasmaot_valkind i32 = WASMAOT_I32;
  h->err = wasmaot_tag_new(h->engine, &i32, 1);
  h->raise =
      wasmaot_func_new(h->engine, &i32, 1, NULL, 0, (void *)host_raise, h);
  assert_non_null(h->err);
  assert_non_null(h->raise);
  *state = h;
  return 0;
}

static int teardown(void **state) {
  host *h = *state;
  wasmaot_func_free(h->raise);
  wasmaot_tag_free(h->err);
  wasmaot_engine_free(h->engine);
  return 0;
}

static void test_host_throw_caught_in_wasm(void **state) {
  host *h = *state;
  wasmaot_instance *inst = instantiate(h);
  wasmaot_trap trap;
  int32_t r = 0;
  for (int32_t v = 1; v <= 1000; v++) {
    assert_true(call1(inst, "catch_host", v, &r, &trap));
    assert_int_equal(r, v);
  }
  wasmaot_instance_free(inst);
}

static void test_escaping_exceptions_reach_the_host(void **state) {
  host *h = *state;
  wasmaot_instance *inst = instantiate(h);
  wasmaot_trap trap;
  int32_t r;
  wasmaot_val vals[4];

  assert_false(call1(inst, "escape_host", 9, &r, &trap));
  assert_int_equal(trap.kind, WASMAOT_TRAP_EXCEPTION);
  assert_string_equal(trap.message, "uncaught exception: tag \"host\" \"err\"");
  assert_ptr_equal(trap.exception_tag, h->err);
  assert_int_equal(wasmaot_trap_exception_values(&trap, vals, 4), 1);
  assert_int_equal(vals[0].kind, WASMAOT_I32);
  assert_int_equal(vals[0].of.i32, 9);

  wasmaot_extern own;
  assert_true(wasmaot_instance_export(inst, "own", 3, &own));
  assert_int_equal(own.kind, WASMAOT_EXTERN_TAG);
  assert_false(call1(inst, "escape_own", 3, &r, &trap));
  assert_int_equal(trap.kind, WASMAOT_TRAP_EXCEPTION);
  assert_string_equal(trap.message, "uncaught exception: tag \"own\"");
  assert_ptr_equal(trap.exception_tag, own.of.tag);
  assert_int_equal(wasmaot_trap_exception_values(&trap, vals, 4), 2);
  assert_int_equal(vals[0].of.i32, 3);
  assert_int_equal(vals[1].kind, WASMAOT_I64);
  assert_int_equal(vals[1].of.i64, 77);
  /* Other traps carry no exception. */
  trap.kind = WASMAOT_TRAP_UNREACHABLE;
  assert_int_equal(wasmaot_trap_exception_values(&trap, vals, 4), 0);

  /* The instance is still usable after exceptions left it. */
  assert_true(call1(inst, "catch_host", 5, &r, &trap));
  assert_int_equal(r, 5);
  wasmaot_instance_free(inst);
}

static void test_mismatched_payload_is_a_host_trap(void **state) {
  host *h = *state;
  wasmaot_instance *inst = instantiate(h);
  wasmaot_trap trap;
  int32_t r;
  h->bad_payload = true;
  assert_false(call1(inst, "catch_host", 1, &r, &trap));
  h->bad_payload = false;
  assert_int_equal(trap.kind, WASMAOT_TRAP_HOST);
  assert_non_null(strstr(trap.message, "does not match the tag"));
  wasmaot_instance_free(inst);
}

int main(int argc, char **argv) {
  artifact_dir = argc > 1 ? argv[1] : ".";
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_host_throw_caught_in_wasm),
      cmocka_unit_test(test_escaping_exceptions_reach_the_host),
      cmocka_unit_test(test_mismatched_payload_is_a_host_trap),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
