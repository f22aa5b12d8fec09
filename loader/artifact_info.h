/* What an artifact says about itself, read from its bytes in memory
 * without mapping or running anything, for any architecture: `wasmaot
 * inspect`, the bundle writer (which copies the target of each artifact
 * into its entry table) and `wasmaot cache list`. */
#ifndef WASMAOT_ARTIFACT_INFO_H
#define WASMAOT_ARTIFACT_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "artifact_format.h"

typedef struct artifact_info {
  const wasmaot_meta_header *meta; /* inside the image */
  size_t meta_size;                /* bytes of the metadata section */
  const char *cpu_features;        /* NUL-terminated, inside the image */
  const uint8_t *skeleton;         /* the module skeleton (a .wasm) */
  size_t skeleton_size;
  uint16_t machine;   /* ELF e_machine */
  uint64_t code_size; /* bytes of executable segments in the file */
  bool checksum_ok;   /* the file checksum matches */
} artifact_info;

/* Reads the metadata of the artifact image[0..size). `image` must be
 * 8-byte aligned (malloc or mmap). False with a reason when it is not an
 * artifact this version can read (the format and field checks of
 * module_check.c; no host checks). A bad checksum is not an error here:
 * it is reported in checksum_ok. */
bool artifact_info_read(const uint8_t *image, size_t size, artifact_info *info,
                        char *err, size_t errlen);

/* "x86_64", "aarch64", or "machine N". */
const char *artifact_machine_name(uint16_t machine, char *buf, size_t size);

#endif
