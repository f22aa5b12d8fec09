/* The artifact linker (compiler/elf/elf_link.h) and mapper
 * (loader/artifact_map.h), end to end.
 *
 * Usage: test_elf_link HOST.o HOST_SECTIONS.o [FOREIGN.o]
 * Each object is elf_fixture.c compiled by clang (see meson.build): for
 * this machine, for this machine with one section per function, and for
 * the other supported machine. Host artifacts are written to a temporary
 * directory, loaded by our mapper and by glibc's dlopen, inspected with
 * readelf/objdump and corrupted; the foreign one is linked and inspected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "elf_test_util.h"
#include "elf_tests.h"

#define T(name, fx) cmocka_unit_test_prestate(name, fx)

static int run_host(const char *group, fixture *fx) {
  const struct CMUnitTest tests[] = {
      T(map_calls_functions, fx),      T(map_twice_is_independent, fx),
      T(map_applies_protections, fx),  T(map_reports_unresolved_import, fx),
      T(dlopen_calls_functions, fx),   T(readelf_accepts_artifact, fx),
      T(objdump_names_functions, fx),  T(map_rejects_truncated, fx),
      T(map_rejects_bad_headers, fx),  T(map_rejects_bad_dynamic, fx),
      T(map_survives_byte_flips, fx),  T(link_rejects_bad_relocations, fx),
      T(link_rejects_bad_objects, fx), T(link_rejects_bad_exports, fx),
      T(link_survives_byte_flips, fx),
  };
  return cmocka_run_group_tests_name(group, tests, NULL, NULL);
}

static int run_foreign(const char *group, fixture *fx) {
  const struct CMUnitTest tests[] = {
      T(map_rejects_foreign_machine, fx), T(readelf_accepts_artifact, fx),
      T(objdump_names_functions, fx),     T(link_rejects_bad_relocations, fx),
      T(link_rejects_bad_objects, fx),    T(link_survives_byte_flips, fx),
  };
  return cmocka_run_group_tests_name(group, tests, NULL, NULL);
}

typedef int (*group_runner)(const char *group, fixture *fx);

static int run(const char *group, const char *path, bool has_stubs,
               group_runner runner) {
  fixture fx = {0};
  int failed = test_prepare(&fx, path, has_stubs) ? runner(group, &fx) : 1;
  test_release(&fx);
  return failed;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s HOST.o HOST_SECTIONS.o [FOREIGN.o]\n", argv[0]);
    return 2;
  }
  int failed = run("elf_link", argv[1], true, run_host);
  failed |= run("elf_link_sections", argv[2], false, run_host);
  if (argc > 3)
    failed |= run("elf_link_foreign", argv[3], true, run_foreign);
  return failed ? 1 : 0;
}
