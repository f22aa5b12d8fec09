/* Data segments through the data image: bigdata.so (gen_bigdata.py) has a
 * 16 MiB segment that instantiation maps copy-on-write from the artifact.
 * Checks that memory holds exactly what copying would have produced
 * (segments applied in order, partial pages, zeros around), that the
 * mapping really happened, that instances do not share writes and the
 * file is never written, and that passive segments still work.
 *
 * Usage: test_data_image DIR, where DIR holds bigdata.so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wasmaot.h"

/* As gen_bigdata.py writes them. */
enum {
  SEG0_AT = 0x10001,
  SEG0_SIZE = 16 * 1024 * 1024 + 123,
  SEG1_AT = 0x20000,
  SEG1_SIZE = 100,
  SEG2_SIZE = 8192,
};

static uint8_t seg0_byte(uint64_t i) {
  return (uint8_t)((i % 256) * 131 + 7);
}

static char artifact[4096];

typedef struct fixture {
  wasmaot_engine *engine;
  wasmaot_module *module;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  char err[512];
  f->engine = wasmaot_engine_new();
  f->module = wasmaot_module_load(f->engine, artifact, err, sizeof err);
  if (!f->module)
    fprintf(stderr, "load: %s\n", err);
  *state = f;
  return f->module ? 0 : -1;
}

static int teardown(void **state) {
  fixture *f = *state;
  wasmaot_module_free(f->module);
  wasmaot_engine_free(f->engine);
  free(f);
  return 0;
}

static wasmaot_instance *instantiate(fixture *f) {
  wasmaot_trap trap;
  char err[512];
  wasmaot_instance *inst =
      wasmaot_instantiate(f->module, NULL, NULL, &trap, err, sizeof err);
  if (!inst)
    fail_msg("instantiate: %s", err);
  return inst;
}

static wasmaot_extern export_of(wasmaot_instance *inst, const char *name) {
  wasmaot_extern e;
  assert_true(wasmaot_instance_export(inst, name, strlen(name), &e));
  return e;
}

static uint8_t *memory_of(wasmaot_instance *inst) {
  wasmaot_extern e = export_of(inst, "mem");
  assert_int_equal(e.kind, WASMAOT_EXTERN_MEMORY);
  return wasmaot_memory_data(e.of.memory);
}

static void call(wasmaot_instance *inst, const char *name, int32_t a, int32_t b,
                 size_t nargs) {
  wasmaot_extern e = export_of(inst, name);
  assert_int_equal(e.kind, WASMAOT_EXTERN_FUNC);
  wasmaot_val args[2] = {{.kind = WASMAOT_I32, .of.i32 = a},
                         {.kind = WASMAOT_I32, .of.i32 = b}};
  wasmaot_trap trap;
  assert_true(wasmaot_call(e.of.func, args, nargs, NULL, 0, &trap));
}

/* Index of the first byte that differs from what copying the active
 * segments in order would give, or -1. */
static long first_wrong_byte(const uint8_t *mem, uint64_t size) {
  for (uint64_t a = 0; a < size; a++) {
    uint8_t want = 0;
    if (a >= SEG1_AT && a < SEG1_AT + SEG1_SIZE)
      want = 0xaa;
    else if (a >= SEG0_AT && a < SEG0_AT + (uint64_t)SEG0_SIZE)
      want = seg0_byte(a - SEG0_AT);
    if (mem[a] != want)
      return (long)a;
  }
  return -1;
}

static void test_memory_holds_the_segments(void **state) {
  fixture *f = *state;
  wasmaot_instance *inst = instantiate(f);
  wasmaot_extern mem = export_of(inst, "mem");
  uint64_t size = wasmaot_memory_size(mem.of.memory);
  assert_int_equal(size, 320u * 65536u);
  assert_int_equal(first_wrong_byte(memory_of(inst), size), -1);
  wasmaot_instance_free(inst);
}

/* The pages of segment 0 are a private mapping of the artifact file. */
static void test_segment_pages_are_mapped_from_the_artifact(void **state) {
  fixture *f = *state;
  wasmaot_instance *inst = instantiate(f);
  uintptr_t base = (uintptr_t)memory_of(inst);
  FILE *maps = fopen("/proc/self/maps", "r");
  assert_non_null(maps);
  char line[8192];
  const char *file =
      strrchr(artifact, '/') ? strrchr(artifact, '/') + 1 : artifact;
  uint64_t mapped = 0;
  while (fgets(line, sizeof line, maps)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx", &lo, &hi) != 2 || !strstr(line, file))
      continue;
    if (lo >= base && hi <= base + SEG0_AT + SEG0_SIZE)
      mapped += hi - lo;
  }
  fclose(maps);
  /* All of segment 0's whole pages (16 MiB minus the partial ends); a
   * page may be split where segment 1 was copied over it. */
  assert_true(mapped >= 16u * 1024 * 1024 - 2 * 4096);
  wasmaot_instance_free(inst);
}

static void test_writes_stay_private(void **state) {
  fixture *f = *state;
  wasmaot_instance *a = instantiate(f);
  wasmaot_instance *b = instantiate(f);
  uint32_t at = SEG0_AT + 5 * 4096 + 17;
  call(a, "store8", (int32_t)at, 0x5c, 2);
  assert_int_equal(memory_of(a)[at], 0x5c);
  assert_int_equal(memory_of(b)[at], seg0_byte(at - SEG0_AT));
  wasmaot_instance_free(a);
  wasmaot_instance_free(b);
  /* A fresh instance sees the artifact's bytes: the file was not written. */
  wasmaot_instance *c = instantiate(f);
  assert_int_equal(memory_of(c)[at], seg0_byte(at - SEG0_AT));
  wasmaot_instance_free(c);
}

static void test_passive_segment_and_grow(void **state) {
  fixture *f = *state;
  wasmaot_instance *inst = instantiate(f);
  uint32_t dst = 18u * 1024 * 1024;
  call(inst, "init2", (int32_t)dst, 0, 1);
  const uint8_t *mem = memory_of(inst);
  for (uint32_t i = 0; i < SEG2_SIZE; i++)
    if (mem[dst + i] != (uint8_t)(i * 3))
      fail_msg("memory.init byte %u is %u", i, mem[dst + i]);
  wasmaot_extern m = export_of(inst, "mem");
  assert_int_equal(wasmaot_memory_grow(m.of.memory, 16), 320);
  assert_int_equal(memory_of(inst)[SEG0_AT + 1], seg0_byte(1));
  wasmaot_instance_free(inst);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  snprintf(artifact, sizeof artifact, "%s/bigdata.so", argv[1]);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_memory_holds_the_segments),
      cmocka_unit_test(test_segment_pages_are_mapped_from_the_artifact),
      cmocka_unit_test(test_writes_stay_private),
      cmocka_unit_test(test_passive_segment_and_grow),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
