#include "zstd_api.h"

#include <stdio.h>

#ifdef WASMAOT_ZSTD_LINKED

bool zstd_api_get(zstd_api *api, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  *api = (zstd_api){
      .getFrameContentSize = ZSTD_getFrameContentSize,
      .findFrameCompressedSize = ZSTD_findFrameCompressedSize,
      .decompress = ZSTD_decompress,
      .compressBound = ZSTD_compressBound,
      .createCCtx = ZSTD_createCCtx,
      .freeCCtx = ZSTD_freeCCtx,
      .CCtx_setParameter = ZSTD_CCtx_setParameter,
      .compress2 = ZSTD_compress2,
      .isError = ZSTD_isError,
      .getErrorName = ZSTD_getErrorName,
  };
  return true;
}

#else

#include <dlfcn.h>

#define ZSTD_LIBRARY "libzstd.so.1"

bool zstd_api_get(zstd_api *api, char *err, size_t errlen) {
  void *lib = dlopen(ZSTD_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(err, errlen,
             "bundles need %s (Debian: libzstd1), which cannot be loaded: %s",
             ZSTD_LIBRARY, dlerror());
    return false;
  }
  /* The library stays loaded for the process, as the compiler plug-in
   * does: the handle is not closed. */
  struct {
    void **slot;
    const char *name;
  } wanted[] = {
      {(void **)&api->getFrameContentSize, "ZSTD_getFrameContentSize"},
      {(void **)&api->findFrameCompressedSize, "ZSTD_findFrameCompressedSize"},
      {(void **)&api->decompress, "ZSTD_decompress"},
      {(void **)&api->compressBound, "ZSTD_compressBound"},
      {(void **)&api->createCCtx, "ZSTD_createCCtx"},
      {(void **)&api->freeCCtx, "ZSTD_freeCCtx"},
      {(void **)&api->CCtx_setParameter, "ZSTD_CCtx_setParameter"},
      {(void **)&api->compress2, "ZSTD_compress2"},
      {(void **)&api->isError, "ZSTD_isError"},
      {(void **)&api->getErrorName, "ZSTD_getErrorName"},
  };
  for (size_t i = 0; i < sizeof wanted / sizeof *wanted; i++) {
    *wanted[i].slot = dlsym(lib, wanted[i].name);
    if (!*wanted[i].slot) {
      snprintf(err, errlen, "%s has no %s: it is too old for bundles",
               ZSTD_LIBRARY, wanted[i].name);
      return false;
    }
  }
  return true;
}

#endif
