/* Layout: the output sections, their order, and where each lands.
 *
 * Three PT_LOAD segments, each starting on a page boundary, with every
 * file offset equal to its virtual address (so "congruent modulo the page
 * size" holds trivially and no segment shares a page with another):
 *
 *   R    ELF header, program headers, .hash .dynsym .dynstr .rela.dyn
 *        .rodata, extra sections
 *   R+X  .text .plt
 *   R+W  .data.rel.ro .dynamic .got  (PT_GNU_RELRO, padded to a page)
 *        .data .bss
 *
 * followed by the non-allocated .symtab .strtab .shstrtab and the section
 * header table. Keeping code on pages of its own (like ld -z separate-code)
 * means no data byte is ever mapped executable. */
#include <stdlib.h>

#include "elf_link_internal.h"

typedef struct out_def {
  const char *name;
  uint32_t type;
  uint64_t flags;
  uint64_t align;
  uint64_t entsize;
  int link;
} out_def;

static const out_def fixed_outputs[ELF_OUT_FIXED_COUNT] = {
    [ELF_OUT_HASH] = {".hash", SHT_HASH, SHF_ALLOC, 8, 4, ELF_OUT_DYNSYM},
    [ELF_OUT_DYNSYM] = {".dynsym", SHT_DYNSYM, SHF_ALLOC, 8, sizeof(Elf64_Sym),
                        ELF_OUT_DYNSTR},
    [ELF_OUT_DYNSTR] = {".dynstr", SHT_STRTAB, SHF_ALLOC, 1, 0, -1},
    [ELF_OUT_RELA_DYN] = {".rela.dyn", SHT_RELA, SHF_ALLOC, 8,
                          sizeof(Elf64_Rela), ELF_OUT_DYNSYM},
    [ELF_OUT_RODATA] = {".rodata", SHT_PROGBITS, SHF_ALLOC, 1, 0, -1},
    [ELF_OUT_EH_FRAME] = {".eh_frame", SHT_PROGBITS, SHF_ALLOC, 8, 0, -1},
    [ELF_OUT_TEXT] = {".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 16, 0,
                      -1},
    [ELF_OUT_STUBS] = {".plt", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 16, 0,
                       -1},
    [ELF_OUT_RELRO] = {".data.rel.ro", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 1,
                       0, -1},
    [ELF_OUT_DYNAMIC] = {".dynamic", SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE, 8,
                         sizeof(Elf64_Dyn), ELF_OUT_DYNSTR},
    [ELF_OUT_GOT] = {".got", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 8, 8, -1},
    [ELF_OUT_DATA] = {".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 1, 0, -1},
    [ELF_OUT_BSS] = {".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 1, 0, -1},
    [ELF_OUT_SYMTAB] = {".symtab", SHT_SYMTAB, 0, 8, sizeof(Elf64_Sym),
                        ELF_OUT_STRTAB},
    [ELF_OUT_STRTAB] = {".strtab", SHT_STRTAB, 0, 1, 0, -1},
    [ELF_OUT_SHSTRTAB] = {".shstrtab", SHT_STRTAB, 0, 1, 0, -1},
};

bool elf_define_outputs(elf_linker *lk) {
  lk->out_count = ELF_OUT_FIXED_COUNT + (uint32_t)lk->in->extra_count;
  lk->out = calloc(lk->out_count, sizeof *lk->out);
  if (!lk->out)
    return elf_fail(lk, "out of memory");
  for (uint32_t i = 0; i < lk->out_count; i++) {
    elf_out_section *o = &lk->out[i];
    if (i < ELF_OUT_FIXED_COUNT) {
      const out_def *d = &fixed_outputs[i];
      *o = (elf_out_section){.name = d->name,
                             .type = d->type,
                             .flags = d->flags,
                             .align = d->align,
                             .entsize = d->entsize,
                             .link = d->link};
    } else {
      *o =
          (elf_out_section){.name = lk->in->extra[i - ELF_OUT_FIXED_COUNT].name,
                            .type = SHT_PROGBITS,
                            .flags = SHF_ALLOC,
                            .align = 1,
                            .link = -1};
    }
  }
  lk->out[ELF_OUT_STUBS].entsize = lk->arch->stub_size;
  return true;
}

/* Entries .dynamic will hold; elf_write.c writes exactly these. */
static uint64_t dynamic_entry_count(const elf_linker *lk) {
  uint64_t n = 6; /* HASH STRTAB SYMTAB STRSZ SYMENT NULL */
  if (lk->dynrel_count)
    n += 3; /* RELA RELASZ RELAENT */
  if (lk->in->soname)
    n++;
  return n;
}

static void size_generated_sections(elf_linker *lk) {
  elf_out_section *o = lk->out;
  o[ELF_OUT_HASH].size =
      (2 + (uint64_t)lk->hash_buckets + lk->dynsym_count) * 4;
  o[ELF_OUT_DYNSYM].size = (uint64_t)lk->dynsym_count * sizeof(Elf64_Sym);
  o[ELF_OUT_DYNSYM].info = 1; /* every .dynsym entry but the null is global */
  o[ELF_OUT_DYNSTR].size = lk->dynstr.size;
  o[ELF_OUT_RELA_DYN].size = (uint64_t)lk->dynrel_count * sizeof(Elf64_Rela);
  o[ELF_OUT_STUBS].size = (uint64_t)lk->stub_count * lk->arch->stub_size;
  o[ELF_OUT_DYNAMIC].size = dynamic_entry_count(lk) * sizeof(Elf64_Dyn);
  o[ELF_OUT_GOT].size = (uint64_t)lk->got_count * 8;
  o[ELF_OUT_SYMTAB].size = (uint64_t)lk->symtab_count * sizeof(Elf64_Sym);
  o[ELF_OUT_SYMTAB].info = lk->symtab_first_global;
  o[ELF_OUT_STRTAB].size = lk->strtab.size;
}

/* Output sections in file order, extras after .rodata; returns the count. */
static uint32_t output_order(const elf_linker *lk, uint32_t *order) {
  static const int before_extras[] = {ELF_OUT_HASH,   ELF_OUT_DYNSYM,
                                      ELF_OUT_DYNSTR, ELF_OUT_RELA_DYN,
                                      ELF_OUT_RODATA, ELF_OUT_EH_FRAME};
  uint32_t n = 0;
  for (size_t i = 0; i < sizeof before_extras / sizeof before_extras[0]; i++)
    order[n++] = (uint32_t)before_extras[i];
  for (uint32_t i = ELF_OUT_FIXED_COUNT; i < lk->out_count; i++)
    order[n++] = i;
  for (uint32_t i = ELF_OUT_TEXT; i < ELF_OUT_FIXED_COUNT; i++)
    order[n++] = i;
  return n;
}

/* Empty sections get no header, except .shstrtab which names the rest. */
static bool number_sections(elf_linker *lk, const uint32_t *order, uint32_t n) {
  elf_buf_add_string(&lk->shstrtab, "");
  uint32_t next = 1;
  for (uint32_t i = 0; i < n; i++) {
    elf_out_section *o = &lk->out[order[i]];
    if (o->size == 0 && order[i] != ELF_OUT_SHSTRTAB)
      continue;
    o->shndx = next++;
  }
  for (uint32_t i = 0; i < n; i++) {
    elf_out_section *o = &lk->out[order[i]];
    if (o->shndx)
      o->name_offset = (uint32_t)elf_buf_add_string(&lk->shstrtab, o->name);
  }
  if (lk->shstrtab.failed)
    return elf_fail(lk, "out of memory building .shstrtab");
  if (next >= SHN_LORESERVE)
    return elf_fail(lk, "too many output sections (%u)", next);
  lk->shnum = next;
  lk->out[ELF_OUT_SHSTRTAB].size = lk->shstrtab.size;
  return true;
}

/* Places the sections order[from..to) one after another from *cursor. */
static void place_run(elf_linker *lk, const uint32_t *order, uint32_t from,
                      uint32_t to, uint64_t *cursor) {
  for (uint32_t i = from; i < to; i++) {
    elf_out_section *o = &lk->out[order[i]];
    *cursor = elf_align_up(*cursor, o->align);
    o->addr = o->offset = *cursor;
    *cursor += o->size;
  }
}

static uint32_t index_in_order(const uint32_t *order, uint32_t n, int id) {
  for (uint32_t i = 0; i < n; i++)
    if (order[i] == (uint32_t)id)
      return i;
  return n;
}

static void layout_rw(elf_linker *lk, const uint32_t *order, uint32_t n,
                      uint64_t *cursor) {
  uint32_t relro = index_in_order(order, n, ELF_OUT_RELRO);
  uint32_t data = index_in_order(order, n, ELF_OUT_DATA);
  uint64_t start = elf_align_up(*cursor, lk->page_size);
  *cursor = start;
  place_run(lk, order, relro, data, cursor);
  uint64_t relro_file_end = *cursor;
  /* RELRO is padded to a whole page so protecting it read-only cannot
   * catch .data; loaders round its end down to a page. */
  lk->relro_end = elf_align_up(*cursor, lk->page_size);
  elf_out_section *d = &lk->out[ELF_OUT_DATA], *b = &lk->out[ELF_OUT_BSS];
  uint64_t file_end = relro_file_end, mem_end = lk->relro_end;
  if (d->size || b->size) {
    *cursor = lk->relro_end;
    place_run(lk, order, data, data + 1, cursor);
    file_end = *cursor;
    b->addr = b->offset = elf_align_up(*cursor, b->align);
    mem_end = b->addr + b->size > file_end ? b->addr + b->size : file_end;
  }
  lk->segments[ELF_SEG_RW] =
      (elf_segment){PF_R | PF_W, start, file_end - start, mem_end - start};
  *cursor = file_end;
}

static void layout_non_alloc(elf_linker *lk, const uint32_t *order, uint32_t n,
                             uint64_t *cursor) {
  uint32_t first = index_in_order(order, n, ELF_OUT_SYMTAB);
  place_run(lk, order, first, n, cursor);
  for (uint32_t i = first; i < n; i++)
    lk->out[order[i]].addr = 0;
  lk->shoff = elf_align_up(*cursor, 8);
  lk->image_size = lk->shoff + (uint64_t)lk->shnum * sizeof(Elf64_Shdr);
}

/* R: headers, dynamic tables, read-only data; then R+X on its own pages. */
static void layout_r_and_rx(elf_linker *lk, const uint32_t *order, uint32_t n,
                            uint64_t *cursor) {
  bool has_code = lk->out[ELF_OUT_TEXT].size || lk->out[ELF_OUT_STUBS].size;
  lk->phnum = has_code ? 6 : 5; /* LOADs, DYNAMIC, GNU_RELRO, GNU_STACK */
  *cursor = sizeof(Elf64_Ehdr) + lk->phnum * sizeof(Elf64_Phdr);
  uint32_t text = index_in_order(order, n, ELF_OUT_TEXT);
  place_run(lk, order, 0, text, cursor);
  lk->segments[ELF_SEG_R] = (elf_segment){PF_R, 0, *cursor, *cursor};
  uint64_t code = elf_align_up(*cursor, lk->page_size);
  *cursor = code;
  place_run(lk, order, text, text + 2, cursor); /* .text, .plt */
  lk->segments[ELF_SEG_RX] =
      (elf_segment){PF_R | PF_X, code, *cursor - code, *cursor - code};
}

bool elf_layout(elf_linker *lk) {
  size_generated_sections(lk);
  uint32_t *order = calloc(lk->out_count, sizeof *order);
  if (!order)
    return elf_fail(lk, "out of memory");
  uint32_t n = output_order(lk, order);
  bool ok = number_sections(lk, order, n);
  if (ok) {
    uint64_t cursor;
    layout_r_and_rx(lk, order, n, &cursor);
    layout_rw(lk, order, n, &cursor);
    layout_non_alloc(lk, order, n, &cursor);
    if (lk->image_size > (uint64_t)SIZE_MAX / 2)
      ok = elf_fail(lk, "artifact would be too large");
  }
  free(order);
  return ok;
}
