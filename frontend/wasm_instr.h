/* Reading one WebAssembly instruction at a time, shared by the decoder's
 * well-formedness pass, the validator and the code generator.
 *
 * The instruction set itself lives in opcodes.def; this header turns it into
 * the wasm_opcode enum and gives table look-ups (name, immediate kind,
 * signature). wasm_read_instr() decodes an opcode and all of its immediates
 * and rejects everything the binary format calls malformed; whether the
 * instruction is well typed, and whether its indices exist, is the
 * validator's business. */
#ifndef WASMAOT_WASM_INSTR_H
#define WASMAOT_WASM_INSTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm_error.h"
#include "wasm_module.h"
#include "wasm_reader.h"

typedef enum wasm_opcode {
#define WASM_OP(id, prefix, code, name, imm, sig) WASM_OP_##id,
#include "opcodes.def"
  WASM_OP_COUNT
} wasm_opcode;

/* What follows an opcode in the binary, and where wasm_read_instr() puts it
 * in wasm_instr. */
typedef enum wasm_imm_kind {
  WASM_IMM_NONE,
  WASM_IMM_BLOCKTYPE,     /* s33 block type -> .imm.block */
  WASM_IMM_LABEL,         /* u32 label depth -> .imm.label */
  WASM_IMM_BR_TABLE,      /* vec(u32) targets, u32 default -> .imm.br_table */
  WASM_IMM_FUNC,          /* u32 function index -> .imm.func */
  WASM_IMM_CALL_INDIRECT, /* u32 type index, u32 table -> .imm.call_indirect */
  WASM_IMM_LOCAL,         /* u32 -> .imm.local */
  WASM_IMM_GLOBAL,        /* u32 -> .imm.global */
  WASM_IMM_TABLE,         /* u32 -> .imm.table */
  WASM_IMM_MEMARG,        /* u32 align exponent, u32 offset -> .memarg */
  WASM_IMM_I32,           /* s32 -> .imm.i32 */
  WASM_IMM_I64,           /* s64 -> .imm.i64 */
  WASM_IMM_F32,           /* 4 bytes little-endian -> .imm.f32_bits */
  WASM_IMM_F64,           /* 8 bytes little-endian -> .imm.f64_bits */
  WASM_IMM_V128,          /* 16 bytes, lane 0 first -> .imm.v128 */
  WASM_IMM_SHUFFLE,       /* 16 lane-index bytes -> .imm.v128 */
  WASM_IMM_LANE,          /* one lane-index byte -> .lane */
  WASM_IMM_MEMARG_LANE,   /* memarg, then one lane byte -> .memarg, .lane */
  WASM_IMM_SELECT_T,      /* vec(valtype) -> .imm.select_t */
  WASM_IMM_REFTYPE,       /* a heap type ht -> .imm.ref_type = (ref null ht) */
  WASM_IMM_TYPE,          /* u32 type index -> .imm.type_index */
  WASM_IMM_MEMORY,        /* one reserved 0x00 byte -> .imm.memory (= 0) */
  WASM_IMM_MEMORY_INIT,   /* u32 data index, 0x00 -> .imm.memory_init */
  WASM_IMM_DATA,          /* u32 data index -> .imm.data */
  WASM_IMM_MEMORY_COPY,   /* 0x00 0x00 -> .imm.memory_copy (both 0) */
  WASM_IMM_ELEM,          /* u32 element segment index -> .imm.elem */
  WASM_IMM_TABLE_INIT,    /* u32 elem index, u32 table -> .imm.table_init */
  WASM_IMM_TABLE_COPY,    /* u32 dst table, u32 src table -> .imm.table_copy */
  WASM_IMM_ZERO_BYTE,     /* one reserved 0x00 byte, no index (atomic.fence) */
  WASM_IMM_TAG,           /* u32 tag index -> .imm.tag */
  WASM_IMM_TRY_TABLE,     /* block type, vec(catch) -> .imm.block, .catches */
} wasm_imm_kind;

typedef enum wasm_blocktype_kind {
  WASM_BLOCKTYPE_EMPTY,     /* 0x40: [] -> [] */
  WASM_BLOCKTYPE_VALUE,     /* a value type t: [] -> [t] */
  WASM_BLOCKTYPE_TYPE_INDEX /* a function type index: its params -> results */
} wasm_blocktype_kind;

typedef struct wasm_blocktype {
  wasm_blocktype_kind kind;
  wasm_type value;     /* WASM_BLOCKTYPE_VALUE */
  uint32_t type_index; /* WASM_BLOCKTYPE_TYPE_INDEX; not yet range-checked */
} wasm_blocktype;

typedef struct wasm_memarg {
  uint32_t align_log2; /* the alignment hint as an exponent of two */
  uint32_t memory;     /* always 0 in Wasm 2.0 */
  uint64_t offset;     /* a u32 in Wasm 2.0, a u64 with memory64 */
} wasm_memarg;

/* br_table targets stay in the module bytes: a table may have millions of
 * entries, so the reader only checks and counts them. Walk them with
 * wasm_br_table_iter (below). */
typedef struct wasm_br_table {
  uint32_t target_count;  /* entries in the vector, default excluded */
  uint32_t default_label; /* the label taken when the operand is out of range */
  const uint8_t *targets; /* first byte of the first target's LEB128 */
  size_t targets_size;    /* bytes of all targets together */
} wasm_br_table;

/* The kinds of a try_table catch clause, as the binary numbers them. */
typedef enum wasm_catch_kind {
  WASM_CATCH = 0,         /* catch x l: the payload to l */
  WASM_CATCH_REF = 1,     /* catch_ref x l: payload and exnref to l */
  WASM_CATCH_ALL = 2,     /* catch_all l: nothing to l */
  WASM_CATCH_ALL_REF = 3, /* catch_all_ref l: the exnref to l */
} wasm_catch_kind;

typedef struct wasm_catch {
  wasm_catch_kind kind;
  uint32_t tag; /* CATCH and CATCH_REF only */
  uint32_t label;
} wasm_catch;

/* try_table's clauses stay in the module bytes like br_table's targets;
 * walk them with wasm_catch_iter (below). */
typedef struct wasm_catch_vec {
  uint32_t count;
  const uint8_t *clauses; /* first byte of the first clause */
  size_t size;            /* bytes of all clauses together */
} wasm_catch_vec;

/* One decoded instruction. Which immediate fields are meaningful depends on
 * wasm_op_imm(op); see wasm_imm_kind. The rest are zero. */
typedef struct wasm_instr {
  wasm_opcode op;
  size_t offset;          /* first byte of the opcode (the prefix, if any) */
  size_t end;             /* one past its last immediate byte */
  wasm_memarg memarg;     /* MEMARG, MEMARG_LANE */
  uint8_t lane;           /* LANE, MEMARG_LANE; not yet range-checked */
  wasm_catch_vec catches; /* TRY_TABLE (its block type is .imm.block) */
  union {
    wasm_blocktype block;
    uint32_t label;
    wasm_br_table br_table;
    uint32_t func;
    uint32_t tag;
    uint32_t type_index;
    struct {
      uint32_t type_index;
      uint32_t table;
    } call_indirect;
    uint32_t local;
    uint32_t global;
    uint32_t table;
    uint32_t memory;
    uint32_t data;
    uint32_t elem;
    int32_t i32;
    int64_t i64;
    uint32_t f32_bits; /* raw IEEE-754 bits; NaN payloads survive */
    uint64_t f64_bits;
    uint8_t v128[16]; /* V128 bytes, or SHUFFLE lane indices (not checked) */
    struct {
      uint32_t count; /* Wasm 2.0 requires exactly 1; the validator checks */
      wasm_type type; /* the first type, when count > 0 */
    } select_t;
    wasm_type ref_type;
    struct {
      uint32_t data;
      uint32_t memory;
    } memory_init;
    struct {
      uint32_t dst;
      uint32_t src;
    } memory_copy;
    struct {
      uint32_t elem;
      uint32_t table;
    } table_init;
    struct {
      uint32_t dst;
      uint32_t src;
    } table_copy;
  } imm;
} wasm_instr;

/* Decodes the instruction at r->pos and advances past it. On a malformed
 * encoding (unknown opcode, bad LEB128, missing reserved zero byte, bad
 * value type, truncated immediate) it records an error in r->err at the
 * offending byte and returns false. `m` gives the features
 * (m->features): an instruction of a feature that is off is an illegal
 * opcode. NULL means every feature. */
bool wasm_read_instr(wasm_reader *r, const wasm_module *m, wasm_instr *out);

/* Iterates over a br_table's targets (default excluded), in order:
 *
 *   wasm_br_table_iter it = wasm_br_table_begin(&instr);
 *   uint32_t depth;
 *   while (wasm_br_table_next(&it, &depth))
 *     ...;
 *
 * Only for instructions that wasm_read_instr() accepted, whose targets are
 * known to decode; the iterator borrows the module bytes. */
typedef struct wasm_br_table_iter {
  const uint8_t *pos;
  const uint8_t *end;
} wasm_br_table_iter;

wasm_br_table_iter wasm_br_table_begin(const wasm_instr *instr);
bool wasm_br_table_next(wasm_br_table_iter *it, uint32_t *label);

/* Iterates over a try_table's catch clauses, in order, like
 * wasm_br_table_iter; only for instructions wasm_read_instr() accepted. */
typedef struct wasm_catch_iter {
  const uint8_t *pos;
  const uint8_t *end;
} wasm_catch_iter;

wasm_catch_iter wasm_catch_begin(const wasm_instr *instr);
bool wasm_catch_next(wasm_catch_iter *it, wasm_catch *out);

/* Table look-ups; `op` must be < WASM_OP_COUNT. */
const char *wasm_op_name(wasm_opcode op);
wasm_imm_kind wasm_op_imm(wasm_opcode op);
uint8_t wasm_op_prefix(wasm_opcode op); /* 0x00, 0xFC, 0xFD or 0xFE */
uint32_t wasm_op_code(wasm_opcode op);  /* the byte or sub-opcode */
/* The SIG string from opcodes.def ("ii:i"), or NULL. */
const char *wasm_op_sig(wasm_opcode op);

/* A fixed signature, decoded from the SIG string. */
typedef struct wasm_op_signature {
  uint8_t param_count;
  uint8_t result_count;
  wasm_type params[3];
  wasm_type results[1];
} wasm_op_signature;

/* Fills *out and returns true when `op` has a fixed signature; addresses
 * are i32, as in Wasm 2.0. */
bool wasm_op_get_signature(wasm_opcode op, wasm_op_signature *out);
/* The same with the address types of the instruction's memory or table
 * (`addr`; a copy's destination) and of a copy's source (`src_addr`):
 * WASM_TYPE_I64 for a memory64 memory or table. */
bool wasm_op_get_signature_at(wasm_opcode op, wasm_type addr,
                              wasm_type src_addr, wasm_op_signature *out);

/* For loads and stores (MEMARG and MEMARG_LANE): log2 of the bytes
 * accessed, which is also the largest valid alignment exponent (for an
 * atomic access, the only valid one). Returns -1 for other instructions. */
int wasm_op_natural_align_log2(wasm_opcode op);

/* The instructions of typed function references (3.0). */
static inline bool wasm_op_is_function_references(wasm_opcode op) {
  return op == WASM_OP_CALL_REF || op == WASM_OP_RETURN_CALL_REF ||
         op == WASM_OP_REF_AS_NON_NULL || op == WASM_OP_BR_ON_NULL ||
         op == WASM_OP_BR_ON_NON_NULL;
}

/* The legacy exception instructions (try/catch/catch_all/delegate/
 * rethrow), feature legacy-exceptions. */
static inline bool wasm_op_is_legacy_exceptions(wasm_opcode op) {
  return op == WASM_OP_TRY || op == WASM_OP_CATCH || op == WASM_OP_CATCH_ALL ||
         op == WASM_OP_DELEGATE || op == WASM_OP_RETHROW;
}

/* The exnref instructions (throw_ref, try_table), feature exceptions.
 * `throw` belongs to both encodings: either feature allows it. */
static inline bool wasm_op_is_exceptions(wasm_opcode op) {
  return op == WASM_OP_THROW_REF || op == WASM_OP_TRY_TABLE;
}

/* The threads proposal's 0xFE instructions: their memory accesses must be
 * naturally aligned, in the immediate and at run time. */
static inline bool wasm_op_is_atomic(wasm_opcode op) {
  return wasm_op_prefix(op) == 0xFE;
}

/* For instructions with a lane immediate (LANE, MEMARG_LANE): the number of
 * lanes of the vector shape, so a valid lane index is below it. 0 for
 * other instructions. */
unsigned wasm_op_lane_count(wasm_opcode op);

/* What wasm_func_body_well_formed() learns of a body on the way. */
typedef struct wasm_body_facts {
  wasm_features used;  /* ORed: the features of its instructions */
  bool exception_code; /* ORed: it throws or catches (either encoding) */
} wasm_body_facts;

/* A syntax-only pass over one defined function's instructions, from
 * m->funcs[defined_index].code_offset to code_end, for the decoder: every
 * instruction decodes, block/loop/if/else/end nest properly, the body's
 * final `end` is its last byte, and memory.init/data.drop appear only with
 * a data count section. Uses a heap stack, not recursion. ORs what it
 * learns into *facts. */
bool wasm_func_body_well_formed(const wasm_module *m, uint32_t defined_index,
                                wasm_body_facts *facts, wasm_error *err);

#endif
