/* `wasmaot cache dir|list|clean`. */
#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "cache_admin.h"
#include "cli.h"

static int cache_usage(FILE *out) {
  fprintf(out,
          "Usage: wasmaot cache [--cache-dir DIR] dir|list|clean\n"
          "\n"
          "The cache holds the artifacts `wasmaot run` compiled from .wasm\n"
          "modules or extracted from bundles, one per module, CPU,\n"
          "compiler version and options.\n"
          "\n"
          "  dir     print the cache directory ($XDG_CACHE_HOME/wasmaot,\n"
          "          else ~/.cache/wasmaot, unless --cache-dir)\n"
          "  list    list cached artifacts: module hash (SHA-256 of the\n"
          "          .wasm, first 16 digits), architecture, size in bytes,\n"
          "          age since stored, time since last used, cache key\n"
          "  clean   remove every cached artifact\n"
          "\n"
          "The cache is kept under WASMAOT_CACHE_MAX_SIZE (default 1G) by\n"
          "removing the least recently used artifacts after each store.\n");
  return out == stdout ? 0 : 2;
}

int cli_cache(int argc, char **argv) {
  const char *override = NULL, *action = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
      return cache_usage(stdout);
    if (!strcmp(argv[i], "--cache-dir") && i + 1 < argc)
      override = argv[++i];
    else if (!action && argv[i][0] != '-')
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
    printf("removed %d cached artifact%s from %s\n", n, n == 1 ? "" : "s", dir);
  } else {
    fprintf(stderr, "wasmaot cache: unknown action '%s'\n", action);
    return cache_usage(stderr);
  }
  return 0;
}
