/* Unit tests for the instruction reader and the validator.
 *
 * Each test assembles a small binary module (sections from byte lists, with
 * sizes computed here), decodes it and validates it. Errors are checked for
 * their message and for the byte offset of the offending instruction, which
 * is what a user sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wasm_instr.h"
#include "wasm_module.h"

/* ---- Assembling modules -------------------------------------------------- */

typedef struct buf {
  uint8_t *data;
  size_t len, cap;
} buf;

static void put_byte(buf *b, uint8_t x) {
  if (b->len == b->cap) {
    b->cap = b->cap ? b->cap * 2 : 256;
    b->data = realloc(b->data, b->cap);
    assert_non_null(b->data);
  }
  b->data[b->len++] = x;
}

static void put_bytes(buf *b, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    put_byte(b, p[i]);
}

static void put_u32(buf *b, uint32_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    put_byte(b, byte | (v ? 0x80 : 0));
  } while (v);
}

typedef struct bytes {
  const uint8_t *data;
  size_t len;
} bytes;

#define BYTES(...)                                                             \
  ((bytes){(const uint8_t[]){__VA_ARGS__},                                     \
           sizeof((const uint8_t[]){__VA_ARGS__})})

/* Section contents, in the order the binary format requires. Absent
 * sections have len 0. The code section is built from `locals` and `body`
 * for one function unless `code` is given. */
typedef struct module_spec {
  bytes type, import, func, table, memory, tag, global, export_, elem,
      datacount;
  bytes locals; /* vec(locals) of the single function; default: none */
  bytes body;   /* instructions of the single function, final end included */
} module_spec;

static void put_section(buf *b, uint8_t id, bytes content) {
  if (!content.len)
    return;
  put_byte(b, id);
  put_u32(b, (uint32_t)content.len);
  put_bytes(b, content.data, content.len);
}

static void put_code_section(buf *b, const module_spec *s) {
  buf entry = {0};
  if (s->locals.len)
    put_bytes(&entry, s->locals.data, s->locals.len);
  else
    put_byte(&entry, 0);
  put_bytes(&entry, s->body.data, s->body.len);
  buf section = {0};
  put_u32(&section, 1);
  put_u32(&section, (uint32_t)entry.len);
  put_bytes(&section, entry.data, entry.len);
  put_section(b, 10, (bytes){section.data, section.len});
  free(entry.data);
  free(section.data);
}

static const uint8_t type_void[] = {1, 0x60, 0, 0};
static const uint8_t one_func_of_type0[] = {1, 0};

static wasm_module *decode_spec(module_spec s, wasm_error *err) {
  static const uint8_t header[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  if (!s.type.len)
    s.type = (bytes){type_void, sizeof type_void};
  if (!s.func.len)
    s.func = (bytes){one_func_of_type0, sizeof one_func_of_type0};
  buf b = {0};
  put_bytes(&b, header, sizeof header);
  put_section(&b, 1, s.type);
  put_section(&b, 2, s.import);
  put_section(&b, 3, s.func);
  put_section(&b, 4, s.table);
  put_section(&b, 5, s.memory);
  put_section(&b, 13, s.tag); /* exceptions: between memory and global */
  put_section(&b, 6, s.global);
  put_section(&b, 7, s.export_);
  put_section(&b, 9, s.elem);
  put_section(&b, 12, s.datacount);
  put_code_section(&b, &s);
  wasm_error_clear(err);
  wasm_module *m = wasm_module_decode(b.data, b.len, err);
  free(b.data);
  return m;
}

/* Decodes and validates; the module must decode. */
static bool validate_spec(module_spec s, wasm_error *err, size_t *code_offset) {
  wasm_module *m = decode_spec(s, err);
  if (!m)
    fail_msg("decode failed at 0x%zx: %s", err->offset, err->message);
  if (code_offset)
    *code_offset = m->funcs[0].code_offset;
  bool ok = wasm_module_validate(m, err);
  wasm_module_free(m);
  return ok;
}

static void assert_valid(module_spec s) {
  wasm_error err;
  if (!validate_spec(s, &err, NULL))
    fail_msg("unexpectedly invalid at 0x%zx: %s", err.offset, err.message);
}

/* The error must start with `message` and be reported at byte `at` of the
 * function body's instructions. */
static void assert_invalid_at(module_spec s, size_t at, const char *message) {
  wasm_error err;
  size_t code_offset = 0;
  if (validate_spec(s, &err, &code_offset))
    fail_msg("unexpectedly valid; expected \"%s\"", message);
  if (strncmp(err.message, message, strlen(message)) != 0)
    fail_msg("message \"%s\", expected \"%s\"", err.message, message);
  assert_int_equal(err.offset, code_offset + at);
}

static void assert_invalid(module_spec s, const char *message) {
  wasm_error err;
  if (validate_spec(s, &err, NULL))
    fail_msg("unexpectedly valid; expected \"%s\"", message);
  if (strncmp(err.message, message, strlen(message)) != 0)
    fail_msg("message \"%s\", expected \"%s\"", err.message, message);
}

/* Instruction bytes used below. */
enum {
  UNREACHABLE = 0x00,
  BLOCK = 0x02,
  LOOP = 0x03,
  IF = 0x04,
  ELSE = 0x05,
  END = 0x0b,
  BR = 0x0c,
  BR_IF = 0x0d,
  BR_TABLE = 0x0e,
  DROP = 0x1a,
  SELECT = 0x1b,
  SELECT_T = 0x1c,
  LOCAL_GET = 0x20,
  GLOBAL_SET = 0x24,
  I32_LOAD = 0x28,
  I32_CONST = 0x41,
  I64_CONST = 0x42,
  F64_CONST = 0x44,
  I32_ADD = 0x6a,
  I64_ADD = 0x7c,
  REF_NULL = 0xd0,
  REF_FUNC = 0xd2,
  SIMD = 0xfd,
  EMPTY = 0x40,
  I32 = 0x7f,
  I64 = 0x7e,
  F64 = 0x7c,
  V128 = 0x7b,
  FUNCREF = 0x70,
};

#define TYPE_RESULT_I32 BYTES(1, 0x60, 0, 1, I32)
#define F64_ZERO F64_CONST, 0, 0, 0, 0, 0, 0, 0, 0
#define V128_ZERO SIMD, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

/* ---- Stack typing -------------------------------------------------------- */

static void test_valid_add(void **state) {
  (void)state;
  assert_valid((module_spec){
      .type = TYPE_RESULT_I32,
      .body = BYTES(I32_CONST, 1, I32_CONST, 2, I32_ADD, END),
  });
}

static void test_add_type_mismatch(void **state) {
  (void)state;
  /* i32.add sits after i32.const 1 (2 bytes) and f64.const (9 bytes). */
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .body = BYTES(I32_CONST, 1, F64_ZERO, I32_ADD, END),
      },
      11, "type mismatch in i32.add: expected i32, found f64");
}

static void test_missing_operand(void **state) {
  (void)state;
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .body = BYTES(I32_CONST, 1, I32_ADD, END),
      },
      2, "type mismatch in i32.add: expected i32, found nothing");
}

static void test_polymorphic_after_unreachable(void **state) {
  (void)state;
  /* Operands popped past an unreachable are of any type. */
  assert_valid((module_spec){
      .type = TYPE_RESULT_I32,
      .body = BYTES(UNREACHABLE, I32_ADD, END),
  });
  /* ...but values pushed after it still have their types. */
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .body = BYTES(UNREACHABLE, I64_CONST, 0, I32_ADD, END),
      },
      3, "type mismatch in i32.add: expected i32, found i64");
}

static void test_polymorphic_after_br(void **state) {
  (void)state;
  assert_valid((module_spec){
      .type = TYPE_RESULT_I32,
      .body = BYTES(BLOCK, I32, I32_CONST, 1, BR, 0, I32_ADD, END, END),
  });
  /* The function's results after the block are still checked. */
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .body = BYTES(BLOCK, I64, I64_CONST, 1, BR, 0, END, END),
      },
      7, "type mismatch in end: expected i32, found i64");
}

static void test_block_result_arity(void **state) {
  (void)state;
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .body = BYTES(BLOCK, I32, END, END),
      },
      2, "type mismatch in end: expected i32, found nothing");
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .body = BYTES(BLOCK, I32, I32_CONST, 1, I32_CONST, 2, END, END),
      },
      6, "type mismatch in end: 1 more value(s)");
}

static void test_if_without_else_with_result(void **state) {
  (void)state;
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .body = BYTES(I32_CONST, 1, IF, I32, I32_CONST, 1, END, END),
      },
      6, "type mismatch in if: without an else branch");
  assert_valid((module_spec){
      .type = TYPE_RESULT_I32,
      .body = BYTES(I32_CONST, 1, IF, I32, I32_CONST, 1, ELSE, I32_CONST, 2,
                    END, END),
  });
}

static void test_else_branch_typed(void **state) {
  (void)state;
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .body = BYTES(I32_CONST, 1, IF, I32, I64_CONST, 1, ELSE, I32_CONST, 2,
                        END, END),
      },
      6, "type mismatch in else: expected i32, found i64");
}

static void test_br_table_arity(void **state) {
  (void)state;
  /* block (result i32) block  i32.const 0 i32.const 0 br_table 0 1 ... */
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .body = BYTES(BLOCK, I32, BLOCK, EMPTY, I32_CONST, 0, I32_CONST, 0,
                        BR_TABLE, 1, 0, 1, END, I32_CONST, 1, END, END),
      },
      8, "type mismatch in br_table: label 0 takes 0 value(s)");
  /* Same arity, different types. */
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .body = BYTES(BLOCK, I32, BLOCK, I64, I32_CONST, 0, I32_CONST, 0,
                        BR_TABLE, 1, 0, 1, END, DROP, I32_CONST, 1, END, END),
      },
      8, "type mismatch in br_table: expected i64, found i32");
  assert_valid((module_spec){
      .type = TYPE_RESULT_I32,
      .body = BYTES(BLOCK, I32, BLOCK, I32, I32_CONST, 7, I32_CONST, 0,
                    BR_TABLE, 2, 0, 1, 0, END, END, END),
  });
}

static void test_multi_value_block(void **state) {
  (void)state;
  /* type 0: [] -> [i32]; type 1: [i32] -> [i32 i32] */
  bytes types = BYTES(2, 0x60, 0, 1, I32, 0x60, 1, I32, 2, I32, I32);
  assert_valid((module_spec){
      .type = types,
      .body = BYTES(I32_CONST, 1, BLOCK, 1, I32_CONST, 2, END, I32_ADD, END),
  });
  /* The block's param must be on the stack before it. */
  assert_invalid_at(
      (module_spec){
          .type = types,
          .body = BYTES(BLOCK, 1, I32_CONST, 2, END, I32_ADD, END),
      },
      0, "type mismatch in block: expected i32, found nothing");
  assert_invalid_at(
      (module_spec){
          .type = types,
          .body = BYTES(I32_CONST, 1, BLOCK, 7, END, END),
      },
      2, "unknown type 7");
}

static void test_loop_label_takes_params(void **state) {
  (void)state;
  /* type 1: [i32] -> []; a branch to a loop carries its params. */
  bytes types = BYTES(2, 0x60, 0, 0, 0x60, 1, I32, 0);
  assert_valid((module_spec){
      .type = types,
      .body = BYTES(I32_CONST, 1, LOOP, 1, BR, 0, END, END),
  });
  assert_invalid_at(
      (module_spec){
          .type = types,
          .body = BYTES(I32_CONST, 1, LOOP, 1, DROP, BR, 0, END, END),
      },
      5, "type mismatch in br: expected i32, found nothing");
}

static void test_unknown_label(void **state) {
  (void)state;
  assert_invalid_at((module_spec){.body = BYTES(BLOCK, EMPTY, BR, 2, END, END)},
                    2, "unknown label 2");
}

/* ---- Locals, globals ----------------------------------------------------- */

static void test_locals(void **state) {
  (void)state;
  /* (param i32) (local i64): local 0 is i32, 1 is i64, 2 does not exist. */
  bytes types = BYTES(1, 0x60, 1, I32, 1, I64);
  bytes locals = BYTES(1, 1, I64);
  assert_valid((module_spec){
      .type = types,
      .locals = locals,
      .body = BYTES(LOCAL_GET, 1, END),
  });
  assert_invalid_at(
      (module_spec){
          .type = types,
          .locals = locals,
          .body = BYTES(LOCAL_GET, 0, END),
      },
      2, "type mismatch in end: expected i64, found i32");
  assert_invalid_at(
      (module_spec){
          .type = types,
          .locals = locals,
          .body = BYTES(LOCAL_GET, 2, END),
      },
      0, "unknown local 2");
}

static void test_immutable_global_set(void **state) {
  (void)state;
  bytes immutable = BYTES(1, I32, 0, I32_CONST, 0, END);
  bytes is_mutable = BYTES(1, I32, 1, I32_CONST, 0, END);
  bytes body = BYTES(I32_CONST, 5, GLOBAL_SET, 0, END);
  assert_invalid_at((module_spec){.global = immutable, .body = body}, 2,
                    "global is immutable");
  assert_valid((module_spec){.global = is_mutable, .body = body});
}

static void test_global_initializer(void **state) {
  (void)state;
  assert_invalid((module_spec){.global = BYTES(1, I64, 0, I32_CONST, 0, END),
                               .body = BYTES(END)},
                 "type mismatch in global initializer: expected i64, "
                 "found i32");
  /* Wasm 3.0: a global may read the immutable globals before it, not
   * itself or later ones. */
  assert_valid((module_spec){
      .global = BYTES(2, I32, 0, I32_CONST, 0, END, I32, 0, 0x23, 0, END),
      .body = BYTES(END)});
  assert_invalid((module_spec){.global = BYTES(2, I32, 0, 0x23, 1, END, I32, 0,
                                               I32_CONST, 0, END),
                               .body = BYTES(END)},
                 "unknown global 1");
  assert_invalid((module_spec){.global = BYTES(1, I32, 0, 0x23, 0, END),
                               .body = BYTES(END)},
                 "unknown global 0");
}

/* Extended constant expressions: i32/i64 add, sub and mul. */
static void test_extended_const(void **state) {
  (void)state;
  enum { I32_ADD = 0x6a, I32_MUL = 0x6c, I64_ADD = 0x7c, I64_CONST = 0x42 };
  assert_valid((module_spec){.global = BYTES(2, I32, 0, I32_CONST, 2, END, I32,
                                             0, 0x23, 0, I32_CONST, 3, I32_MUL,
                                             I32_CONST, 1, I32_ADD, END),
                             .body = BYTES(END)});
  assert_invalid((module_spec){.global = BYTES(1, I32, 0, I32_CONST, 1,
                                               I64_CONST, 1, I32_ADD, END),
                               .body = BYTES(END)},
                 "type mismatch");
  assert_invalid(
      (module_spec){.global = BYTES(1, I64, 0, I64_CONST, 1, I64_CONST, 1,
                                    I64_ADD, I64_ADD, END),
                    .body = BYTES(END)},
      "type mismatch");
  /* Two values left, and arithmetic with nothing to add. */
  assert_invalid(
      (module_spec){.global = BYTES(1, I32, 0, I32_CONST, 0, I32_CONST, 0, END),
                    .body = BYTES(END)},
      "type mismatch");
  assert_invalid((module_spec){.global = BYTES(1, I32, 0, I32_ADD, END),
                               .body = BYTES(END)},
                 "type mismatch");
}

/* ---- Memory and SIMD ----------------------------------------------------- */

static void test_alignment(void **state) {
  (void)state;
  bytes memory = BYTES(1, 0, 1);
  assert_valid((module_spec){
      .type = TYPE_RESULT_I32,
      .memory = memory,
      .body = BYTES(I32_CONST, 0, I32_LOAD, 2, 0, END),
  });
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .memory = memory,
          .body = BYTES(I32_CONST, 0, I32_LOAD, 3, 0, END),
      },
      2, "alignment must not be larger than natural");
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .body = BYTES(I32_CONST, 0, I32_LOAD, 2, 0, END),
      },
      2, "unknown memory 0");
}

static void test_simd_lane_index(void **state) {
  (void)state;
  /* i32x4.extract_lane (0xfd 27) has lanes 0..3. */
  assert_valid((module_spec){
      .type = TYPE_RESULT_I32,
      .body = BYTES(V128_ZERO, SIMD, 27, 3, END),
  });
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .body = BYTES(V128_ZERO, SIMD, 27, 4, END),
      },
      18, "invalid lane index 4 in i32x4.extract_lane");
  /* i8x16.shuffle lanes index 32 lanes. */
  assert_invalid_at(
      (module_spec){
          .type = BYTES(1, 0x60, 0, 1, V128),
          .body = BYTES(V128_ZERO, V128_ZERO, SIMD, 13, 0, 1, 2, 3, 4, 5, 6, 7,
                        8, 9, 10, 11, 12, 13, 14, 32, END),
      },
      36, "invalid lane index 32 in i8x16.shuffle");
}

static void test_simd_signature(void **state) {
  (void)state;
  /* i32x4.add (0xfd 174) takes two v128. */
  assert_invalid_at(
      (module_spec){
          .type = BYTES(1, 0x60, 0, 1, V128),
          .body = BYTES(V128_ZERO, I32_CONST, 0, SIMD, 174, 1, END),
      },
      20, "type mismatch in i32x4.add: expected v128, found i32");
}

/* ---- select, references -------------------------------------------------- */

static void test_select(void **state) {
  (void)state;
  assert_valid((module_spec){
      .type = TYPE_RESULT_I32,
      .body = BYTES(I32_CONST, 1, I32_CONST, 2, I32_CONST, 0, SELECT, END),
  });
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .body = BYTES(I32_CONST, 1, I64_CONST, 2, I32_CONST, 0, SELECT, END),
      },
      6, "type mismatch in select: operands are i32 and i64");
  /* References need the typed form. */
  assert_invalid_at(
      (module_spec){
          .type = TYPE_RESULT_I32,
          .body = BYTES(REF_NULL, FUNCREF, REF_NULL, FUNCREF, I32_CONST, 0,
                        SELECT, DROP, I32_CONST, 0, END),
      },
      6, "type mismatch in select: operands must be numbers or vectors");
  assert_valid((module_spec){
      .type = TYPE_RESULT_I32,
      .body = BYTES(REF_NULL, FUNCREF, REF_NULL, FUNCREF, I32_CONST, 0,
                    SELECT_T, 1, FUNCREF, DROP, I32_CONST, 0, END),
  });
  assert_invalid_at(
      (module_spec){
          .body = BYTES(I32_CONST, 1, I32_CONST, 2, I32_CONST, 0, SELECT_T, 2,
                        I32, I32, DROP, END),
      },
      6, "invalid result arity");
}

static void test_undeclared_function_reference(void **state) {
  (void)state;
  bytes body = BYTES(REF_FUNC, 0, DROP, END);
  assert_invalid_at((module_spec){.body = body}, 0,
                    "undeclared function reference");
  /* An export declares it. */
  assert_valid((module_spec){.export_ = BYTES(1, 1, 'f', 0, 0), .body = body});
}

/* ---- Structure ----------------------------------------------------------- */

/* Nesting depth lives on the heap: a deep body must neither overflow the C
 * stack nor be rejected. */
static void test_deep_nesting(void **state) {
  (void)state;
  enum { DEPTH = 100000 };
  uint8_t *body = malloc(DEPTH * 3 + 1);
  assert_non_null(body);
  for (size_t i = 0; i < DEPTH; i++) {
    body[2 * i] = BLOCK;
    body[2 * i + 1] = EMPTY;
    body[2 * DEPTH + i] = END;
  }
  body[3 * DEPTH] = END;
  assert_valid((module_spec){.body = {body, DEPTH * 3 + 1}});
  free(body);
}

static void test_malformed_bodies(void **state) {
  (void)state;
  wasm_error err;
  assert_null(decode_spec((module_spec){.body = BYTES(ELSE, END)}, &err));
  assert_string_equal(err.message, "else without matching if");
  assert_null(
      decode_spec((module_spec){.body = BYTES(BLOCK, EMPTY, END)}, &err));
  assert_string_equal(err.message, "END opcode expected");
  assert_null(decode_spec((module_spec){.body = BYTES(END, END)}, &err));
  assert_true(strstr(err.message, "section size mismatch") != NULL);
  assert_null(decode_spec((module_spec){.body = BYTES(0xff, END)}, &err));
  assert_string_equal(err.message, "illegal opcode 0xff");
  /* With multi-memory (3.0) memory.size's memory index is a LEB128, so
   * 0x80 0x00 is memory 0 (2.0's zero byte: test_decode.c). */
  wasm_module *m =
      decode_spec((module_spec){.memory = BYTES(1, 0, 1),
                                .body = BYTES(0x3f, 0x80, 0x00, DROP, END)},
                  &err);
  assert_non_null(m);
  wasm_module_free(m);
  /* data.drop needs a data count section. */
  assert_null(decode_spec((module_spec){.body = BYTES(0xfc, 9, 0, END)}, &err));
  assert_string_equal(err.message, "data count section required");
}

/* ---- Threads (0xFE) ------------------------------------------------------ */

enum { ATOMIC = 0xfe };

static void test_atomics(void **state) {
  (void)state;
  static const uint8_t shared_memory[] = {1, 3, 1, 1}; /* 1..1 shared */
  bytes mem = {shared_memory, sizeof shared_memory};
  /* i32.atomic.rmw.add align=2 is the only valid alignment. */
  assert_valid((module_spec){.memory = mem,
                             .body = BYTES(I32_CONST, 0, I32_CONST, 1, ATOMIC,
                                           0x1e, 2, 0, DROP, END)});
  assert_invalid((module_spec){.memory = mem,
                               .body = BYTES(I32_CONST, 0, I32_CONST, 1, ATOMIC,
                                             0x1e, 1, 0, DROP, END)},
                 "alignment must be equal to natural");
  assert_invalid((module_spec){.memory = mem,
                               .body = BYTES(I32_CONST, 0, I32_CONST, 1, ATOMIC,
                                             0x1e, 3, 0, DROP, END)},
                 "alignment must not be larger than natural");
  /* i64.atomic.rmw8.cmpxchg_u: [i32 i64 i64] -> [i64], align 0 */
  assert_valid(
      (module_spec){.memory = mem,
                    .body = BYTES(I32_CONST, 0, I64_CONST, 0, I64_CONST, 0,
                                  ATOMIC, 0x4c, 0, 0, DROP, END)});
  assert_invalid(
      (module_spec){.memory = mem,
                    .body = BYTES(I32_CONST, 0, I32_CONST, 0, I64_CONST, 0,
                                  ATOMIC, 0x4c, 0, 0, DROP, END)},
      "type mismatch");
  /* memory.atomic.wait64 [i32 i64 i64] -> [i32]; it needs a memory. */
  assert_valid(
      (module_spec){.memory = mem,
                    .body = BYTES(I32_CONST, 0, I64_CONST, 0, I64_CONST, 0,
                                  ATOMIC, 0x02, 3, 0, DROP, END)});
  assert_invalid(
      (module_spec){.body = BYTES(I32_CONST, 0, I64_CONST, 0, I64_CONST, 0,
                                  ATOMIC, 0x02, 3, 0, DROP, END)},
      "unknown memory");
  /* atomic.fence takes one zero byte and no memory. */
  assert_valid((module_spec){.body = BYTES(ATOMIC, 0x03, 0, END)});
  wasm_error err;
  assert_null(
      decode_spec((module_spec){.body = BYTES(ATOMIC, 0x03, 1, END)}, &err));
  assert_string_equal(err.message, "zero byte expected");
  assert_null(
      decode_spec((module_spec){.body = BYTES(ATOMIC, 0x4f, 0, 0, END)}, &err));
  assert_string_equal(err.message, "illegal opcode 0xfe 0x4f");
}

static void test_atomics_feature_off(void **state) {
  (void)state;
  /* func with atomic.fence, decoded with threads off: illegal. */
  static const uint8_t module[] = {
      0,  'a', 's', 'm',  1, 0,      0, 0,      /* header */
      1,  4,   1,   0x60, 0, 0,                 /* type () -> () */
      3,  2,   1,   0,                          /* one function */
      10, 7,   1,   5,    0, ATOMIC, 3, 0, 0x0b /* body: atomic.fence, end */
  };
  wasm_error err = {0};
  wasm_module *m = wasm_module_decode_features(
      module, sizeof module, WASM_FEATURES_ALL & ~WASM_FEATURE_THREADS, &err);
  assert_null(m);
  assert_string_equal(err.message,
                      "illegal opcode 0xfe: the threads feature is off");
  m = wasm_module_decode(module, sizeof module, &err);
  assert_non_null(m);
  assert_true(m->features_used & WASM_FEATURE_THREADS);
  wasm_module_free(m);
}

/* ---- Typed function references (3.0) ------------------------------------- */

/* A non-null local must be set before it is read, and a set inside a
 * block does not outlive the block. */
static void test_non_null_locals(void **state) {
  (void)state;
  /* type 0: () -> (); one local (ref func) = 0x64 0x70 */
  module_spec s = {.type = BYTES(1, 0x60, 0, 0),
                   .func = BYTES(1, 0),
                   .export_ = BYTES(1, 1, 'f', 0, 0),
                   .locals = BYTES(1, 1, 0x64, 0x70)};
  s.body = BYTES(0x20, 0, 0x1a, 0x0b); /* local.get 0 drop */
  assert_invalid(s, "uninitialized local 0");
  s.body = BYTES(0xd2, 0, 0x21, 0, 0x20, 0, 0x1a, 0x0b); /* set, then get */
  assert_valid(s);
  /* block (local.set 0 (ref.func 0)) end; local.get 0: unset again */
  s.body = BYTES(0x02, 0x40, 0xd2, 0, 0x21, 0, 0x0b, 0x20, 0, 0x1a, 0x0b);
  assert_invalid(s, "uninitialized local 0");
}

/* br_on_null leaves the reference non-null; a nullable value is not a
 * (ref func). */
static void test_br_on_null_types(void **state) {
  (void)state;
  /* type 0: () -> (ref func) */
  module_spec s = {.type = BYTES(1, 0x60, 0, 1, 0x64, 0x70),
                   .func = BYTES(1, 0),
                   .export_ = BYTES(1, 1, 'f', 0, 0)};
  /* block (result (ref func)) ... wrapped: ref.null func br_on_null 0 */
  s.body = BYTES(0xd0, 0x70, 0xd5, 0, 0x0b);
  assert_invalid(s, "type mismatch");
  /* the branch carries nothing here, the function returns (ref func):
   * the label's types are the function's results, so it must be in a
   * block with no results */
  s.body = BYTES(0x02, 0x40, 0xd0, 0x70, 0xd5, 0, 0x1a, 0x0b, 0xd2, 0, 0x0b);
  assert_valid(s);
  s.body = BYTES(0xd0, 0x70, 0x0b); /* funcref is not (ref func) */
  assert_invalid(s, "type mismatch");
  s.body = BYTES(0xd0, 0x70, 0xd4, 0x0b); /* ref.as_non_null makes it one */
  assert_valid(s);
}

/* Two rec groups of the same shape are the same types: a function of
 * one group's type is a (ref) of the other's. */
static void test_rec_group_equivalence(void **state) {
  (void)state;
  /* rec { type 0: func } rec { type 1: func }, both single-type groups
   * written with 0x4e; type 2: () -> (ref 0). */
  module_spec s = {.type = BYTES(3, 0x4e, 1, 0x60, 0, 0, 0x4e, 1, 0x60, 0, 0,
                                 0x60, 0, 1, 0x64, 0),
                   .func = BYTES(1, 2),
                   .body = BYTES(0x00, 0x0b)};
  wasm_error err;
  wasm_module *m = decode_spec(s, &err);
  if (!m)
    fail_msg("decode failed: %s", err.message);
  assert_int_equal(m->type_canon[0], 0);
  assert_int_equal(m->type_canon[1], 0);
  assert_int_equal(m->type_canon[2], 2);
  assert_true(
      wasm_type_matches(m, wasm_ref_type(false, 1), wasm_ref_type(true, 0)));
  assert_false(
      wasm_type_matches(m, wasm_ref_type(true, 1), wasm_ref_type(false, 0)));
  assert_true(wasm_type_matches(m, wasm_ref_type(false, 2), WASM_TYPE_FUNCREF));
  assert_false(wasm_type_matches(m, WASM_TYPE_FUNCREF, wasm_ref_type(true, 2)));
  wasm_module_free(m);
}

/* With function-references off the 3.0 encodings are malformed. */
static void test_function_references_feature_off(void **state) {
  (void)state;
  static const uint8_t module[] = {
      0, 'a', 's', 'm',  1, 0,    0,    0, /* header */
      1, 6,   1,   0x60, 1, 0x64, 0x70, 0, /* type ((ref func)) */
  };
  wasm_error err = {0};
  wasm_module *m = wasm_module_decode_features(
      module, sizeof module,
      WASM_FEATURES_ALL & ~WASM_FEATURE_FUNCTION_REFERENCES, &err);
  assert_null(m);
  assert_string_equal(err.message, "malformed value type 0x64");
  m = wasm_module_decode(module, sizeof module, &err);
  assert_non_null(m);
  assert_true(wasm_module_features(m, NULL) & WASM_FEATURE_FUNCTION_REFERENCES);
  wasm_module_free(m);
}

/* Exceptions, both encodings: tags, throw, try_table's catch clauses,
 * legacy try/catch/catch_all/delegate/rethrow. Type 0: () -> (), type 1:
 * (i32) -> (), tag 0 of type 1. */
#define exception_module(body_bytes)                                           \
  ((module_spec){.type = BYTES(2, 0x60, 0, 0, 0x60, 1, 0x7f, 0),               \
                 .func = BYTES(1, 0),                                          \
                 .tag = BYTES(1, 0, 1),                                        \
                 .body = body_bytes})

static void test_throw_and_try_table(void **state) {
  (void)state;
  assert_valid(exception_module(BYTES(0x41, 1, 0x08, 0, 0x0b)));
  assert_invalid(exception_module(BYTES(0x08, 0, 0x0b)), "type mismatch");
  assert_invalid(exception_module(BYTES(0x41, 1, 0x08, 1, 0x0b)),
                 "unknown tag 1");
  /* block (result i32) try_table (catch 0 0) i32.const 1 throw 0 end
   * i32.const 0 end drop: the payload goes to the block's label. */
  assert_valid(
      exception_module(BYTES(0x02, 0x7f, 0x1f, 0x40, 1, 0x00, 0, 0, 0x41, 1,
                             0x08, 0, 0x0b, 0x41, 0, 0x0b, 0x1a, 0x0b)));
  /* catch_ref also hands an exnref: the label takes one value only */
  assert_invalid(exception_module(BYTES(0x02, 0x7f, 0x1f, 0x40, 1, 0x01, 0, 0,
                                        0, 0x0b, 0x41, 0, 0x0b, 0x1a, 0x0b)),
                 "type mismatch in catch clause");
  /* block (result exnref) try_table (catch_all_ref 0) end unreachable end
   * throw_ref */
  assert_valid(exception_module(
      BYTES(0x02, 0x69, 0x1f, 0x40, 1, 0x03, 0, 0x0b, 0x00, 0x0b, 0x0a, 0x0b)));
  assert_invalid(exception_module(BYTES(0x41, 0, 0x0a, 0x0b)), "type mismatch");
}

static void test_legacy_exceptions(void **state) {
  (void)state;
  /* try i32.const 1 throw 0 catch 0 drop catch_all end */
  assert_valid(exception_module(
      BYTES(0x06, 0x40, 0x41, 1, 0x08, 0, 0x07, 0, 0x1a, 0x19, 0x0b, 0x0b)));
  /* try catch_all rethrow 0 end */
  assert_valid(exception_module(BYTES(0x06, 0x40, 0x19, 0x09, 0, 0x0b, 0x0b)));
  assert_invalid(exception_module(BYTES(0x06, 0x40, 0x09, 0, 0x0b, 0x0b)),
                 "invalid rethrow label 0");
  /* try nop delegate 0: to the function's label */
  assert_valid(exception_module(BYTES(0x06, 0x40, 0x01, 0x18, 0, 0x0b)));
  assert_invalid(exception_module(BYTES(0x06, 0x40, 0x01, 0x18, 1, 0x0b)),
                 "unknown label 1");
  /* catch_all's handler must leave the try's results too */
  assert_invalid(
      exception_module(BYTES(0x06, 0x7f, 0x41, 1, 0x19, 0x0b, 0x1a, 0x0b)),
      "type mismatch");
}

static void test_exception_module_rules(void **state) {
  (void)state;
  module_spec s = exception_module(BYTES(0x0b));
  s.type = BYTES(2, 0x60, 0, 0, 0x60, 0, 1, 0x7f); /* tag type () -> (i32) */
  assert_invalid(s, "non-empty tag result type");
  s = exception_module(BYTES(0x0b));
  s.export_ = BYTES(1, 1, 't', 4, 1);
  assert_invalid(s, "unknown tag 1 in export");
  s.export_ = BYTES(1, 1, 't', 4, 0);
  assert_valid(s);
  /* catch outside a try, catch after catch_all: malformed */
  wasm_error err;
  assert_null(decode_spec(exception_module(BYTES(0x07, 0, 0x0b)), &err));
  assert_string_equal(err.message, "catch without matching try");
  assert_null(decode_spec(
      exception_module(BYTES(0x06, 0x40, 0x19, 0x07, 0, 0x0b, 0x0b)), &err));
  assert_string_equal(err.message, "catch without matching try");
}

/* Each encoding is its own feature; tags and throw need either. */
static void test_exceptions_features(void **state) {
  (void)state;
  static const uint8_t try_table_module[] = {
      0,  'a', 's', 'm',  1, 0,    0,    0,             /* header */
      1,  4,   1,   0x60, 0, 0,                         /* type () -> () */
      3,  2,   1,   0,                                  /* one function */
      10, 8,   1,   6,    0, 0x1f, 0x40, 0, 0x0b, 0x0b, /* try_table end */
  };
  wasm_error err = {0};
  wasm_module *m = wasm_module_decode_features(
      try_table_module, sizeof try_table_module,
      WASM_FEATURES_ALL & ~WASM_FEATURE_EXCEPTIONS, &err);
  assert_null(m);
  assert_string_equal(err.message, "illegal opcode 0x1f");
  m = wasm_module_decode(try_table_module, sizeof try_table_module, &err);
  assert_non_null(m);
  assert_true(wasm_module_validate(m, &err));
  assert_int_equal(wasm_module_features(m, NULL), WASM_FEATURE_EXCEPTIONS);
  wasm_module_free(m);
}

/* ---- The instruction reader ---------------------------------------------- */

static bool read_one(const uint8_t *code, size_t len, wasm_instr *in,
                     wasm_error *err) {
  wasm_error_clear(err);
  wasm_reader r = {code, 0, len, err};
  return wasm_read_instr(&r, NULL, in);
}

static void test_read_br_table(void **state) {
  (void)state;
  /* br_table [3, 200] default 1 */
  static const uint8_t code[] = {BR_TABLE, 2, 3, 0xc8, 0x01, 1};
  wasm_instr in;
  wasm_error err;
  assert_true(read_one(code, sizeof code, &in, &err));
  assert_int_equal(in.op, WASM_OP_BR_TABLE);
  assert_int_equal(in.end, sizeof code);
  assert_int_equal(in.imm.br_table.target_count, 2);
  assert_int_equal(in.imm.br_table.default_label, 1);
  wasm_br_table_iter it = wasm_br_table_begin(&in);
  uint32_t label;
  assert_true(wasm_br_table_next(&it, &label));
  assert_int_equal(label, 3);
  assert_true(wasm_br_table_next(&it, &label));
  assert_int_equal(label, 200);
  assert_false(wasm_br_table_next(&it, &label));
}

static void test_read_immediates(void **state) {
  (void)state;
  wasm_instr in;
  wasm_error err;
  /* v128.load8_lane align=0 offset=0x80 lane 15, sub-opcode as 2-byte LEB */
  static const uint8_t lane[] = {SIMD, 0xd4, 0x00, 0, 0x80, 0x01, 15};
  assert_true(read_one(lane, sizeof lane, &in, &err));
  assert_int_equal(in.op, WASM_OP_V128_LOAD8_LANE);
  assert_int_equal(in.memarg.offset, 0x80);
  assert_int_equal(in.lane, 15);
  /* block with a type index */
  static const uint8_t block[] = {BLOCK, 0x85, 0x01};
  assert_true(read_one(block, sizeof block, &in, &err));
  assert_int_equal(in.imm.block.kind, WASM_BLOCKTYPE_TYPE_INDEX);
  assert_int_equal(in.imm.block.type_index, 133);
  /* a negative s33 that is no value type */
  static const uint8_t bad_block[] = {BLOCK, 0x7a};
  assert_false(read_one(bad_block, sizeof bad_block, &in, &err));
  assert_string_equal(err.message, "malformed block type");
  /* 0xfd with an unassigned sub-opcode */
  static const uint8_t illegal[] = {SIMD, 0x9a, 0x01};
  assert_false(read_one(illegal, sizeof illegal, &in, &err));
  assert_string_equal(err.message, "illegal opcode 0xfd 0x9a");
  /* memory.copy's two memory indices (multi-memory), destination first */
  static const uint8_t copy[] = {0xfc, 10, 0, 1};
  assert_true(read_one(copy, sizeof copy, &in, &err));
  assert_int_equal(in.imm.memory_copy.dst, 0);
  assert_int_equal(in.imm.memory_copy.src, 1);
}

static void test_opcode_table(void **state) {
  (void)state;
  assert_string_equal(wasm_op_name(WASM_OP_I32_ADD), "i32.add");
  assert_int_equal(wasm_op_code(WASM_OP_F64X2_CONVERT_LOW_I32X4_U), 0xff);
  assert_int_equal(wasm_op_prefix(WASM_OP_MEMORY_INIT), 0xfc);
  assert_int_equal(wasm_op_imm(WASM_OP_I8X16_SHUFFLE), WASM_IMM_SHUFFLE);
  wasm_op_signature sig;
  assert_true(wasm_op_get_signature(WASM_OP_I64X2_REPLACE_LANE, &sig));
  assert_int_equal(sig.param_count, 2);
  assert_int_equal(sig.params[0], WASM_TYPE_V128);
  assert_int_equal(sig.params[1], WASM_TYPE_I64);
  assert_int_equal(sig.result_count, 1);
  assert_int_equal(sig.results[0], WASM_TYPE_V128);
  assert_false(wasm_op_get_signature(WASM_OP_CALL, &sig));
  /* Address operands follow the memory's or table's address type
   * (memory64); a copy's length is i64 only when both sides are. */
  assert_true(wasm_op_get_signature_at(WASM_OP_I32_STORE, WASM_TYPE_I64,
                                       WASM_TYPE_I32, &sig));
  assert_int_equal(sig.params[0], WASM_TYPE_I64);
  assert_int_equal(sig.params[1], WASM_TYPE_I32);
  assert_true(wasm_op_get_signature_at(WASM_OP_MEMORY_GROW, WASM_TYPE_I64,
                                       WASM_TYPE_I32, &sig));
  assert_int_equal(sig.params[0], WASM_TYPE_I64);
  assert_int_equal(sig.results[0], WASM_TYPE_I64);
  assert_true(wasm_op_get_signature_at(WASM_OP_MEMORY_COPY, WASM_TYPE_I64,
                                       WASM_TYPE_I32, &sig));
  assert_int_equal(sig.params[0], WASM_TYPE_I64);
  assert_int_equal(sig.params[1], WASM_TYPE_I32);
  assert_int_equal(sig.params[2], WASM_TYPE_I32);
  assert_true(wasm_op_get_signature_at(WASM_OP_TABLE_COPY, WASM_TYPE_I64,
                                       WASM_TYPE_I64, &sig));
  assert_int_equal(sig.params[2], WASM_TYPE_I64);
  assert_true(wasm_op_get_signature(WASM_OP_MEMORY_FILL, &sig));
  assert_int_equal(sig.params[0], WASM_TYPE_I32);
  assert_int_equal(sig.params[2], WASM_TYPE_I32);
  /* Every 2.0 SIMD sub-opcode but the 20 unassigned ones is in the
   * table, and relaxed SIMD's 20 (0x100 to 0x113). */
  int simd = 0;
  for (int op = 0; op < WASM_OP_COUNT; op++)
    simd += wasm_op_prefix((wasm_opcode)op) == 0xfd;
  assert_int_equal(simd, 236 + 20);
  assert_int_equal(wasm_op_code(WASM_OP_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S),
                   0x113);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid_add),
      cmocka_unit_test(test_add_type_mismatch),
      cmocka_unit_test(test_missing_operand),
      cmocka_unit_test(test_polymorphic_after_unreachable),
      cmocka_unit_test(test_polymorphic_after_br),
      cmocka_unit_test(test_block_result_arity),
      cmocka_unit_test(test_if_without_else_with_result),
      cmocka_unit_test(test_else_branch_typed),
      cmocka_unit_test(test_br_table_arity),
      cmocka_unit_test(test_multi_value_block),
      cmocka_unit_test(test_loop_label_takes_params),
      cmocka_unit_test(test_unknown_label),
      cmocka_unit_test(test_locals),
      cmocka_unit_test(test_immutable_global_set),
      cmocka_unit_test(test_global_initializer),
      cmocka_unit_test(test_extended_const),
      cmocka_unit_test(test_alignment),
      cmocka_unit_test(test_simd_lane_index),
      cmocka_unit_test(test_simd_signature),
      cmocka_unit_test(test_select),
      cmocka_unit_test(test_undeclared_function_reference),
      cmocka_unit_test(test_deep_nesting),
      cmocka_unit_test(test_malformed_bodies),
      cmocka_unit_test(test_atomics),
      cmocka_unit_test(test_atomics_feature_off),
      cmocka_unit_test(test_non_null_locals),
      cmocka_unit_test(test_br_on_null_types),
      cmocka_unit_test(test_throw_and_try_table),
      cmocka_unit_test(test_legacy_exceptions),
      cmocka_unit_test(test_exception_module_rules),
      cmocka_unit_test(test_exceptions_features),
      cmocka_unit_test(test_rec_group_equivalence),
      cmocka_unit_test(test_function_references_feature_off),
      cmocka_unit_test(test_read_br_table),
      cmocka_unit_test(test_read_immediates),
      cmocka_unit_test(test_opcode_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
