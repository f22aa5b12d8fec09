/* Shared by the test_elf_*.c files: the fixture being tested, linking and
 * mapping helpers, running tools, and finding things inside ELF images so
 * tests can corrupt them precisely. */
#ifndef WASMAOT_ELF_TEST_UTIL_H
#define WASMAOT_ELF_TEST_UTIL_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "artifact_map.h"

/* One compiled elf_fixture.c and the artifact linked from it. */
typedef struct fixture {
  const char *object_path;
  uint8_t *object;
  size_t object_size;
  uint16_t machine; /* e_machine of the object */
  uint8_t *artifact;
  size_t artifact_size;
  char dir[256];
  char so_path[300];
  bool has_stubs; /* calls reach imports through .plt stubs (not -fno-plt) */
} fixture;

extern const char test_metadata_blob[];
extern const size_t test_metadata_size;

/* Links `object` with the test's extra section and export list. */
bool test_link(const uint8_t *object, size_t size, void **out, size_t *out_size,
               char *err, size_t errlen);

/* Reads and links `path`, writes the artifact to a fresh temp directory. */
bool test_prepare(fixture *fx, const char *path, bool has_stubs);
void test_release(fixture *fx);

/* Imports for the mapper: the C library functions the fixture may call. */
typedef struct resolve_log {
  int calls;
  const char *refuse; /* pretend this one does not exist */
} resolve_log;
void *test_resolve_libc(void *ctx, const char *name);

/* Maps an in-memory image through a memfd. */
artifact_map *test_map_image(const void *image, size_t size, char *err,
                             size_t errlen);

/* The whole file, malloc'ed; NULL on failure. */
uint8_t *test_read_file(const char *path, size_t *size);
bool test_write_file(const char *path, const void *data, size_t size);

/* Runs a shell command; its stdout and stderr, malloc'ed, or NULL if the
 * command could not run or exited non-zero. */
char *test_run_capture(const char *command);

/* Is `tool` on PATH? */
bool test_have_tool(const char *tool);

/* Section header of `name` in an ELF64 image (object or shared object). */
bool test_find_section(const uint8_t *image, size_t size, const char *name,
                       Elf64_Shdr *out);

/* e_machine of the machine this test runs on (EM_NONE if unknown). */
uint16_t test_host_machine(void);

/* A malloc'ed copy, for corrupting. */
uint8_t *test_copy(const uint8_t *data, size_t size);

#endif
