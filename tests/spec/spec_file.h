/* File-system helpers for the spec runner. Each returns NULL or false
 * with errno set, so callers can report strerror(errno). */
#ifndef WASMAOT_SPEC_FILE_H
#define WASMAOT_SPEC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads a whole file into a malloc'ed buffer. */
uint8_t *spec_read_file(const char *path, size_t *size);

/* Creates or replaces `path` with `size` bytes of `data`. */
bool spec_write_file(const char *path, const void *data, size_t size);

/* "dir/name" in a malloc'ed string. */
char *spec_path_join(const char *dir, const char *name);

/* Creates `path` and any missing parents, like `mkdir -p`. */
bool spec_make_dirs(const char *path);

/* The sorted names in `dir` ending in `suffix`; free with
 * spec_free_names(). */
char **spec_list_dir(const char *dir, const char *suffix, size_t *count);
void spec_free_names(char **names, size_t count);

#endif
