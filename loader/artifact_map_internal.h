/* Private to the artifact mapper: artifact_map.c maps the segments,
 * artifact_dynamic.c reads .dynamic, relocates and looks symbols up. */
#ifndef WASMAOT_ARTIFACT_MAP_INTERNAL_H
#define WASMAOT_ARTIFACT_MAP_INTERNAL_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "artifact_map.h"

/* More PT_LOADs than this is not something the compiler writes. */
#define ARTIFACT_MAX_LOADS 16

typedef struct artifact_segment {
  uint64_t vaddr;
  uint64_t memsz;
  uint64_t filesz;
  uint64_t offset;
  uint32_t flags; /* PF_R | PF_W | PF_X */
} artifact_segment;

typedef struct artifact_error {
  char *buf;
  size_t len;
} artifact_error;

struct artifact_map {
  uint8_t *reservation;
  size_t reservation_size;
  uintptr_t base; /* address of virtual address 0 */
  artifact_segment loads[ARTIFACT_MAX_LOADS];
  uint32_t load_count;
  bool has_relro;
  uint64_t relro_vaddr;
  uint64_t relro_memsz;
  uint64_t dynamic_vaddr;
  uint64_t dynamic_size;
  artifact_range text;

  /* from .dynamic, all checked to lie inside readable segments */
  const char *strtab;
  uint64_t strtab_size;
  const uint8_t *symtab;
  uint32_t symbol_count; /* nchain of DT_HASH */
  const uint8_t *hash_buckets;
  const uint8_t *hash_chains;
  uint32_t hash_bucket_count;
};

bool artifact_fail(artifact_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The PT_LOAD holding all of [vaddr, vaddr + size) whose flags include
 * `need` (PF_R, PF_W, ...), or NULL. */
const artifact_segment *artifact_segment_for(const artifact_map *map,
                                             uint64_t vaddr, uint64_t size,
                                             uint32_t need);

/* Mapped address of that range, or NULL; only valid once mapped. */
void *artifact_range_at(const artifact_map *map, uint64_t vaddr, uint64_t size,
                        uint32_t need);

/* Reads .dynamic and applies its relocations; called while the writable
 * segments are still writable. */
bool artifact_link_dynamic(artifact_map *map, artifact_resolve_fn resolve,
                           void *ctx, artifact_error *err);

#endif
