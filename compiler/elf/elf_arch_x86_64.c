/* x86-64 relocations (System V psABI, "Relocation Types") and the stub
 * that calls an imported function through its GOT slot. */
#include <stdio.h>
#include <string.h>

#include "elf_link_internal.h"

enum x86_64_field {
  FIELD_NONE,
  FIELD_S32, /* signed 32-bit, must not overflow */
  FIELD_U32, /* unsigned 32-bit, must not overflow */
  FIELD_64,
};

static const elf_reloc_howto x86_64_howtos[] = {
    {R_X86_64_NONE, "R_X86_64_NONE", ELF_RK_NONE, FIELD_NONE, 0},
    {R_X86_64_64, "R_X86_64_64", ELF_RK_ABS, FIELD_64, 8},
    {R_X86_64_PC32, "R_X86_64_PC32", ELF_RK_PCREL, FIELD_S32, 4},
    {R_X86_64_PLT32, "R_X86_64_PLT32", ELF_RK_CALL, FIELD_S32, 4},
    {R_X86_64_GOTPCREL, "R_X86_64_GOTPCREL", ELF_RK_GOT_PCREL, FIELD_S32, 4},
    {R_X86_64_32, "R_X86_64_32", ELF_RK_ABS, FIELD_U32, 4},
    {R_X86_64_32S, "R_X86_64_32S", ELF_RK_ABS, FIELD_S32, 4},
    {R_X86_64_PC64, "R_X86_64_PC64", ELF_RK_PCREL, FIELD_64, 8},
    {R_X86_64_GOTOFF64, "R_X86_64_GOTOFF64", ELF_RK_GOTOFF, FIELD_64, 8},
    {R_X86_64_GOTPC32, "R_X86_64_GOTPC32", ELF_RK_GOTPC, FIELD_S32, 4},
    {R_X86_64_GOTPCREL64, "R_X86_64_GOTPCREL64", ELF_RK_GOT_PCREL, FIELD_64, 8},
    {R_X86_64_GOTPC64, "R_X86_64_GOTPC64", ELF_RK_GOTPC, FIELD_64, 8},
    {R_X86_64_SIZE32, "R_X86_64_SIZE32", ELF_RK_SIZE, FIELD_U32, 4},
    {R_X86_64_SIZE64, "R_X86_64_SIZE64", ELF_RK_SIZE, FIELD_64, 8},
    {R_X86_64_GOTPCRELX, "R_X86_64_GOTPCRELX", ELF_RK_GOT_RELAX, FIELD_S32, 4},
    {R_X86_64_REX_GOTPCRELX, "R_X86_64_REX_GOTPCRELX", ELF_RK_GOT_RELAX,
     FIELD_S32, 4},
};

/* Every type the psABI defines, so an unsupported one is named in the
 * error rather than shown as a number. */
static const char *const x86_64_names[] = {
    "NONE",
    "64",
    "PC32",
    "GOT32",
    "PLT32",
    "COPY",
    "GLOB_DAT",
    "JUMP_SLOT",
    "RELATIVE",
    "GOTPCREL",
    "32",
    "32S",
    "16",
    "PC16",
    "8",
    "PC8",
    "DTPMOD64",
    "DTPOFF64",
    "TPOFF64",
    "TLSGD",
    "TLSLD",
    "DTPOFF32",
    "GOTTPOFF",
    "TPOFF32",
    "PC64",
    "GOTOFF64",
    "GOTPC32",
    "GOT64",
    "GOTPCREL64",
    "GOTPC64",
    "GOTPLT64",
    "PLTOFF64",
    "SIZE32",
    "SIZE64",
    "GOTPC32_TLSDESC",
    "TLSDESC_CALL",
    "TLSDESC",
    "IRELATIVE",
    "RELATIVE64",
    "PC32_BND",
    "PLT32_BND",
    "GOTPCRELX",
    "REX_GOTPCRELX",
};

static const elf_reloc_howto *x86_64_howto(uint32_t type) {
  for (size_t i = 0; i < sizeof x86_64_howtos / sizeof x86_64_howtos[0]; i++)
    if (x86_64_howtos[i].type == type)
      return &x86_64_howtos[i];
  return NULL;
}

static const char *x86_64_reloc_name(uint32_t type, char *scratch, size_t len) {
  if (type < sizeof x86_64_names / sizeof x86_64_names[0]) {
    snprintf(scratch, len, "R_X86_64_%s", x86_64_names[type]);
  } else {
    snprintf(scratch, len, "x86-64 relocation type %u", type);
  }
  return scratch;
}

static void put_le(uint8_t *loc, uint64_t v, unsigned bytes) {
  for (unsigned i = 0; i < bytes; i++)
    loc[i] = (uint8_t)(v >> (8 * i));
}

static const char *x86_64_encode(const elf_reloc_howto *h, uint8_t *loc,
                                 uint64_t value) {
  int64_t s = (int64_t)value;
  switch (h->field) {
  case FIELD_S32:
    if (s < INT32_MIN || s > INT32_MAX)
      return "value does not fit a signed 32-bit field";
    put_le(loc, value, 4);
    return NULL;
  case FIELD_U32:
    if (value > UINT32_MAX)
      return "value does not fit an unsigned 32-bit field";
    put_le(loc, value, 4);
    return NULL;
  case FIELD_64:
    put_le(loc, value, 8);
    return NULL;
  default:
    return NULL;
  }
}

/* `mov foo@GOTPCREL(%rip), %reg` (opcode 0x8b, with or without REX) can
 * become `lea foo(%rip), %reg`: same length, no GOT load, no load-time
 * relocation. Other users of the slot (call *, push, arithmetic) keep it. */
#define X86_MOV_LOAD 0x8b
#define X86_LEA 0x8d

static bool x86_64_can_relax(const elf_reloc_howto *h, const uint8_t *sec,
                             uint64_t off) {
  (void)h;
  return off >= 2 && sec[off - 2] == X86_MOV_LOAD;
}

static void x86_64_relax(const elf_reloc_howto *h, uint8_t *sec, uint64_t off) {
  (void)h;
  sec[off - 2] = X86_LEA;
}

/* jmp *slot(%rip); the two int3 pad the stub to 8 bytes and stop a
 * fall-through. */
#define X86_64_STUB_SIZE 8

static const char *x86_64_write_stub(uint8_t *at, uint64_t stub_addr,
                                     uint64_t slot_addr) {
  int64_t rel = (int64_t)(slot_addr - (stub_addr + 6));
  if (rel < INT32_MIN || rel > INT32_MAX)
    return "GOT slot out of reach of its stub";
  at[0] = 0xff;
  at[1] = 0x25;
  put_le(at + 2, (uint64_t)rel, 4);
  at[6] = 0xcc;
  at[7] = 0xcc;
  return NULL;
}

const elf_arch elf_arch_x86_64 = {
    .machine = EM_X86_64,
    .name = "x86-64",
    .max_page_size = 4096,
    .rel_relative = R_X86_64_RELATIVE,
    .rel_glob_dat = R_X86_64_GLOB_DAT,
    .rel_abs64 = R_X86_64_64,
    .stub_size = X86_64_STUB_SIZE,
    .howto = x86_64_howto,
    .reloc_name = x86_64_reloc_name,
    .encode = x86_64_encode,
    .can_relax = x86_64_can_relax,
    .relax = x86_64_relax,
    .write_stub = x86_64_write_stub,
};
