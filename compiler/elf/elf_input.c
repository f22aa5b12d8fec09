/* Parsing the relocatable object. Nothing here trusts the input: every
 * offset, size, index and string is checked against the buffer before use,
 * and structures are copied out with memcpy because the buffer (and the
 * offsets inside it) need not be aligned. */
#include <stdlib.h>
#include <string.h>

#include "elf_link_internal.h"

static bool range_ok(size_t total, uint64_t off, uint64_t len) {
  return off <= total && len <= total - off;
}

static bool is_power_of_two(uint64_t v) {
  return v && !(v & (v - 1));
}

static bool check_header(elf_linker *lk, Elf64_Ehdr *eh) {
  if (lk->obj_size < sizeof *eh)
    return elf_fail(lk, "object is %zu bytes, too small for an ELF header",
                    lk->obj_size);
  memcpy(eh, lk->obj, sizeof *eh);
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
    return elf_fail(lk, "object is not ELF (bad magic)");
  if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_ident[EI_DATA] != ELFDATA2LSB)
    return elf_fail(lk, "object is not 64-bit little-endian ELF");
  if (eh->e_ident[EI_VERSION] != EV_CURRENT)
    return elf_fail(lk, "object has unknown ELF version %u",
                    eh->e_ident[EI_VERSION]);
  if (eh->e_type != ET_REL)
    return elf_fail(lk, "object has ELF type %u, expected ET_REL", eh->e_type);
  lk->arch = elf_arch_for_machine(eh->e_machine);
  if (!lk->arch)
    return elf_fail(lk, "object machine %u is not supported", eh->e_machine);
  if (eh->e_shentsize != sizeof(Elf64_Shdr))
    return elf_fail(lk, "object section header size %u, expected %zu",
                    eh->e_shentsize, sizeof(Elf64_Shdr));
  return true;
}

static bool read_shdr(elf_linker *lk, uint64_t shoff, uint32_t i,
                      Elf64_Shdr *out) {
  uint64_t at = shoff + (uint64_t)i * sizeof *out;
  if (!range_ok(lk->obj_size, at, sizeof *out))
    return elf_fail(lk, "section header %u lies outside the object", i);
  memcpy(out, lk->obj + at, sizeof *out);
  return true;
}

/* e_shnum and e_shstrndx overflow into section header 0 for objects with
 * more than SHN_LORESERVE sections (LLVM does this with many functions). */
static bool section_counts(elf_linker *lk, const Elf64_Ehdr *eh,
                           uint32_t *shnum, uint32_t *shstrndx) {
  *shnum = eh->e_shnum;
  *shstrndx = eh->e_shstrndx;
  if (eh->e_shoff == 0)
    return elf_fail(lk, "object has no section headers");
  Elf64_Shdr first;
  if (!read_shdr(lk, eh->e_shoff, 0, &first))
    return false;
  if (*shnum == 0) {
    if (first.sh_size > UINT32_MAX)
      return elf_fail(lk, "object claims %llu sections",
                      (unsigned long long)first.sh_size);
    *shnum = (uint32_t)first.sh_size;
  }
  if (*shstrndx == SHN_XINDEX)
    *shstrndx = first.sh_link;
  if (*shnum == 0 ||
      !range_ok(lk->obj_size, eh->e_shoff, (uint64_t)*shnum * sizeof first))
    return elf_fail(lk, "section header table lies outside the object");
  if (*shstrndx == SHN_UNDEF || *shstrndx >= *shnum)
    return elf_fail(lk, "section name table index %u out of range", *shstrndx);
  return true;
}

static bool string_in(elf_linker *lk, const elf_in_section *strtab,
                      uint64_t off, const char *what, const char **out) {
  if (!strtab->data || off >= strtab->size ||
      !memchr(strtab->data + off, 0, strtab->size - off))
    return elf_fail(lk, "%s name offset %llu is outside its string table", what,
                    (unsigned long long)off);
  *out = (const char *)strtab->data + off;
  return true;
}

static bool read_section(elf_linker *lk, const Elf64_Shdr *sh, uint32_t i) {
  elf_in_section *s = &lk->sections[i];
  s->type = sh->sh_type;
  s->flags = sh->sh_flags;
  s->size = sh->sh_size;
  s->align = sh->sh_addralign ? sh->sh_addralign : 1;
  s->link = sh->sh_link;
  s->info = sh->sh_info;
  s->entsize = sh->sh_entsize;
  s->out = ELF_OUT_DROPPED;
  s->name = "";
  if (!is_power_of_two(s->align))
    return elf_fail(lk, "section %u alignment %llu is not a power of two", i,
                    (unsigned long long)s->align);
  if (sh->sh_type == SHT_NOBITS || sh->sh_type == SHT_NULL)
    return true;
  if (!range_ok(lk->obj_size, sh->sh_offset, sh->sh_size))
    return elf_fail(lk, "section %u contents lie outside the object", i);
  s->data = lk->obj + sh->sh_offset;
  return true;
}

static bool read_sections(elf_linker *lk, uint32_t *symtab_index,
                          uint32_t *shndx_index) {
  Elf64_Ehdr eh;
  uint32_t shnum, shstrndx;
  if (!check_header(lk, &eh) || !section_counts(lk, &eh, &shnum, &shstrndx))
    return false;
  if (lk->in->extra_count > UINT32_MAX / 2 - shnum)
    return elf_fail(lk, "too many extra sections");
  size_t total = (size_t)shnum + lk->in->extra_count;
  lk->sections = calloc(total, sizeof *lk->sections);
  if (!lk->sections)
    return elf_fail(lk, "out of memory reading %u sections", shnum);
  lk->object_section_count = shnum;
  lk->section_count = (uint32_t)total;
  uint32_t *name_offsets = calloc(shnum, sizeof *name_offsets);
  if (!name_offsets)
    return elf_fail(lk, "out of memory reading %u sections", shnum);
  *symtab_index = *shndx_index = 0;
  bool ok = true;
  for (uint32_t i = 0; ok && i < shnum; i++) {
    Elf64_Shdr sh;
    ok = read_shdr(lk, eh.e_shoff, i, &sh) && read_section(lk, &sh, i);
    if (!ok)
      break;
    name_offsets[i] = sh.sh_name;
    if (sh.sh_type == SHT_SYMTAB) {
      if (*symtab_index)
        ok = elf_fail(lk, "object has more than one symbol table");
      *symtab_index = i;
    } else if (sh.sh_type == SHT_SYMTAB_SHNDX) {
      *shndx_index = i;
    }
  }
  const elf_in_section *shstr = &lk->sections[shstrndx];
  if (ok && shstr->type != SHT_STRTAB)
    ok = elf_fail(lk, "section name table %u is not a string table", shstrndx);
  for (uint32_t i = 1; ok && i < shnum; i++)
    ok =
        string_in(lk, shstr, name_offsets[i], "section", &lk->sections[i].name);
  free(name_offsets);
  return ok;
}

/* Maps st_shndx to an index into lk->sections, ELF_SEC_ABS or SHN_UNDEF.
 * Reserved values are translated before extended indices are read, so a
 * real section numbered 0xfff1 is never mistaken for SHN_ABS. */
static bool symbol_section_index(elf_linker *lk, const Elf64_Sym *sym,
                                 uint32_t i, const elf_in_section *shndx_tab,
                                 const char *name, uint32_t *out) {
  *out = sym->st_shndx;
  if (sym->st_shndx == SHN_ABS) {
    *out = ELF_SEC_ABS;
    return true;
  }
  if (sym->st_shndx == SHN_COMMON)
    return elf_fail(lk, "symbol '%s' is COMMON; compile with -fno-common",
                    name);
  if (sym->st_shndx != SHN_XINDEX) {
    if (sym->st_shndx >= SHN_LORESERVE)
      return elf_fail(lk,
                      "symbol '%s' has unsupported special section "
                      "index 0x%x",
                      name, sym->st_shndx);
    return true;
  }
  if (!shndx_tab || !shndx_tab->data || (uint64_t)i * 4 + 4 > shndx_tab->size)
    return elf_fail(lk,
                    "symbol %u has an extended section index but no "
                    "SHT_SYMTAB_SHNDX entry",
                    i);
  uint32_t v;
  memcpy(&v, shndx_tab->data + (uint64_t)i * 4, 4);
  *out = v;
  return true;
}

static bool check_symbol_section(elf_linker *lk, const elf_in_symbol *s,
                                 uint32_t i) {
  if (s->shndx == SHN_UNDEF || s->shndx == ELF_SEC_ABS)
    return true;
  if (s->shndx >= lk->object_section_count)
    return elf_fail(lk, "symbol %u ('%s') has section index %u out of range", i,
                    s->name, s->shndx);
  const elf_in_section *sec = &lk->sections[s->shndx];
  if (s->type != STT_SECTION && s->value > sec->size)
    return elf_fail(lk, "symbol '%s' lies past the end of section %s", s->name,
                    sec->name);
  return true;
}

static bool read_symbol(elf_linker *lk, const elf_in_section *tab,
                        const elf_in_section *strtab,
                        const elf_in_section *shndx_tab, uint32_t i) {
  Elf64_Sym sym;
  memcpy(&sym, tab->data + (uint64_t)i * sizeof sym, sizeof sym);
  elf_in_symbol *s = &lk->symbols[i];
  s->value = sym.st_value;
  s->size = sym.st_size;
  s->bind = ELF64_ST_BIND(sym.st_info);
  s->type = ELF64_ST_TYPE(sym.st_info);
  s->visibility = ELF64_ST_VISIBILITY(sym.st_other);
  s->got_slot = s->stub = ELF_NO_INDEX;
  if (!string_in(lk, strtab, sym.st_name, "symbol", &s->name) ||
      !symbol_section_index(lk, &sym, i, shndx_tab, s->name, &s->shndx))
    return false;
  if (s->type == STT_TLS || s->type == STT_GNU_IFUNC)
    return elf_fail(lk, "symbol '%s' is %s, which artifacts do not support",
                    s->name, s->type == STT_TLS ? "thread-local" : "an IFUNC");
  return check_symbol_section(lk, s, i);
}

static bool symbol_table(elf_linker *lk, uint32_t symtab_index,
                         const elf_in_section **strtab, uint64_t *count) {
  const elf_in_section *tab = &lk->sections[symtab_index];
  if (tab->entsize != sizeof(Elf64_Sym) || tab->size % sizeof(Elf64_Sym))
    return elf_fail(lk, "symbol table entry size %llu, expected %zu",
                    (unsigned long long)tab->entsize, sizeof(Elf64_Sym));
  if (tab->link == 0 || tab->link >= lk->object_section_count ||
      lk->sections[tab->link].type != SHT_STRTAB)
    return elf_fail(lk,
                    "symbol table links to section %u, which is not a "
                    "string table",
                    tab->link);
  *strtab = &lk->sections[tab->link];
  *count = tab->size / sizeof(Elf64_Sym);
  return true;
}

/* Index 0 is the null symbol even when the object has no symbol table;
 * symbols of named extra sections follow the object's. */
/* The .eh_frame to keep (elf_link_input.eh_frame_symbol): at most one,
 * as merged objects have. */
static bool find_eh_frame(elf_linker *lk) {
  if (!lk->in->eh_frame_symbol)
    return true;
  for (uint32_t i = 1; i < lk->object_section_count; i++) {
    if (strcmp(lk->sections[i].name, ".eh_frame") != 0)
      continue;
    if (lk->eh_frame_section)
      return elf_fail(lk, "object has more than one .eh_frame section");
    if (!(lk->sections[i].flags & SHF_ALLOC) || !lk->sections[i].data)
      return elf_fail(lk, ".eh_frame is not allocated PROGBITS");
    lk->eh_frame_section = i;
  }
  return true;
}

static bool read_symbols(elf_linker *lk, uint32_t symtab_index,
                         uint32_t shndx_index) {
  size_t named_extras = lk->eh_frame_section != 0;
  for (size_t i = 0; i < lk->in->extra_count; i++)
    named_extras += lk->in->extra[i].symbol != NULL;
  uint64_t count = 1;
  const elf_in_section *strtab = NULL;
  if (symtab_index && !symbol_table(lk, symtab_index, &strtab, &count))
    return false;
  if (count == 0)
    count = 1;
  if (count + named_extras > UINT32_MAX / 2)
    return elf_fail(lk, "object has too many symbols");
  lk->object_symbol_count = (uint32_t)count;
  lk->symbol_count = (uint32_t)(count + named_extras);
  lk->symbols = calloc(lk->symbol_count, sizeof *lk->symbols);
  if (!lk->symbols)
    return elf_fail(lk, "out of memory reading %llu symbols",
                    (unsigned long long)count);
  /* Relocations against the null symbol mean S = 0: an absolute zero. */
  lk->symbols[0] = (elf_in_symbol){.name = "",
                                   .shndx = ELF_SEC_ABS,
                                   .got_slot = ELF_NO_INDEX,
                                   .stub = ELF_NO_INDEX};
  const elf_in_section *shndx_tab =
      shndx_index ? &lk->sections[shndx_index] : NULL;
  if (shndx_tab && shndx_tab->link != symtab_index)
    return elf_fail(lk, "SHT_SYMTAB_SHNDX section belongs to another symbol "
                        "table");
  for (uint32_t i = 1; i < count; i++)
    if (!read_symbol(lk, &lk->sections[symtab_index], strtab, shndx_tab, i))
      return false;
  return true;
}

static bool read_rela_sections(elf_linker *lk, uint32_t symtab_index) {
  lk->relas = calloc(lk->object_section_count, sizeof *lk->relas);
  if (!lk->relas)
    return elf_fail(lk, "out of memory");
  for (uint32_t i = 1; i < lk->object_section_count; i++) {
    const elf_in_section *s = &lk->sections[i];
    if (s->type == SHT_REL)
      return elf_fail(lk,
                      "section %s uses SHT_REL, only SHT_RELA is "
                      "supported",
                      s->name);
    if (s->type != SHT_RELA)
      continue;
    if (s->entsize != sizeof(Elf64_Rela) || s->size % sizeof(Elf64_Rela))
      return elf_fail(lk, "relocation section %s has entry size %llu", s->name,
                      (unsigned long long)s->entsize);
    if (s->link != symtab_index || symtab_index == 0)
      return elf_fail(lk,
                      "relocation section %s does not use the symbol "
                      "table",
                      s->name);
    if (s->info == 0 || s->info >= lk->object_section_count)
      return elf_fail(lk,
                      "relocation section %s patches section %u, out of "
                      "range",
                      s->name, s->info);
    elf_in_rela *r = &lk->relas[lk->rela_count++];
    r->target = s->info;
    r->entries = s->data;
    r->count = s->size / sizeof(Elf64_Rela);
  }
  return true;
}

/* Extra sections become pseudo input sections (and their symbols pseudo
 * input symbols) so the later phases treat them like any other. */
static bool add_extras(elf_linker *lk) {
  uint32_t sym = lk->object_symbol_count;
  for (size_t i = 0; i < lk->in->extra_count; i++) {
    const elf_link_extra_section *e = &lk->in->extra[i];
    uint32_t idx = lk->object_section_count + (uint32_t)i;
    size_t align = e->align ? e->align : 1;
    if (!e->name || !e->name[0] || (e->size && !e->data))
      return elf_fail(lk, "extra section %zu has no name or no data", i);
    if (!is_power_of_two(align))
      return elf_fail(lk, "extra section %s alignment %zu is invalid", e->name,
                      e->align);
    lk->sections[idx] = (elf_in_section){.name = e->name,
                                         .type = SHT_PROGBITS,
                                         .flags = SHF_ALLOC,
                                         .size = e->size,
                                         .align = align,
                                         .data = e->data,
                                         .out = ELF_OUT_FIXED_COUNT + (int)i};
    if (e->symbol)
      lk->symbols[sym++] = (elf_in_symbol){.name = e->symbol,
                                           .size = e->size,
                                           .shndx = idx,
                                           .bind = STB_GLOBAL,
                                           .type = STT_OBJECT,
                                           .visibility = STV_DEFAULT,
                                           .got_slot = ELF_NO_INDEX,
                                           .stub = ELF_NO_INDEX};
  }
  if (lk->eh_frame_section)
    lk->symbols[sym++] =
        (elf_in_symbol){.name = lk->in->eh_frame_symbol,
                        .size = lk->sections[lk->eh_frame_section].size,
                        .shndx = lk->eh_frame_section,
                        .bind = STB_GLOBAL,
                        .type = STT_OBJECT,
                        .visibility = STV_DEFAULT,
                        .got_slot = ELF_NO_INDEX,
                        .stub = ELF_NO_INDEX};
  return true;
}

bool elf_read_input(elf_linker *lk) {
  uint32_t symtab_index = 0, shndx_index = 0;
  if (!lk->in->object)
    return elf_fail(lk, "no object given");
  lk->obj = lk->in->object;
  lk->obj_size = lk->in->object_size;
  return read_sections(lk, &symtab_index, &shndx_index) && find_eh_frame(lk) &&
         read_symbols(lk, symtab_index, shndx_index) &&
         read_rela_sections(lk, symtab_index) && add_extras(lk);
}

bool elf_read_rela(elf_linker *lk, const elf_in_rela *r, size_t i,
                   elf_rela *out) {
  Elf64_Rela raw;
  memcpy(&raw, r->entries + i * sizeof raw, sizeof raw);
  out->offset = raw.r_offset;
  out->type = (uint32_t)ELF64_R_TYPE(raw.r_info);
  out->sym = (uint32_t)ELF64_R_SYM(raw.r_info);
  out->addend = raw.r_addend;
  if (out->sym >= lk->object_symbol_count)
    return elf_fail(lk, "relocation %zu in %s names symbol %u, out of range", i,
                    lk->sections[r->target].name, out->sym);
  return true;
}
