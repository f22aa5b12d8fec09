/* The artifact linker: one relocatable ELF object in, one ELF shared object
 * out, all in memory and without any external linker.
 *
 * LLVM emits position-independent code (-fPIC, hidden visibility), so
 * almost every relocation is PC-relative and is resolved here. What is left
 * for load time is small and explicit:
 *   - libcalls LLVM invents (memcpy, memset, floorf, ...) are undefined
 *     symbols; each gets a GOT slot with a GLOB_DAT dynamic relocation, and
 *     calls to them go through a stub that jumps through that slot;
 *   - absolute pointers in writable data (function-pointer tables in
 *     .data.rel.ro, ...) become RELATIVE dynamic relocations.
 * The result is accepted both by the wasmaot mapper (loader/artifact_map.h)
 * and by glibc's dlopen, and names every function in .symtab for objdump,
 * perf and gdb.
 *
 * Symbols bind inside the artifact (like -Bsymbolic): a call to an exported
 * function from within the object never goes through interposition.
 *
 * Supported inputs: ELF64 little-endian ET_REL for EM_X86_64 and
 * EM_AARCH64, small PIC code model. Anything else (TLS, COMMON symbols,
 * constructors, absolute addresses in code, relocation types outside that
 * model) is an error naming what was found. */
#ifndef WASMAOT_ELF_LINK_H
#define WASMAOT_ELF_LINK_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes the caller wants in the artifact besides the code, e.g. the
 * ".wasmaot.meta" metadata. Each becomes its own read-only allocated
 * section inside a PT_LOAD, so a loader can read it in place after mapping.
 * If `symbol` is set, a global object symbol of that name (exported in
 * .dynsym, sized `size`) marks its start: that is how a loader finds it
 * without section headers. */
typedef struct elf_link_extra_section {
  const char *name; /* section name, e.g. ".wasmaot.meta" */
  const void *data; /* `size` bytes, copied */
  size_t size;
  size_t align;       /* power of two; 0 means 1 */
  const char *symbol; /* optional, e.g. "wasmaot_metadata" */
} elf_link_extra_section;

typedef struct elf_link_input {
  const void *object; /* the ELF ET_REL image from LLVM, not modified */
  size_t object_size;
  const elf_link_extra_section *extra;
  size_t extra_count;
  /* Global symbols to put in .dynsym besides the ones whose visibility is
   * already default. Naming a symbol the object does not define is an
   * error. */
  const char *const *exported_symbols;
  size_t exported_count;
  /* Keep the object's .eh_frame (the unwind tables of a module that
   * throws or catches) in a section of its own, ended by a zero word, its
   * start exported under this symbol name; NULL drops it, as code without
   * exceptions needs none. */
  const char *eh_frame_symbol;
  const char *soname; /* optional DT_SONAME */
  size_t page_size;   /* segment alignment; 0 = the machine's maximum
                         page size (4 KiB x86-64, 64 KiB aarch64) */
} elf_link_input;

/* Links `in->object` into a shared object. On success *out is a malloc'ed
 * buffer of *out_size bytes the caller frees. On failure returns false and
 * writes a one-line reason (naming the section, symbol or relocation type
 * at fault) into errbuf; nothing is allocated. */
bool elf_link_shared_object(const elf_link_input *in, void **out,
                            size_t *out_size, char *errbuf, size_t errlen);

#endif
