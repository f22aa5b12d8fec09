/* What kind of file the command line was given, by its first bytes: the
 * one place `run` and `inspect` tell modules, artifacts and bundles
 * apart. */
#ifndef WASMAOT_FILE_KIND_H
#define WASMAOT_FILE_KIND_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bundle_format.h"

typedef enum file_kind {
  FILE_KIND_UNKNOWN,
  FILE_KIND_WASM,     /* "\0asm" */
  FILE_KIND_ARTIFACT, /* an ELF file: an artifact, or else refused */
  FILE_KIND_BUNDLE,   /* WASMAOT_BUNDLE_MAGIC */
} file_kind;

/* `head` holds the first `n` bytes of the file (8 suffice). */
static inline file_kind file_kind_of(const uint8_t *head, size_t n) {
  if (n >= 4 && memcmp(head, "\0asm", 4) == 0)
    return FILE_KIND_WASM;
  if (n >= 4 && memcmp(head, "\177ELF", 4) == 0)
    return FILE_KIND_ARTIFACT;
  if (n >= 8 && memcmp(head, WASMAOT_BUNDLE_MAGIC, 8) == 0)
    return FILE_KIND_BUNDLE;
  return FILE_KIND_UNKNOWN;
}

#endif
