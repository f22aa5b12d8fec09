/* glibc's dynamic loader must accept an artifact as an ordinary shared
 * object: dlopen it with RTLD_NOW and find the metadata through dlsym. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "artifact_format.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: dlopen_artifact FILE.so\n");
    return 2;
  }
  void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  const wasmaot_meta_header *meta = dlsym(h, WASMAOT_SYM_METADATA);
  const int32_t *funcs = dlsym(h, WASMAOT_SYM_FUNC_TABLE);
  int ok = meta && funcs &&
           memcmp(meta->magic, WASMAOT_META_MAGIC, sizeof meta->magic) == 0 &&
           meta->format_version == WASMAOT_FORMAT_VERSION;
  if (!ok)
    fprintf(stderr, "dlopen: metadata or function table missing\n");
  else
    printf("dlopen: ok, %u functions, target %s\n", meta->defined_func_count,
           meta->target_triple);
  dlclose(h);
  return ok ? 0 : 1;
}
