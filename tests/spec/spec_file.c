#include "spec_file.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file_read.h"

uint8_t *spec_read_file(const char *path, size_t *size) {
  return file_read_all(path, size);
}

bool spec_write_file(const char *path, const void *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return false;
  bool ok = fwrite(data, 1, size, f) == size;
  int saved = errno;
  if (fclose(f) != 0 && ok)
    return false;
  errno = saved;
  return ok;
}

char *spec_path_join(const char *dir, const char *name) {
  size_t n = strlen(dir) + 1 + strlen(name) + 1;
  char *path = malloc(n);
  if (path)
    snprintf(path, n, "%s/%s", dir, name);
  return path;
}

static bool make_dir(const char *path) {
  if (mkdir(path, 0777) == 0 || errno == EEXIST)
    return true;
  return false;
}

bool spec_make_dirs(const char *path) {
  char *copy = strdup(path);
  if (!copy)
    return false;
  bool ok = true;
  /* Create each prefix ending just before a '/', then the whole path. */
  for (char *p = copy + 1; ok && *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    ok = make_dir(copy);
    *p = '/';
  }
  ok = ok && make_dir(copy);
  free(copy);
  return ok;
}

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n > m && strcmp(s + n - m, suffix) == 0;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool append_name(char ***names, size_t *count, size_t *cap,
                        const char *name) {
  if (*count == *cap) {
    size_t new_cap = *cap ? *cap * 2 : 64;
    char **grown = realloc(*names, new_cap * sizeof *grown);
    if (!grown)
      return false;
    *names = grown;
    *cap = new_cap;
  }
  char *copy = strdup(name);
  if (!copy)
    return false;
  (*names)[(*count)++] = copy;
  return true;
}

char **spec_list_dir(const char *dir, const char *suffix, size_t *count) {
  DIR *d = opendir(dir);
  *count = 0;
  if (!d)
    return NULL;
  char **names = NULL;
  size_t cap = 0;
  bool ok = true;
  struct dirent *e;
  while (ok && (e = readdir(d)) != NULL)
    if (has_suffix(e->d_name, suffix))
      ok = append_name(&names, count, &cap, e->d_name);
  closedir(d);
  if (!ok) {
    spec_free_names(names, *count);
    *count = 0;
    errno = ENOMEM;
    return NULL;
  }
  if (*count > 0)
    qsort(names, *count, sizeof *names, compare_names);
  /* An empty directory is not an error: hand back a freeable array. */
  return names ? names : calloc(1, sizeof *names);
}

void spec_free_names(char **names, size_t count) {
  for (size_t i = 0; i < count; i++)
    free(names[i]);
  free(names);
}
