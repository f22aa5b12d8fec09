/* The artifact's integrity checksum: a fast 64-bit hash over the whole
 * file, with the 8-byte checksum field itself read as zero. Not
 * cryptographic — it catches truncation and flipped bits before anything
 * runs; the compiler writes it, the loader checks it. */
#ifndef WASMAOT_ARTIFACT_CHECKSUM_H
#define WASMAOT_ARTIFACT_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Hash of data[0..size) where the 8 bytes at skip_offset count as zero
 * (pass skip_offset >= size to skip nothing). */
uint64_t artifact_checksum(const void *data, size_t size, size_t skip_offset);

#endif
