/* The relocatable ELF object a baseline piece becomes: one .text, its
 * relocations (calls to other functions, by symbol) and a symbol table,
 * which elf_merge joins with the LLVM pieces' objects. */
#ifndef WASMAOT_BASELINE_OBJECT_H
#define WASMAOT_BASELINE_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"

typedef struct bl_symbol {
  const char *name; /* borrowed */
  uint64_t value, size;
  bool defined; /* a function in .text; else undefined */
} bl_symbol;

typedef struct bl_reloc {
  uint64_t offset;
  uint32_t symbol; /* index into symbols */
  uint32_t type;   /* R_X86_64_* */
  int64_t addend;
} bl_reloc;

typedef struct bl_object {
  bytebuf text;
  bl_symbol *symbols;
  uint32_t symbol_count;
  size_t symbol_cap;
  bl_reloc *relocs;
  size_t reloc_count, reloc_cap;
  bool failed; /* out of memory */
} bl_object;

/* Adds a symbol; returns its index. */
uint32_t bl_object_add_symbol(bl_object *o, bl_symbol s);
void bl_object_add_reloc(bl_object *o, bl_reloc r);
/* The ELF image, malloc'ed. False when out of memory. */
bool bl_object_write(const bl_object *o, uint16_t machine, void **image,
                     size_t *size);
void bl_object_free(bl_object *o);

#endif
