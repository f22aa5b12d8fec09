/* The test cases of test_elf_link, by file. Each takes a fixture as its
 * cmocka state. */
#ifndef WASMAOT_ELF_TESTS_H
#define WASMAOT_ELF_TESTS_H

/* test_elf_load.c: a good artifact, loaded and inspected */
void map_calls_functions(void **state);
void map_twice_is_independent(void **state);
void map_applies_protections(void **state);
void map_reports_unresolved_import(void **state);
void dlopen_calls_functions(void **state);
void readelf_accepts_artifact(void **state);
void objdump_names_functions(void **state);

/* test_elf_corrupt.c: malformed artifacts and objects */
void map_rejects_foreign_machine(void **state);
void map_rejects_truncated(void **state);
void map_rejects_bad_headers(void **state);
void map_rejects_bad_dynamic(void **state);
void map_survives_byte_flips(void **state);
void link_rejects_bad_relocations(void **state);
void link_rejects_bad_objects(void **state);
void link_rejects_bad_exports(void **state);
void link_survives_byte_flips(void **state);

#endif
