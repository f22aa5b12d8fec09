#include "spec_artifact.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec_file.h"

char *spec_artifact_path(const char *wasm_path, const char *ext) {
  size_t n = strlen(wasm_path);
  const char *dot = strrchr(wasm_path, '.');
  size_t stem = dot && !strchr(dot, '/') ? (size_t)(dot - wasm_path) : n;
  size_t ext_len = strlen(ext);
  char *path = malloc(stem + ext_len + 1);
  if (path) {
    memcpy(path, wasm_path, stem);
    memcpy(path + stem, ext, ext_len + 1);
  }
  return path;
}

/* The refusal a --compile-only pass recorded in x.N.err, if any. */
static bool read_refusal(const char *wasm_path, char *why, size_t why_size) {
  char *err_path = spec_artifact_path(wasm_path, ".err");
  size_t size = 0;
  uint8_t *text = err_path ? spec_read_file(err_path, &size) : NULL;
  free(err_path);
  if (!text)
    return false;
  while (size > 0 && text[size - 1] == '\n')
    size--;
  snprintf(why, why_size, "%.*s", (int)size, (const char *)text);
  free(text);
  return true;
}

static spec_compile_result find_precompiled(const char *wasm_path,
                                            const char *so_path, char *why,
                                            size_t why_size) {
  if (access(so_path, R_OK) == 0)
    return SPEC_COMPILED;
  if (read_refusal(wasm_path, why, why_size))
    return SPEC_COMPILE_REFUSED;
  snprintf(why, why_size,
           "no precompiled artifact %s (did the --compile-only pass run on "
           "this work directory?)",
           so_path);
  return SPEC_COMPILE_IO;
}

spec_compile_result spec_artifact_obtain(const spec_options *o,
                                         const char *wasm_path,
                                         const char *so_path, char *why,
                                         size_t why_size) {
  if (o->precompiled)
    return find_precompiled(wasm_path, so_path, why, why_size);
  return spec_compile_module(o->target, o->cpu, wasm_path, so_path, why,
                             why_size);
}

static void remove_if_present(const char *path) {
  if (path && unlink(path) != 0 && errno != ENOENT)
    fprintf(stderr, "spec_runner: cannot remove %s: %s\n", path,
            strerror(errno));
}

spec_compile_result spec_artifact_prepare(const spec_options *o,
                                          const char *wasm_path, char *why,
                                          size_t why_size) {
  char *so_path = spec_artifact_path(wasm_path, ".so");
  char *err_path = spec_artifact_path(wasm_path, ".err");
  if (!so_path || !err_path) {
    free(so_path);
    free(err_path);
    snprintf(why, why_size, "out of memory");
    return SPEC_COMPILE_IO;
  }
  /* Neither file may survive from an earlier pass: the run trusts them. */
  remove_if_present(so_path);
  remove_if_present(err_path);
  spec_compile_result r =
      spec_compile_module(o->target, o->cpu, wasm_path, so_path, why, why_size);
  if (r == SPEC_COMPILE_REFUSED &&
      !spec_write_file(err_path, why, strlen(why))) {
    snprintf(why, why_size, "cannot write %s: %s", err_path, strerror(errno));
    r = SPEC_COMPILE_IO;
  }
  free(so_path);
  free(err_path);
  return r;
}
