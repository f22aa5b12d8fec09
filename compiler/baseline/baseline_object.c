#include "baseline_object.h"

#include "array_reserve.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

uint32_t bl_object_add_symbol(bl_object *o, bl_symbol s) {
  if (!array_reserve((void **)&o->symbols, &o->symbol_cap, o->symbol_count + 1,
                     sizeof s)) {
    o->failed = true;
    return 0;
  }
  o->symbols[o->symbol_count] = s;
  return o->symbol_count++;
}

void bl_object_add_reloc(bl_object *o, bl_reloc r) {
  if (!array_reserve((void **)&o->relocs, &o->reloc_cap, o->reloc_count + 1,
                     sizeof r)) {
    o->failed = true;
    return;
  }
  o->relocs[o->reloc_count++] = r;
}

void bl_object_free(bl_object *o) {
  bytebuf_free(&o->text);
  free(o->symbols);
  free(o->relocs);
  memset(o, 0, sizeof *o);
}

static void pad_to(bytebuf *b, size_t align) {
  static const uint8_t zeros[16];
  if (b->len % align)
    bytebuf_append(b, zeros, align - b->len % align);
}

enum {
  SEC_NULL,
  SEC_TEXT,
  SEC_RELA,
  SEC_SYMTAB,
  SEC_STRTAB,
  SEC_SHSTRTAB,
  SEC_COUNT
};

bool bl_object_write(const bl_object *o, uint16_t machine, void **image,
                     size_t *size) {
  if (o->failed || o->text.failed)
    return false;
  bytebuf strtab = {0}, shstrtab = {0}, out = {0};
  bytebuf_append_byte(&strtab, 0);
  static const char names[] = "\0.text\0.rela.text\0.symtab\0.strtab\0"
                              ".shstrtab";
  bytebuf_append(&shstrtab, names, sizeof names);
  const uint32_t name_at[SEC_COUNT] = {0, 1, 7, 18, 26, 34};

  Elf64_Ehdr eh = {0};
  bytebuf_append(&out, &eh, sizeof eh); /* filled in at the end */
  uint64_t text_off = out.len;
  bytebuf_append(&out, o->text.data, o->text.len);

  pad_to(&out, 8);
  uint64_t rela_off = out.len;
  for (size_t i = 0; i < o->reloc_count; i++) {
    const bl_reloc *r = &o->relocs[i];
    Elf64_Rela rela = {.r_offset = r->offset,
                       .r_info = ELF64_R_INFO(r->symbol + 1, r->type),
                       .r_addend = r->addend};
    bytebuf_append(&out, &rela, sizeof rela);
  }

  uint64_t sym_off = out.len;
  Elf64_Sym null_sym = {0};
  bytebuf_append(&out, &null_sym, sizeof null_sym);
  for (uint32_t i = 0; i < o->symbol_count; i++) {
    const bl_symbol *s = &o->symbols[i];
    Elf64_Sym sym = {.st_name = (uint32_t)strtab.len,
                     .st_info = ELF64_ST_INFO(
                         STB_GLOBAL, s->defined ? STT_FUNC : STT_NOTYPE),
                     .st_other = s->defined ? STV_HIDDEN : STV_DEFAULT,
                     .st_shndx = s->defined ? SEC_TEXT : SHN_UNDEF,
                     .st_value = s->value,
                     .st_size = s->size};
    bytebuf_append(&strtab, s->name, strlen(s->name) + 1);
    bytebuf_append(&out, &sym, sizeof sym);
  }
  uint64_t sym_size = out.len - sym_off;
  uint64_t str_off = out.len;
  bytebuf_append(&out, strtab.data, strtab.len);
  uint64_t shstr_off = out.len;
  bytebuf_append(&out, shstrtab.data, shstrtab.len);

  pad_to(&out, 8);
  uint64_t shoff = out.len;
  Elf64_Shdr sh[SEC_COUNT] = {0};
  sh[SEC_TEXT] = (Elf64_Shdr){.sh_type = SHT_PROGBITS,
                              .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
                              .sh_offset = text_off,
                              .sh_size = o->text.len,
                              .sh_addralign = 16};
  sh[SEC_RELA] = (Elf64_Shdr){.sh_type = SHT_RELA,
                              .sh_flags = SHF_INFO_LINK,
                              .sh_offset = rela_off,
                              .sh_size = o->reloc_count * sizeof(Elf64_Rela),
                              .sh_link = SEC_SYMTAB,
                              .sh_info = SEC_TEXT,
                              .sh_addralign = 8,
                              .sh_entsize = sizeof(Elf64_Rela)};
  sh[SEC_SYMTAB] = (Elf64_Shdr){.sh_type = SHT_SYMTAB,
                                .sh_offset = sym_off,
                                .sh_size = sym_size,
                                .sh_link = SEC_STRTAB,
                                .sh_info = 1, /* the first global */
                                .sh_addralign = 8,
                                .sh_entsize = sizeof(Elf64_Sym)};
  sh[SEC_STRTAB] = (Elf64_Shdr){.sh_type = SHT_STRTAB,
                                .sh_offset = str_off,
                                .sh_size = strtab.len,
                                .sh_addralign = 1};
  sh[SEC_SHSTRTAB] = (Elf64_Shdr){.sh_type = SHT_STRTAB,
                                  .sh_offset = shstr_off,
                                  .sh_size = shstrtab.len,
                                  .sh_addralign = 1};
  for (int i = 0; i < SEC_COUNT; i++)
    sh[i].sh_name = name_at[i];
  bytebuf_append(&out, sh, sizeof sh);

  bool ok = !out.failed && !strtab.failed && !shstrtab.failed;
  if (ok) {
    Elf64_Ehdr *h = (Elf64_Ehdr *)out.data;
    memcpy(h->e_ident, ELFMAG, SELFMAG);
    h->e_ident[EI_CLASS] = ELFCLASS64;
    h->e_ident[EI_DATA] = ELFDATA2LSB;
    h->e_ident[EI_VERSION] = EV_CURRENT;
    h->e_type = ET_REL;
    h->e_machine = machine;
    h->e_version = EV_CURRENT;
    h->e_shoff = shoff;
    h->e_ehsize = sizeof(Elf64_Ehdr);
    h->e_shentsize = sizeof(Elf64_Shdr);
    h->e_shnum = SEC_COUNT;
    h->e_shstrndx = SEC_SHSTRTAB;
    *image = out.data;
    *size = out.len;
  } else {
    bytebuf_free(&out);
  }
  bytebuf_free(&strtab);
  bytebuf_free(&shstrtab);
  return ok;
}
