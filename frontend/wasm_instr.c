#include "wasm_instr.h"

#include "wasm_features.h"

#include <stdlib.h>
#include <string.h>

typedef struct op_info {
  const char *name;
  const char *sig;
  uint8_t prefix;
  uint8_t imm; /* wasm_imm_kind */
  uint16_t code;
} op_info;

static const op_info op_table[WASM_OP_COUNT] = {
#define WASM_OP(id, prefix, code, name, imm, sig)                              \
  [WASM_OP_##id] = {name, sig, prefix, WASM_IMM_##imm, code},
#include "opcodes.def"
};

/* Opcode look-up: one page per prefix (none, 0xFC, 0xFD, 0xFE), holding
 * wasm_opcode + 1 so that the zero-filled gaps mean "illegal". Relaxed
 * SIMD's sub-opcodes reach 0x113, so a page holds 512 codes; larger ones
 * are illegal. */
enum { OP_PAGE = 512 };
#define OP_PAGE_OF(prefix)                                                     \
  ((prefix) == 0xFC ? 1 : (prefix) == 0xFD ? 2 : (prefix) == 0xFE ? 3 : 0)
#define OP_KEY(prefix, code) (OP_PAGE_OF(prefix) * OP_PAGE + (code))

static const uint16_t op_by_key[4 * OP_PAGE] = {
#define WASM_OP(id, prefix, code, name, imm, sig)                              \
  [OP_KEY(prefix, code)] = WASM_OP_##id + 1,
#include "opcodes.def"
};

const char *wasm_op_name(wasm_opcode op) {
  return op_table[op].name;
}
wasm_imm_kind wasm_op_imm(wasm_opcode op) {
  return op_table[op].imm;
}
uint8_t wasm_op_prefix(wasm_opcode op) {
  return op_table[op].prefix;
}
uint32_t wasm_op_code(wasm_opcode op) {
  return op_table[op].code;
}
const char *wasm_op_sig(wasm_opcode op) {
  return op_table[op].sig;
}

/* `addr`, `src_addr`: the address types of the instruction's memory or
 * table and of a copy's source (opcodes.def's a, s and l). */
static wasm_type sig_letter_type(char c, wasm_type addr, wasm_type src_addr) {
  switch (c) {
  case 'i':
    return WASM_TYPE_I32;
  case 'I':
    return WASM_TYPE_I64;
  case 'f':
    return WASM_TYPE_F32;
  case 'F':
    return WASM_TYPE_F64;
  case 'a':
    return addr;
  case 's':
    return src_addr;
  case 'l':
    return addr == WASM_TYPE_I64 && src_addr == WASM_TYPE_I64 ? WASM_TYPE_I64
                                                              : WASM_TYPE_I32;
  default:
    return WASM_TYPE_V128;
  }
}

bool wasm_op_get_signature_at(wasm_opcode op, wasm_type addr,
                              wasm_type src_addr, wasm_op_signature *out) {
  const char *s = op_table[op].sig;
  if (!s)
    return false;
  memset(out, 0, sizeof *out);
  for (; *s != ':'; s++)
    out->params[out->param_count++] = sig_letter_type(*s, addr, src_addr);
  for (s++; *s; s++)
    out->results[out->result_count++] = sig_letter_type(*s, addr, src_addr);
  return true;
}

bool wasm_op_get_signature(wasm_opcode op, wasm_op_signature *out) {
  return wasm_op_get_signature_at(op, WASM_TYPE_I32, WASM_TYPE_I32, out);
}

/* The read-modify-write and compare-exchange instructions come in groups
 * of seven per operation, in one order (opcodes.def): rmw (i32), rmw
 * (i64), rmw8 (i32), rmw16 (i32), rmw8 (i64), rmw16 (i64), rmw32 (i64). */
_Static_assert(WASM_OP_I64_ATOMIC_RMW32_CMPXCHG_U - WASM_OP_I32_ATOMIC_RMW_ADD +
                       1 ==
                   7 * 7,
               "seven read-modify-write operations of seven widths each");

static int rmw_natural_align_log2(wasm_opcode op) {
  static const int8_t by_position[7] = {2, 3, 0, 1, 0, 1, 2};
  if (op < WASM_OP_I32_ATOMIC_RMW_ADD ||
      op > WASM_OP_I64_ATOMIC_RMW32_CMPXCHG_U)
    return -1;
  return by_position[(op - WASM_OP_I32_ATOMIC_RMW_ADD) % 7];
}

int wasm_op_natural_align_log2(wasm_opcode op) {
  switch (op) {
  case WASM_OP_I32_LOAD8_S:
  case WASM_OP_I32_LOAD8_U:
  case WASM_OP_I64_LOAD8_S:
  case WASM_OP_I64_LOAD8_U:
  case WASM_OP_I32_STORE8:
  case WASM_OP_I64_STORE8:
  case WASM_OP_V128_LOAD8_SPLAT:
  case WASM_OP_V128_LOAD8_LANE:
  case WASM_OP_V128_STORE8_LANE:
  case WASM_OP_I32_ATOMIC_LOAD8_U:
  case WASM_OP_I64_ATOMIC_LOAD8_U:
  case WASM_OP_I32_ATOMIC_STORE8:
  case WASM_OP_I64_ATOMIC_STORE8:
    return 0;
  case WASM_OP_I32_LOAD16_S:
  case WASM_OP_I32_LOAD16_U:
  case WASM_OP_I64_LOAD16_S:
  case WASM_OP_I64_LOAD16_U:
  case WASM_OP_I32_STORE16:
  case WASM_OP_I64_STORE16:
  case WASM_OP_V128_LOAD16_SPLAT:
  case WASM_OP_V128_LOAD16_LANE:
  case WASM_OP_V128_STORE16_LANE:
  case WASM_OP_I32_ATOMIC_LOAD16_U:
  case WASM_OP_I64_ATOMIC_LOAD16_U:
  case WASM_OP_I32_ATOMIC_STORE16:
  case WASM_OP_I64_ATOMIC_STORE16:
    return 1;
  case WASM_OP_I32_LOAD:
  case WASM_OP_F32_LOAD:
  case WASM_OP_I64_LOAD32_S:
  case WASM_OP_I64_LOAD32_U:
  case WASM_OP_I32_STORE:
  case WASM_OP_F32_STORE:
  case WASM_OP_I64_STORE32:
  case WASM_OP_V128_LOAD32_SPLAT:
  case WASM_OP_V128_LOAD32_ZERO:
  case WASM_OP_V128_LOAD32_LANE:
  case WASM_OP_V128_STORE32_LANE:
  case WASM_OP_MEMORY_ATOMIC_NOTIFY:
  case WASM_OP_MEMORY_ATOMIC_WAIT32:
  case WASM_OP_I32_ATOMIC_LOAD:
  case WASM_OP_I64_ATOMIC_LOAD32_U:
  case WASM_OP_I32_ATOMIC_STORE:
  case WASM_OP_I64_ATOMIC_STORE32:
    return 2;
  case WASM_OP_I64_LOAD:
  case WASM_OP_F64_LOAD:
  case WASM_OP_I64_STORE:
  case WASM_OP_F64_STORE:
  case WASM_OP_V128_LOAD8X8_S:
  case WASM_OP_V128_LOAD8X8_U:
  case WASM_OP_V128_LOAD16X4_S:
  case WASM_OP_V128_LOAD16X4_U:
  case WASM_OP_V128_LOAD32X2_S:
  case WASM_OP_V128_LOAD32X2_U:
  case WASM_OP_V128_LOAD64_SPLAT:
  case WASM_OP_V128_LOAD64_ZERO:
  case WASM_OP_V128_LOAD64_LANE:
  case WASM_OP_V128_STORE64_LANE:
  case WASM_OP_MEMORY_ATOMIC_WAIT64:
  case WASM_OP_I64_ATOMIC_LOAD:
  case WASM_OP_I64_ATOMIC_STORE:
    return 3;
  case WASM_OP_V128_LOAD:
  case WASM_OP_V128_STORE:
    return 4;
  default:
    return rmw_natural_align_log2(op);
  }
}

unsigned wasm_op_lane_count(wasm_opcode op) {
  switch (op) {
  case WASM_OP_I8X16_EXTRACT_LANE_S:
  case WASM_OP_I8X16_EXTRACT_LANE_U:
  case WASM_OP_I8X16_REPLACE_LANE:
  case WASM_OP_V128_LOAD8_LANE:
  case WASM_OP_V128_STORE8_LANE:
    return 16;
  case WASM_OP_I16X8_EXTRACT_LANE_S:
  case WASM_OP_I16X8_EXTRACT_LANE_U:
  case WASM_OP_I16X8_REPLACE_LANE:
  case WASM_OP_V128_LOAD16_LANE:
  case WASM_OP_V128_STORE16_LANE:
    return 8;
  case WASM_OP_I32X4_EXTRACT_LANE:
  case WASM_OP_I32X4_REPLACE_LANE:
  case WASM_OP_F32X4_EXTRACT_LANE:
  case WASM_OP_F32X4_REPLACE_LANE:
  case WASM_OP_V128_LOAD32_LANE:
  case WASM_OP_V128_STORE32_LANE:
    return 4;
  case WASM_OP_I64X2_EXTRACT_LANE:
  case WASM_OP_I64X2_REPLACE_LANE:
  case WASM_OP_F64X2_EXTRACT_LANE:
  case WASM_OP_F64X2_REPLACE_LANE:
  case WASM_OP_V128_LOAD64_LANE:
  case WASM_OP_V128_STORE64_LANE:
    return 2;
  default:
    return 0;
  }
}

/* ---- Immediates ---------------------------------------------------------- */

/* A block type is 0x40, a single value-type byte, or a non-negative s33
 * type index. The first two are negative as s33, so any other negative
 * value is malformed. */
static bool read_blocktype(wasm_reader *r, wasm_type_rules rules,
                           wasm_blocktype *out) {
  size_t start = r->pos;
  if (r->pos < r->end) {
    uint8_t b = r->bytes[r->pos];
    if (b == 0x40) {
      r->pos++;
      out->kind = WASM_BLOCKTYPE_EMPTY;
      return true;
    }
    if (wasm_is_value_type_byte(b, rules)) {
      out->kind = WASM_BLOCKTYPE_VALUE;
      return wasm_read_value_type(r, rules, &out->value);
    }
  }
  int64_t index;
  if (!wasm_read_s33(r, &index))
    return false;
  if (index < 0)
    return wasm_error_set(r->err, start, "malformed block type");
  out->kind = WASM_BLOCKTYPE_TYPE_INDEX;
  out->type_index = (uint32_t)index;
  return true;
}

/* The single byte that Wasm 2.0 reserves for a future memory index. It is
 * a byte, not a LEB128: 0x80 0x00 is malformed. */
static bool read_zero_byte(wasm_reader *r, uint32_t *out) {
  size_t start = r->pos;
  uint8_t b;
  if (!wasm_read_u8(r, &b))
    return false;
  if (b != 0)
    return wasm_error_set(r->err, start, "zero byte expected");
  *out = 0;
  return true;
}

/* Multi-memory (3.0): a memory index where 2.0 reserves a zero byte, a
 * u32 LEB128 like every other index (so 0x80 0x00 is memory 0). */
static bool read_memory_index(wasm_reader *r, bool multi_memory,
                              uint32_t *out) {
  return multi_memory ? wasm_read_u32(r, out) : read_zero_byte(r, out);
}

/* Bit 6 of the alignment field is multi-memory's "explicit memory index"
 * flag: the index follows the alignment. Wasm 2.0 has no such thing. */
enum { MEMARG_MEMORY_INDEX_FLAG = 0x40 };

/* The offset is a u64 with memory64 (the validator bounds it by the
 * memory's address type), a u32 in 2.0. */
static bool read_memarg(wasm_reader *r, wasm_features features,
                        wasm_memarg *out) {
  size_t start = r->pos;
  uint32_t align;
  if (!wasm_read_u32(r, &align))
    return false;
  out->memory = 0;
  if (align & MEMARG_MEMORY_INDEX_FLAG) {
    if (!(features & WASM_FEATURE_MULTI_MEMORY))
      return wasm_error_set(r->err, start, "malformed memop flags 0x%x", align);
    align &= ~(uint32_t)MEMARG_MEMORY_INDEX_FLAG;
    if (!wasm_read_u32(r, &out->memory))
      return false;
  }
  out->align_log2 = align;
  if (features & WASM_FEATURE_MEMORY64)
    return wasm_read_u64(r, &out->offset);
  uint32_t offset;
  if (!wasm_read_u32(r, &offset))
    return false;
  out->offset = offset;
  return true;
}

/* Reads the targets only to check and count them; wasm_br_table_next()
 * decodes them again when someone needs them. */
static bool read_br_table(wasm_reader *r, wasm_br_table *out) {
  uint32_t count, label;
  if (!wasm_read_u32(r, &count))
    return false;
  size_t start = r->pos;
  for (uint32_t i = 0; i < count; i++)
    if (!wasm_read_u32(r, &label))
      return false;
  out->target_count = count;
  out->targets = r->bytes + start;
  out->targets_size = r->pos - start;
  return wasm_read_u32(r, &out->default_label);
}

static bool read_select_types(wasm_reader *r, wasm_type_rules rules,
                              wasm_instr *out) {
  uint32_t count;
  if (!wasm_read_u32(r, &count))
    return false;
  out->imm.select_t.count = count;
  for (uint32_t i = 0; i < count; i++) {
    wasm_type t = 0;
    if (!wasm_read_value_type(r, rules, &t))
      return false;
    if (i == 0)
      out->imm.select_t.type = t;
  }
  return true;
}

/* ref.null's immediate: a heap type in 3.0, whose abstract bytes are
 * 2.0's reference type bytes. */
static bool read_null_type(wasm_reader *r, wasm_type_rules rules,
                           wasm_type *out) {
  wasm_heaptype heap;
  if (!wasm_read_heap_type(r, rules, &heap))
    return false;
  *out = wasm_ref_type(true, heap);
  return true;
}

static bool read_v128(wasm_reader *r, uint8_t out[16]) {
  const uint8_t *p;
  if (!wasm_read_bytes(r, 16, &p))
    return false;
  memcpy(out, p, 16);
  return true;
}

enum { CATCH_KIND_LAST = WASM_CATCH_ALL_REF };

/* One catch clause: its kind byte, a tag index for catch and catch_ref,
 * a label. */
static bool read_catch(wasm_reader *r, wasm_catch *out) {
  size_t at = r->pos;
  uint8_t kind;
  if (!wasm_read_u8(r, &kind))
    return false;
  if (kind > CATCH_KIND_LAST)
    return wasm_error_set(r->err, at, "malformed catch clause 0x%02x", kind);
  out->kind = (wasm_catch_kind)kind;
  out->tag = 0;
  if ((kind == WASM_CATCH || kind == WASM_CATCH_REF) &&
      !wasm_read_u32(r, &out->tag))
    return false;
  return wasm_read_u32(r, &out->label);
}

/* Checks the clauses once; wasm_catch_next() decodes them again. */
static bool read_try_table(wasm_reader *r, wasm_type_rules rules,
                           wasm_instr *in) {
  uint32_t count;
  if (!read_blocktype(r, rules, &in->imm.block) || !wasm_read_u32(r, &count))
    return false;
  size_t start = r->pos;
  for (uint32_t i = 0; i < count; i++) {
    wasm_catch c;
    if (!read_catch(r, &c))
      return false;
  }
  in->catches.count = count;
  in->catches.clauses = r->bytes + start;
  in->catches.size = r->pos - start;
  return true;
}

static bool read_two_u32(wasm_reader *r, uint32_t *a, uint32_t *b) {
  return wasm_read_u32(r, a) && wasm_read_u32(r, b);
}

/* `features`: the module's; multi-memory reads memory indices instead of
 * zero bytes, memory64 reads u64 offsets. */
static bool read_immediates(wasm_reader *r, wasm_features features,
                            wasm_type_rules rules, wasm_instr *in) {
  bool mm = (features & WASM_FEATURE_MULTI_MEMORY) != 0;
  switch (wasm_op_imm(in->op)) {
  case WASM_IMM_NONE:
    return true;
  case WASM_IMM_BLOCKTYPE:
    return read_blocktype(r, rules, &in->imm.block);
  case WASM_IMM_LABEL:
    return wasm_read_u32(r, &in->imm.label);
  case WASM_IMM_BR_TABLE:
    return read_br_table(r, &in->imm.br_table);
  case WASM_IMM_FUNC:
    return wasm_read_u32(r, &in->imm.func);
  case WASM_IMM_CALL_INDIRECT:
    return read_two_u32(r, &in->imm.call_indirect.type_index,
                        &in->imm.call_indirect.table);
  case WASM_IMM_LOCAL:
    return wasm_read_u32(r, &in->imm.local);
  case WASM_IMM_GLOBAL:
    return wasm_read_u32(r, &in->imm.global);
  case WASM_IMM_TABLE:
    return wasm_read_u32(r, &in->imm.table);
  case WASM_IMM_MEMARG:
    return read_memarg(r, features, &in->memarg);
  case WASM_IMM_I32:
    return wasm_read_s32(r, &in->imm.i32);
  case WASM_IMM_I64:
    return wasm_read_s64(r, &in->imm.i64);
  case WASM_IMM_F32:
    return wasm_read_f32_bits(r, &in->imm.f32_bits);
  case WASM_IMM_F64:
    return wasm_read_f64_bits(r, &in->imm.f64_bits);
  case WASM_IMM_V128:
  case WASM_IMM_SHUFFLE:
    return read_v128(r, in->imm.v128);
  case WASM_IMM_LANE:
    return wasm_read_u8(r, &in->lane);
  case WASM_IMM_MEMARG_LANE:
    return read_memarg(r, features, &in->memarg) && wasm_read_u8(r, &in->lane);
  case WASM_IMM_SELECT_T:
    return read_select_types(r, rules, in);
  case WASM_IMM_REFTYPE:
    return read_null_type(r, rules, &in->imm.ref_type);
  case WASM_IMM_TYPE:
    return wasm_read_u32(r, &in->imm.type_index);
  case WASM_IMM_MEMORY:
    return read_memory_index(r, mm, &in->imm.memory);
  case WASM_IMM_MEMORY_INIT:
    return wasm_read_u32(r, &in->imm.memory_init.data) &&
           read_memory_index(r, mm, &in->imm.memory_init.memory);
  case WASM_IMM_DATA:
    return wasm_read_u32(r, &in->imm.data);
  case WASM_IMM_MEMORY_COPY:
    return read_memory_index(r, mm, &in->imm.memory_copy.dst) &&
           read_memory_index(r, mm, &in->imm.memory_copy.src);
  case WASM_IMM_ELEM:
    return wasm_read_u32(r, &in->imm.elem);
  case WASM_IMM_TABLE_INIT:
    return read_two_u32(r, &in->imm.table_init.elem, &in->imm.table_init.table);
  case WASM_IMM_TABLE_COPY:
    return read_two_u32(r, &in->imm.table_copy.dst, &in->imm.table_copy.src);
  case WASM_IMM_ZERO_BYTE:
    return read_zero_byte(r, &in->imm.memory);
  case WASM_IMM_TAG:
    return wasm_read_u32(r, &in->imm.tag);
  case WASM_IMM_TRY_TABLE:
    return read_try_table(r, rules, in);
  }
  return true;
}

/* ---- Opcodes ------------------------------------------------------------- */

/* The prefixes the module's features allow (`m` NULL: all of them). */
static bool is_prefix_byte(const wasm_module *m, uint8_t b) {
  if (b == 0xFE)
    return !m || (m->features & WASM_FEATURE_THREADS);
  return b == 0xFC || b == 0xFD;
}

/* Is the feature of a single-byte 3.0 instruction on? */
static bool op_feature_enabled(const wasm_module *m, wasm_opcode op) {
  if (wasm_op_is_function_references(op))
    return (m->features & WASM_FEATURE_FUNCTION_REFERENCES) != 0;
  if (wasm_op_is_exceptions(op))
    return (m->features & WASM_FEATURE_EXCEPTIONS) != 0;
  if (wasm_op_is_legacy_exceptions(op))
    return (m->features & WASM_FEATURE_LEGACY_EXCEPTIONS) != 0;
  if (op == WASM_OP_THROW)
    return wasm_module_has_tags_feature(m);
  return true;
}

static bool read_opcode(wasm_reader *r, const wasm_module *m,
                        wasm_opcode *out) {
  size_t start = r->pos;
  uint8_t prefix;
  if (!wasm_read_u8(r, &prefix))
    return false;
  uint32_t code = prefix;
  bool is_prefix = is_prefix_byte(m, prefix);
  if (is_prefix && !wasm_read_u32(r, &code))
    return false;
  uint16_t entry = 0;
  if (code < OP_PAGE)
    entry = op_by_key[is_prefix ? OP_KEY(prefix, code) : code];
  if (entry == 0 && prefix == 0xFE && m &&
      !(m->features & WASM_FEATURE_THREADS))
    return wasm_error_set(r->err, start,
                          "illegal opcode 0xfe: the threads feature is off");
  if (entry == 0) {
    if (is_prefix)
      return wasm_error_set(r->err, start, "illegal opcode 0x%02x 0x%x", prefix,
                            code);
    return wasm_error_set(r->err, start, "illegal opcode 0x%02x", prefix);
  }
  *out = (wasm_opcode)(entry - 1);
  if (m && !op_feature_enabled(m, *out))
    return wasm_error_set(r->err, start, "illegal opcode 0x%02x", prefix);
  return true;
}

bool wasm_read_instr(wasm_reader *r, const wasm_module *m, wasm_instr *out) {
  memset(out, 0, sizeof *out);
  out->offset = r->pos;
  wasm_features features = m ? m->features : WASM_FEATURES_ALL;
  wasm_type_rules rules = {true, false};
  if (m)
    rules = wasm_module_type_rules(m);
  if (!read_opcode(r, m, &out->op) ||
      !read_immediates(r, features, rules, out))
    return false;
  out->end = r->pos;
  return true;
}

wasm_br_table_iter wasm_br_table_begin(const wasm_instr *instr) {
  const wasm_br_table *t = &instr->imm.br_table;
  wasm_br_table_iter it = {t->targets, t->targets + t->targets_size};
  return it;
}

bool wasm_br_table_next(wasm_br_table_iter *it, uint32_t *label) {
  if (it->pos >= it->end)
    return false;
  /* The reader already checked these LEB128s, so a plain decode will do. */
  uint32_t value = 0;
  unsigned shift = 0;
  uint8_t byte;
  do {
    byte = *it->pos++;
    if (shift < 32)
      value |= (uint32_t)(byte & 0x7f) << shift;
    shift += 7;
  } while ((byte & 0x80) && it->pos < it->end);
  *label = value;
  return true;
}

wasm_catch_iter wasm_catch_begin(const wasm_instr *instr) {
  wasm_catch_iter it = {instr->catches.clauses,
                        instr->catches.clauses + instr->catches.size};
  return it;
}

bool wasm_catch_next(wasm_catch_iter *it, wasm_catch *out) {
  if (it->pos >= it->end)
    return false;
  /* Checked by read_try_table(); re-read with an error nobody looks at. */
  wasm_error ignored = {0};
  wasm_reader r = {it->pos, 0, (size_t)(it->end - it->pos), &ignored};
  if (!read_catch(&r, out))
    return false;
  it->pos += r.pos;
  return true;
}

/* ---- Well-formedness of a function body ---------------------------------- */

/* What the innermost open construct is, as far as syntax cares: only an
 * `if` still waiting for its `else` may be followed by one; only a legacy
 * `try` by `catch`, `catch_all` or `delegate` (a `try` that has had a
 * `catch_all` by none of them, one that has had a `catch` not by
 * `delegate`). */
enum { OPEN_BLOCK, OPEN_IF, OPEN_TRY, OPEN_TRY_CATCH };

typedef struct nesting_stack {
  uint8_t *items;
  size_t size, cap;
} nesting_stack;

static bool nesting_push(nesting_stack *s, uint8_t kind, wasm_error *err,
                         size_t offset) {
  if (s->size == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    uint8_t *grown = realloc(s->items, cap);
    if (!grown)
      return wasm_error_set(err, offset, "out of memory");
    s->items = grown;
    s->cap = cap;
  }
  s->items[s->size++] = kind;
  return true;
}

static bool requires_data_count(wasm_opcode op) {
  return op == WASM_OP_MEMORY_INIT || op == WASM_OP_DATA_DROP;
}

/* Applies one instruction's effect on nesting. Sets *done when it closed
 * the function body. */
static bool track_nesting(nesting_stack *s, const wasm_instr *in,
                          wasm_error *err, bool *done) {
  switch (in->op) {
  case WASM_OP_BLOCK:
  case WASM_OP_LOOP:
    return nesting_push(s, OPEN_BLOCK, err, in->offset);
  case WASM_OP_TRY_TABLE:
    return nesting_push(s, OPEN_BLOCK, err, in->offset);
  case WASM_OP_IF:
    return nesting_push(s, OPEN_IF, err, in->offset);
  case WASM_OP_TRY:
    return nesting_push(s, OPEN_TRY, err, in->offset);
  case WASM_OP_ELSE:
    if (s->size < 2 || s->items[s->size - 1] != OPEN_IF)
      return wasm_error_set(err, in->offset, "else without matching if");
    s->items[s->size - 1] = OPEN_BLOCK;
    return true;
  case WASM_OP_CATCH:
  case WASM_OP_CATCH_ALL:
    if (s->size < 2 || (s->items[s->size - 1] != OPEN_TRY &&
                        s->items[s->size - 1] != OPEN_TRY_CATCH))
      return wasm_error_set(err, in->offset, "%s without matching try",
                            wasm_op_name(in->op));
    s->items[s->size - 1] =
        in->op == WASM_OP_CATCH ? OPEN_TRY_CATCH : OPEN_BLOCK;
    return true;
  case WASM_OP_DELEGATE:
    if (s->size < 2 || s->items[s->size - 1] != OPEN_TRY)
      return wasm_error_set(err, in->offset, "delegate without matching try");
    s->size--;
    return true;
  case WASM_OP_END:
    *done = --s->size == 0;
    return true;
  default:
    return true;
  }
}

static bool check_body(wasm_reader *r, const wasm_module *m, nesting_stack *s,
                       wasm_body_facts *facts) {
  wasm_features *used = &facts->used;
  wasm_instr in;
  bool done = false;
  if (!nesting_push(s, OPEN_BLOCK, r->err, r->pos))
    return false;
  while (!done) {
    if (wasm_reader_at_end(r))
      return wasm_error_set(r->err, r->pos, "END opcode expected");
    if (!wasm_read_instr(r, m, &in))
      return false;
    if (requires_data_count(in.op) && !m->has_data_count)
      return wasm_error_set(r->err, in.offset, "data count section required");
    if (!track_nesting(s, &in, r->err, &done))
      return false;
    if (wasm_op_is_atomic(in.op))
      *used |= WASM_FEATURE_THREADS;
    if (wasm_op_is_function_references(in.op))
      *used |= WASM_FEATURE_FUNCTION_REFERENCES;
    if (wasm_op_is_exceptions(in.op))
      *used |= WASM_FEATURE_EXCEPTIONS;
    if (wasm_op_is_legacy_exceptions(in.op))
      *used |= WASM_FEATURE_LEGACY_EXCEPTIONS;
    if (wasm_op_is_exceptions(in.op) || wasm_op_is_legacy_exceptions(in.op) ||
        in.op == WASM_OP_THROW)
      facts->exception_code = true;
  }
  if (!wasm_reader_at_end(r))
    return wasm_error_set(r->err, r->pos,
                          "section size mismatch: bytes after the function's "
                          "final end");
  return true;
}

bool wasm_func_body_well_formed(const wasm_module *m, uint32_t defined_index,
                                wasm_body_facts *facts, wasm_error *err) {
  const wasm_func *f = &m->funcs[defined_index];
  wasm_reader r = {m->bytes, f->code_offset, f->code_end, err};
  nesting_stack s = {0};
  bool ok = check_body(&r, m, &s, facts);
  free(s.items);
  return ok;
}
