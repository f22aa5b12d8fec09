/* Planning: decide where each input section goes, which symbols need a GOT
 * slot, a call stub or a .dynsym entry, and how many dynamic relocations
 * the artifact will carry. Nothing is written yet; the layout needs these
 * sizes first. */
#include <stdlib.h>
#include <string.h>

#include "elf_link_internal.h"

/* ---- sections ---- */

static bool is_unwind_info(const elf_linker *lk, const elf_in_section *s) {
  if (lk->arch->machine == EM_X86_64 && s->type == SHT_X86_64_UNWIND)
    return true;
  return strcmp(s->name, ".eh_frame") == 0;
}

static bool starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool placement_of(elf_linker *lk, const elf_in_section *s, int *out) {
  *out = ELF_OUT_DROPPED;
  /* Unwind tables are dropped unless asked for: traps unwind with
   * siglongjmp, and only a module with exception handlers needs the
   * unwinder (elf_link.h). The loader registers the kept ones itself, so
   * no PT_GNU_EH_FRAME index is written. */
  if (is_unwind_info(lk, s)) {
    if (s == &lk->sections[lk->eh_frame_section])
      *out = ELF_OUT_EH_FRAME;
    return true;
  }
  if (!(s->flags & SHF_ALLOC) || s->type == SHT_NOTE)
    return true;
  if (s->flags & SHF_TLS)
    return elf_fail(lk, "section %s is thread-local; artifacts have no TLS",
                    s->name);
  if (s->type == SHT_INIT_ARRAY || s->type == SHT_FINI_ARRAY ||
      s->type == SHT_PREINIT_ARRAY)
    return elf_fail(lk,
                    "section %s holds constructors or destructors, "
                    "which artifacts do not run",
                    s->name);
  if (s->type != SHT_PROGBITS && s->type != SHT_NOBITS)
    return elf_fail(lk, "allocated section %s has unsupported type 0x%x",
                    s->name, s->type);
  if (s->align > lk->page_size)
    return elf_fail(lk,
                    "section %s wants alignment %llu, above the page "
                    "size",
                    s->name, (unsigned long long)s->align);
  bool exec = s->flags & SHF_EXECINSTR, write = s->flags & SHF_WRITE;
  bool nobits = s->type == SHT_NOBITS;
  if (exec && write)
    return elf_fail(lk, "section %s is both writable and executable", s->name);
  if (nobits && !write)
    return elf_fail(lk, "section %s is read-only SHT_NOBITS", s->name);
  /* File-backed sizes are bounded by the object; zero-fill ones are not. */
  if (nobits && s->size > ELF_MAX_ZERO_FILL)
    return elf_fail(lk, "section %s asks for %llu bytes of zero fill", s->name,
                    (unsigned long long)s->size);
  if (exec)
    *out = ELF_OUT_TEXT;
  else if (nobits)
    *out = ELF_OUT_BSS;
  else if (write)
    *out = starts_with(s->name, ".data.rel.ro") ? ELF_OUT_RELRO : ELF_OUT_DATA;
  else
    *out = ELF_OUT_RODATA;
  return true;
}

/* Input sections of one kind are concatenated in input order; their
 * offsets inside the merged output are known now, addresses later. */
static bool place_sections(elf_linker *lk) {
  for (uint32_t i = 1; i < lk->object_section_count; i++) {
    elf_in_section *s = &lk->sections[i];
    if (!placement_of(lk, s, &s->out))
      return false;
    if (s->out == ELF_OUT_DROPPED)
      continue;
    elf_out_section *o = &lk->out[s->out];
    s->out_offset = elf_align_up(o->size, s->align);
    o->size = s->out_offset + s->size;
    if (s->align > o->align)
      o->align = s->align;
  }
  /* The zero word that ends .eh_frame for the unwinder (the image is
   * zero-filled). */
  if (lk->out[ELF_OUT_EH_FRAME].size)
    lk->out[ELF_OUT_EH_FRAME].size += 4;
  for (uint32_t i = lk->object_section_count; i < lk->section_count; i++) {
    elf_in_section *s = &lk->sections[i];
    if (s->align > lk->page_size)
      return elf_fail(lk,
                      "extra section %s wants alignment %llu, above the "
                      "page size",
                      s->name, (unsigned long long)s->align);
    lk->out[s->out].size = s->size;
    lk->out[s->out].align = s->align;
  }
  return true;
}

/* ---- GOT slots and stubs ---- */

static void need_got_slot(elf_linker *lk, uint32_t sym) {
  elf_in_symbol *s = &lk->symbols[sym];
  if (s->got_slot != ELF_NO_INDEX)
    return;
  s->got_slot = lk->got_count;
  lk->got_symbols[lk->got_count++] = sym;
  /* Absolute symbols need no load-time fix-up; everything else is either
   * RELATIVE (defined here) or GLOB_DAT (imported). */
  if (s->shndx == ELF_SEC_ABS)
    return;
  lk->dynrel_count++;
  if (s->shndx == SHN_UNDEF)
    s->needs_dynsym = true;
}

static void need_stub(elf_linker *lk, uint32_t sym) {
  elf_in_symbol *s = &lk->symbols[sym];
  need_got_slot(lk, sym);
  if (s->stub != ELF_NO_INDEX)
    return;
  s->stub = lk->stub_count;
  lk->stub_symbols[lk->stub_count++] = sym;
}

/* ---- relocation scan ---- */

typedef enum symbol_state {
  SYM_UNDEFINED,
  SYM_ABSOLUTE,
  SYM_IN_SECTION,
  SYM_DROPPED,
} symbol_state;

static symbol_state state_of(const elf_linker *lk, const elf_in_symbol *s) {
  if (s->shndx == SHN_UNDEF)
    return SYM_UNDEFINED;
  if (s->shndx == ELF_SEC_ABS)
    return SYM_ABSOLUTE;
  return lk->sections[s->shndx].out == ELF_OUT_DROPPED ? SYM_DROPPED
                                                       : SYM_IN_SECTION;
}

typedef struct reloc_site {
  const elf_in_section *target;
  const elf_rela *rela;
  const elf_reloc_howto *howto;
  const elf_in_symbol *sym;
} reloc_site;

static bool site_fail(elf_linker *lk, const reloc_site *r, const char *why) {
  return elf_reloc_fail(lk, r->target, r->rela, r->howto->name, why);
}

static bool plan_absolute(elf_linker *lk, const reloc_site *r,
                          symbol_state st) {
  if (st == SYM_ABSOLUTE)
    return true;
  if (r->howto->type != lk->arch->rel_abs64)
    return site_fail(lk, r,
                     "absolute address is not position-independent "
                     "(compile with -fPIC)");
  if (!(r->target->flags & SHF_WRITE))
    return site_fail(lk, r,
                     "would need a load-time relocation in a "
                     "read-only section (text relocation)");
  lk->dynrel_count++;
  if (st == SYM_UNDEFINED)
    lk->symbols[r->rela->sym].needs_dynsym = true;
  return true;
}

static bool plan_one(elf_linker *lk, const reloc_site *r) {
  symbol_state st = state_of(lk, r->sym);
  if (st == SYM_DROPPED)
    return site_fail(lk, r, "the symbol's section was dropped");
  uint32_t sym = r->rela->sym;
  switch (r->howto->kind) {
  case ELF_RK_NONE:
    return true;
  case ELF_RK_ABS:
    return plan_absolute(lk, r, st);
  case ELF_RK_CALL:
    if (st == SYM_UNDEFINED)
      need_stub(lk, sym);
    else if (st == SYM_ABSOLUTE)
      return site_fail(lk, r, "PC-relative call to an absolute symbol");
    return true;
  case ELF_RK_GOT_RELAX:
    if (st == SYM_IN_SECTION &&
        lk->arch->can_relax(r->howto, r->target->data, r->rela->offset))
      return true;
    need_got_slot(lk, sym);
    return true;
  case ELF_RK_GOT_PAGE:
  case ELF_RK_GOT_LO:
    /* The psABI means a slot holding S + A; slots here hold S. */
    if (r->rela->addend != 0)
      return site_fail(lk, r, "GOT reference with a non-zero addend");
    need_got_slot(lk, sym);
    return true;
  case ELF_RK_GOT_PCREL:
    need_got_slot(lk, sym);
    return true;
  case ELF_RK_GOTPC: /* .got has an address even when it has no slots */
    return true;
  case ELF_RK_SIZE:
    if (st == SYM_UNDEFINED)
      return site_fail(lk, r, "size of an undefined symbol is unknown");
    return true;
  case ELF_RK_GOTOFF: /* needs S like a PC-relative reference */
  case ELF_RK_ABS_LO:
  case ELF_RK_PCREL:
  case ELF_RK_PAGE_PCREL:
    if (st == SYM_UNDEFINED)
      return site_fail(lk, r,
                       "direct reference to an undefined symbol "
                       "(only calls and GOT loads may import)");
    if (st == SYM_ABSOLUTE && r->howto->kind != ELF_RK_ABS_LO)
      return site_fail(lk, r,
                       "PC-relative reference to an absolute "
                       "symbol");
    return true;
  }
  return site_fail(lk, r, "relocation kind not handled");
}

static bool scan_rela_section(elf_linker *lk, const elf_in_rela *rs) {
  const elf_in_section *target = &lk->sections[rs->target];
  if (target->out == ELF_OUT_DROPPED || rs->count == 0)
    return true;
  if (!target->data)
    return elf_fail(lk, "relocations patch %s, which has no contents",
                    target->name);
  for (size_t i = 0; i < rs->count; i++) {
    elf_rela rela;
    if (!elf_read_rela(lk, rs, i, &rela))
      return false;
    const elf_reloc_howto *h = lk->arch->howto(rela.type);
    if (!h) {
      char name[64];
      return elf_reloc_fail(lk, target, &rela,
                            lk->arch->reloc_name(rela.type, name, sizeof name),
                            "unsupported relocation type");
    }
    if (rela.offset > target->size || h->bytes > target->size - rela.offset)
      return elf_fail(lk, "%s at offset 0x%llx lies outside %s", h->name,
                      (unsigned long long)rela.offset, target->name);
    reloc_site site = {target, &rela, h, &lk->symbols[rela.sym]};
    if (!plan_one(lk, &site))
      return false;
  }
  return true;
}

/* ---- symbol names: duplicates and exports ---- */

typedef struct name_entry {
  const char *name;
  uint32_t sym;
} name_entry;

static int compare_names(const void *a, const void *b) {
  return strcmp(((const name_entry *)a)->name, ((const name_entry *)b)->name);
}

static bool is_global(const elf_in_symbol *s) {
  return s->bind == STB_GLOBAL || s->bind == STB_WEAK;
}

/* Sorted global names: finds exported_symbols entries in O(log n) and
 * catches an extra section's symbol colliding with one from the object. */
static bool sorted_globals(elf_linker *lk, name_entry **out, size_t *count) {
  name_entry *names = calloc(lk->symbol_count, sizeof *names);
  if (!names)
    return elf_fail(lk, "out of memory");
  size_t n = 0;
  for (uint32_t i = 1; i < lk->symbol_count; i++)
    if (is_global(&lk->symbols[i]) && lk->symbols[i].name[0])
      names[n++] = (name_entry){lk->symbols[i].name, i};
  qsort(names, n, sizeof *names, compare_names);
  for (size_t i = 1; i < n; i++)
    if (strcmp(names[i - 1].name, names[i].name) == 0) {
      elf_fail(lk, "symbol '%s' is defined twice", names[i].name);
      free(names);
      return false;
    }
  *out = names;
  *count = n;
  return true;
}

static bool export_named(elf_linker *lk, const name_entry *names, size_t n) {
  for (size_t i = 0; i < lk->in->exported_count; i++) {
    name_entry key = {lk->in->exported_symbols[i], 0};
    if (!key.name)
      return elf_fail(lk, "exported symbol %zu has no name", i);
    const name_entry *hit =
        bsearch(&key, names, n, sizeof *names, compare_names);
    symbol_state st =
        hit ? state_of(lk, &lk->symbols[hit->sym]) : SYM_UNDEFINED;
    if (st != SYM_IN_SECTION && st != SYM_ABSOLUTE)
      return elf_fail(lk,
                      "exported symbol '%s' is not defined by the "
                      "object",
                      key.name);
    lk->symbols[hit->sym].exported = true;
  }
  return true;
}

static bool choose_exports(elf_linker *lk) {
  for (uint32_t i = 1; i < lk->symbol_count; i++) {
    elf_in_symbol *s = &lk->symbols[i];
    symbol_state st = state_of(lk, s);
    bool visible =
        s->visibility == STV_DEFAULT || s->visibility == STV_PROTECTED;
    if (is_global(s) && visible && (st == SYM_IN_SECTION || st == SYM_ABSOLUTE))
      s->exported = true;
  }
  name_entry *names = NULL;
  size_t n = 0;
  if (!sorted_globals(lk, &names, &n))
    return false;
  bool ok = export_named(lk, names, n);
  free(names);
  return ok;
}

/* ---- .dynsym, .symtab and their string tables ---- */

/* Imports first, then definitions: both orders work for the loaders, this
 * one keeps the table readable. */
static bool order_dynsym(elf_linker *lk) {
  lk->dynsym_symbols = calloc(lk->symbol_count + 1, sizeof(uint32_t));
  lk->dynstr_offsets = calloc(lk->symbol_count + 1, sizeof(uint32_t));
  if (!lk->dynsym_symbols || !lk->dynstr_offsets)
    return elf_fail(lk, "out of memory");
  elf_buf_add_string(&lk->dynstr, "");
  lk->dynsym_count = 1;
  for (int pass = 0; pass < 2; pass++)
    for (uint32_t i = 1; i < lk->symbol_count; i++) {
      elf_in_symbol *s = &lk->symbols[i];
      bool want = pass == 0 ? s->needs_dynsym && !s->exported : s->exported;
      if (!want)
        continue;
      s->needs_dynsym = true;
      s->dynsym = lk->dynsym_count;
      lk->dynsym_symbols[lk->dynsym_count] = i;
      lk->dynstr_offsets[lk->dynsym_count++] =
          (uint32_t)elf_buf_add_string(&lk->dynstr, s->name);
    }
  if (lk->in->soname)
    elf_buf_add_string(&lk->dynstr, lk->in->soname);
  if (lk->dynstr.failed || lk->dynstr.size > UINT32_MAX)
    return elf_fail(lk, "out of memory building .dynstr");
  return true;
}

/* Local .symtab entries: every named definition that is not exported,
 * minus section/file symbols and assembler temporaries (.L*), so objdump
 * and perf can name each function. */
static bool is_local_entry(const elf_linker *lk, const elf_in_symbol *s) {
  if (s->exported || s->type == STT_SECTION || s->type == STT_FILE ||
      !s->name[0] || starts_with(s->name, ".L"))
    return false;
  symbol_state st = state_of(lk, s);
  return st == SYM_IN_SECTION || st == SYM_ABSOLUTE;
}

static void add_symtab_entry(elf_linker *lk, uint32_t sym, uint32_t stub,
                             const char *name) {
  elf_symtab_entry *e = &lk->symtab[lk->symtab_count++];
  e->symbol = sym;
  e->stub = stub;
  if (stub == ELF_NO_INDEX) {
    e->name = (uint32_t)elf_buf_add_string(&lk->strtab, name);
    return;
  }
  /* "memcpy@plt": what objdump and perf readers expect a stub's name */
  e->name = (uint32_t)elf_buf_append(&lk->strtab, name, strlen(name));
  elf_buf_add_string(&lk->strtab, "@plt");
}

static bool order_symtab(elf_linker *lk) {
  size_t max = (size_t)lk->symbol_count + lk->stub_count + 1;
  lk->symtab = calloc(max, sizeof *lk->symtab);
  if (!lk->symtab)
    return elf_fail(lk, "out of memory");
  elf_buf_add_string(&lk->strtab, "");
  lk->symtab_count = 1;
  for (uint32_t i = 1; i < lk->symbol_count; i++)
    if (is_local_entry(lk, &lk->symbols[i]))
      add_symtab_entry(lk, i, ELF_NO_INDEX, lk->symbols[i].name);
  for (uint32_t i = 0; i < lk->stub_count; i++)
    add_symtab_entry(lk, lk->stub_symbols[i], i,
                     lk->symbols[lk->stub_symbols[i]].name);
  lk->symtab_first_global = lk->symtab_count;
  for (uint32_t i = 1; i < lk->dynsym_count; i++)
    add_symtab_entry(lk, lk->dynsym_symbols[i], ELF_NO_INDEX,
                     lk->symbols[lk->dynsym_symbols[i]].name);
  if (lk->strtab.failed || lk->strtab.size > UINT32_MAX)
    return elf_fail(lk, "out of memory building .strtab");
  return true;
}

/* A prime no larger than the symbol count: chains stay about one entry
 * long without a table much bigger than .dynsym. */
static uint32_t hash_bucket_count(uint32_t symbols) {
  static const uint32_t primes[] = {1,    3,    17,    37,    67,   97,
                                    131,  197,  263,   521,   1031, 2053,
                                    4099, 8209, 16411, 32771, 65537};
  uint32_t best = 1;
  for (size_t i = 0; i < sizeof primes / sizeof primes[0]; i++)
    if (primes[i] <= symbols)
      best = primes[i];
  return best;
}

bool elf_plan(elf_linker *lk) {
  lk->got_symbols = calloc(lk->symbol_count, sizeof(uint32_t));
  lk->stub_symbols = calloc(lk->symbol_count, sizeof(uint32_t));
  if (!lk->got_symbols || !lk->stub_symbols)
    return elf_fail(lk, "out of memory");
  if (!place_sections(lk))
    return false;
  for (uint32_t i = 0; i < lk->rela_count; i++)
    if (!scan_rela_section(lk, &lk->relas[i]))
      return false;
  if (!choose_exports(lk) || !order_dynsym(lk) || !order_symtab(lk))
    return false;
  lk->hash_buckets = hash_bucket_count(lk->dynsym_count);
  return true;
}
