/* Private to the artifact linker (elf_*.c): the state one link carries
 * through its phases.
 *
 *   elf_input.c    parse and bounds-check the relocatable object
 *   elf_plan.c     classify sections, scan relocations for GOT slots, stubs
 *                  and dynamic relocations, choose .dynsym and .symtab
 *   elf_layout.c   give every output section an address and file offset
 *   elf_reloc.c    apply relocations, fill GOT, stubs and .rela.dyn
 *   elf_write.c    write headers, dynamic tables, symbol tables
 *   elf_arch_*.c   what differs per machine: relocation howtos, field
 *                  encodings and stubs (x86_64, aarch64)
 *   elf_link.c     the driver, errors, buffers, symbol addresses
 *
 * Every phase reports failure through elf_fail() and returns false; the
 * first message wins. */
#ifndef WASMAOT_ELF_LINK_INTERNAL_H
#define WASMAOT_ELF_LINK_INTERNAL_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf_link.h"

#define ELF_NO_INDEX UINT32_MAX
/* elf_in_symbol.shndx of an absolute symbol (SHN_ABS in the object). */
#define ELF_SEC_ABS (UINT32_MAX - 1)
/* Largest .bss one input section may ask for (1 GiB): generous for code
 * LLVM emits for Wasm, small enough that sizes can never overflow. */
#define ELF_MAX_ZERO_FILL ((uint64_t)1 << 30)

/* ---- growable byte buffer (string tables, dynamic relocations) ---- */

typedef struct elf_buf {
  uint8_t *data;
  size_t size;
  size_t cap;
  bool failed; /* an allocation failed; contents are incomplete */
} elf_buf;

/* Appends n bytes; returns their offset (garbage if b->failed). */
size_t elf_buf_append(elf_buf *b, const void *bytes, size_t n);
/* Appends a NUL-terminated string; returns its offset. */
size_t elf_buf_add_string(elf_buf *b, const char *s);
void elf_buf_free(elf_buf *b);

/* ---- relocation semantics shared by all machines ---- */

/* What a relocation computes, in psABI notation: S symbol address, A addend,
 * P place, G address of the symbol's GOT slot, GOT start of .got, Z symbol
 * size. The machine backend only encodes the result into its field. */
typedef enum elf_reloc_kind {
  ELF_RK_NONE,
  ELF_RK_ABS,        /* S + A; load-time relocation in writable data */
  ELF_RK_ABS_LO,     /* S + A, only low bits below the page size used */
  ELF_RK_PCREL,      /* S + A - P */
  ELF_RK_PAGE_PCREL, /* Page(S + A) - Page(P) */
  ELF_RK_CALL,       /* S + A - P, S = stub for undefined symbols */
  ELF_RK_GOT_PCREL,  /* G + A - P */
  ELF_RK_GOT_RELAX,  /* G + A - P, or S + A - P if the arch relaxes it */
  ELF_RK_GOT_PAGE,   /* Page(G + A) - Page(P) */
  ELF_RK_GOT_LO,     /* G + A, only low bits used */
  ELF_RK_GOTPC,      /* GOT + A - P */
  ELF_RK_GOTOFF,     /* S + A - GOT */
  ELF_RK_SIZE,       /* Z + A */
} elf_reloc_kind;

typedef struct elf_reloc_howto {
  uint32_t type;
  const char *name;
  elf_reloc_kind kind;
  uint8_t field; /* backend-specific encoding */
  uint8_t bytes; /* bytes of the place the field touches */
} elf_reloc_howto;

typedef struct elf_arch {
  uint16_t machine;
  const char *name;
  uint64_t max_page_size;
  /* dynamic relocation types this machine's loaders understand */
  uint32_t rel_relative;
  uint32_t rel_glob_dat;
  uint32_t rel_abs64;
  uint32_t stub_size;
  /* NULL for relocation types the linker cannot apply. */
  const elf_reloc_howto *(*howto)(uint32_t type);
  /* Name of any relocation type, for messages ("type 1234" if unknown). */
  const char *(*reloc_name)(uint32_t type, char *scratch, size_t len);
  /* Writes `value` into the field at loc; returns NULL or why it can't. */
  const char *(*encode)(const elf_reloc_howto *h, uint8_t *loc, uint64_t value);
  /* ELF_RK_GOT_RELAX: can the instruction around sec[off] address the
   * symbol directly? Same answer before and after copying the bytes. */
  bool (*can_relax)(const elf_reloc_howto *h, const uint8_t *sec, uint64_t off);
  /* Rewrites that instruction (loads from the GOT become address math). */
  void (*relax)(const elf_reloc_howto *h, uint8_t *sec, uint64_t off);
  /* A stub at stub_addr that jumps to the address stored at slot_addr;
   * returns NULL or why it can't. */
  const char *(*write_stub)(uint8_t *at, uint64_t stub_addr,
                            uint64_t slot_addr);
} elf_arch;

const elf_arch *elf_arch_for_machine(uint16_t machine);
extern const elf_arch elf_arch_x86_64;
extern const elf_arch elf_arch_aarch64;

/* ---- the input object ---- */

/* Where an input section's bytes go. */
typedef enum elf_output_id {
  ELF_OUT_HASH,
  ELF_OUT_DYNSYM,
  ELF_OUT_DYNSTR,
  ELF_OUT_RELA_DYN,
  ELF_OUT_RODATA,
  ELF_OUT_EH_FRAME,
  ELF_OUT_TEXT,
  ELF_OUT_STUBS,
  ELF_OUT_RELRO,
  ELF_OUT_DYNAMIC,
  ELF_OUT_GOT,
  ELF_OUT_DATA,
  ELF_OUT_BSS,
  ELF_OUT_SYMTAB,
  ELF_OUT_STRTAB,
  ELF_OUT_SHSTRTAB,
  ELF_OUT_FIXED_COUNT, /* extra sections follow, one output each */
  ELF_OUT_DROPPED = -1,
} elf_output_id;

typedef struct elf_in_section {
  const char *name;
  uint32_t type;
  uint64_t flags;
  uint64_t size;
  uint64_t align;
  uint32_t link;
  uint32_t info;
  uint64_t entsize;
  const uint8_t *data; /* NULL for SHT_NOBITS */
  int out;             /* elf_output_id, or extra output index */
  uint64_t out_offset; /* where it starts inside its output section */
} elf_in_section;

typedef struct elf_in_symbol {
  const char *name;
  uint64_t value;
  uint64_t size;
  uint32_t shndx; /* section index, SHN_UNDEF or ELF_SEC_ABS */
  uint8_t bind;
  uint8_t type;
  uint8_t visibility;
  /* filled by planning */
  bool exported;     /* in .dynsym as a definition */
  bool needs_dynsym; /* in .dynsym (exported or an import) */
  uint32_t got_slot; /* ELF_NO_INDEX if none */
  uint32_t stub;     /* ELF_NO_INDEX if none */
  uint32_t dynsym;   /* 0 if not in .dynsym */
} elf_in_symbol;

typedef struct elf_in_rela {
  uint32_t target; /* section the relocations patch */
  const uint8_t *entries;
  size_t count;
} elf_in_rela;

typedef struct elf_rela {
  uint64_t offset;
  uint32_t type;
  uint32_t sym;
  int64_t addend;
} elf_rela;

/* ---- output sections and segments ---- */

typedef struct elf_out_section {
  const char *name;
  uint32_t type;
  uint64_t flags;
  uint64_t align;
  uint64_t size;
  uint64_t entsize;
  int link;      /* elf_output_id of sh_link, or -1 */
  uint32_t info; /* sh_info */
  uint64_t addr;
  uint64_t offset;
  uint32_t shndx;       /* index in the section header table; 0 if omitted */
  uint32_t name_offset; /* in .shstrtab */
} elf_out_section;

typedef enum elf_segment_id {
  ELF_SEG_R,
  ELF_SEG_RX,
  ELF_SEG_RW,
  ELF_SEG_COUNT,
} elf_segment_id;

typedef struct elf_segment {
  uint32_t flags;
  uint64_t vaddr; /* == file offset */
  uint64_t filesz;
  uint64_t memsz;
} elf_segment;

/* A .symtab entry: an input symbol, or the call stub of one. */
typedef struct elf_symtab_entry {
  uint32_t symbol;
  uint32_t stub; /* ELF_NO_INDEX unless this names a stub */
  uint32_t name; /* .strtab offset */
} elf_symtab_entry;

/* ---- one link ---- */

typedef struct elf_linker {
  const elf_link_input *in;
  const elf_arch *arch;
  uint64_t page_size;
  char *err;
  size_t errlen;
  bool failed;

  /* input (elf_input.c) */
  const uint8_t *obj;
  size_t obj_size;
  elf_in_section *sections;
  uint32_t section_count; /* object sections, then one per extra */
  uint32_t object_section_count;
  elf_in_symbol *symbols;
  uint32_t symbol_count; /* object symbols, then one per named extra, then
                            the .eh_frame symbol if any */
  uint32_t object_symbol_count;
  uint32_t eh_frame_section; /* the kept .eh_frame, or 0 */
  elf_in_rela *relas;
  uint32_t rela_count;

  /* plan (elf_plan.c) */
  uint32_t *got_symbols; /* symbol per GOT slot */
  uint32_t got_count;
  uint32_t *stub_symbols; /* symbol per stub */
  uint32_t stub_count;
  size_t dynrel_count;
  uint32_t *dynsym_symbols; /* symbol per .dynsym entry; [0] unused */
  uint32_t dynsym_count;
  elf_symtab_entry *symtab; /* [0] unused */
  uint32_t symtab_count;
  uint32_t symtab_first_global;
  elf_buf dynstr;
  elf_buf strtab;
  elf_buf shstrtab;
  uint32_t *dynstr_offsets; /* per dynsym entry */
  uint32_t hash_buckets;

  /* layout (elf_layout.c) */
  elf_out_section *out;
  uint32_t out_count;
  uint32_t shnum;
  elf_segment segments[ELF_SEG_COUNT];
  uint64_t relro_end; /* page aligned */
  uint32_t phnum;
  uint64_t shoff;
  uint64_t image_size;

  /* writing (elf_reloc.c, elf_write.c) */
  uint8_t *image;
  size_t dynrel_written;
} elf_linker;

bool elf_fail(elf_linker *lk, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

bool elf_read_input(elf_linker *lk);
/* Names, types and flags of the output sections; sizes come later. */
bool elf_define_outputs(elf_linker *lk);
bool elf_read_rela(elf_linker *lk, const elf_in_rela *r, size_t i,
                   elf_rela *out);
bool elf_plan(elf_linker *lk);
bool elf_layout(elf_linker *lk);
/* Copies input section bytes into lk->image. */
void elf_copy_contents(elf_linker *lk);
/* Patches the copied bytes; fills .got, .plt and .rela.dyn. */
bool elf_apply_relocations(elf_linker *lk);
/* Headers, dynamic tables, symbol tables. */
bool elf_write_tables(elf_linker *lk);
/* A relocation that cannot be applied: names type, symbol and place. */
bool elf_reloc_fail(elf_linker *lk, const elf_in_section *target,
                    const elf_rela *rela, const char *type_name,
                    const char *why);

/* Address of a defined symbol in the output; false for undefined symbols
 * and symbols in dropped sections. */
bool elf_symbol_address(const elf_linker *lk, uint32_t sym, uint64_t *addr);
/* Display name for messages: section symbols show their section. */
const char *elf_symbol_display_name(const elf_linker *lk,
                                    const elf_in_symbol *s);

static inline uint64_t elf_align_up(uint64_t v, uint64_t align) {
  return (v + align - 1) & ~(align - 1);
}

#endif
