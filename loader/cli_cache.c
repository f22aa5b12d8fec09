/* `wasmaot cache dir|list|clean`. */
#include <stdio.h>
#include <string.h>

#include "../compiler/cli.h"
#include "cache.h"

static int cache_usage(FILE *out) {
  fprintf(out, "Usage: wasmaot cache [--cache-dir DIR] dir|list|clean\n"
               "\n"
               "  dir     print the cache directory\n"
               "  list    list cached artifacts: module hash, arch, size, age\n"
               "  clean   remove every cached artifact\n");
  return out == stdout ? 0 : 2;
}

int cli_cache(int argc, char **argv) {
  const char *override = NULL, *action = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
      return cache_usage(stdout);
    if (!strcmp(argv[i], "--cache-dir") && i + 1 < argc)
      override = argv[++i];
    else if (!action)
      action = argv[i];
    else
      return cache_usage(stderr);
  }
  if (!action)
    return cache_usage(stderr);
  char dir[4096], err[256];
  if (!cache_resolve_dir(override, dir, sizeof dir, err, sizeof err)) {
    fprintf(stderr, "wasmaot cache: %s\n", err);
    return 1;
  }
  if (!strcmp(action, "dir")) {
    puts(dir);
  } else if (!strcmp(action, "list")) {
    cache_list(dir, stdout);
  } else if (!strcmp(action, "clean")) {
    int n = cache_clean(dir);
    printf("removed %d cached artifact%s from %s\n", n, n == 1 ? "" : "s",
           dir);
  } else {
    fprintf(stderr, "wasmaot cache: unknown action '%s'\n", action);
    return cache_usage(stderr);
  }
  return 0;
}
