/* Writing the image: section contents, then (after relocation) the ELF
 * header, program headers, dynamic tables, symbol tables and section
 * headers. Every offset written here was computed by elf_layout.c inside
 * lk->image_size. */
#include <string.h>

#include "elf_link_internal.h"

void elf_copy_contents(elf_linker *lk) {
  for (uint32_t i = 1; i < lk->section_count; i++) {
    const elf_in_section *s = &lk->sections[i];
    if (s->out == ELF_OUT_DROPPED || !s->data || s->size == 0)
      continue;
    memcpy(lk->image + lk->out[s->out].offset + s->out_offset, s->data,
           s->size);
  }
  elf_out_section *str = &lk->out[ELF_OUT_DYNSTR];
  memcpy(lk->image + str->offset, lk->dynstr.data, lk->dynstr.size);
  str = &lk->out[ELF_OUT_STRTAB];
  memcpy(lk->image + str->offset, lk->strtab.data, lk->strtab.size);
  str = &lk->out[ELF_OUT_SHSTRTAB];
  memcpy(lk->image + str->offset, lk->shstrtab.data, lk->shstrtab.size);
}

static void write_at(elf_linker *lk, uint64_t offset, const void *data,
                     size_t size) {
  memcpy(lk->image + offset, data, size);
}

static void write_elf_header(elf_linker *lk) {
  Elf64_Ehdr eh = {0};
  memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
  eh.e_type = ET_DYN;
  eh.e_machine = lk->arch->machine;
  eh.e_version = EV_CURRENT;
  eh.e_phoff = sizeof eh;
  eh.e_shoff = lk->shoff;
  eh.e_ehsize = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = (Elf64_Half)lk->phnum;
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = (Elf64_Half)lk->shnum;
  eh.e_shstrndx = (Elf64_Half)lk->out[ELF_OUT_SHSTRTAB].shndx;
  write_at(lk, 0, &eh, sizeof eh);
}

static Elf64_Phdr segment_header(const elf_linker *lk, uint32_t type,
                                 uint32_t flags, uint64_t vaddr,
                                 uint64_t filesz, uint64_t memsz) {
  return (Elf64_Phdr){.p_type = type,
                      .p_flags = flags,
                      .p_offset = vaddr,
                      .p_vaddr = vaddr,
                      .p_paddr = vaddr,
                      .p_filesz = filesz,
                      .p_memsz = memsz,
                      .p_align = type == PT_LOAD ? lk->page_size : 8};
}

static void write_program_headers(elf_linker *lk) {
  Elf64_Phdr ph[6];
  uint32_t n = 0;
  for (int i = 0; i < ELF_SEG_COUNT; i++) {
    const elf_segment *s = &lk->segments[i];
    if (i == ELF_SEG_RX && s->memsz == 0)
      continue;
    ph[n++] =
        segment_header(lk, PT_LOAD, s->flags, s->vaddr, s->filesz, s->memsz);
  }
  const elf_out_section *dyn = &lk->out[ELF_OUT_DYNAMIC];
  ph[n++] = segment_header(lk, PT_DYNAMIC, PF_R | PF_W, dyn->addr, dyn->size,
                           dyn->size);
  const elf_segment *rw = &lk->segments[ELF_SEG_RW];
  uint64_t relro = lk->relro_end - rw->vaddr;
  ph[n++] = segment_header(lk, PT_GNU_RELRO, PF_R, rw->vaddr,
                           relro < rw->filesz ? relro : rw->filesz, relro);
  ph[n] = (Elf64_Phdr){
      .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W, .p_align = 16};
  n++;
  write_at(lk, sizeof(Elf64_Ehdr), ph, n * sizeof ph[0]);
}

/* The SysV ELF hash (gABI, "Hash Table"). */
static uint32_t elf_sysv_hash(const char *name) {
  uint32_t h = 0;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
    h = (h << 4) + *p;
    uint32_t g = h & 0xf0000000u;
    if (g)
      h ^= g >> 24;
    h &= ~g;
  }
  return h;
}

/* nbucket, nchain, buckets[], chains[]: each bucket heads a chain of
 * .dynsym indices linked through chains[]; 0 ends a chain. */
static void write_hash(elf_linker *lk) {
  uint32_t nbucket = lk->hash_buckets, nchain = lk->dynsym_count;
  uint8_t *base = lk->image + lk->out[ELF_OUT_HASH].offset;
  uint32_t header[2] = {nbucket, nchain};
  memcpy(base, header, sizeof header);
  uint8_t *buckets = base + 8, *chains = base + 8 + (uint64_t)nbucket * 4;
  /* Inserting in reverse keeps each chain in .dynsym order. */
  for (uint32_t i = nchain; i-- > 1;) {
    uint32_t b =
        elf_sysv_hash(lk->symbols[lk->dynsym_symbols[i]].name) % nbucket;
    memcpy(chains + (uint64_t)i * 4, buckets + (uint64_t)b * 4, 4);
    memcpy(buckets + (uint64_t)b * 4, &i, 4);
  }
}

/* A definition or import as both .dynsym and .symtab show it. */
static Elf64_Sym global_symbol(const elf_linker *lk, uint32_t sym,
                               uint32_t name) {
  const elf_in_symbol *s = &lk->symbols[sym];
  Elf64_Sym out = {.st_name = name,
                   .st_info = ELF64_ST_INFO(s->bind, s->type),
                   .st_other = s->visibility == STV_PROTECTED ? STV_PROTECTED
                                                              : STV_DEFAULT};
  uint64_t addr;
  if (!elf_symbol_address(lk, sym, &addr))
    return out; /* an import: SHN_UNDEF, value 0 */
  out.st_value = addr;
  out.st_size = s->size;
  out.st_shndx = s->shndx == ELF_SEC_ABS
                     ? SHN_ABS
                     : (Elf64_Half)lk->out[lk->sections[s->shndx].out].shndx;
  return out;
}

static void write_dynsym(elf_linker *lk) {
  uint64_t at = lk->out[ELF_OUT_DYNSYM].offset;
  for (uint32_t i = 1; i < lk->dynsym_count; i++) {
    Elf64_Sym s =
        global_symbol(lk, lk->dynsym_symbols[i], lk->dynstr_offsets[i]);
    write_at(lk, at + (uint64_t)i * sizeof s, &s, sizeof s);
  }
}

static Elf64_Sym local_symbol(const elf_linker *lk, const elf_symtab_entry *e) {
  const elf_in_symbol *s = &lk->symbols[e->symbol];
  if (e->stub != ELF_NO_INDEX) {
    const elf_out_section *stubs = &lk->out[ELF_OUT_STUBS];
    return (Elf64_Sym){.st_name = e->name,
                       .st_info = ELF64_ST_INFO(STB_LOCAL, STT_FUNC),
                       .st_shndx = (Elf64_Half)stubs->shndx,
                       .st_value = stubs->addr +
                                   (uint64_t)e->stub * lk->arch->stub_size,
                       .st_size = lk->arch->stub_size};
  }
  Elf64_Sym out = global_symbol(lk, e->symbol, e->name);
  /* Hidden globals become locals, as a static linker would make them. */
  out.st_info = ELF64_ST_INFO(STB_LOCAL, s->type);
  out.st_other = s->visibility;
  return out;
}

static void write_symtab(elf_linker *lk) {
  uint64_t at = lk->out[ELF_OUT_SYMTAB].offset;
  for (uint32_t i = 1; i < lk->symtab_count; i++) {
    const elf_symtab_entry *e = &lk->symtab[i];
    Elf64_Sym s = i < lk->symtab_first_global
                      ? local_symbol(lk, e)
                      : global_symbol(lk, e->symbol, e->name);
    write_at(lk, at + (uint64_t)i * sizeof s, &s, sizeof s);
  }
}

static void write_dynamic(elf_linker *lk) {
  const elf_out_section *o = lk->out;
  Elf64_Dyn d[10];
  uint32_t n = 0;
  d[n++] = (Elf64_Dyn){DT_HASH, {o[ELF_OUT_HASH].addr}};
  d[n++] = (Elf64_Dyn){DT_STRTAB, {o[ELF_OUT_DYNSTR].addr}};
  d[n++] = (Elf64_Dyn){DT_SYMTAB, {o[ELF_OUT_DYNSYM].addr}};
  d[n++] = (Elf64_Dyn){DT_STRSZ, {o[ELF_OUT_DYNSTR].size}};
  d[n++] = (Elf64_Dyn){DT_SYMENT, {sizeof(Elf64_Sym)}};
  if (lk->dynrel_count) {
    d[n++] = (Elf64_Dyn){DT_RELA, {o[ELF_OUT_RELA_DYN].addr}};
    d[n++] = (Elf64_Dyn){DT_RELASZ, {o[ELF_OUT_RELA_DYN].size}};
    d[n++] = (Elf64_Dyn){DT_RELAENT, {sizeof(Elf64_Rela)}};
  }
  if (lk->in->soname) /* the soname was added last to .dynstr */
    d[n++] =
        (Elf64_Dyn){DT_SONAME, {lk->dynstr.size - strlen(lk->in->soname) - 1}};
  d[n++] = (Elf64_Dyn){DT_NULL, {0}};
  write_at(lk, o[ELF_OUT_DYNAMIC].offset, d, n * sizeof d[0]);
}

static void write_section_headers(elf_linker *lk) {
  for (uint32_t i = 0; i < lk->out_count; i++) {
    const elf_out_section *o = &lk->out[i];
    if (!o->shndx)
      continue;
    Elf64_Shdr sh = {.sh_name = o->name_offset,
                     .sh_type = o->type,
                     .sh_flags = o->flags,
                     .sh_addr = o->addr,
                     .sh_offset = o->offset,
                     .sh_size = o->size,
                     .sh_link = o->link >= 0 ? lk->out[o->link].shndx : 0,
                     .sh_info = o->info,
                     .sh_addralign = o->align,
                     .sh_entsize = o->entsize};
    write_at(lk, lk->shoff + (uint64_t)o->shndx * sizeof sh, &sh, sizeof sh);
  }
}

bool elf_write_tables(elf_linker *lk) {
  write_elf_header(lk);
  write_program_headers(lk);
  write_hash(lk);
  write_dynsym(lk);
  write_symtab(lk);
  write_dynamic(lk);
  write_section_headers(lk);
  return true;
}
