/* Merging relocatable objects (see elf_merge.h). Nothing in the inputs is
 * trusted: every offset, size, index and string is checked against its
 * buffer, and structures are copied out with memcpy because the buffers
 * need not be aligned.
 *
 * Output layout: the ELF header, the merged sections' contents, their
 * SHT_RELA sections, .symtab, .strtab, .shstrtab, then the section header
 * table. Symbols: the null symbol, one section symbol per merged section,
 * every object's other locals, then the merged globals. */
#include "elf_merge.h"

#include <elf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SHT_LLVM_ADDRSIG
#define SHT_LLVM_ADDRSIG 0x6fff4c03
#endif

#define NO_SYMBOL UINT32_MAX

typedef struct merge_buf {
  uint8_t *data;
  size_t len, cap;
} merge_buf;

/* One section of the output besides the symbol and string tables. */
typedef struct out_section {
  const char *name; /* points into an input's .shstrtab */
  uint32_t type;
  uint64_t flags, entsize, align, size;
  merge_buf data;   /* unused for SHT_NOBITS */
  merge_buf relocs; /* Elf64_Rela entries */
  uint32_t name_off, rela_name_off;
} out_section;

typedef struct in_object {
  const uint8_t *data;
  size_t size;
  Elf64_Ehdr eh;
  uint32_t shnum;
  Elf64_Shdr *sh;
  const char *shstr;
  size_t shstr_size;
  uint32_t symtab; /* section index, 0 if none */
  uint32_t sym_count;
  const char *str; /* the symbol string table */
  size_t str_size;
  const uint8_t *shndx; /* SHT_SYMTAB_SHNDX contents, or NULL */
  uint32_t *sec_out;    /* input section -> output section index, or 0 */
  uint64_t *sec_off;    /* its offset inside the output section */
  uint32_t *sym_out;    /* input symbol -> output symbol, or NO_SYMBOL */
} in_object;

/* A global symbol, merged over all objects. */
typedef struct global_sym {
  const char *name;
  bool defined, weak_def, all_weak;
  unsigned char type, vis;
  uint32_t shndx; /* output section when defined */
  uint64_t value, size;
  uint32_t out_index;
} global_sym;

typedef struct merger {
  in_object *objs;
  size_t count;
  out_section *secs; /* index 0 unused (SHN_UNDEF) */
  uint32_t sec_count, sec_cap;
  global_sym *globals;
  uint32_t global_count, global_cap;
  uint32_t *hash; /* open addressing over globals, NO_SYMBOL = empty */
  uint32_t hash_cap;
  merge_buf symtab, strtab, shstrtab;
  char *errbuf;
  size_t errlen;
} merger;

static bool fail(merger *mg, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(mg->errbuf, mg->errlen, fmt, ap);
  va_end(ap);
  return false;
}

static bool range_ok(size_t total, uint64_t off, uint64_t len) {
  return off <= total && len <= total - off;
}

static bool buf_reserve(merge_buf *b, size_t extra) {
  if (extra > SIZE_MAX - b->len)
    return false;
  if (b->len + extra <= b->cap)
    return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra) {
    if (cap > SIZE_MAX / 2)
      return false;
    cap *= 2;
  }
  uint8_t *p = realloc(b->data, cap);
  if (!p)
    return false;
  b->data = p;
  b->cap = cap;
  return true;
}

static bool buf_append(merge_buf *b, const void *data, size_t len) {
  if (!buf_reserve(b, len))
    return false;
  if (len)
    memcpy(b->data + b->len, data, len);
  b->len += len;
  return true;
}

static bool buf_pad(merge_buf *b, size_t to) {
  if (to <= b->len)
    return true;
  size_t n = to - b->len;
  if (!buf_reserve(b, n))
    return false;
  memset(b->data + b->len, 0, n);
  b->len = to;
  return true;
}

/* Appends a NUL-terminated string; *off gets its offset. */
static bool buf_string(merge_buf *b, const char *s, uint32_t *off) {
  if (b->len > UINT32_MAX)
    return false;
  *off = (uint32_t)b->len;
  return buf_append(b, s, strlen(s) + 1);
}

static uint64_t align_up(uint64_t v, uint64_t a) {
  return (v + a - 1) & ~(a - 1);
}

static bool string_at(const char *tab, size_t size, uint64_t off,
                      const char **out) {
  if (!tab || off >= size || !memchr(tab + off, 0, size - off))
    return false;
  *out = tab + off;
  return true;
}

/* ---- reading one object ---- */

static bool read_header(merger *mg, size_t n, in_object *o) {
  if (o->size < sizeof o->eh)
    return fail(mg, "object %zu is too small for an ELF header", n);
  memcpy(&o->eh, o->data, sizeof o->eh);
  const Elf64_Ehdr *eh = &o->eh;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
      eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_type != ET_REL)
    return fail(mg, "object %zu is not a 64-bit little-endian ET_REL", n);
  if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff == 0)
    return fail(mg, "object %zu has no usable section header table", n);
  if (n > 0 && (eh->e_machine != mg->objs[0].eh.e_machine ||
                eh->e_flags != mg->objs[0].eh.e_flags))
    return fail(mg,
                "object %zu is for machine %u flags 0x%x, object 0 for "
                "%u flags 0x%x",
                n, eh->e_machine, eh->e_flags, mg->objs[0].eh.e_machine,
                mg->objs[0].eh.e_flags);
  Elf64_Shdr first;
  if (!range_ok(o->size, eh->e_shoff, sizeof first))
    return fail(mg, "object %zu: section headers lie outside it", n);
  memcpy(&first, o->data + eh->e_shoff, sizeof first);
  uint64_t shnum = eh->e_shnum ? eh->e_shnum : first.sh_size;
  uint32_t shstrndx =
      eh->e_shstrndx == SHN_XINDEX ? first.sh_link : eh->e_shstrndx;
  if (shnum == 0 || shnum > UINT32_MAX / sizeof(Elf64_Shdr) ||
      !range_ok(o->size, eh->e_shoff, shnum * sizeof(Elf64_Shdr)))
    return fail(mg, "object %zu: section headers lie outside it", n);
  o->shnum = (uint32_t)shnum;
  o->sh = malloc(shnum * sizeof *o->sh);
  o->sec_out = calloc(shnum, sizeof *o->sec_out);
  o->sec_off = calloc(shnum, sizeof *o->sec_off);
  if (!o->sh || !o->sec_out || !o->sec_off)
    return fail(mg, "out of memory reading object %zu", n);
  memcpy(o->sh, o->data + eh->e_shoff, shnum * sizeof *o->sh);
  for (uint32_t i = 1; i < o->shnum; i++) {
    const Elf64_Shdr *s = &o->sh[i];
    if (s->sh_type != SHT_NOBITS && s->sh_type != SHT_NULL &&
        !range_ok(o->size, s->sh_offset, s->sh_size))
      return fail(mg, "object %zu: section %u lies outside it", n, i);
    if (s->sh_addralign & (s->sh_addralign - 1))
      return fail(mg, "object %zu: section %u alignment is not a power of two",
                  n, i);
  }
  if (shstrndx == SHN_UNDEF || shstrndx >= o->shnum ||
      o->sh[shstrndx].sh_type != SHT_STRTAB)
    return fail(mg, "object %zu: bad section name table index %u", n, shstrndx);
  o->shstr = (const char *)o->data + o->sh[shstrndx].sh_offset;
  o->shstr_size = o->sh[shstrndx].sh_size;
  return true;
}

static bool read_symtab(merger *mg, size_t n, in_object *o) {
  for (uint32_t i = 1; i < o->shnum; i++) {
    const Elf64_Shdr *s = &o->sh[i];
    if (s->sh_type == SHT_SYMTAB) {
      if (o->symtab)
        return fail(mg, "object %zu has two symbol tables", n);
      o->symtab = i;
    }
  }
  if (!o->symtab) /* an object without symbols has nothing to merge */
    return true;
  const Elf64_Shdr *st = &o->sh[o->symtab];
  if (st->sh_entsize != sizeof(Elf64_Sym) ||
      st->sh_size % sizeof(Elf64_Sym) != 0 ||
      st->sh_size / sizeof(Elf64_Sym) > UINT32_MAX || st->sh_link == 0 ||
      st->sh_link >= o->shnum || o->sh[st->sh_link].sh_type != SHT_STRTAB)
    return fail(mg, "object %zu: malformed symbol table", n);
  o->sym_count = (uint32_t)(st->sh_size / sizeof(Elf64_Sym));
  o->str = (const char *)o->data + o->sh[st->sh_link].sh_offset;
  o->str_size = o->sh[st->sh_link].sh_size;
  for (uint32_t i = 1; i < o->shnum; i++) {
    const Elf64_Shdr *s = &o->sh[i];
    if (s->sh_type != SHT_SYMTAB_SHNDX)
      continue;
    if (s->sh_link != o->symtab ||
        s->sh_size < (uint64_t)o->sym_count * sizeof(uint32_t))
      return fail(mg, "object %zu: malformed SHT_SYMTAB_SHNDX", n);
    o->shndx = o->data + s->sh_offset;
  }
  o->sym_out = malloc((o->sym_count ? o->sym_count : 1) * sizeof *o->sym_out);
  if (!o->sym_out)
    return fail(mg, "out of memory reading object %zu", n);
  for (uint32_t i = 0; i < o->sym_count; i++)
    o->sym_out[i] = NO_SYMBOL;
  return true;
}

static void read_sym(const in_object *o, uint32_t i, Elf64_Sym *s,
                     uint32_t *shndx) {
  memcpy(s, o->data + o->sh[o->symtab].sh_offset + (size_t)i * sizeof *s,
         sizeof *s);
  *shndx = s->st_shndx;
  if (s->st_shndx == SHN_XINDEX && o->shndx)
    memcpy(shndx, o->shndx + (size_t)i * 4, 4);
}

/* ---- sections ---- */

static uint32_t find_section(merger *mg, const char *name,
                             const Elf64_Shdr *s) {
  for (uint32_t i = 1; i < mg->sec_count; i++) {
    const out_section *os = &mg->secs[i];
    if (os->type == s->sh_type && os->flags == s->sh_flags &&
        os->entsize == s->sh_entsize && strcmp(os->name, name) == 0)
      return i;
  }
  return 0;
}

static bool is_content(const Elf64_Shdr *s) {
  switch (s->sh_type) {
  case SHT_NULL:
  case SHT_SYMTAB:
  case SHT_STRTAB:
  case SHT_SYMTAB_SHNDX:
  case SHT_RELA:
  case SHT_LLVM_ADDRSIG:
  case SHT_GROUP:
    return false;
  default:
    return true;
  }
}

static bool place_section(merger *mg, size_t n, uint32_t i) {
  in_object *o = &mg->objs[n];
  const Elf64_Shdr *s = &o->sh[i];
  const char *name;
  if (!string_at(o->shstr, o->shstr_size, s->sh_name, &name))
    return fail(mg, "object %zu: section %u name is outside .shstrtab", n, i);
  if (s->sh_type == SHT_REL || (s->sh_flags & SHF_LINK_ORDER))
    return fail(mg,
                "object %zu: section %s (type %u, flags 0x%llx) is not "
                "supported",
                n, name, s->sh_type, (unsigned long long)s->sh_flags);
  /* Section groups are dropped and their members merged like any other
   * section: the only groups LLVM emits for Wasm code hold the DW.ref
   * personality pointer, a weak hidden symbol every piece with landing
   * pads defines alike, and the first definition serves all. */
  Elf64_Shdr ungrouped = *s;
  ungrouped.sh_flags &= ~(uint64_t)SHF_GROUP;
  s = &ungrouped;
  uint32_t at = find_section(mg, name, s);
  if (!at) {
    if (mg->sec_count == mg->sec_cap) {
      uint32_t cap = mg->sec_cap * 2;
      out_section *p = realloc(mg->secs, cap * sizeof *p);
      if (!p)
        return fail(mg, "out of memory merging sections");
      mg->secs = p;
      mg->sec_cap = cap;
    }
    at = mg->sec_count++;
    mg->secs[at] = (out_section){.name = name,
                                 .type = s->sh_type,
                                 .flags = s->sh_flags,
                                 .entsize = s->sh_entsize,
                                 .align = 1};
  }
  out_section *os = &mg->secs[at];
  uint64_t align = s->sh_addralign ? s->sh_addralign : 1;
  uint64_t off = align_up(os->size, align);
  if (off < os->size || s->sh_size > UINT64_MAX - off)
    return fail(mg, "section %s grows too large", name);
  if (align > os->align)
    os->align = align;
  if (s->sh_type != SHT_NOBITS) {
    if (!buf_pad(&os->data, off) ||
        !buf_append(&os->data, o->data + s->sh_offset, s->sh_size))
      return fail(mg, "out of memory merging section %s", name);
  }
  os->size = off + s->sh_size;
  o->sec_out[i] = at;
  o->sec_off[i] = off;
  return true;
}

/* ---- symbols ---- */

static uint32_t hash_name(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static bool grow_hash(merger *mg) {
  uint32_t cap = mg->hash_cap ? mg->hash_cap * 2 : 1024;
  uint32_t *h = malloc((size_t)cap * sizeof *h);
  if (!h)
    return false;
  for (uint32_t i = 0; i < cap; i++)
    h[i] = NO_SYMBOL;
  for (uint32_t g = 0; g < mg->global_count; g++) {
    uint32_t k = hash_name(mg->globals[g].name) & (cap - 1);
    while (h[k] != NO_SYMBOL)
      k = (k + 1) & (cap - 1);
    h[k] = g;
  }
  free(mg->hash);
  mg->hash = h;
  mg->hash_cap = cap;
  return true;
}

/* The merged global named `name`, created (undefined) if new. */
static global_sym *lookup_global(merger *mg, const char *name) {
  if ((uint64_t)(mg->global_count + 1) * 2 > mg->hash_cap && !grow_hash(mg))
    return NULL;
  uint32_t k = hash_name(name) & (mg->hash_cap - 1);
  while (mg->hash[k] != NO_SYMBOL) {
    global_sym *g = &mg->globals[mg->hash[k]];
    if (strcmp(g->name, name) == 0)
      return g;
    k = (k + 1) & (mg->hash_cap - 1);
  }
  if (mg->global_count == mg->global_cap) {
    uint32_t cap = mg->global_cap ? mg->global_cap * 2 : 256;
    global_sym *p = realloc(mg->globals, (size_t)cap * sizeof *p);
    if (!p)
      return NULL;
    mg->globals = p;
    mg->global_cap = cap;
  }
  mg->hash[k] = mg->global_count;
  global_sym *g = &mg->globals[mg->global_count++];
  *g = (global_sym){.name = name, .all_weak = true};
  return g;
}

/* ELF's rule: the most constraining visibility of all references wins. */
static unsigned char stricter_visibility(unsigned char a, unsigned char b) {
  static const int rank[4] = {[STV_DEFAULT] = 0,
                              [STV_PROTECTED] = 1,
                              [STV_HIDDEN] = 2,
                              [STV_INTERNAL] = 3};
  return rank[a & 3] >= rank[b & 3] ? a & 3 : b & 3;
}

/* Resolves where a defined symbol lands; false if its section is gone. */
static bool symbol_place(merger *mg, size_t n, const in_object *o,
                         uint32_t shndx, const char *name, uint32_t *out_sec,
                         uint64_t *delta) {
  if (shndx == SHN_ABS) {
    *out_sec = SHN_ABS;
    *delta = 0;
    return true;
  }
  if (shndx == SHN_COMMON)
    return fail(mg, "object %zu: COMMON symbol %s is not supported", n, name);
  if (shndx >= o->shnum || !o->sec_out[shndx])
    return fail(mg,
                "object %zu: symbol %s is in section %u, which is not "
                "merged",
                n, name, shndx);
  *out_sec = o->sec_out[shndx];
  *delta = o->sec_off[shndx];
  return true;
}

static bool add_symbol(merger *mg, const Elf64_Sym *s) {
  if (!buf_append(&mg->symtab, s, sizeof *s))
    return fail(mg, "out of memory writing symbols");
  return true;
}

static uint32_t symbol_count(const merger *mg) {
  return (uint32_t)(mg->symtab.len / sizeof(Elf64_Sym));
}

static bool merge_locals(merger *mg, size_t n) {
  in_object *o = &mg->objs[n];
  for (uint32_t i = 1; i < o->sym_count; i++) {
    Elf64_Sym s;
    uint32_t shndx;
    read_sym(o, i, &s, &shndx);
    if (ELF64_ST_BIND(s.st_info) != STB_LOCAL)
      continue;
    const char *name;
    if (!string_at(o->str, o->str_size, s.st_name, &name))
      return fail(mg, "object %zu: symbol %u name is outside .strtab", n, i);
    if (ELF64_ST_TYPE(s.st_info) == STT_SECTION) {
      /* Relocations against it go through the merged section's symbol
       * (index == output section index) with the offset in the addend.
       * One of a dropped section stays unmapped: nothing may use it. */
      if (shndx < o->shnum && o->sec_out[shndx])
        o->sym_out[i] = o->sec_out[shndx];
      continue;
    }
    uint32_t sec = SHN_UNDEF;
    uint64_t delta = 0;
    if (shndx != SHN_UNDEF && ELF64_ST_TYPE(s.st_info) != STT_FILE &&
        !symbol_place(mg, n, o, shndx, name, &sec, &delta))
      return false;
    if (ELF64_ST_TYPE(s.st_info) == STT_FILE)
      sec = SHN_ABS;
    uint32_t name_off;
    if (!buf_string(&mg->strtab, name, &name_off))
      return fail(mg, "out of memory writing symbol names");
    s.st_name = name_off;
    s.st_shndx = (uint16_t)sec;
    s.st_value += delta;
    o->sym_out[i] = symbol_count(mg);
    if (!add_symbol(mg, &s))
      return false;
  }
  return true;
}

static bool collect_globals(merger *mg, size_t n) {
  in_object *o = &mg->objs[n];
  for (uint32_t i = 1; i < o->sym_count; i++) {
    Elf64_Sym s;
    uint32_t shndx;
    read_sym(o, i, &s, &shndx);
    unsigned bind = ELF64_ST_BIND(s.st_info);
    if (bind == STB_LOCAL)
      continue;
    const char *name;
    if (!string_at(o->str, o->str_size, s.st_name, &name) || !name[0])
      return fail(mg, "object %zu: global symbol %u has no valid name", n, i);
    if (bind != STB_GLOBAL && bind != STB_WEAK)
      return fail(mg, "object %zu: symbol %s has binding %u", n, name, bind);
    global_sym *g = lookup_global(mg, name);
    if (!g)
      return fail(mg, "out of memory merging symbols");
    g->vis = stricter_visibility(g->vis, s.st_other);
    if (bind == STB_GLOBAL)
      g->all_weak = false;
    if (shndx != SHN_UNDEF) {
      bool weak = bind == STB_WEAK;
      if (g->defined && !g->weak_def && !weak)
        return fail(mg, "symbol %s is defined in more than one object", name);
      if (!g->defined || (g->weak_def && !weak)) {
        uint64_t delta;
        if (!symbol_place(mg, n, o, shndx, name, &g->shndx, &delta))
          return false;
        g->defined = true;
        g->weak_def = weak;
        g->type = ELF64_ST_TYPE(s.st_info);
        g->value = s.st_value + delta;
        g->size = s.st_size;
      }
    } else if (!g->defined && ELF64_ST_TYPE(s.st_info) != STT_NOTYPE) {
      g->type = ELF64_ST_TYPE(s.st_info);
    }
    /* Index of the global, for now; made an output index in emit_globals. */
    o->sym_out[i] = (uint32_t)(g - mg->globals);
  }
  return true;
}

static bool emit_globals(merger *mg) {
  for (uint32_t k = 0; k < mg->global_count; k++) {
    global_sym *g = &mg->globals[k];
    uint32_t name_off;
    if (!buf_string(&mg->strtab, g->name, &name_off))
      return fail(mg, "out of memory writing symbol names");
    unsigned bind = g->defined ? (g->weak_def ? STB_WEAK : STB_GLOBAL)
                               : (g->all_weak ? STB_WEAK : STB_GLOBAL);
    Elf64_Sym s = {.st_name = name_off,
                   .st_info = ELF64_ST_INFO(bind, g->type),
                   .st_other = g->vis,
                   .st_shndx = g->defined ? (uint16_t)g->shndx : SHN_UNDEF,
                   .st_value = g->defined ? g->value : 0,
                   .st_size = g->defined ? g->size : 0};
    g->out_index = symbol_count(mg);
    if (!add_symbol(mg, &s))
      return false;
  }
  for (size_t n = 0; n < mg->count; n++) {
    in_object *o = &mg->objs[n];
    for (uint32_t i = 1; i < o->sym_count; i++) {
      Elf64_Sym s;
      uint32_t shndx;
      read_sym(o, i, &s, &shndx);
      if (ELF64_ST_BIND(s.st_info) != STB_LOCAL)
        o->sym_out[i] = mg->globals[o->sym_out[i]].out_index;
    }
  }
  return true;
}

/* ---- relocations ---- */

static bool merge_relocs(merger *mg, size_t n, uint32_t ri) {
  in_object *o = &mg->objs[n];
  const Elf64_Shdr *r = &o->sh[ri];
  uint32_t target = r->sh_info;
  if (r->sh_link != o->symtab || !o->symtab || target == 0 ||
      target >= o->shnum)
    return fail(mg, "object %zu: relocation section %u has bad links", n, ri);
  if (o->sh[target].sh_type == SHT_LLVM_ADDRSIG)
    return true;
  if (!o->sec_out[target])
    return fail(mg,
                "object %zu: relocations for section %u, which is not "
                "merged",
                n, target);
  if (r->sh_entsize != sizeof(Elf64_Rela) ||
      r->sh_size % sizeof(Elf64_Rela) != 0)
    return fail(mg, "object %zu: relocation section %u is malformed", n, ri);
  out_section *os = &mg->secs[o->sec_out[target]];
  uint64_t shift = o->sec_off[target];
  uint64_t count = r->sh_size / sizeof(Elf64_Rela);
  if (!buf_reserve(&os->relocs, count * sizeof(Elf64_Rela)))
    return fail(mg, "out of memory merging relocations");
  for (uint64_t k = 0; k < count; k++) {
    Elf64_Rela rel;
    memcpy(&rel, o->data + r->sh_offset + k * sizeof rel, sizeof rel);
    uint32_t sym = ELF64_R_SYM(rel.r_info);
    uint32_t type = ELF64_R_TYPE(rel.r_info);
    if (rel.r_offset >= o->sh[target].sh_size)
      return fail(mg,
                  "object %zu: relocation %llu in section %u is at offset "
                  "0x%llx, past its end",
                  n, (unsigned long long)k, target,
                  (unsigned long long)rel.r_offset);
    uint32_t out_sym = 0;
    if (sym != 0) {
      if (sym >= o->sym_count || o->sym_out[sym] == NO_SYMBOL)
        return fail(mg,
                    "object %zu: relocation %llu in section %u names "
                    "symbol %u, which is not kept",
                    n, (unsigned long long)k, target, sym);
      out_sym = o->sym_out[sym];
      Elf64_Sym s;
      uint32_t shndx;
      read_sym(o, sym, &s, &shndx);
      if (ELF64_ST_BIND(s.st_info) == STB_LOCAL &&
          ELF64_ST_TYPE(s.st_info) == STT_SECTION)
        rel.r_addend = (int64_t)((uint64_t)rel.r_addend + o->sec_off[shndx]);
    }
    rel.r_offset += shift;
    rel.r_info = ELF64_R_INFO(out_sym, type);
    buf_append(&os->relocs, &rel, sizeof rel);
  }
  return true;
}

/* ---- writing ---- */

static bool write_output(merger *mg, void **out, size_t *out_size) {
  /* Sections: 0, merged 1..sec_count-1, their .rela, symtab, strtab,
   * shstrtab. */
  uint32_t rela_count = 0;
  for (uint32_t i = 1; i < mg->sec_count; i++)
    rela_count += mg->secs[i].relocs.len > 0;
  uint64_t total_secs = (uint64_t)mg->sec_count + rela_count + 3;
  if (total_secs >= SHN_LORESERVE)
    return fail(mg, "merged object would have %llu sections",
                (unsigned long long)total_secs);
  uint32_t name_symtab, name_strtab, name_shstrtab, unused;
  bool ok = buf_string(&mg->shstrtab, "", &unused);
  for (uint32_t i = 1; ok && i < mg->sec_count; i++) {
    out_section *os = &mg->secs[i];
    ok = buf_string(&mg->shstrtab, os->name, &os->name_off);
    if (ok && os->relocs.len) {
      os->rela_name_off = (uint32_t)mg->shstrtab.len;
      ok = buf_append(&mg->shstrtab, ".rela", 5) &&
           buf_string(&mg->shstrtab, os->name, &unused);
    }
  }
  ok = ok && buf_string(&mg->shstrtab, ".symtab", &name_symtab) &&
       buf_string(&mg->shstrtab, ".strtab", &name_strtab) &&
       buf_string(&mg->shstrtab, ".shstrtab", &name_shstrtab);
  Elf64_Shdr *sh = calloc(total_secs, sizeof *sh);
  merge_buf img = {0};
  ok = ok && sh && buf_pad(&img, sizeof(Elf64_Ehdr));
  for (uint32_t i = 1; ok && i < mg->sec_count; i++) {
    out_section *os = &mg->secs[i];
    uint64_t at = align_up(img.len, os->align);
    if (os->type != SHT_NOBITS)
      ok = buf_pad(&img, at) && buf_append(&img, os->data.data, os->data.len) &&
           buf_pad(&img, at + os->size);
    sh[i] = (Elf64_Shdr){.sh_name = os->name_off,
                         .sh_type = os->type,
                         .sh_flags = os->flags,
                         .sh_offset = os->type == SHT_NOBITS ? img.len : at,
                         .sh_size = os->size,
                         .sh_addralign = os->align,
                         .sh_entsize = os->entsize};
  }
  uint32_t symtab_index = mg->sec_count + rela_count;
  uint32_t next = mg->sec_count;
  for (uint32_t i = 1; ok && i < mg->sec_count; i++) {
    out_section *os = &mg->secs[i];
    if (!os->relocs.len)
      continue;
    uint64_t at = align_up(img.len, 8);
    ok = buf_pad(&img, at) && buf_append(&img, os->relocs.data, os->relocs.len);
    sh[next++] = (Elf64_Shdr){.sh_name = os->rela_name_off,
                              .sh_type = SHT_RELA,
                              .sh_flags = SHF_INFO_LINK,
                              .sh_offset = at,
                              .sh_size = os->relocs.len,
                              .sh_link = symtab_index,
                              .sh_info = i,
                              .sh_addralign = 8,
                              .sh_entsize = sizeof(Elf64_Rela)};
  }
  uint32_t first_global = symbol_count(mg) - mg->global_count;
  uint64_t sym_at = align_up(img.len, 8);
  ok = ok && buf_pad(&img, sym_at) &&
       buf_append(&img, mg->symtab.data, mg->symtab.len);
  uint64_t str_at = img.len;
  ok = ok && buf_append(&img, mg->strtab.data, mg->strtab.len);
  uint64_t shstr_at = img.len;
  ok = ok && buf_append(&img, mg->shstrtab.data, mg->shstrtab.len);
  if (ok) {
    sh[symtab_index] = (Elf64_Shdr){.sh_name = name_symtab,
                                    .sh_type = SHT_SYMTAB,
                                    .sh_offset = sym_at,
                                    .sh_size = mg->symtab.len,
                                    .sh_link = symtab_index + 1,
                                    .sh_info = first_global,
                                    .sh_addralign = 8,
                                    .sh_entsize = sizeof(Elf64_Sym)};
    sh[symtab_index + 1] = (Elf64_Shdr){.sh_name = name_strtab,
                                        .sh_type = SHT_STRTAB,
                                        .sh_offset = str_at,
                                        .sh_size = mg->strtab.len,
                                        .sh_addralign = 1};
    sh[symtab_index + 2] = (Elf64_Shdr){.sh_name = name_shstrtab,
                                        .sh_type = SHT_STRTAB,
                                        .sh_offset = shstr_at,
                                        .sh_size = mg->shstrtab.len,
                                        .sh_addralign = 1};
  }
  uint64_t sh_at = align_up(img.len, 8);
  ok = ok && buf_pad(&img, sh_at) &&
       buf_append(&img, sh, total_secs * sizeof *sh);
  free(sh);
  if (!ok) {
    free(img.data);
    return fail(mg, "out of memory writing the merged object");
  }
  Elf64_Ehdr eh = mg->objs[0].eh;
  eh.e_phoff = 0;
  eh.e_phnum = 0;
  eh.e_phentsize = 0;
  eh.e_shoff = sh_at;
  eh.e_shnum = (uint16_t)total_secs;
  eh.e_shstrndx = (uint16_t)(symtab_index + 2);
  eh.e_ehsize = sizeof eh;
  memcpy(img.data, &eh, sizeof eh);
  *out = img.data;
  *out_size = img.len;
  return true;
}

static bool merge(merger *mg, void **out, size_t *out_size) {
  for (size_t n = 0; n < mg->count; n++)
    if (!read_header(mg, n, &mg->objs[n]) || !read_symtab(mg, n, &mg->objs[n]))
      return false;
  for (size_t n = 0; n < mg->count; n++)
    for (uint32_t i = 1; i < mg->objs[n].shnum; i++)
      if (is_content(&mg->objs[n].sh[i]) && !place_section(mg, n, i))
        return false;
  if (mg->sec_count > SHN_LORESERVE)
    return fail(mg, "too many merged sections");
  /* One section symbol per merged section, at the same index. */
  Elf64_Sym null_sym = {0};
  uint32_t empty;
  if (!buf_string(&mg->strtab, "", &empty) || !add_symbol(mg, &null_sym))
    return fail(mg, "out of memory writing symbols");
  for (uint32_t i = 1; i < mg->sec_count; i++) {
    Elf64_Sym s = {.st_info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION),
                   .st_shndx = (uint16_t)i};
    if (!add_symbol(mg, &s))
      return false;
  }
  for (size_t n = 0; n < mg->count; n++)
    if (!merge_locals(mg, n))
      return false;
  for (size_t n = 0; n < mg->count; n++)
    if (!collect_globals(mg, n))
      return false;
  if (!emit_globals(mg))
    return false;
  for (size_t n = 0; n < mg->count; n++)
    for (uint32_t i = 1; i < mg->objs[n].shnum; i++)
      if (mg->objs[n].sh[i].sh_type == SHT_RELA && !merge_relocs(mg, n, i))
        return false;
  return write_output(mg, out, out_size);
}

bool elf_merge_objects(const elf_merge_object *objs, size_t count, void **out,
                       size_t *out_size, char *errbuf, size_t errlen) {
  merger mg = {.count = count, .errbuf = errbuf, .errlen = errlen};
  *out = NULL;
  *out_size = 0;
  if (count == 0)
    return fail(&mg, "no objects to merge");
  mg.objs = calloc(count, sizeof *mg.objs);
  mg.sec_cap = 64;
  mg.sec_count = 1;
  mg.secs = calloc(mg.sec_cap, sizeof *mg.secs);
  bool ok = mg.objs && mg.secs;
  if (!ok)
    fail(&mg, "out of memory");
  for (size_t n = 0; ok && n < count; n++) {
    mg.objs[n].data = objs[n].data;
    mg.objs[n].size = objs[n].size;
  }
  ok = ok && merge(&mg, out, out_size);
  for (size_t n = 0; mg.objs && n < count; n++) {
    free(mg.objs[n].sh);
    free(mg.objs[n].sec_out);
    free(mg.objs[n].sec_off);
    free(mg.objs[n].sym_out);
  }
  for (uint32_t i = 1; mg.secs && i < mg.sec_count; i++) {
    free(mg.secs[i].data.data);
    free(mg.secs[i].relocs.data);
  }
  free(mg.objs);
  free(mg.secs);
  free(mg.globals);
  free(mg.hash);
  free(mg.symtab.data);
  free(mg.strtab.data);
  free(mg.shstrtab.data);
  return ok;
}
