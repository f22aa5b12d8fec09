/* Mapping an artifact (the ELF shared object the compiler writes) into the
 * process without dlopen.
 *
 * The mapper validates the ELF header and program headers, reserves the
 * whole address range, maps each PT_LOAD from the file with its own
 * protections, applies the dynamic relocations (RELATIVE, and GLOB_DAT /
 * JUMP_SLOT / 64-bit absolute through a caller-supplied resolver), then
 * makes PT_GNU_RELRO (which holds the GOT) read-only. Every malformed input
 * ends in an error message, never a fault: all table addresses, indices and
 * string offsets are checked against the mapped segments before use.
 *
 * It does not link LLVM and runs no code from the artifact (no DT_INIT). */
#ifndef WASMAOT_ARTIFACT_MAP_H
#define WASMAOT_ARTIFACT_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct artifact_map artifact_map;

/* Returns the address of an import (memcpy, floorf, ...) or NULL if it has
 * none. NULL for a weak import resolves it to 0; for any other, mapping
 * fails naming the symbol. */
typedef void *(*artifact_resolve_fn)(void *ctx, const char *name);

/* Maps the artifact open on fd (the fd may be closed afterwards). Returns
 * NULL and writes a one-line reason into errbuf on failure. */
artifact_map *artifact_map_fd(int fd, artifact_resolve_fn resolve, void *ctx,
                              char *errbuf, size_t errlen);

/* Opens, maps and closes path. */
artifact_map *artifact_map_path(const char *path, artifact_resolve_fn resolve,
                                void *ctx, char *errbuf, size_t errlen);

/* Unmaps everything; pointers into the artifact die with it. NULL is a
 * no-op. */
void artifact_unmap(artifact_map *map);

/* Address of a defined .dynsym symbol, or NULL. Found through the
 * artifact's DT_HASH table. */
void *artifact_symbol(const artifact_map *map, const char *name);

/* Same, also giving st_size (e.g. the length of the metadata blob). A
 * symbol whose [address, address + size) is not inside a readable segment
 * is treated as absent. */
void *artifact_symbol_sized(const artifact_map *map, const char *name,
                            size_t *size);

/* [start, end) of the executable segments. Reads two fields and takes no
 * locks: safe from a signal handler asking "is this PC compiled code?". */
typedef struct artifact_range {
  uintptr_t start;
  uintptr_t end;
} artifact_range;

artifact_range artifact_text_range(const artifact_map *map);

static inline bool artifact_range_contains(artifact_range r, uintptr_t pc) {
  return pc >= r.start && pc < r.end;
}

/* Load bias: the address where the artifact's virtual address 0 sits. */
uintptr_t artifact_base(const artifact_map *map);

#endif
