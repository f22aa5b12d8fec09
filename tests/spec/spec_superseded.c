#include "spec_superseded.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_file.h"

static bool add_entry(spec_superseded *list, const char *name, size_t name_len,
                      uint64_t line, const char *reason) {
  spec_superseded_entry *grown =
      realloc(list->entries, (list->count + 1) * sizeof *grown);
  if (!grown)
    return false;
  list->entries = grown;
  spec_superseded_entry *e = &list->entries[list->count];
  e->wast_name = strndup(name, name_len);
  e->reason = strdup(reason);
  e->line = line;
  if (!e->wast_name || !e->reason) {
    free(e->wast_name);
    free(e->reason);
    return false;
  }
  list->count++;
  return true;
}

/* "NAME.wast:LINE reason" */
static bool parse_line(spec_superseded *list, char *text, const char *path,
                       size_t lineno) {
  while (*text == ' ' || *text == '\t')
    text++;
  if (*text == '\0' || *text == '#')
    return true;
  char *colon = strchr(text, ':');
  char *end = NULL;
  uint64_t line = colon ? strtoull(colon + 1, &end, 10) : 0;
  if (!colon || end == colon + 1 || (*end != ' ' && *end != '\t')) {
    fprintf(stderr, "spec_runner: %s:%zu: expected NAME.wast:LINE reason\n",
            path, lineno);
    return false;
  }
  while (*end == ' ' || *end == '\t')
    end++;
  if (*end == '\0') {
    fprintf(stderr, "spec_runner: %s:%zu: no reason given\n", path, lineno);
    return false;
  }
  if (!add_entry(list, text, (size_t)(colon - text), line, end)) {
    fprintf(stderr, "spec_runner: out of memory\n");
    return false;
  }
  return true;
}

bool spec_superseded_load(spec_superseded *list, const char *path) {
  size_t size;
  uint8_t *bytes = spec_read_file(path, &size);
  if (!bytes) {
    fprintf(stderr, "spec_runner: cannot read %s: %s\n", path, strerror(errno));
    return false;
  }
  char *text = malloc(size + 1);
  if (!text) {
    free(bytes);
    fprintf(stderr, "spec_runner: out of memory\n");
    return false;
  }
  memcpy(text, bytes, size);
  text[size] = '\0';
  free(bytes);
  bool ok = true;
  size_t lineno = 0;
  for (char *line = text; ok && line && *line;) {
    char *next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    ok = parse_line(list, line, path, ++lineno);
    line = next;
  }
  free(text);
  return ok;
}

void spec_superseded_free(spec_superseded *list) {
  for (size_t i = 0; i < list->count; i++) {
    free(list->entries[i].wast_name);
    free(list->entries[i].reason);
  }
  free(list->entries);
  list->entries = NULL;
  list->count = 0;
}

const char *spec_superseded_reason(const spec_superseded *list,
                                   const char *wast_name, uint64_t line) {
  for (size_t i = 0; i < list->count; i++)
    if (list->entries[i].line == line &&
        strcmp(list->entries[i].wast_name, wast_name) == 0)
      return list->entries[i].reason;
  return NULL;
}
