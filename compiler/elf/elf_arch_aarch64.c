/* AArch64 relocations ("ELF for the Arm 64-bit Architecture", AAELF64,
 * section 5.7) for the small PIC code model LLVM uses, and the stub that
 * calls an imported function through its GOT slot.
 *
 * Instruction fields are patched in place: the relocation supplies the
 * value, the instruction word keeps its opcode and registers. */
#include <stdio.h>
#include <string.h>

#include "elf_link_internal.h"

enum aarch64_field {
  FIELD_NONE,
  FIELD_DATA64,
  FIELD_DATA32, /* -2^31 <= X < 2^32 */
  FIELD_DATA16, /* -2^15 <= X < 2^16 */
  FIELD_ADRP,   /* ADRP: page delta, +-4 GiB */
  FIELD_ADRP_NC,
  FIELD_ADR,   /* ADR: +-1 MiB */
  FIELD_ADD12, /* ADD immediate: low 12 bits */
  FIELD_LDST8, /* LDR/STR unsigned offset, scaled by the access size */
  FIELD_LDST16,
  FIELD_LDST32,
  FIELD_LDST64,
  FIELD_LDST128,
  FIELD_IMM19, /* B.cond, CBZ, LDR literal: +-1 MiB in words */
  FIELD_IMM14, /* TBZ/TBNZ: +-32 KiB in words */
  FIELD_IMM26, /* B, BL: +-128 MiB in words */
};

#define HOWTO(t, kind, field, bytes)                                           \
  { R_AARCH64_##t, "R_AARCH64_" #t, kind, field, bytes }

static const elf_reloc_howto aarch64_howtos[] = {
    HOWTO(NONE, ELF_RK_NONE, FIELD_NONE, 0),
    HOWTO(ABS64, ELF_RK_ABS, FIELD_DATA64, 8),
    HOWTO(ABS32, ELF_RK_ABS, FIELD_DATA32, 4),
    HOWTO(ABS16, ELF_RK_ABS, FIELD_DATA16, 2),
    HOWTO(PREL64, ELF_RK_PCREL, FIELD_DATA64, 8),
    HOWTO(PREL32, ELF_RK_PCREL, FIELD_DATA32, 4),
    HOWTO(PREL16, ELF_RK_PCREL, FIELD_DATA16, 2),
    HOWTO(LD_PREL_LO19, ELF_RK_PCREL, FIELD_IMM19, 4),
    HOWTO(ADR_PREL_LO21, ELF_RK_PCREL, FIELD_ADR, 4),
    HOWTO(ADR_PREL_PG_HI21, ELF_RK_PAGE_PCREL, FIELD_ADRP, 4),
    HOWTO(ADR_PREL_PG_HI21_NC, ELF_RK_PAGE_PCREL, FIELD_ADRP_NC, 4),
    HOWTO(ADD_ABS_LO12_NC, ELF_RK_ABS_LO, FIELD_ADD12, 4),
    HOWTO(LDST8_ABS_LO12_NC, ELF_RK_ABS_LO, FIELD_LDST8, 4),
    HOWTO(LDST16_ABS_LO12_NC, ELF_RK_ABS_LO, FIELD_LDST16, 4),
    HOWTO(LDST32_ABS_LO12_NC, ELF_RK_ABS_LO, FIELD_LDST32, 4),
    HOWTO(LDST64_ABS_LO12_NC, ELF_RK_ABS_LO, FIELD_LDST64, 4),
    HOWTO(LDST128_ABS_LO12_NC, ELF_RK_ABS_LO, FIELD_LDST128, 4),
    HOWTO(TSTBR14, ELF_RK_PCREL, FIELD_IMM14, 4),
    HOWTO(CONDBR19, ELF_RK_PCREL, FIELD_IMM19, 4),
    HOWTO(JUMP26, ELF_RK_CALL, FIELD_IMM26, 4),
    HOWTO(CALL26, ELF_RK_CALL, FIELD_IMM26, 4),
    HOWTO(ADR_GOT_PAGE, ELF_RK_GOT_PAGE, FIELD_ADRP, 4),
    HOWTO(LD64_GOT_LO12_NC, ELF_RK_GOT_LO, FIELD_LDST64, 4),
};

static const elf_reloc_howto *aarch64_howto(uint32_t type) {
  for (size_t i = 0; i < sizeof aarch64_howtos / sizeof aarch64_howtos[0]; i++)
    if (aarch64_howtos[i].type == type)
      return &aarch64_howtos[i];
  return NULL;
}

/* Names of the types LLVM may emit that are not supported, so the error
 * says what the object wanted. */
static const struct {
  uint32_t type;
  const char *name;
} aarch64_other_names[] = {
    {R_AARCH64_MOVW_UABS_G0, "MOVW_UABS_G0"},
    {R_AARCH64_MOVW_UABS_G3, "MOVW_UABS_G3"},
    {R_AARCH64_MOVW_PREL_G0, "MOVW_PREL_G0"},
    {R_AARCH64_LD64_GOTPAGE_LO15, "LD64_GOTPAGE_LO15"},
    {R_AARCH64_TLSGD_ADR_PAGE21, "TLSGD_ADR_PAGE21"},
    {R_AARCH64_TLSLE_ADD_TPREL_HI12, "TLSLE_ADD_TPREL_HI12"},
    {R_AARCH64_TLSDESC_ADR_PAGE21, "TLSDESC_ADR_PAGE21"},
    {R_AARCH64_TLSDESC_CALL, "TLSDESC_CALL"},
    {R_AARCH64_COPY, "COPY"},
    {R_AARCH64_GLOB_DAT, "GLOB_DAT"},
    {R_AARCH64_JUMP_SLOT, "JUMP_SLOT"},
    {R_AARCH64_RELATIVE, "RELATIVE"},
    {R_AARCH64_IRELATIVE, "IRELATIVE"},
};

static const char *aarch64_reloc_name(uint32_t type, char *scratch,
                                      size_t len) {
  const elf_reloc_howto *h = aarch64_howto(type);
  if (h)
    return h->name;
  for (size_t i = 0;
       i < sizeof aarch64_other_names / sizeof aarch64_other_names[0]; i++)
    if (aarch64_other_names[i].type == type) {
      snprintf(scratch, len, "R_AARCH64_%s", aarch64_other_names[i].name);
      return scratch;
    }
  snprintf(scratch, len, "AArch64 relocation type %u", type);
  return scratch;
}

static uint32_t get_insn(const uint8_t *loc) {
  return (uint32_t)loc[0] | (uint32_t)loc[1] << 8 | (uint32_t)loc[2] << 16 |
         (uint32_t)loc[3] << 24;
}

static void put_le(uint8_t *loc, uint64_t v, unsigned bytes) {
  for (unsigned i = 0; i < bytes; i++)
    loc[i] = (uint8_t)(v >> (8 * i));
}

/* Is the signed value representable in `bits` bits? */
static bool fits_signed(int64_t v, unsigned bits) {
  int64_t lim = (int64_t)1 << (bits - 1);
  return v >= -lim && v < lim;
}

/* Data fields accept both signed and unsigned readings of the value. */
static bool fits_data(int64_t v, unsigned bits) {
  return v >= -((int64_t)1 << (bits - 1)) && v < ((int64_t)1 << bits);
}

/* ADR and ADRP split a 21-bit immediate: immlo in bits 30:29, immhi in
 * bits 23:5. */
static void put_adr_imm(uint8_t *loc, uint64_t imm) {
  uint32_t insn = get_insn(loc) & ~((3u << 29) | (0x7ffffu << 5));
  insn |= ((uint32_t)imm & 3) << 29 | (((uint32_t)imm >> 2) & 0x7ffff) << 5;
  put_le(loc, insn, 4);
}

static void put_bits(uint8_t *loc, uint64_t value, unsigned shift,
                     unsigned width) {
  uint32_t mask = ((1u << width) - 1) << shift;
  uint32_t insn = (get_insn(loc) & ~mask) | (((uint32_t)value << shift) & mask);
  put_le(loc, insn, 4);
}

static const char *encode_data(const elf_reloc_howto *h, uint8_t *loc,
                               uint64_t value) {
  unsigned bits = h->bytes * 8;
  if (bits < 64 && !fits_data((int64_t)value, bits))
    return "value does not fit its data field";
  put_le(loc, value, h->bytes);
  return NULL;
}

/* LDR/STR unsigned offsets count in units of the access size. */
static const char *encode_ldst(uint8_t *loc, uint64_t value, unsigned scale) {
  uint64_t low = value & 0xfff;
  if (low & ((1u << scale) - 1))
    return "address is not aligned for the access size";
  put_bits(loc, low >> scale, 10, 12);
  return NULL;
}

static const char *encode_branch(uint8_t *loc, uint64_t value, unsigned width,
                                 unsigned shift) {
  int64_t v = (int64_t)value;
  if (v & 3)
    return "branch target is not 4-byte aligned";
  if (!fits_signed(v >> 2, width))
    return width == 26 ? "branch out of range (+-128 MiB; veneers are not "
                         "supported)"
                       : "branch out of range";
  put_bits(loc, (uint64_t)(v >> 2), shift, width);
  return NULL;
}

static const char *aarch64_encode(const elf_reloc_howto *h, uint8_t *loc,
                                  uint64_t value) {
  int64_t v = (int64_t)value;
  switch (h->field) {
  case FIELD_DATA64:
  case FIELD_DATA32:
  case FIELD_DATA16:
    return encode_data(h, loc, value);
  case FIELD_ADRP:
    if (!fits_signed(v >> 12, 21))
      return "page offset out of range (+-4 GiB)";
    __attribute__((fallthrough));
  case FIELD_ADRP_NC:
    put_adr_imm(loc, (uint64_t)(v >> 12));
    return NULL;
  case FIELD_ADR:
    if (!fits_signed(v, 21))
      return "offset out of range (+-1 MiB)";
    put_adr_imm(loc, value);
    return NULL;
  case FIELD_ADD12:
    put_bits(loc, value & 0xfff, 10, 12);
    return NULL;
  case FIELD_LDST8:
  case FIELD_LDST16:
  case FIELD_LDST32:
  case FIELD_LDST64:
  case FIELD_LDST128:
    return encode_ldst(loc, value, (unsigned)(h->field - FIELD_LDST8));
  case FIELD_IMM19:
    return encode_branch(loc, value, 19, 5);
  case FIELD_IMM14:
    return encode_branch(loc, value, 14, 5);
  case FIELD_IMM26:
    return encode_branch(loc, value, 26, 0);
  default:
    return NULL;
  }
}

/* GOT loads are ADRP + LDR pairs; relaxing them needs both relocations at
 * once, which this linker does not track. Every GOT use keeps its slot. */
static bool aarch64_can_relax(const elf_reloc_howto *h, const uint8_t *sec,
                              uint64_t off) {
  (void)h;
  (void)sec;
  (void)off;
  return false;
}

static void aarch64_relax(const elf_reloc_howto *h, uint8_t *sec,
                          uint64_t off) {
  (void)h;
  (void)sec;
  (void)off;
}

#define AARCH64_STUB_SIZE 16
#define INSN_ADRP_X16 0x90000010u
#define INSN_LDR_X17_X16 0xf9400211u /* ldr x17, [x16, #imm] */
#define INSN_BR_X17 0xd61f0220u
#define INSN_NOP 0xd503201fu

/* adrp x16, slot; ldr x17, [x16, :lo12:slot]; br x17; nop. x16/x17 are
 * the intra-procedure-call scratch registers the ABI reserves for this. */
static const char *aarch64_write_stub(uint8_t *at, uint64_t stub_addr,
                                      uint64_t slot_addr) {
  int64_t pages = (int64_t)((slot_addr & ~0xfffull) - (stub_addr & ~0xfffull));
  if (!fits_signed(pages >> 12, 21))
    return "GOT slot out of reach of its stub";
  put_le(at, INSN_ADRP_X16, 4);
  put_adr_imm(at, (uint64_t)(pages >> 12));
  put_le(at + 4, INSN_LDR_X17_X16 | (uint32_t)((slot_addr & 0xfff) / 8) << 10,
         4);
  put_le(at + 8, INSN_BR_X17, 4);
  put_le(at + 12, INSN_NOP, 4);
  return NULL;
}

const elf_arch elf_arch_aarch64 = {
    .machine = EM_AARCH64,
    .name = "aarch64",
    /* Kernels run AArch64 with 4, 16 or 64 KiB pages; 64 KiB alignment
     * loads on all of them. */
    .max_page_size = 65536,
    .rel_relative = R_AARCH64_RELATIVE,
    .rel_glob_dat = R_AARCH64_GLOB_DAT,
    .rel_abs64 = R_AARCH64_ABS64,
    .stub_size = AARCH64_STUB_SIZE,
    .howto = aarch64_howto,
    .reloc_name = aarch64_reloc_name,
    .encode = aarch64_encode,
    .can_relax = aarch64_can_relax,
    .relax = aarch64_relax,
    .write_stub = aarch64_write_stub,
};
