/* The linker's driver: runs the phases in order and owns the state that
 * lives for one link. See elf_link_internal.h for the phase files. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_link_internal.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
/* Structures are copied to and from the image with memcpy. */
#error "the artifact linker writes little-endian ELF with host-order copies"
#endif

bool elf_fail(elf_linker *lk, const char *fmt, ...) {
  if (lk->failed)
    return false;
  lk->failed = true;
  if (lk->err && lk->errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lk->err, lk->errlen, fmt, ap);
    va_end(ap);
  }
  return false;
}

bool elf_reloc_fail(elf_linker *lk, const elf_in_section *target,
                    const elf_rela *rela, const char *type_name,
                    const char *why) {
  return elf_fail(lk, "%s against '%s' in %s at offset 0x%llx: %s", type_name,
                  elf_symbol_display_name(lk, &lk->symbols[rela->sym]),
                  target->name, (unsigned long long)rela->offset, why);
}

/* ---- byte buffers ---- */

size_t elf_buf_append(elf_buf *b, const void *bytes, size_t n) {
  size_t at = b->size;
  if (b->failed)
    return at;
  if (n > b->cap - b->size) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->size < n) {
      if (cap > SIZE_MAX / 2) {
        b->failed = true;
        return at;
      }
      cap *= 2;
    }
    uint8_t *grown = realloc(b->data, cap);
    if (!grown) {
      b->failed = true;
      return at;
    }
    b->data = grown;
    b->cap = cap;
  }
  if (n)
    memcpy(b->data + b->size, bytes, n);
  b->size += n;
  return at;
}

size_t elf_buf_add_string(elf_buf *b, const char *s) {
  return elf_buf_append(b, s, strlen(s) + 1);
}

void elf_buf_free(elf_buf *b) {
  free(b->data);
  *b = (elf_buf){0};
}

/* ---- symbols ---- */

static bool is_defined(const elf_linker *lk, const elf_in_symbol *s) {
  if (s->shndx == ELF_SEC_ABS)
    return true;
  return s->shndx != SHN_UNDEF && s->shndx < lk->section_count &&
         lk->sections[s->shndx].out != ELF_OUT_DROPPED;
}

bool elf_symbol_address(const elf_linker *lk, uint32_t sym, uint64_t *addr) {
  const elf_in_symbol *s = &lk->symbols[sym];
  if (!is_defined(lk, s))
    return false;
  if (s->shndx == ELF_SEC_ABS) {
    *addr = s->value;
    return true;
  }
  const elf_in_section *sec = &lk->sections[s->shndx];
  *addr = lk->out[sec->out].addr + sec->out_offset + s->value;
  return true;
}

const char *elf_symbol_display_name(const elf_linker *lk,
                                    const elf_in_symbol *s) {
  if (s->type == STT_SECTION && s->shndx < lk->section_count)
    return lk->sections[s->shndx].name;
  return s->name;
}

/* ---- machines ---- */

const elf_arch *elf_arch_for_machine(uint16_t machine) {
  switch (machine) {
  case EM_X86_64:
    return &elf_arch_x86_64;
  case EM_AARCH64:
    return &elf_arch_aarch64;
  default:
    return NULL;
  }
}

/* ---- the link ---- */

static bool choose_page_size(elf_linker *lk) {
  size_t want = lk->in->page_size;
  if (want == 0) {
    lk->page_size = lk->arch->max_page_size;
    return true;
  }
  if (want < 4096 || want > (1u << 20) || (want & (want - 1)))
    return elf_fail(lk,
                    "page size %zu is not a power of two between 4 KiB "
                    "and 1 MiB",
                    want);
  lk->page_size = want;
  return true;
}

static bool run_phases(elf_linker *lk) {
  if (!elf_read_input(lk) || !choose_page_size(lk) || !elf_define_outputs(lk) ||
      !elf_plan(lk) || !elf_layout(lk))
    return false;
  lk->image = calloc(1, lk->image_size);
  if (!lk->image)
    return elf_fail(lk, "out of memory for a %llu-byte artifact",
                    (unsigned long long)lk->image_size);
  elf_copy_contents(lk);
  return elf_apply_relocations(lk) && elf_write_tables(lk);
}

static void release(elf_linker *lk) {
  free(lk->sections);
  free(lk->symbols);
  free(lk->relas);
  free(lk->got_symbols);
  free(lk->stub_symbols);
  free(lk->dynsym_symbols);
  free(lk->dynstr_offsets);
  free(lk->symtab);
  free(lk->out);
  elf_buf_free(&lk->dynstr);
  elf_buf_free(&lk->strtab);
  elf_buf_free(&lk->shstrtab);
}

bool elf_link_shared_object(const elf_link_input *in, void **out,
                            size_t *out_size, char *errbuf, size_t errlen) {
  elf_linker lk = {.in = in, .err = errbuf, .errlen = errlen};
  if (errbuf && errlen)
    errbuf[0] = '\0';
  bool ok = in && out && out_size ? run_phases(&lk)
                                  : elf_fail(&lk, "missing argument");
  release(&lk);
  if (!ok) {
    free(lk.image);
    return false;
  }
  *out = lk.image;
  *out_size = (size_t)lk.image_size;
  return true;
}
