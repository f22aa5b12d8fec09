#include "spec_skip_list.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_file.h"

void spec_skip_list_free(spec_skip_list *list) {
  for (size_t i = 0; i < list->count; i++) {
    free(list->entries[i].pattern);
    free(list->entries[i].reason);
  }
  free(list->entries);
  list->entries = NULL;
  list->count = 0;
}

static char *trimmed_copy(const char *start, const char *end) {
  while (start < end && isspace((unsigned char)*start))
    start++;
  while (end > start && isspace((unsigned char)end[-1]))
    end--;
  return strndup(start, (size_t)(end - start));
}

/* "PATTERN[:LINE]  REASON" into *e; false if the line is not one. */
static bool parse_entry(const char *line, const char *end, spec_skip_entry *e) {
  const char *key_end = line;
  while (key_end < end && !isspace((unsigned char)*key_end))
    key_end++;
  const char *colon = memchr(line, ':', (size_t)(key_end - line));
  e->line = 0;
  if (colon) {
    char *stop;
    errno = 0;
    unsigned long long n = strtoull(colon + 1, &stop, 10);
    if (stop != key_end || n == 0 || errno != 0)
      return false;
    e->line = n;
  }
  e->pattern = strndup(line, (size_t)((colon ? colon : key_end) - line));
  e->reason = trimmed_copy(key_end, end);
  if (!e->pattern || !e->reason || e->pattern[0] == '\0' ||
      e->reason[0] == '\0') {
    free(e->pattern);
    free(e->reason);
    return false;
  }
  return true;
}

bool spec_skip_list_load(const char *path, spec_skip_list *out, char *why,
                         size_t why_size) {
  memset(out, 0, sizeof *out);
  size_t size;
  char *text = (char *)spec_read_file(path, &size);
  if (!text) {
    snprintf(why, why_size, "cannot read %s: %s", path, strerror(errno));
    return false;
  }
  size_t line_no = 0;
  bool ok = true;
  for (const char *p = text, *stop = text + size; ok && p < stop;) {
    const char *eol = memchr(p, '\n', (size_t)(stop - p));
    const char *end = eol ? eol : stop;
    line_no++;
    const char *first = p;
    while (first < end && isspace((unsigned char)*first))
      first++;
    if (first < end && *first != '#') {
      spec_skip_entry *grown =
          realloc(out->entries, (out->count + 1) * sizeof *grown);
      if (!grown) {
        snprintf(why, why_size, "out of memory");
        ok = false;
      } else if (!parse_entry(first, end, &grown[out->count])) {
        out->entries = grown;
        snprintf(why, why_size, "%s:%zu: expected \"PATTERN[:LINE] REASON\"",
                 path, line_no);
        ok = false;
      } else {
        out->entries = grown;
        out->count++;
      }
    }
    p = eol ? eol + 1 : stop;
  }
  free(text);
  if (!ok)
    spec_skip_list_free(out);
  return ok;
}

const char *spec_skip_list_reason(const spec_skip_list *list,
                                  const char *script, uint64_t line,
                                  bool *whole_script) {
  const char *for_line = NULL;
  if (whole_script)
    *whole_script = false;
  for (size_t i = 0; i < list->count; i++) {
    const spec_skip_entry *e = &list->entries[i];
    if (fnmatch(e->pattern, script, 0) != 0)
      continue;
    if (e->line == 0) {
      if (whole_script)
        *whole_script = true;
      return e->reason;
    }
    if (e->line == line && !for_line)
      for_line = e->reason;
  }
  return for_line;
}
