/* The artifact's dynamic section: finding the symbol, string and hash
 * tables, applying .rela.dyn, and symbol lookup. Every address taken from
 * the file goes through artifact_range_at() before it is read or written,
 * every symbol index is checked against the hash table's nchain, and every
 * string offset against DT_STRSZ. */
#include <string.h>

#include "artifact_map_internal.h"

#if defined(__aarch64__)
#define REL_NONE R_AARCH64_NONE
#define REL_ABS64 R_AARCH64_ABS64
#define REL_GLOB_DAT R_AARCH64_GLOB_DAT
#define REL_JUMP_SLOT R_AARCH64_JUMP_SLOT
#define REL_RELATIVE R_AARCH64_RELATIVE
#else
#define REL_NONE R_X86_64_NONE
#define REL_ABS64 R_X86_64_64
#define REL_GLOB_DAT R_X86_64_GLOB_DAT
#define REL_JUMP_SLOT R_X86_64_JUMP_SLOT
#define REL_RELATIVE R_X86_64_RELATIVE
#endif

/* The tags this mapper reads; all are below 64, so one bit each. */
typedef struct dynamic_info {
  uint64_t seen;
  uint64_t value[DT_FLAGS + 1];
} dynamic_info;

static bool has(const dynamic_info *d, int tag) {
  return (d->seen >> tag) & 1;
}

static bool record_tag(dynamic_info *d, const Elf64_Dyn *e,
                       artifact_error *err) {
  switch (e->d_tag) {
  case DT_TEXTREL:
    return artifact_fail(err, "artifact needs text relocations");
  case DT_REL:
  case DT_RELSZ:
    return artifact_fail(err, "artifact uses REL relocations; only RELA is "
                              "supported");
  case DT_HASH:
  case DT_STRTAB:
  case DT_SYMTAB:
  case DT_RELA:
  case DT_RELASZ:
  case DT_RELAENT:
  case DT_STRSZ:
  case DT_SYMENT:
  case DT_PLTRELSZ:
  case DT_PLTREL:
  case DT_JMPREL:
  case DT_FLAGS:
    if (has(d, (int)e->d_tag))
      return artifact_fail(err, "dynamic tag %lld appears twice",
                           (long long)e->d_tag);
    d->seen |= (uint64_t)1 << e->d_tag;
    d->value[e->d_tag] = e->d_un.d_val;
    return true;
  default: /* DT_NEEDED, DT_SONAME, DT_INIT...: nothing the mapper does */
    return true;
  }
}

static bool read_dynamic(const artifact_map *m, dynamic_info *d,
                         artifact_error *err) {
  const uint8_t *dyn =
      artifact_range_at(m, m->dynamic_vaddr, m->dynamic_size, PF_R);
  if (!dyn)
    return artifact_fail(err, "PT_DYNAMIC lies outside the readable "
                              "segments");
  memset(d, 0, sizeof *d);
  for (uint64_t off = 0; off < m->dynamic_size; off += sizeof(Elf64_Dyn)) {
    Elf64_Dyn e;
    memcpy(&e, dyn + off, sizeof e);
    if (e.d_tag == DT_NULL)
      return true;
    if (!record_tag(d, &e, err))
      return false;
  }
  return artifact_fail(err, "dynamic section has no DT_NULL terminator");
}

static bool check_dynamic(const dynamic_info *d, artifact_error *err) {
  if (!has(d, DT_HASH))
    return artifact_fail(err, "artifact has no DT_HASH symbol hash table");
  if (!has(d, DT_STRTAB) || !has(d, DT_STRSZ) || !has(d, DT_SYMTAB))
    return artifact_fail(err, "artifact lacks DT_STRTAB, DT_STRSZ or "
                              "DT_SYMTAB");
  if (has(d, DT_SYMENT) && d->value[DT_SYMENT] != sizeof(Elf64_Sym))
    return artifact_fail(err, "DT_SYMENT is %llu",
                         (unsigned long long)d->value[DT_SYMENT]);
  if (has(d, DT_FLAGS) && (d->value[DT_FLAGS] & DF_TEXTREL))
    return artifact_fail(err, "artifact needs text relocations");
  if (has(d, DT_RELA) &&
      (!has(d, DT_RELASZ) || d->value[DT_RELAENT] != sizeof(Elf64_Rela)))
    return artifact_fail(err,
                         "DT_RELA without DT_RELASZ or with an entry "
                         "size other than %zu",
                         sizeof(Elf64_Rela));
  if (has(d, DT_JMPREL) &&
      (!has(d, DT_PLTRELSZ) || d->value[DT_PLTREL] != DT_RELA))
    return artifact_fail(err, "DT_JMPREL without DT_PLTRELSZ or not RELA");
  return true;
}

static uint32_t read_u32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static bool find_tables(artifact_map *m, const dynamic_info *d,
                        artifact_error *err) {
  m->strtab_size = d->value[DT_STRSZ];
  m->strtab = artifact_range_at(m, d->value[DT_STRTAB], m->strtab_size, PF_R);
  if (!m->strtab || m->strtab_size == 0)
    return artifact_fail(err, "dynamic string table lies outside the image");
  uint64_t hash = d->value[DT_HASH];
  const uint8_t *h = artifact_range_at(m, hash, 8, PF_R);
  if (!h || hash % 4)
    return artifact_fail(err, "hash table lies outside the image");
  uint64_t nbucket = read_u32(h), nchain = read_u32(h + 4);
  if (!artifact_range_at(m, hash, 8 + 4 * (nbucket + nchain), PF_R))
    return artifact_fail(err,
                         "hash table of %llu buckets and %llu chains "
                         "lies outside the image",
                         (unsigned long long)nbucket,
                         (unsigned long long)nchain);
  if (nbucket == 0 && nchain > 0)
    return artifact_fail(err, "hash table has no buckets");
  uint64_t symtab = d->value[DT_SYMTAB];
  m->symtab = artifact_range_at(m, symtab, nchain * sizeof(Elf64_Sym), PF_R);
  if (!m->symtab || symtab % 8)
    return artifact_fail(err,
                         "symbol table of %llu entries lies outside the "
                         "image",
                         (unsigned long long)nchain);
  m->symbol_count = (uint32_t)nchain;
  m->hash_bucket_count = (uint32_t)nbucket;
  m->hash_buckets = h + 8;
  m->hash_chains = h + 8 + 4 * nbucket;
  return true;
}

/* ---- symbols ---- */

static const char *string_at(const artifact_map *m, uint64_t off) {
  if (off >= m->strtab_size ||
      !memchr(m->strtab + off, 0, m->strtab_size - off))
    return NULL;
  return m->strtab + off;
}

static Elf64_Sym symbol_at(const artifact_map *m, uint32_t index) {
  Elf64_Sym s;
  memcpy(&s, m->symtab + (uint64_t)index * sizeof s, sizeof s);
  return s;
}

/* The gABI SysV hash, as DT_HASH tables are built with. */
static uint32_t sysv_hash(const char *name) {
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

/* A definition's address, if it lies inside the image. */
static void *defined_address(const artifact_map *m, const Elf64_Sym *s,
                             size_t *size) {
  if (s->st_shndx == SHN_UNDEF)
    return NULL;
  if (size)
    *size = (size_t)s->st_size;
  if (s->st_shndx == SHN_ABS)
    return (void *)(uintptr_t)s->st_value;
  uint64_t span = s->st_size ? s->st_size : 1;
  return artifact_segment_for(m, s->st_value, span, 0)
             ? (void *)(m->base + s->st_value)
             : NULL;
}

void *artifact_symbol_sized(const artifact_map *m, const char *name,
                            size_t *size) {
  if (!m || !name || m->hash_bucket_count == 0)
    return NULL;
  uint32_t bucket = sysv_hash(name) % m->hash_bucket_count;
  uint32_t index = read_u32(m->hash_buckets + 4 * (uint64_t)bucket);
  /* A chain can visit each symbol once; more steps means a cycle. */
  for (uint32_t steps = 0; index && steps < m->symbol_count; steps++) {
    if (index >= m->symbol_count)
      return NULL;
    Elf64_Sym s = symbol_at(m, index);
    const char *sname = string_at(m, s.st_name);
    if (sname && strcmp(sname, name) == 0 && s.st_shndx != SHN_UNDEF)
      return defined_address(m, &s, size);
    index = read_u32(m->hash_chains + 4 * (uint64_t)index);
  }
  return NULL;
}

void *artifact_symbol(const artifact_map *m, const char *name) {
  return artifact_symbol_sized(m, name, NULL);
}

/* ---- relocations ---- */

typedef struct resolver {
  artifact_resolve_fn fn;
  void *ctx;
} resolver;

static bool symbol_value(const artifact_map *m, uint32_t index,
                         const resolver *r, uint64_t *value,
                         artifact_error *err) {
  if (index == 0 || index >= m->symbol_count)
    return artifact_fail(err, "relocation names symbol %u of %u", index,
                         m->symbol_count);
  Elf64_Sym s = symbol_at(m, index);
  if (s.st_shndx != SHN_UNDEF) {
    /* Definitions bind inside the artifact, as the linker bound them. */
    *value = s.st_shndx == SHN_ABS ? s.st_value : m->base + s.st_value;
    return true;
  }
  const char *name = string_at(m, s.st_name);
  if (!name)
    return artifact_fail(err,
                         "symbol %u has a name outside the string "
                         "table",
                         index);
  void *p = r->fn ? r->fn(r->ctx, name) : NULL;
  if (!p && ELF64_ST_BIND(s.st_info) != STB_WEAK)
    return artifact_fail(err, "unresolved symbol '%s'", name);
  *value = (uint64_t)(uintptr_t)p;
  return true;
}

static bool apply_rela(const artifact_map *m, const Elf64_Rela *rel,
                       const resolver *r, artifact_error *err) {
  uint32_t type = (uint32_t)ELF64_R_TYPE(rel->r_info);
  uint64_t value = 0;
  if (type == REL_NONE)
    return true;
  if (type == REL_RELATIVE) {
    value = m->base + (uint64_t)rel->r_addend;
  } else if (type == REL_GLOB_DAT || type == REL_JUMP_SLOT ||
             type == REL_ABS64) {
    if (!symbol_value(m, (uint32_t)ELF64_R_SYM(rel->r_info), r, &value, err))
      return false;
    value += (uint64_t)rel->r_addend;
  } else {
    return artifact_fail(err,
                         "unsupported dynamic relocation type %u at "
                         "0x%llx",
                         type, (unsigned long long)rel->r_offset);
  }
  uint8_t *at = artifact_range_at(m, rel->r_offset, 8, PF_W);
  if (!at)
    return artifact_fail(err,
                         "relocation at 0x%llx lies outside the "
                         "writable segments",
                         (unsigned long long)rel->r_offset);
  memcpy(at, &value, sizeof value);
  return true;
}

static bool apply_table(const artifact_map *m, uint64_t vaddr, uint64_t size,
                        const resolver *r, artifact_error *err) {
  if (size % sizeof(Elf64_Rela))
    return artifact_fail(err,
                         "relocation table size %llu is not a whole "
                         "number of entries",
                         (unsigned long long)size);
  const uint8_t *t = artifact_range_at(m, vaddr, size, PF_R);
  if (!t)
    return artifact_fail(err, "relocation table lies outside the image");
  for (uint64_t off = 0; off < size; off += sizeof(Elf64_Rela)) {
    Elf64_Rela rel;
    memcpy(&rel, t + off, sizeof rel);
    if (!apply_rela(m, &rel, r, err))
      return false;
  }
  return true;
}

bool artifact_link_dynamic(artifact_map *m, artifact_resolve_fn resolve,
                           void *ctx, artifact_error *err) {
  dynamic_info d;
  if (!read_dynamic(m, &d, err) || !check_dynamic(&d, err) ||
      !find_tables(m, &d, err))
    return false;
  resolver r = {resolve, ctx};
  if (has(&d, DT_RELA) &&
      !apply_table(m, d.value[DT_RELA], d.value[DT_RELASZ], &r, err))
    return false;
  /* No lazy binding: PLT slots are filled now like everything else. */
  if (has(&d, DT_JMPREL) &&
      !apply_table(m, d.value[DT_JMPREL], d.value[DT_PLTRELSZ], &r, err))
    return false;
  return true;
}
