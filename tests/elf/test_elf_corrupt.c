/* Malformed input never crashes anything: the mapper and the linker each
 * answer with an error message saying what is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elf_link.h"
#include "elf_test_util.h"
#include "elf_tests.h"

/* ---- artifacts ---- */

static void expect_map_error(const uint8_t *image, size_t size,
                             const char *fragment) {
  char err[256] = "";
  artifact_map *m = test_map_image(image, size, err, sizeof err);
  if (m) {
    artifact_unmap(m);
    fail_msg("mapping succeeded; expected an error with \"%s\"", fragment);
  }
  if (!strstr(err, fragment))
    fail_msg("error \"%s\" does not mention \"%s\"", err, fragment);
}

void map_rejects_foreign_machine(void **state) {
  fixture *fx = *state;
  expect_map_error(fx->artifact, fx->artifact_size, "machine");
}

/* End of the file data that mapping needs: the last PT_LOAD's bytes. */
static size_t loaded_file_end(const fixture *fx) {
  Elf64_Ehdr eh;
  memcpy(&eh, fx->artifact, sizeof eh);
  size_t end = 0;
  for (unsigned i = 0; i < eh.e_phnum; i++) {
    Elf64_Phdr ph;
    memcpy(&ph, fx->artifact + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type == PT_LOAD && ph.p_offset + ph.p_filesz > end)
      end = ph.p_offset + ph.p_filesz;
  }
  return end;
}

void map_rejects_truncated(void **state) {
  fixture *fx = *state;
  size_t needed = loaded_file_end(fx);
  for (size_t len = 0; len < fx->artifact_size; len += len < 128 ? 1 : 97) {
    char err[256] = "";
    artifact_map *m = test_map_image(fx->artifact, len, err, sizeof err);
    if (len < needed) {
      if (m)
        fail_msg("truncated to %zu bytes (need %zu) but mapped", len, needed);
      assert_true(err[0] != '\0');
    }
    artifact_unmap(m);
  }
}

static Elf64_Phdr *phdr_of_type(uint8_t *image, uint32_t type, int nth) {
  Elf64_Ehdr *eh = (Elf64_Ehdr *)image;
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    Elf64_Phdr *ph = (Elf64_Phdr *)(image + eh->e_phoff) + i;
    if (ph->p_type == type && nth-- == 0)
      return ph;
  }
  fail_msg("no program header of type %u", type);
  return NULL;
}

static Elf64_Ehdr *ehdr(uint8_t *image) {
  return (Elf64_Ehdr *)image;
}

static void bad_machine(uint8_t *i) {
  ehdr(i)->e_machine = ehdr(i)->e_machine == EM_X86_64 ? EM_AARCH64 : EM_X86_64;
}
static void bad_type(uint8_t *i) {
  ehdr(i)->e_type = ET_EXEC;
}
static void bad_class(uint8_t *i) {
  i[EI_CLASS] = ELFCLASS32;
}
static void bad_magic(uint8_t *i) {
  i[1] = 'X';
}
static void bad_phentsize(uint8_t *i) {
  ehdr(i)->e_phentsize = 32;
}
static void bad_phoff(uint8_t *i) {
  ehdr(i)->e_phoff = 1u << 30;
}
static void bad_phnum(uint8_t *i) {
  ehdr(i)->e_phnum = 0;
}
static void bad_offset(uint8_t *i) {
  phdr_of_type(i, PT_LOAD, 1)->p_offset = 1ull << 40;
}
static void bad_filesz(uint8_t *i) {
  Elf64_Phdr *p = phdr_of_type(i, PT_LOAD, 0);
  p->p_filesz = p->p_memsz + 1;
}
static void bad_overlap(uint8_t *i) {
  Elf64_Phdr *p = phdr_of_type(i, PT_LOAD, 1);
  p->p_vaddr = p->p_offset = 0;
}
static void bad_congruence(uint8_t *i) {
  phdr_of_type(i, PT_LOAD, 1)->p_vaddr += 8;
}
static void bad_wx(uint8_t *i) {
  phdr_of_type(i, PT_LOAD, 1)->p_flags = PF_R | PF_W | PF_X;
}
static void bad_dynamic(uint8_t *i) {
  phdr_of_type(i, PT_DYNAMIC, 0)->p_vaddr = 1ull << 32;
}
static void bad_dynamic_size(uint8_t *i) {
  phdr_of_type(i, PT_DYNAMIC, 0)->p_memsz = 20;
}
static void bad_relro(uint8_t *i) {
  phdr_of_type(i, PT_GNU_RELRO, 0)->p_vaddr = 0;
}

void map_rejects_bad_headers(void **state) {
  fixture *fx = *state;
  static const struct {
    void (*corrupt)(uint8_t *image);
    const char *fragment;
  } cases[] = {
      {bad_machine, "machine"},
      {bad_type, "ET_DYN"},
      {bad_class, "64-bit"},
      {bad_magic, "not an ELF"},
      {bad_phentsize, "program header size"},
      {bad_phoff, "outside the file"},
      {bad_phnum, "program headers"},
      {bad_offset, "outside the file"},
      {bad_filesz, "file size above memory size"},
      {bad_overlap, "overlaps"},
      {bad_congruence, "modulo the page size"},
      {bad_wx, "writable and executable"},
      {bad_dynamic, "PT_DYNAMIC"},
      {bad_dynamic_size, "whole number"},
      {bad_relro, "RELRO"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint8_t *copy = test_copy(fx->artifact, fx->artifact_size);
    cases[i].corrupt(copy);
    expect_map_error(copy, fx->artifact_size, cases[i].fragment);
    free(copy);
  }
}

static Elf64_Shdr section(const fixture *fx, const char *name) {
  Elf64_Shdr sh;
  if (!test_find_section(fx->artifact, fx->artifact_size, name, &sh))
    fail_msg("artifact has no %s", name);
  return sh;
}

void map_rejects_bad_dynamic(void **state) {
  fixture *fx = *state;
  uint8_t *copy = test_copy(fx->artifact, fx->artifact_size);
  Elf64_Shdr rela = section(fx, ".rela.dyn");
  assert_true(rela.sh_size >= sizeof(Elf64_Rela));
  /* The last relocation is a GLOB_DAT: imports' GOT slots come last. */
  Elf64_Rela *last = (Elf64_Rela *)(copy + rela.sh_offset + rela.sh_size) - 1;
  Elf64_Rela saved = *last;
  uint32_t sym = (uint32_t)ELF64_R_SYM(saved.r_info);
  assert_true(sym != 0);
  last->r_offset = 0x10; /* inside the read-only ELF header */
  expect_map_error(copy, fx->artifact_size, "outside the writable");
  *last = saved;
  last->r_info = ELF64_R_INFO(5000, ELF64_R_TYPE(saved.r_info));
  expect_map_error(copy, fx->artifact_size, "names symbol 5000");
  *last = saved;
  last->r_info = ELF64_R_INFO(sym, 0x7ffe);
  expect_map_error(copy, fx->artifact_size, "unsupported dynamic relocation");
  *last = saved;
  Elf64_Sym *dynsym = (Elf64_Sym *)(copy + section(fx, ".dynsym").sh_offset);
  dynsym[sym].st_name = 1u << 30;
  expect_map_error(copy, fx->artifact_size, "outside the string table");
  free(copy);

  copy = test_copy(fx->artifact, fx->artifact_size);
  uint32_t huge = 1u << 28;
  memcpy(copy + section(fx, ".hash").sh_offset + 4, &huge, 4); /* nchain */
  expect_map_error(copy, fx->artifact_size, "hash table");
  free(copy);
}

/* Every single-byte corruption of the headers and tables must either map
 * or fail with a message; none may crash the process. */
void map_survives_byte_flips(void **state) {
  fixture *fx = *state;
  /* Under qemu-user (the aarch64 cross tests, docs/cross.md) every page
   * of a reservation costs the emulator a page descriptor it never frees.
   * A flipped size can make the mapper reserve up to its 1 TiB bound:
   * free natively, gigabytes of qemu's memory there. The native builds
   * (and ASan) run this test; the parsing it checks is the same code. */
  if (getenv("WASMAOT_TEST_UNDER_EMULATION"))
    skip();
  Elf64_Shdr got = section(fx, ".got");
  size_t limit = got.sh_offset + got.sh_size; /* through .dynamic, .got */
  uint8_t *copy = test_copy(fx->artifact, fx->artifact_size);
  size_t failures = 0;
  /* Sample the code pages, cover the tables (first and last page) fully.
   * At most ~4096 samples in between: with AArch64's 64 KiB segment
   * alignment the middle is mostly padding, and every map costs a memfd
   * and several mmaps (a lot under qemu, docs/cross.md). */
  size_t middle = limit > 0x2000 ? limit - 0x2000 : 0;
  size_t stride = middle / 4096 > 7 ? middle / 4096 : 7;
  static const uint8_t patterns[] = {0xff, 0x80, 0x01};
  for (size_t p = 0; p < sizeof patterns; p++)
    for (size_t at = 0; at < limit; at++) {
      if (at >= 0x1000 && at + 0x1000 < limit && at % stride)
        continue;
      copy[at] ^= patterns[p];
      char err[256] = "";
      artifact_map *m =
          test_map_image(copy, fx->artifact_size, err, sizeof err);
      if (!m) {
        assert_true(err[0] != '\0');
        failures++;
      }
      artifact_unmap(m);
      copy[at] ^= patterns[p];
    }
  assert_true(failures > 0);
  free(copy);
}

/* ---- objects ---- */

static void expect_link_error(const uint8_t *object, size_t size,
                              const char *fragment) {
  void *out = NULL;
  size_t out_size = 0;
  char err[256] = "";
  if (test_link(object, size, &out, &out_size, err, sizeof err)) {
    free(out);
    fail_msg("link succeeded; expected an error with \"%s\"", fragment);
  }
  if (!strstr(err, fragment))
    fail_msg("error \"%s\" does not mention \"%s\"", err, fragment);
}

/* The first relocation patching fx_call_local or the whole .text. */
static Elf64_Rela *first_text_rela(const fixture *fx, uint8_t *copy) {
  Elf64_Shdr sh;
  if (!test_find_section(fx->object, fx->object_size, ".rela.text", &sh) &&
      !test_find_section(fx->object, fx->object_size,
                         ".rela.text.fx_call_local", &sh))
    fail_msg("object has no text relocations");
  return (Elf64_Rela *)(copy + sh.sh_offset);
}

typedef struct bad_types {
  uint32_t unsupported; /* a real type the linker does not apply */
  const char *unsupported_name;
  uint32_t abs32; /* absolute 32-bit: not position-independent */
  uint32_t abs64; /* absolute 64-bit: a text relocation in code */
} bad_types;

static bad_types bad_types_for(uint16_t machine) {
  if (machine == EM_AARCH64)
    return (bad_types){R_AARCH64_TLSLE_ADD_TPREL_HI12,
                       "R_AARCH64_TLSLE_ADD_TPREL_HI12", R_AARCH64_ABS32,
                       R_AARCH64_ABS64};
  return (bad_types){R_X86_64_TPOFF32, "R_X86_64_TPOFF32", R_X86_64_32,
                     R_X86_64_64};
}

void link_rejects_bad_relocations(void **state) {
  fixture *fx = *state;
  bad_types t = bad_types_for(fx->machine);
  uint8_t *copy = test_copy(fx->object, fx->object_size);
  Elf64_Rela *r = first_text_rela(fx, copy);
  Elf64_Rela saved = *r;
  uint32_t sym = (uint32_t)ELF64_R_SYM(saved.r_info);
  r->r_info = ELF64_R_INFO(sym, t.unsupported);
  expect_link_error(copy, fx->object_size, t.unsupported_name);
  r->r_info = ELF64_R_INFO(sym, 200);
  expect_link_error(copy, fx->object_size, "type 200");
  r->r_info = ELF64_R_INFO(sym, t.abs32);
  expect_link_error(copy, fx->object_size, "not position-independent");
  r->r_info = ELF64_R_INFO(sym, t.abs64);
  r->r_offset = 0;
  expect_link_error(copy, fx->object_size, "text relocation");
  *r = saved;
  r->r_offset = 1u << 30;
  expect_link_error(copy, fx->object_size, "lies outside");
  *r = saved;
  r->r_info = ELF64_R_INFO(100000, ELF64_R_TYPE(saved.r_info));
  expect_link_error(copy, fx->object_size, "out of range");
  free(copy);
}

void link_rejects_bad_objects(void **state) {
  fixture *fx = *state;
  uint8_t *copy = test_copy(fx->object, fx->object_size);
  Elf64_Ehdr *eh = (Elf64_Ehdr *)copy;
  eh->e_machine = 0x1234;
  expect_link_error(copy, fx->object_size, "not supported");
  eh->e_machine = fx->machine;
  eh->e_type = ET_DYN;
  expect_link_error(copy, fx->object_size, "ET_REL");
  eh->e_type = ET_REL;
  eh->e_shoff = fx->object_size;
  expect_link_error(copy, fx->object_size, "outside the object");
  free(copy);

  /* The first global of the symbol table turned into a COMMON symbol. */
  copy = test_copy(fx->object, fx->object_size);
  Elf64_Shdr symtab;
  assert_true(
      test_find_section(fx->object, fx->object_size, ".symtab", &symtab));
  Elf64_Sym *syms = (Elf64_Sym *)(copy + symtab.sh_offset);
  syms[symtab.sh_info].st_shndx = SHN_COMMON;
  expect_link_error(copy, fx->object_size, "COMMON");
  free(copy);

  /* LLVM writes section headers last, so every truncation loses some. */
  for (size_t len = 0; len < fx->object_size; len += len < 256 ? 1 : 61)
    expect_link_error(fx->object, len, "");
}

void link_rejects_bad_exports(void **state) {
  fixture *fx = *state;
  static const char *const names[] = {"fx_add", "not_in_the_object"};
  elf_link_input in = {.object = fx->object,
                       .object_size = fx->object_size,
                       .exported_symbols = names,
                       .exported_count = 2};
  void *out;
  size_t size;
  char err[256];
  assert_false(elf_link_shared_object(&in, &out, &size, err, sizeof err));
  assert_non_null(strstr(err, "not_in_the_object"));

  /* An extra section's symbol may not clash with the object's. */
  elf_link_extra_section clash = {".x", "a", 1, 1, "fx_add"};
  in.exported_count = 1;
  in.extra = &clash;
  in.extra_count = 1;
  assert_false(elf_link_shared_object(&in, &out, &size, err, sizeof err));
  assert_non_null(strstr(err, "fx_add"));

  elf_link_extra_section misaligned = {".x", "a", 1, 3, NULL};
  in.extra = &misaligned;
  assert_false(elf_link_shared_object(&in, &out, &size, err, sizeof err));
  assert_non_null(strstr(err, "alignment"));

  in.extra_count = 0;
  in.page_size = 1000;
  assert_false(elf_link_shared_object(&in, &out, &size, err, sizeof err));
  assert_non_null(strstr(err, "page size"));
}

/* Corrupting the object byte by byte: any outcome but a crash (or, under a
 * sanitizer, any out-of-bounds access) is fine. */
void link_survives_byte_flips(void **state) {
  fixture *fx = *state;
  uint8_t *copy = test_copy(fx->object, fx->object_size);
  for (size_t at = 0; at < fx->object_size; at++) {
    copy[at] ^= 0xff;
    void *out = NULL;
    size_t size;
    char err[256] = "";
    if (test_link(copy, fx->object_size, &out, &size, err, sizeof err))
      free(out);
    else
      assert_true(err[0] != '\0');
    copy[at] ^= 0xff;
  }
  free(copy);
}
