/* Merging several relocatable ELF objects into one, in memory: what lets
 * the compiler generate code for a module in several pieces in parallel
 * and still hand the artifact linker (elf_link.h) the single object it
 * takes.
 *
 * Same-named sections of the same type and flags are concatenated, each
 * piece at its own alignment; relocation sections are rewritten (offsets
 * moved by the piece's position, symbol indices renumbered, addends of
 * relocations against section symbols moved by the piece's position);
 * local symbols are kept per object; a global defined in one object
 * resolves undefined references to it in the others. Relocation types are
 * copied untouched, so any machine whose objects use SHT_RELA works.
 *
 * Supported inputs: ELF64 little-endian ET_REL, all for the same machine,
 * SHT_RELA relocations. COMMON symbols, SHF_LINK_ORDER sections and a
 * global defined twice (not weak) are errors naming what was found.
 * Section groups (COMDAT) are dissolved: their members merge like other
 * sections, and a weak symbol defined in several keeps the first.
 * .llvm_addrsig sections are dropped (they index the symbol table and only
 * matter to a linker doing identical-code folding). */
#ifndef WASMAOT_ELF_MERGE_H
#define WASMAOT_ELF_MERGE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct elf_merge_object {
  const void *data; /* an ELF ET_REL image, not modified */
  size_t size;
} elf_merge_object;

/* Merges `count` (>= 1) objects. On success *out is a malloc'ed ET_REL
 * image of *out_size bytes. On failure returns false with a one-line
 * reason in errbuf; nothing is allocated. */
bool elf_merge_objects(const elf_merge_object *objs, size_t count, void **out,
                       size_t *out_size, char *errbuf, size_t errlen);

#endif
