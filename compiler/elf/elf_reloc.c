/* Applying relocations to the laid-out image, and writing what is left for
 * load time: GOT slots, call stubs and .rela.dyn.
 *
 * Planning (elf_plan.c) already rejected every relocation that cannot be
 * applied, so the decisions here mirror it exactly; the only new failures
 * are values that overflow their field. */
#include <string.h>

#include "elf_link_internal.h"

/* psABI Page(): ADRP-style arithmetic is on 4 KiB pages whatever the
 * segment alignment. */
static uint64_t page_of(uint64_t addr) {
  return addr & ~(uint64_t)0xfff;
}

static uint64_t got_slot_address(const elf_linker *lk, uint32_t slot) {
  return lk->out[ELF_OUT_GOT].addr + (uint64_t)slot * 8;
}

static uint64_t stub_address(const elf_linker *lk, uint32_t stub) {
  return lk->out[ELF_OUT_STUBS].addr + (uint64_t)stub * lk->arch->stub_size;
}

static bool add_dynamic_reloc(elf_linker *lk, uint64_t where, uint32_t type,
                              uint32_t dynsym, uint64_t addend) {
  if (lk->dynrel_written >= lk->dynrel_count)
    return elf_fail(lk, "internal error: more dynamic relocations than "
                        "planned");
  Elf64_Rela r = {.r_offset = where,
                  .r_info = ELF64_R_INFO(dynsym, type),
                  .r_addend = (int64_t)addend};
  uint64_t at = lk->out[ELF_OUT_RELA_DYN].offset +
                (uint64_t)lk->dynrel_written++ * sizeof r;
  memcpy(lk->image + at, &r, sizeof r);
  return true;
}

static void put_le64(uint8_t *loc, uint64_t v) {
  for (unsigned i = 0; i < 8; i++)
    loc[i] = (uint8_t)(v >> (8 * i));
}

/* One relocation being applied. */
typedef struct reloc_apply {
  const elf_in_section *target;
  const elf_rela *rela;
  const elf_reloc_howto *howto;
  const elf_in_symbol *sym;
  uint8_t *section_bytes; /* the target section's copy in the image */
  uint8_t *loc;
  uint64_t place; /* P */
} reloc_apply;

static bool absolute_value(elf_linker *lk, const reloc_apply *r,
                           uint64_t *value) {
  uint64_t s = 0;
  uint64_t a = (uint64_t)r->rela->addend;
  bool defined = elf_symbol_address(lk, r->rela->sym, &s);
  *value = s + a;
  if (r->sym->shndx == ELF_SEC_ABS)
    return true;
  /* Planning allowed only the 64-bit absolute type in writable data. */
  if (defined)
    return add_dynamic_reloc(lk, r->place, lk->arch->rel_relative, 0, s + a);
  *value = 0;
  return add_dynamic_reloc(lk, r->place, lk->arch->rel_abs64, r->sym->dynsym,
                           a);
}

static uint64_t got_entry(const elf_linker *lk, const reloc_apply *r) {
  return got_slot_address(lk, r->sym->got_slot);
}

static bool compute_value(elf_linker *lk, reloc_apply *r, uint64_t *value) {
  uint64_t s = 0, a = (uint64_t)r->rela->addend, p = r->place;
  uint64_t got = lk->out[ELF_OUT_GOT].addr;
  bool defined = elf_symbol_address(lk, r->rela->sym, &s);
  switch (r->howto->kind) {
  case ELF_RK_NONE:
    return true;
  case ELF_RK_ABS:
    return absolute_value(lk, r, value);
  case ELF_RK_ABS_LO:
    *value = s + a;
    return true;
  case ELF_RK_PCREL:
    *value = s + a - p;
    return true;
  case ELF_RK_PAGE_PCREL:
    *value = page_of(s + a) - page_of(p);
    return true;
  case ELF_RK_CALL:
    if (!defined)
      s = stub_address(lk, r->sym->stub);
    *value = s + a - p;
    return true;
  case ELF_RK_GOT_RELAX:
    if (r->sym->got_slot == ELF_NO_INDEX) {
      lk->arch->relax(r->howto, r->section_bytes, r->rela->offset);
      *value = s + a - p;
      return true;
    }
    /* the symbol kept its GOT slot for some other use */
    __attribute__((fallthrough));
  case ELF_RK_GOT_PCREL:
    *value = got_entry(lk, r) + a - p;
    return true;
  case ELF_RK_GOT_PAGE:
    *value = page_of(got_entry(lk, r) + a) - page_of(p);
    return true;
  case ELF_RK_GOT_LO:
    *value = got_entry(lk, r) + a;
    return true;
  case ELF_RK_GOTPC:
    *value = got + a - p;
    return true;
  case ELF_RK_GOTOFF:
    *value = s + a - got;
    return true;
  case ELF_RK_SIZE:
    *value = r->sym->size + a;
    return true;
  }
  return elf_fail(lk, "internal error: relocation kind %d", r->howto->kind);
}

static bool apply_one(elf_linker *lk, reloc_apply *r) {
  uint64_t value = 0;
  if (r->howto->kind == ELF_RK_NONE)
    return true;
  if (!compute_value(lk, r, &value))
    return false;
  const char *why = lk->arch->encode(r->howto, r->loc, value);
  if (why)
    return elf_reloc_fail(lk, r->target, r->rela, r->howto->name, why);
  return true;
}

static bool apply_section(elf_linker *lk, const elf_in_rela *rs) {
  const elf_in_section *target = &lk->sections[rs->target];
  if (target->out == ELF_OUT_DROPPED)
    return true;
  const elf_out_section *o = &lk->out[target->out];
  uint8_t *bytes = lk->image + o->offset + target->out_offset;
  for (size_t i = 0; i < rs->count; i++) {
    elf_rela rela;
    if (!elf_read_rela(lk, rs, i, &rela))
      return false;
    reloc_apply r = {.target = target,
                     .rela = &rela,
                     .howto = lk->arch->howto(rela.type),
                     .sym = &lk->symbols[rela.sym],
                     .section_bytes = bytes,
                     .loc = bytes + rela.offset,
                     .place = o->addr + target->out_offset + rela.offset};
    if (!r.howto)
      return elf_fail(lk, "internal error: relocation type %u", rela.type);
    if (!apply_one(lk, &r))
      return false;
  }
  return true;
}

/* Slots of symbols defined here hold their address (plus a RELATIVE
 * relocation, the base is unknown until load); imports start as zero and
 * get a GLOB_DAT relocation naming the symbol. */
static bool fill_got(elf_linker *lk) {
  for (uint32_t i = 0; i < lk->got_count; i++) {
    uint32_t sym = lk->got_symbols[i];
    uint64_t slot = got_slot_address(lk, i), value = 0;
    uint8_t *loc = lk->image + lk->out[ELF_OUT_GOT].offset + (uint64_t)i * 8;
    bool ok = true;
    if (!elf_symbol_address(lk, sym, &value))
      ok = add_dynamic_reloc(lk, slot, lk->arch->rel_glob_dat,
                             lk->symbols[sym].dynsym, 0);
    else if (lk->symbols[sym].shndx != ELF_SEC_ABS)
      ok = add_dynamic_reloc(lk, slot, lk->arch->rel_relative, 0, value);
    if (!ok)
      return false;
    put_le64(loc, value);
  }
  return true;
}

static bool fill_stubs(elf_linker *lk) {
  for (uint32_t i = 0; i < lk->stub_count; i++) {
    uint32_t sym = lk->stub_symbols[i];
    uint8_t *at = lk->image + lk->out[ELF_OUT_STUBS].offset +
                  (uint64_t)i * lk->arch->stub_size;
    const char *why =
        lk->arch->write_stub(at, stub_address(lk, i),
                             got_slot_address(lk, lk->symbols[sym].got_slot));
    if (why)
      return elf_fail(lk, "stub for '%s': %s", lk->symbols[sym].name, why);
  }
  return true;
}

bool elf_apply_relocations(elf_linker *lk) {
  for (uint32_t i = 0; i < lk->rela_count; i++)
    if (!apply_section(lk, &lk->relas[i]))
      return false;
  if (!fill_got(lk) || !fill_stubs(lk))
    return false;
  if (lk->dynrel_written != lk->dynrel_count)
    return elf_fail(lk,
                    "internal error: %zu dynamic relocations planned, "
                    "%zu written",
                    lk->dynrel_count, lk->dynrel_written);
  return true;
}
