/* The few zstd functions bundles need, reached through a table.
 *
 * `wasmaot` loads libzstd.so.1 only when it reads or writes a bundle
 * (dlopen, like the compiler plug-in), so the loader that runs artifacts
 * stays small and depends on libc alone: zstd is more than half a
 * megabyte, twice the rest of the loader. Built with
 * WASMAOT_ZSTD_LINKED (the static `wasmaot-static`), the table points at
 * a libzstd linked in. Nothing is cached between calls: dlopen of a
 * library already loaded is a reference count. */
#ifndef WASMAOT_ZSTD_API_H
#define WASMAOT_ZSTD_API_H

#include <stdbool.h>
#include <stddef.h>
#include <zstd.h>

typedef struct zstd_api {
  unsigned long long (*getFrameContentSize)(const void *src, size_t size);
  size_t (*findFrameCompressedSize)(const void *src, size_t size);
  size_t (*decompress)(void *dst, size_t cap, const void *src, size_t size);
  size_t (*compressBound)(size_t size);
  ZSTD_CCtx *(*createCCtx)(void);
  size_t (*freeCCtx)(ZSTD_CCtx *cctx);
  size_t (*CCtx_setParameter)(ZSTD_CCtx *cctx, ZSTD_cParameter param,
                              int value);
  size_t (*compress2)(ZSTD_CCtx *cctx, void *dst, size_t cap, const void *src,
                      size_t size);
  unsigned (*isError)(size_t code);
  const char *(*getErrorName)(size_t code);
} zstd_api;

/* Fills `api`; false with a reason (libzstd.so.1 missing or too old). */
bool zstd_api_get(zstd_api *api, char *err, size_t errlen);

#endif
