/* Finding a named section in an artifact held in memory: the compiler
 * uses it to seal the checksum into the metadata it just linked, and
 * `inspect`, bundles and the cache use it to read the metadata of any
 * artifact, for any architecture, without mapping it. */
#ifndef WASMAOT_ARTIFACT_SECTION_H
#define WASMAOT_ARTIFACT_SECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The file offset and size of the first section called `name` in an ELF64
 * little-endian image. False when the image has no such section or its
 * section table, name table or the section itself does not lie inside
 * the image. */
bool artifact_find_section(const uint8_t *image, size_t size, const char *name,
                           size_t *offset, size_t *section_size);

#endif
