/* A good artifact: loaded by our mapper and by glibc, and shown by
 * readelf and objdump the way developers will see it. */
#include <dlfcn.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elf_test_util.h"
#include "elf_tests.h"

/* ---- calling the fixture's functions ---- */

typedef void *(*lookup_fn)(void *handle, const char *name);

static void *lookup_map(void *handle, const char *name) {
  return artifact_symbol(handle, name);
}

static void *lookup_dl(void *handle, const char *name) {
  return dlsym(handle, name);
}

static void *must_find(lookup_fn lookup, void *handle, const char *name) {
  void *p = lookup(handle, name);
  if (!p)
    fail_msg("symbol %s not found", name);
  return p;
}

#define LOOKUP(type, name) ((type)must_find(lookup, handle, name))

static void check_integer_functions(lookup_fn lookup, void *handle) {
  assert_int_equal(LOOKUP(int (*)(int, int), "fx_add")(2, 3), 9);
  assert_int_equal(LOOKUP(int (*)(int), "fx_call_local")(5), 33);
  assert_int_equal(LOOKUP(int (*)(int), "fx_hidden_helper")(1234), 234);
  int (*jump)(int, int, int) = LOOKUP(int (*)(int, int, int), "fx_jump");
  static const int jumps[] = {23, 17, 60, 6, 160, 2, 0, 23, 23, -1};
  for (int op = 0; op < 10; op++)
    assert_int_equal(jump(op, 20, 3), jumps[op]);
  int (*sw)(int) = LOOKUP(int (*)(int), "fx_switch");
  static const int table[] = {11, 23, 37, 41, 59, 67, 73, 89, 97, -1};
  for (int i = 0; i < 10; i++)
    assert_int_equal(sw(i), table[i]);
  unsigned (*prime)(unsigned) = LOOKUP(unsigned (*)(unsigned), "fx_prime");
  assert_int_equal(prime(4), 11);
  assert_int_equal(prime(10), 31);
  assert_int_equal(prime(11), 0);
  int (*apply)(unsigned, int, int) =
      LOOKUP(int (*)(unsigned, int, int), "fx_apply");
  assert_int_equal(apply(0, 5, 3), 2);
  assert_int_equal(apply(1, 5, 3), 15);
  assert_int_equal(apply(2, 5, 3), 18);
  assert_int_equal(apply(3, 5, 3), 0);
}

static void check_float_functions(lookup_fn lookup, void *handle) {
  float (*scale)(float) = LOOKUP(float (*)(float), "fx_scale");
  assert_true(fabsf(scale(2.0f) - (2.0f * 1.37f + 0.25f)) < 1e-6f);
  float (*fl)(float) = LOOKUP(float (*)(float), "fx_floor");
  assert_true(fl(-2.5f) == -3.0f);
  assert_true(fl(7.9f) == 7.0f);
}

static void check_memory_functions(lookup_fn lookup, void *handle) {
  unsigned char buf[1100];
  memset(buf, 0x11, sizeof buf);
  LOOKUP(void (*)(unsigned char *, size_t, int), "fx_fill")
  (buf + 50, 1000, 0xab);
  assert_int_equal(buf[49], 0x11);
  assert_int_equal(buf[50], 0xab);
  assert_int_equal(buf[1049], 0xab);
  assert_int_equal(buf[1050], 0x11);
  int src[100], dst[102];
  for (int i = 0; i < 100; i++)
    src[i] = i * 7;
  dst[0] = dst[101] = -1;
  LOOKUP(void (*)(int *, const int *, size_t), "fx_copy")(dst + 1, src, 100);
  assert_int_equal(dst[0], -1);
  assert_int_equal(dst[100], 99 * 7);
  assert_int_equal(dst[101], -1);
  typedef void *(*move_fn)(void *, const void *, size_t);
  move_fn move = LOOKUP(move_fn(*)(void), "fx_memmove_address")();
  char text[] = "abcdef";
  move(text + 1, text, 4);
  assert_string_equal(text, "aabcdf");
}

static void check_state_functions(lookup_fn lookup, void *handle) {
  int (*count)(void) = LOOKUP(int (*)(void), "fx_count");
  assert_int_equal(count(), 101);
  assert_int_equal(count(), 102);
  LOOKUP(void (*)(int), "fx_set_start")(500);
  assert_int_equal(count(), 503);
  assert_int_equal(LOOKUP(int (*)(void), "fx_read_global")(), 42);
}

static void check_all_functions(lookup_fn lookup, void *handle) {
  check_integer_functions(lookup, handle);
  check_float_functions(lookup, handle);
  check_memory_functions(lookup, handle);
  check_state_functions(lookup, handle);
}

/* ---- our mapper ---- */

static artifact_map *map_fixture(const fixture *fx, resolve_log *log) {
  char err[256];
  artifact_map *m =
      artifact_map_path(fx->so_path, test_resolve_libc, log, err, sizeof err);
  if (!m)
    fail_msg("map %s: %s", fx->so_path, err);
  return m;
}

void map_calls_functions(void **state) {
  fixture *fx = *state;
  resolve_log log = {0};
  artifact_map *m = map_fixture(fx, &log);
  assert_true(log.calls >= 3); /* memset, memcpy, memmove (, floorf) */
  check_all_functions(lookup_map, m);

  size_t size = 0;
  const char *meta = artifact_symbol_sized(m, "wasmaot_metadata", &size);
  assert_non_null(meta);
  assert_int_equal(size, test_metadata_size);
  assert_memory_equal(meta, test_metadata_blob, test_metadata_size);
  assert_int_equal((uintptr_t)meta % 16, 0);

  assert_null(artifact_symbol(m, "memcpy"));         /* an import */
  assert_null(artifact_symbol(m, "fx_square_plus")); /* local */
  assert_null(artifact_symbol(m, "no_such_symbol"));

  artifact_range text = artifact_text_range(m);
  uintptr_t add = (uintptr_t)artifact_symbol(m, "fx_add");
  assert_true(artifact_range_contains(text, add));
  assert_false(artifact_range_contains(text, (uintptr_t)meta));
  artifact_unmap(m);
}

/* Two mappings are two instances: nothing is shared between them. */
void map_twice_is_independent(void **state) {
  fixture *fx = *state;
  resolve_log log = {0};
  artifact_map *a = map_fixture(fx, &log), *b = map_fixture(fx, &log);
  int (*count_a)(void) = (int (*)(void))artifact_symbol(a, "fx_count");
  int (*count_b)(void) = (int (*)(void))artifact_symbol(b, "fx_count");
  assert_int_equal(count_a(), 101);
  assert_int_equal(count_a(), 102);
  assert_int_equal(count_b(), 101);
  artifact_unmap(a);
  artifact_unmap(b);
}

/* The protections of the page holding `addr`, from /proc/self/maps. */
static bool page_permissions(uintptr_t addr, char perms[5]) {
  FILE *f = fopen("/proc/self/maps", "r");
  char line[512];
  bool found = false;
  while (f && !found && fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && addr >= lo &&
        addr < hi)
      found = true;
  }
  if (f)
    fclose(f);
  return found;
}

static void expect_permissions(const fixture *fx, const artifact_map *m,
                               const char *section, const char *want) {
  Elf64_Shdr sh;
  if (!test_find_section(fx->artifact, fx->artifact_size, section, &sh))
    fail_msg("artifact has no %s", section);
  char perms[5] = {0};
  assert_true(page_permissions(artifact_base(m) + sh.sh_addr, perms));
  if (strncmp(perms, want, 3) != 0)
    fail_msg("%s is %s, expected %s", section, perms, want);
}

void map_applies_protections(void **state) {
  fixture *fx = *state;
  resolve_log log = {0};
  artifact_map *m = map_fixture(fx, &log);
  expect_permissions(fx, m, ".text", "r-x");
  expect_permissions(fx, m, ".rodata", "r--");
  expect_permissions(fx, m, ".wasmaot.meta", "r--");
  expect_permissions(fx, m, ".got", "r--"); /* RELRO after relocation */
  expect_permissions(fx, m, ".data.rel.ro", "r--");
  expect_permissions(fx, m, ".dynamic", "r--");
  expect_permissions(fx, m, ".data", "rw-");
  expect_permissions(fx, m, ".bss", "rw-");
  artifact_unmap(m);
}

void map_reports_unresolved_import(void **state) {
  fixture *fx = *state;
  char err[256];
  resolve_log log = {.refuse = "memset"};
  artifact_map *m =
      artifact_map_path(fx->so_path, test_resolve_libc, &log, err, sizeof err);
  assert_null(m);
  assert_non_null(strstr(err, "unresolved symbol 'memset'"));
  m = artifact_map_path(fx->so_path, NULL, NULL, err, sizeof err);
  assert_null(m);
  assert_non_null(strstr(err, "unresolved symbol"));
  m = artifact_map_path("/nonexistent/artifact.so", NULL, NULL, err,
                        sizeof err);
  assert_null(m);
  assert_non_null(strstr(err, "cannot open"));
}

/* ---- glibc ---- */

void dlopen_calls_functions(void **state) {
  fixture *fx = *state;
  void *h = dlopen(fx->so_path, RTLD_NOW | RTLD_LOCAL);
  if (!h)
    fail_msg("dlopen: %s", dlerror());
  check_all_functions(lookup_dl, h);
  const char *meta = dlsym(h, "wasmaot_metadata");
  assert_non_null(meta);
  assert_memory_equal(meta, test_metadata_blob, test_metadata_size);
  assert_null(dlsym(h, "fx_square_plus"));
  dlclose(h);
}

/* ---- what the tools see ---- */

static char *run_tool(const char *tool, const char *args, const char *path) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "%s %s '%s'", tool, args, path);
  char *out = test_run_capture(cmd);
  if (!out)
    fail_msg("%s failed", cmd);
  return out;
}

static void expect_in(const char *haystack, const char *needle) {
  if (!strstr(haystack, needle))
    fail_msg("expected \"%s\" in tool output", needle);
}

static void expect_no_complaints(const char *out) {
  assert_null(strstr(out, "Warning"));
  assert_null(strstr(out, "warning"));
  assert_null(strstr(out, "Error"));
}

static const char *readelf_machine(uint16_t machine) {
  return machine == EM_AARCH64 ? "AArch64" : "Advanced Micro Devices X86-64";
}

void readelf_accepts_artifact(void **state) {
  fixture *fx = *state;
  if (!test_have_tool("readelf"))
    skip();
  char *out = run_tool("readelf", "-W -h -l -S --dyn-syms -d -r", fx->so_path);
  expect_in(out, "DYN (Shared object file)");
  expect_in(out, readelf_machine(fx->machine));
  expect_in(out, "GNU_RELRO");
  expect_in(out, "GNU_STACK");
  expect_in(out, " .wasmaot.meta ");
  expect_in(out, " .dynsym ");
  expect_in(out, " .symtab ");
  expect_in(out, "Library soname: [fixture.so]");
  expect_in(out, "_GLOB_DAT");
  expect_in(out, " fx_add\n");
  expect_in(out, " fx_hidden_helper\n");
  expect_in(out, " wasmaot_metadata\n");
  assert_null(strstr(out, "TEXTREL"));
  expect_no_complaints(out);
  free(out);
  out = run_tool("readelf", "-a -W", fx->so_path);
  expect_no_complaints(out);
  free(out);
  /* elfutils' checker is stricter than readelf; use it where installed. */
  if (test_have_tool("eu-elflint")) {
    out = run_tool("eu-elflint", "--gnu-ld", fx->so_path);
    expect_in(out, "No errors");
    free(out);
  }
}

/* Can GNU objdump disassemble this machine? It is built for the machine
 * the tools run on, which in a cross build under qemu (docs/cross.md) is
 * not the one this test runs on. */
static bool gnu_objdump_knows(uint16_t machine) {
  const char *bfd =
      machine == EM_AARCH64 ? "elf64-littleaarch64" : "elf64-x86-64";
  char *out = test_have_tool("objdump")
                  ? test_run_capture("objdump --help 2>&1")
                  : NULL;
  bool knows = out && strstr(out, bfd);
  free(out);
  return knows;
}

/* GNU objdump where it knows the machine; llvm-objdump disassembles every
 * machine. */
static const char *disassembler(const fixture *fx) {
  static const char *const llvm[] = {"llvm-objdump-19", "llvm-objdump"};
  bool native = fx->machine == test_host_machine();
  if (native && gnu_objdump_knows(fx->machine))
    return "objdump";
  for (size_t i = 0; i < sizeof llvm / sizeof llvm[0]; i++)
    if (test_have_tool(llvm[i]))
      return llvm[i];
  return NULL;
}

void objdump_names_functions(void **state) {
  fixture *fx = *state;
  const char *tool = disassembler(fx);
  if (!tool)
    skip();
  char *out = run_tool(tool, "-d", fx->so_path);
  static const char *const names[] = {"<fx_add>:",
                                      "<fx_call_local>:",
                                      "<fx_square_plus>:",
                                      "<fx_jump>:",
                                      "<fx_switch>:",
                                      "<fx_scale>:",
                                      "<fx_fill>:",
                                      "<fx_copy>:",
                                      "<fx_floor>:",
                                      "<fx_prime>:",
                                      "<fx_memmove_address>:",
                                      "<fx_sub>:",
                                      "<fx_mul>:",
                                      "<fx_hidden_helper>:"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    expect_in(out, names[i]);
  if (fx->has_stubs) {
    expect_in(out, "<memset@plt>:");
    expect_in(out, "<memcpy@plt>");
  }
  free(out);
}
