/* End to end: artifacts compiled from the .wat fixtures beside this file
 * are loaded, linked, instantiated and called through the public API.
 *
 * Usage: test_loader_instance DIR, where DIR holds basic.so, exporter.so,
 * importer.so, segfail.so and starttrap.so. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "wasmaot.h"

static const char *artifact_dir;

static char *artifact_path(const char *name) {
  static char path[4096];
  snprintf(path, sizeof path, "%s/%s.so", artifact_dir, name);
  return path;
}

/* ---- Host side ---------------------------------------------------------- */

typedef struct host {
  wasmaot_engine *engine;
  wasmaot_func *add1, *fail;
  wasmaot_global *g;
  wasmaot_instance *exporter; /* resolves module "ex" */
} host;

static int32_t host_add1(void *env, int32_t x) {
  (void)env;
  return x + 1;
}

static void host_fail(void *env, int32_t code) {
  int *calls = env;
  ++*calls;
  if (code != 0)
    wasmaot_trap_raise("host says no");
}

static bool name_is(const char *s, size_t len, const char *want) {
  return len == strlen(want) && memcmp(s, want, len) == 0;
}

static bool resolve(void *ctx, const wasmaot_import_ref *imp,
                    wasmaot_extern *out) {
  host *h = ctx;
  if (name_is(imp->module, imp->module_len, "ex") && h->exporter)
    return wasmaot_instance_export(h->exporter, imp->name, imp->name_len, out);
  if (!name_is(imp->module, imp->module_len, "host"))
    return false;
  if (name_is(imp->name, imp->name_len, "add1")) {
    *out = (wasmaot_extern){.kind = WASMAOT_EXTERN_FUNC, .of.func = h->add1};
    return true;
  }
  if (name_is(imp->name, imp->name_len, "fail")) {
    *out = (wasmaot_extern){.kind = WASMAOT_EXTERN_FUNC, .of.func = h->fail};
    return true;
  }
  if (name_is(imp->name, imp->name_len, "g")) {
    *out = (wasmaot_extern){.kind = WASMAOT_EXTERN_GLOBAL, .of.global = h->g};
    return true;
  }
  return false;
}

static int fail_calls;

static int setup_host(void **state) {
  host *h = calloc(1, sizeof *h);
  h->engine = wasmaot_engine_new();
  wasmaot_valkind i32 = WASMAOT_I32;
  h->add1 =
      wasmaot_func_new(h->engine, &i32, 1, &i32, 1, (void *)host_add1, NULL);
  h->fail = wasmaot_func_new(h->engine, &i32, 1, NULL, 0, (void *)host_fail,
                             &fail_calls);
  wasmaot_val v = {.kind = WASMAOT_I32, .of.i32 = 1234};
  h->g = wasmaot_global_new(h->engine, false, &v);
  assert_non_null(h->add1);
  assert_non_null(h->fail);
  assert_non_null(h->g);
  *state = h;
  return 0;
}

static int teardown_host(void **state) {
  host *h = *state;
  wasmaot_instance_free(h->exporter);
  wasmaot_func_free(h->add1);
  wasmaot_func_free(h->fail);
  wasmaot_global_free(h->g);
  wasmaot_engine_free(h->engine);
  free(h);
  return 0;
}

static wasmaot_module *load(host *h, const char *name) {
  char err[512];
  wasmaot_module *m =
      wasmaot_module_load(h->engine, artifact_path(name), err, sizeof err);
  if (!m)
    fail_msg("load %s: %s", name, err);
  return m;
}

static wasmaot_instance *instantiate(host *h, const char *name) {
  wasmaot_module *m = load(h, name);
  char err[512];
  wasmaot_trap trap;
  wasmaot_instance *inst =
      wasmaot_instantiate(m, resolve, h, &trap, err, sizeof err);
  wasmaot_module_free(m); /* the instance keeps it */
  if (!inst)
    fail_msg("instantiate %s: %s", name, err);
  return inst;
}

static wasmaot_func *export_func(wasmaot_instance *inst, const char *name) {
  wasmaot_extern e;
  assert_true(wasmaot_instance_export(inst, name, strlen(name), &e));
  assert_int_equal(e.kind, WASMAOT_EXTERN_FUNC);
  return e.of.func;
}

static wasmaot_val i32v(int32_t v) {
  return (wasmaot_val){.kind = WASMAOT_I32, .of.i32 = v};
}

/* Calls an (i32...) -> i32? export; returns false on a trap. */
static bool call_i32(wasmaot_instance *inst, const char *name, int nargs,
                     int32_t a, int32_t b, int32_t c, int32_t *result,
                     wasmaot_trap *trap) {
  wasmaot_func *f = export_func(inst, name);
  wasmaot_val args[3] = {i32v(a), i32v(b), i32v(c)};
  const wasmaot_valkind *p, *r;
  uint32_t np, nr;
  wasmaot_func_signature(f, &p, &np, &r, &nr);
  wasmaot_val res[1];
  bool ok = wasmaot_call(f, args, (size_t)nargs, res, nr, trap);
  if (ok && nr == 1)
    *result = res[0].of.i32;
  return ok;
}

static int32_t must_call(wasmaot_instance *inst, const char *name, int nargs,
                         int32_t a, int32_t b, int32_t c) {
  wasmaot_trap trap;
  int32_t r = 0;
  if (!call_i32(inst, name, nargs, a, b, c, &r, &trap))
    fail_msg("%s trapped: %s", name, trap.message);
  return r;
}

static wasmaot_trap must_trap(wasmaot_instance *inst, const char *name,
                              int nargs, int32_t a, int32_t b, int32_t c) {
  wasmaot_trap trap;
  int32_t r;
  if (call_i32(inst, name, nargs, a, b, c, &r, &trap))
    fail_msg("%s did not trap", name);
  return trap;
}

/* ---- Tests --------------------------------------------------------------- */

static void test_calls_and_results(void **state) {
  host *h = *state;
  wasmaot_instance *inst = instantiate(h, "basic");
  assert_int_equal(must_call(inst, "square", 1, 12, 0, 0), 144);
  assert_int_equal(must_call(inst, "divide", 2, -9, 2, 0), -4);
  assert_int_equal(must_call(inst, "call_add1", 1, 41, 0, 0), 42);
  assert_int_equal(must_call(inst, "counter_from_host", 0, 0, 0, 0), 1234);
  /* Active data at 16, element segment at 1..2. */
  assert_int_equal(must_call(inst, "load", 1, 16, 0, 0), 0x6c6c6568);
  assert_int_equal(must_call(inst, "call_indirect", 2, 5, 1, 0), 25);

  wasmaot_val arg = {.kind = WASMAOT_I64, .of.i64 = -77};
  wasmaot_val res[3];
  wasmaot_trap trap;
  assert_true(wasmaot_call(export_func(inst, "pair"), &arg, 1, res, 3, &trap));
  assert_int_equal(res[0].of.i32, -1);
  assert_int_equal(res[1].of.i64, -77);
  assert_true(res[2].of.f64 == 2.5);

  wasmaot_val fargs[2] = {{.kind = WASMAOT_F32, .of.f32 = 1.5f},
                          {.kind = WASMAOT_F64, .of.f64 = 0.25}};
  assert_true(wasmaot_call(export_func(inst, "fadd"), fargs, 2, res, 1, &trap));
  assert_true(res[0].of.f64 == 1.75);

  /* Wrong argument kinds are refused before entering Wasm. */
  assert_false(
      wasmaot_call(export_func(inst, "fadd"), fargs + 1, 1, res, 1, &trap));
  assert_int_equal(trap.kind, WASMAOT_TRAP_NONE);
  wasmaot_instance_free(inst);
}

static void test_exported_globals(void **state) {
  host *h = *state;
  wasmaot_instance *inst = instantiate(h, "basic");
  wasmaot_extern e;
  wasmaot_val v;
  assert_true(wasmaot_instance_export(inst, "big", 3, &e));
  assert_int_equal(e.kind, WASMAOT_EXTERN_GLOBAL);
  wasmaot_global_get(e.of.global, &v);
  assert_int_equal(v.kind, WASMAOT_I64);
  assert_true(v.of.i64 == 0x123456789);
  assert_false(wasmaot_global_set(e.of.global, &v)); /* immutable */
  assert_true(wasmaot_instance_export(inst, "counter", 7, &e));
  v = i32v(5);
  assert_true(wasmaot_global_set(e.of.global, &v));
  wasmaot_global_get(e.of.global, &v);
  assert_int_equal(v.of.i32, 5);
  assert_false(wasmaot_instance_export(inst, "nope", 4, &e));
  wasmaot_instance_free(inst);
}

static void test_traps(void **state) {
  host *h = *state;
  wasmaot_instance *inst = instantiate(h, "basic");
  wasmaot_trap t = must_trap(inst, "boom", 0, 0, 0, 0);
  assert_int_equal(t.kind, WASMAOT_TRAP_UNREACHABLE);
  assert_string_equal(t.message, "unreachable");
  assert_string_equal(t.func_name, "boom");

  t = must_trap(inst, "divide", 2, 1, 0, 0);
  assert_int_equal(t.kind, WASMAOT_TRAP_INT_DIV_BY_ZERO);
  assert_string_equal(t.func_name, "divide");
  t = must_trap(inst, "divide", 2, INT32_MIN, -1, 0);
  assert_int_equal(t.kind, WASMAOT_TRAP_INT_OVERFLOW);

  t = must_trap(inst, "call_indirect", 2, 5, 2, 0);
  assert_int_equal(t.kind, WASMAOT_TRAP_INDIRECT_CALL_TYPE);
  t = must_trap(inst, "call_indirect", 2, 5, 0, 0);
  assert_int_equal(t.kind, WASMAOT_TRAP_UNINITIALIZED_ELEMENT);
  t = must_trap(inst, "call_indirect", 2, 5, 4, 0);
  assert_int_equal(t.kind, WASMAOT_TRAP_UNDEFINED_ELEMENT);

  t = must_trap(inst, "recurse", 1, 0, 0, 0);
  assert_int_equal(t.kind, WASMAOT_TRAP_STACK_EXHAUSTED);

  /* The instance and the process are fine after all that. */
  assert_int_equal(must_call(inst, "square", 1, 3, 0, 0), 9);
  wasmaot_instance_free(inst);
}

static void test_memory_bounds_and_grow(void **state) {
  host *h = *state;
  wasmaot_instance *inst = instantiate(h, "basic");
  assert_int_equal(must_call(inst, "load", 1, 65532, 0, 0), 0);
  wasmaot_trap t = must_trap(inst, "load", 1, 65533, 0, 0);
  assert_int_equal(t.kind, WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
  assert_string_equal(t.func_name, "load");
  t = must_trap(inst, "load", 1, -1, 0, 0);
  assert_int_equal(t.kind, WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);

  /* The largest index plus the largest offset still lands in the guard. */
  wasmaot_val arg = i32v(-1), res[1];
  assert_false(
      wasmaot_call(export_func(inst, "load_offset"), &arg, 1, res, 1, &t));
  assert_int_equal(t.kind, WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);

  assert_int_equal(must_call(inst, "grow", 1, 1, 0, 0), 1);
  assert_int_equal(must_call(inst, "size", 0, 0, 0, 0), 2);
  assert_int_equal(must_call(inst, "load", 1, 65533, 0, 0), 0);
  assert_int_equal(must_call(inst, "grow", 1, 2, 0, 0), -1); /* max 3 */
  assert_int_equal(must_call(inst, "grow", 1, 1, 0, 0), 2);
  assert_int_equal(must_call(inst, "grow", 1, 0, 0, 0), 3);

  wasmaot_extern mem;
  assert_true(wasmaot_instance_export(inst, "mem", 3, &mem));
  assert_int_equal(wasmaot_memory_size(mem.of.memory), 3 * 65536);
  assert_memory_equal(wasmaot_memory_data(mem.of.memory) + 16, "hello", 5);
  wasmaot_instance_free(inst);
}

static void test_bulk_memory_and_tables(void **state) {
  host *h = *state;
  wasmaot_instance *inst = instantiate(h, "basic");
  wasmaot_extern mem;
  assert_true(wasmaot_instance_export(inst, "mem", 3, &mem));
  uint8_t *base = wasmaot_memory_data(mem.of.memory);

  must_call(inst, "fill", 3, 100, 0xab, 4);
  assert_int_equal(base[103], 0xab);
  /* Out of bounds: traps and writes nothing. */
  wasmaot_trap t = must_trap(inst, "fill", 3, 65530, 0xcd, 7);
  assert_int_equal(t.kind, WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
  assert_int_equal(base[65535], 0);

  must_call(inst, "init_later", 3, 200, 1, 3);
  assert_memory_equal(base + 200, "ORL", 3);
  t = must_trap(inst, "init_later", 3, 200, 3, 3);
  assert_int_equal(t.kind, WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
  must_call(inst, "drop_later", 0, 0, 0, 0);
  must_call(inst, "init_later", 3, 200, 0, 0); /* n = 0 is fine */
  t = must_trap(inst, "init_later", 3, 200, 0, 1);
  assert_int_equal(t.kind, WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);

  must_call(inst, "table_init", 3, 3, 0, 1);
  assert_int_equal(must_call(inst, "call_indirect", 2, 6, 3, 0), 36);
  t = must_trap(inst, "table_init", 3, 3, 0, 2);
  assert_int_equal(t.kind, WASMAOT_TRAP_TABLE_OUT_OF_BOUNDS);
  assert_int_equal(must_call(inst, "table_grow", 1, 2, 0, 0), 4);
  wasmaot_extern tab;
  assert_true(wasmaot_instance_export(inst, "tab", 3, &tab));
  assert_int_equal(wasmaot_table_size(tab.of.table), 6);
  wasmaot_instance_free(inst);
}

static void test_host_trap(void **state) {
  host *h = *state;
  wasmaot_instance *inst = instantiate(h, "basic");
  fail_calls = 0;
  must_call(inst, "call_fail", 1, 0, 0, 0);
  wasmaot_trap t = must_trap(inst, "call_fail", 1, 1, 0, 0);
  assert_int_equal(fail_calls, 2);
  assert_int_equal(t.kind, WASMAOT_TRAP_HOST);
  assert_string_equal(t.message, "host says no");
  assert_int_equal(must_call(inst, "square", 1, 4, 0, 0), 16);
  wasmaot_instance_free(inst);
}

static void test_link_errors(void **state) {
  host *h = *state;
  wasmaot_module *m = load(h, "basic");
  char err[256];
  wasmaot_trap trap;
  /* Nothing resolves. */
  host empty = {.engine = h->engine};
  assert_null(wasmaot_instantiate(m, resolve, &empty, &trap, err, sizeof err));
  assert_string_equal(err, "unknown import \"host\".\"add1\"");
  assert_int_equal(trap.kind, WASMAOT_TRAP_NONE);
  /* add1 resolved to a function of another type. */
  host wrong = *h;
  wrong.add1 = h->fail;
  assert_null(wasmaot_instantiate(m, resolve, &wrong, &trap, err, sizeof err));
  assert_non_null(
      strstr(err, "incompatible import type for \"host\".\"add1\""));
  /* A global of the wrong type. */
  wasmaot_val v = {.kind = WASMAOT_I64, .of.i64 = 1};
  wrong = *h;
  wrong.g = wasmaot_global_new(h->engine, false, &v);
  assert_null(wasmaot_instantiate(m, resolve, &wrong, &trap, err, sizeof err));
  assert_non_null(strstr(err, "incompatible import type for \"host\".\"g\""));
  wasmaot_global_free(wrong.g);
  wasmaot_module_free(m);
}

static void test_cross_instance_sharing(void **state) {
  host *h = *state;
  h->exporter = instantiate(h, "exporter");
  wasmaot_instance *imp = instantiate(h, "importer");
  /* The importer's data segment wrote into the exporter's memory. */
  assert_int_equal(must_call(h->exporter, "read", 1, 0, 0, 0), 42);
  /* bump (exporter code) + seven + the shared global. */
  assert_int_equal(must_call(imp, "seven_plus_shared", 0, 0, 0, 0), 108);
  must_call(imp, "set_shared", 1, 1000, 0, 0);
  wasmaot_extern g;
  assert_true(wasmaot_instance_export(h->exporter, "shared", 6, &g));
  wasmaot_val v;
  wasmaot_global_get(g.of.global, &v);
  assert_int_equal(v.of.i32, 1000);
  /* The importer's element went into the shared table; the exporter calls
   * it with call_indirect: one canonical signature id for both. */
  assert_int_equal(must_call(h->exporter, "call_slot", 1, 1, 0, 0), 8);
  assert_int_equal(must_call(h->exporter, "call_slot", 1, 0, 0, 0), 7);
  /* A re-exported import is the same function. */
  wasmaot_func *a = export_func(imp, "seven_again");
  wasmaot_func *b = export_func(h->exporter, "seven");
  assert_ptr_equal(wasmaot_func_ref(a), wasmaot_func_ref(b));
  assert_int_equal(must_call(imp, "seven_again", 0, 0, 0, 0), 7);
  /* The importer keeps the exporter's objects alive. */
  wasmaot_instance_free(imp);
  assert_int_equal(must_call(h->exporter, "call_slot", 1, 0, 0, 0), 7);
}

static void test_instantiation_traps_keep_writes(void **state) {
  host *h = *state;
  wasmaot_module *m = load(h, "segfail");
  char err[256];
  wasmaot_trap trap;
  assert_null(wasmaot_instantiate(m, resolve, h, &trap, err, sizeof err));
  assert_int_equal(trap.kind, WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
  assert_string_equal(err, "out of bounds memory access");
  wasmaot_module_free(m);
  /* The element and the first data segment stay written, and the element
   * (a function of the failed instance) can still be called. */
  assert_int_equal(must_call(h->exporter, "read", 1, 5, 0, 0), 0x63);
  assert_int_equal(must_call(h->exporter, "call_slot", 1, 2, 0, 0), 9);

  m = load(h, "starttrap");
  assert_null(wasmaot_instantiate(m, resolve, h, &trap, err, sizeof err));
  assert_int_equal(trap.kind, WASMAOT_TRAP_UNREACHABLE);
  assert_string_equal(trap.func_name, "start");
  wasmaot_module_free(m);
  wasmaot_extern g;
  wasmaot_val v;
  assert_true(wasmaot_instance_export(h->exporter, "shared", 6, &g));
  wasmaot_global_get(g.of.global, &v);
  assert_int_equal(v.of.i32, 555);
}

/* Host objects standing in for another instance, the way the spec
 * runner's `spectest` module does. */
typedef struct host_exporter {
  wasmaot_memory *mem;
  wasmaot_table *tab;
  wasmaot_global *shared;
  wasmaot_func *seven, *bump;
} host_exporter;

static int32_t host_seven(void *env) {
  (void)env;
  return 7;
}

static void host_bump(void *env) {
  host_exporter *x = env;
  wasmaot_val v;
  wasmaot_global_get(x->shared, &v);
  v.of.i32 += 1;
  wasmaot_global_set(x->shared, &v);
}

static bool resolve_host_exporter(void *ctx, const wasmaot_import_ref *imp,
                                  wasmaot_extern *out) {
  host_exporter *x = ctx;
  static const char *const names[] = {"mem", "tab", "shared", "seven", "bump"};
  for (int i = 0; i < 5; i++) {
    if (!name_is(imp->name, imp->name_len, names[i]))
      continue;
    switch (i) {
    case 0:
      *out = (wasmaot_extern){WASMAOT_EXTERN_MEMORY, .of.memory = x->mem};
      return true;
    case 1:
      *out = (wasmaot_extern){WASMAOT_EXTERN_TABLE, .of.table = x->tab};
      return true;
    case 2:
      *out = (wasmaot_extern){WASMAOT_EXTERN_GLOBAL, .of.global = x->shared};
      return true;
    case 3:
      *out = (wasmaot_extern){WASMAOT_EXTERN_FUNC, .of.func = x->seven};
      return true;
    default:
      *out = (wasmaot_extern){WASMAOT_EXTERN_FUNC, .of.func = x->bump};
      return true;
    }
  }
  return false;
}

static void test_host_objects_as_imports(void **state) {
  host *h = *state;
  host_exporter x;
  wasmaot_valkind i32 = WASMAOT_I32;
  wasmaot_val v = i32v(100);
  x.mem = wasmaot_memory_new(h->engine, 1, true, 2);
  x.tab = wasmaot_table_new(h->engine, WASMAOT_FUNCREF, 10, true, 20);
  x.shared = wasmaot_global_new(h->engine, true, &v);
  x.seven =
      wasmaot_func_new(h->engine, NULL, 0, &i32, 1, (void *)host_seven, NULL);
  x.bump = wasmaot_func_new(h->engine, NULL, 0, NULL, 0, (void *)host_bump, &x);

  wasmaot_module *m = load(h, "importer");
  char err[256];
  wasmaot_trap trap;
  wasmaot_instance *inst =
      wasmaot_instantiate(m, resolve_host_exporter, &x, &trap, err, sizeof err);
  wasmaot_module_free(m);
  if (!inst)
    fail_msg("instantiate: %s", err);
  assert_int_equal(wasmaot_memory_data(x.mem)[0], 42);
  wasmaot_val elem;
  assert_true(wasmaot_table_get(x.tab, 1, &elem));
  assert_non_null(elem.of.ref);
  assert_true(wasmaot_table_get(x.tab, 0, &elem));
  assert_null(elem.of.ref);
  assert_int_equal(must_call(inst, "seven_plus_shared", 0, 0, 0, 0), 108);
  must_call(inst, "set_shared", 1, 5, 0, 0);
  wasmaot_global_get(x.shared, &v);
  assert_int_equal(v.of.i32, 5);
  /* The host may free its handles: the instance keeps what it imported. */
  wasmaot_func_free(x.seven);
  wasmaot_memory_free(x.mem);
  assert_int_equal(must_call(inst, "seven_again", 0, 0, 0, 0), 7);
  wasmaot_instance_free(inst);
  wasmaot_func_free(x.bump);
  wasmaot_table_free(x.tab);
  wasmaot_global_free(x.shared);
}

/* A host memory below the import's minimum does not link. */
static void test_memory_import_limits(void **state) {
  host *h = *state;
  host_exporter x = {0};
  wasmaot_valkind i32 = WASMAOT_I32;
  wasmaot_val v = i32v(0);
  x.mem = wasmaot_memory_new(h->engine, 0, false, 0);
  x.tab = wasmaot_table_new(h->engine, WASMAOT_FUNCREF, 10, false, 0);
  x.shared = wasmaot_global_new(h->engine, true, &v);
  x.seven =
      wasmaot_func_new(h->engine, NULL, 0, &i32, 1, (void *)host_seven, NULL);
  x.bump = wasmaot_func_new(h->engine, NULL, 0, NULL, 0, (void *)host_bump, &x);
  wasmaot_module *m = load(h, "importer");
  char err[256];
  wasmaot_trap trap;
  assert_null(wasmaot_instantiate(m, resolve_host_exporter, &x, &trap, err,
                                  sizeof err));
  assert_non_null(strstr(err, "incompatible import type for \"ex\".\"mem\""));
  /* An immutable global where a mutable one is imported. */
  wasmaot_memory_free(x.mem);
  x.mem = wasmaot_memory_new(h->engine, 1, false, 0);
  wasmaot_global_free(x.shared);
  x.shared = wasmaot_global_new(h->engine, false, &v);
  assert_null(wasmaot_instantiate(m, resolve_host_exporter, &x, &trap, err,
                                  sizeof err));
  assert_non_null(strstr(err, "\"ex\".\"shared\""));
  wasmaot_module_free(m);
  wasmaot_memory_free(x.mem);
  wasmaot_table_free(x.tab);
  wasmaot_global_free(x.shared);
  wasmaot_func_free(x.seven);
  wasmaot_func_free(x.bump);
}

/* One flipped bit anywhere in the file is refused before anything runs. */
static void test_corrupt_artifact_is_refused(void **state) {
  host *h = *state;
  FILE *f = fopen(artifact_path("basic"), "rb");
  assert_non_null(f);
  static uint8_t bytes[1 << 20];
  size_t n = fread(bytes, 1, sizeof bytes, f);
  fclose(f);
  assert_true(n > 1000 && n < sizeof bytes);
  char path[] = "/tmp/wasmaot-corrupt-XXXXXX";
  size_t positions[] = {n / 3, n / 2, n - 1};
  for (size_t i = 0; i < 3; i++) {
    bytes[positions[i]] ^= 0x10;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, n), (ssize_t)n);
    close(fd);
    char err[512];
    wasmaot_module *m = wasmaot_module_load(h->engine, path, err, sizeof err);
    unlink(path);
    memcpy(path + strlen(path) - 6, "XXXXXX", 6);
    bytes[positions[i]] ^= 0x10;
    if (m)
      fail_msg("a flipped bit at %zu was accepted", positions[i]);
    assert_non_null(strstr(err, "checksum mismatch"));
  }
}

/* Instances on several threads at once, each trapping now and then:
 * activations, signal stacks and stack limits are per thread. */
typedef struct thread_run {
  host *h;
  wasmaot_module *module;
  int failures;
} thread_run;

static void *thread_body(void *arg) {
  thread_run *run = arg;
  char err[256];
  wasmaot_trap trap;
  wasmaot_instance *inst =
      wasmaot_instantiate(run->module, resolve, run->h, &trap, err, sizeof err);
  if (!inst) {
    run->failures++;
    return NULL;
  }
  for (int i = 0; i < 200; i++) {
    int32_t r = 0;
    if (!call_i32(inst, "square", 1, i, 0, 0, &r, &trap) || r != i * i)
      run->failures++;
    if (call_i32(inst, "load", 1, 70000 + i, 0, 0, &r, &trap) ||
        trap.kind != WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS)
      run->failures++;
    if (i % 50 == 0 && (call_i32(inst, "recurse", 1, 0, 0, 0, &r, &trap) ||
                        trap.kind != WASMAOT_TRAP_STACK_EXHAUSTED))
      run->failures++;
  }
  wasmaot_instance_free(inst);
  return NULL;
}

static void test_threads(void **state) {
  host *h = *state;
  enum { N = 4 };
  pthread_t threads[N];
  thread_run runs[N];
  wasmaot_module *m = load(h, "basic");
  for (int i = 0; i < N; i++) {
    runs[i] = (thread_run){.h = h, .module = m};
    assert_int_equal(pthread_create(&threads[i], NULL, thread_body, &runs[i]),
                     0);
  }
  for (int i = 0; i < N; i++) {
    pthread_join(threads[i], NULL);
    assert_int_equal(runs[i].failures, 0);
  }
  wasmaot_module_free(m);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s ARTIFACT_DIR\n", argv[0]);
    return 2;
  }
  artifact_dir = argv[1];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_calls_and_results),
      cmocka_unit_test(test_exported_globals),
      cmocka_unit_test(test_traps),
      cmocka_unit_test(test_memory_bounds_and_grow),
      cmocka_unit_test(test_bulk_memory_and_tables),
      cmocka_unit_test(test_host_trap),
      cmocka_unit_test(test_link_errors),
      cmocka_unit_test(test_host_objects_as_imports),
      cmocka_unit_test(test_memory_import_limits),
      cmocka_unit_test(test_corrupt_artifact_is_refused),
      cmocka_unit_test(test_threads),
      /* These two run in order: the second uses the first's exporter. */
      cmocka_unit_test(test_cross_instance_sharing),
      cmocka_unit_test(test_instantiation_traps_keep_writes),
  };
  return cmocka_run_group_tests(tests, setup_host, teardown_host);
}
