/* libFuzzer target: a tampered artifact must be refused with a message or
 * load cleanly — never crash, leak, hang or touch memory it should not.
 *
 * The checksum would refuse almost every mutation at once, so the target
 * re-seals it (as an attacker who rewrites the file would) before loading:
 * that sends the bytes through the ELF mapper, the metadata checks, the
 * skeleton decoder and the data image checks. Loading runs no code from
 * the artifact, so nothing is instantiated. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "artifact_checksum.h"
#include "artifact_format.h"
#include "artifact_section.h"
#include "wasmaot.h"

static void reseal(uint8_t *image, size_t size) {
  size_t meta, meta_size;
  if (!artifact_find_section(image, size, WASMAOT_META_SECTION, &meta,
                             &meta_size) ||
      meta_size < sizeof(wasmaot_meta_header))
    return;
  size_t field = meta + offsetof(wasmaot_meta_header, file_checksum);
  uint64_t sum = artifact_checksum(image, size, field);
  memcpy(image + field, &sum, sizeof sum);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static wasmaot_engine *engine;
  if (!engine)
    engine = wasmaot_engine_new();
  uint8_t *image = malloc(size ? size : 1);
  if (!image)
    return 0;
  memcpy(image, data, size);
  reseal(image, size);
  int fd = memfd_create("fuzz-artifact", MFD_CLOEXEC);
  if (fd >= 0 && write(fd, image, size) == (ssize_t)size) {
    char path[64], err[512];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    wasmaot_module *m = wasmaot_module_load(engine, path, err, sizeof err);
    wasmaot_module_free(m);
  }
  if (fd >= 0)
    close(fd);
  free(image);
  return 0;
}
