/* Unit tests for the module decoder: hand-built binaries for each section,
 * the fields they fill, and the errors (offset and message) they raise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wasm_features.h"
#include "wasm_module.h"

/* ---- building test binaries --------------------------------------------- */

/* A module under construction. Section contents stay under 128 bytes so
 * every size is a one-byte LEB128 and offsets are easy to follow. */
typedef struct module_buf {
  uint8_t bytes[1024];
  size_t len;
} module_buf;

static const uint8_t header[8] = {0x00, 0x61, 0x73, 0x6d,
                                  0x01, 0x00, 0x00, 0x00};

static void mb_init(module_buf *b) {
  memcpy(b->bytes, header, sizeof header);
  b->len = sizeof header;
}

/* Appends raw bytes; returns where they start. */
static size_t mb_raw(module_buf *b, const uint8_t *p, size_t n) {
  assert_true(b->len + n <= sizeof b->bytes);
  size_t at = b->len;
  memcpy(b->bytes + at, p, n);
  b->len += n;
  return at;
}

/* Appends a section; returns the offset of its contents. */
static size_t mb_section(module_buf *b, uint8_t id, const uint8_t *p,
                         size_t n) {
  assert_true(n < 128);
  uint8_t frame[2] = {id, (uint8_t)n};
  mb_raw(b, frame, 2);
  return mb_raw(b, p, n);
}

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__})
#define NBYTES(...) sizeof((const uint8_t[]){__VA_ARGS__})
#define RAW(b, ...) mb_raw(b, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__))
#define SECTION(b, id, ...)                                                    \
  mb_section(b, id, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__))

enum {
  SEC_CUSTOM = 0,
  SEC_TYPE = 1,
  SEC_IMPORT = 2,
  SEC_FUNCTION = 3,
  SEC_TABLE = 4,
  SEC_MEMORY = 5,
  SEC_GLOBAL = 6,
  SEC_EXPORT = 7,
  SEC_START = 8,
  SEC_ELEMENT = 9,
  SEC_CODE = 10,
  SEC_DATA = 11,
  SEC_DATA_COUNT = 12,
  SEC_TAG = 13,
};

/* One type `[] -> []`, one function of it with an empty body. */
static void add_one_empty_function(module_buf *b) {
  SECTION(b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(b, SEC_FUNCTION, 0x01, 0x00);
  SECTION(b, SEC_CODE, 0x01, 0x02, 0x00, 0x0b);
}

/* ---- decoding helpers --------------------------------------------------- */

static wasm_module *decode_ok(const module_buf *b) {
  wasm_error err = {0};
  wasm_module *m = wasm_module_decode(b->bytes, b->len, &err);
  if (!m)
    fail_msg("decode failed at 0x%zx: %s", err.offset, err.message);
  assert_false(err.is_set);
  return m;
}

static void expect_error_in_features(const uint8_t *bytes, size_t len,
                                     wasm_features features, size_t offset,
                                     const char *prefix) {
  wasm_error err = {0};
  wasm_module *m = wasm_module_decode_features(bytes, len, features, &err);
  if (m) {
    wasm_module_free(m);
    fail_msg("decode succeeded, expected \"%s\" at 0x%zx", prefix, offset);
  }
  assert_true(err.is_set);
  if (strncmp(err.message, prefix, strlen(prefix)) != 0)
    fail_msg("message \"%s\", expected \"%s...\"", err.message, prefix);
  if (err.offset != offset)
    fail_msg("error \"%s\" at 0x%zx, expected 0x%zx", err.message, err.offset,
             offset);
}

static void expect_error_in(const uint8_t *bytes, size_t len, size_t offset,
                            const char *prefix) {
  expect_error_in_features(bytes, len, WASM_FEATURES_DEFAULT, offset, prefix);
}

static void expect_error(const module_buf *b, size_t offset,
                         const char *prefix) {
  expect_error_in(b->bytes, b->len, offset, prefix);
}

static bool name_is(wasm_name n, const char *s) {
  return n.len == strlen(s) && memcmp(n.data, s, n.len) == 0;
}

#define ORDER "unexpected content after last section"

/* ---- header ------------------------------------------------------------- */

static void test_empty_module(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  wasm_module *m = decode_ok(&b);
  assert_int_equal(m->size, 8);
  assert_int_equal(m->type_count, 0);
  assert_int_equal(m->func_count, 0);
  assert_int_equal(m->custom_count, 0);
  assert_false(m->has_start);
  assert_false(m->has_data_count);
  assert_null(m->func_names);
  wasm_module_free(m);
}

static void test_bad_magic(void **state) {
  (void)state;
  expect_error_in(BYTES(0x00, 0x61, 0x73, 0x6e, 0x01, 0x00, 0x00, 0x00), 8, 0,
                  "magic header not detected");
  expect_error_in(BYTES(0x61, 0x73, 0x6d, 0x00), 4, 0,
                  "magic header not detected");
  expect_error_in(BYTES(0x00, 0x61, 0x73), 3, 0, "unexpected end");
  expect_error_in(BYTES(0x00), 0, 0, "unexpected end");
}

static void test_bad_version(void **state) {
  (void)state;
  expect_error_in(BYTES(0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00), 8, 4,
                  "unknown binary version");
  expect_error_in(BYTES(0x00, 0x61, 0x73, 0x6d, 0x00, 0x00, 0x00, 0x01), 8, 4,
                  "unknown binary version");
  expect_error_in(BYTES(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00), 6, 4,
                  "unexpected end");
}

/* ---- section framing ---------------------------------------------------- */

static void test_malformed_section_id(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  RAW(&b, 0x0e, 0x00);
  expect_error(&b, 8, "malformed section id");
}

static void test_section_out_of_order(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_FUNCTION, 0x00);
  size_t type_at = b.len;
  SECTION(&b, SEC_TYPE, 0x00);
  expect_error(&b, type_at, ORDER);
}

static void test_duplicate_section(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  size_t again = b.len;
  SECTION(&b, SEC_TYPE, 0x00);
  expect_error(&b, again, ORDER);

  mb_init(&b);
  SECTION(&b, SEC_START, 0x00);
  again = b.len;
  SECTION(&b, SEC_START, 0x00);
  expect_error(&b, again, ORDER);
}

/* The data count section's id (12) is out of numeric order: it belongs
 * between the element (9) and code (10) sections. */
static void test_data_count_order(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(&b, SEC_FUNCTION, 0x01, 0x00);
  SECTION(&b, SEC_ELEMENT, 0x00);
  SECTION(&b, SEC_DATA_COUNT, 0x00);
  SECTION(&b, SEC_CODE, 0x01, 0x02, 0x00, 0x0b);
  SECTION(&b, SEC_DATA, 0x00);
  wasm_module *m = decode_ok(&b);
  assert_true(m->has_data_count);
  assert_int_equal(m->data_count, 0);
  wasm_module_free(m);

  mb_init(&b);
  add_one_empty_function(&b);
  size_t late = b.len;
  SECTION(&b, SEC_DATA_COUNT, 0x00);
  expect_error(&b, late, ORDER);

  mb_init(&b);
  SECTION(&b, SEC_DATA_COUNT, 0x00);
  late = b.len;
  SECTION(&b, SEC_ELEMENT, 0x00);
  expect_error(&b, late, ORDER);
}

static void test_section_size_mismatch(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  /* One type and a stray byte the type section does not account for. */
  size_t at = SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00, 0x00);
  expect_error(&b, at + 4, "section size mismatch");
}

static void test_section_content_runs_short(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  /* The type needs a result count the section does not hold, even though
   * the next section's bytes follow. */
  size_t at = SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00);
  SECTION(&b, SEC_FUNCTION, 0x00);
  expect_error(&b, at + 3, "unexpected end");
}

static void test_section_size_past_end(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  RAW(&b, SEC_TYPE, 0x05, 0x01, 0x60);
  expect_error(&b, 9, "length out of bounds");
}

/* ---- type section ------------------------------------------------------- */

static void test_type_section(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x02,                             /* two types */
          0x60, 0x02, 0x7f, 0x7e, 0x03, 0x7d, 0x7c, 0x7b, /* multi-value */
          0x60, 0x02, 0x70, 0x6f, 0x00);                  /* refs -> [] */
  wasm_module *m = decode_ok(&b);
  assert_int_equal(m->type_count, 2);
  const wasm_functype *t = &m->types[0];
  assert_int_equal(t->param_count, 2);
  assert_int_equal(t->result_count, 3);
  assert_int_equal(wasm_functype_params(t)[0], WASM_TYPE_I32);
  assert_int_equal(wasm_functype_params(t)[1], WASM_TYPE_I64);
  assert_int_equal(wasm_functype_results(t)[0], WASM_TYPE_F32);
  assert_int_equal(wasm_functype_results(t)[1], WASM_TYPE_F64);
  assert_int_equal(wasm_functype_results(t)[2], WASM_TYPE_V128);
  t = &m->types[1];
  assert_int_equal(t->param_count, 2);
  assert_int_equal(t->result_count, 0);
  assert_int_equal(wasm_functype_params(t)[0], WASM_TYPE_FUNCREF);
  assert_int_equal(wasm_functype_params(t)[1], WASM_TYPE_EXTERNREF);
  wasm_module_free(m);
}

static void test_bad_value_type(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t at = SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x01, 0x7a, 0x00);
  expect_error(&b, at + 3, "malformed value type");

  mb_init(&b);
  at = SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x01, 0x40);
  expect_error(&b, at + 4, "malformed value type");
}

static void test_bad_function_type_form(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t at = SECTION(&b, SEC_TYPE, 0x01, 0x5d, 0x00, 0x00);
  expect_error(&b, at + 1, "malformed function type");
}

/* A count far beyond the bytes left fails before anything is allocated. */
static void test_hostile_counts(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t at = SECTION(&b, SEC_TYPE, 0xff, 0xff, 0xff, 0xff, 0x0f);
  expect_error(&b, at, "length out of bounds");

  mb_init(&b);
  at = SECTION(&b, SEC_TYPE, 0x01, 0x60, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x7f);
  expect_error(&b, at + 2, "length out of bounds");

  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(&b, SEC_FUNCTION, 0x01, 0x00);
  at = SECTION(&b, SEC_CODE, 0x01, 0x07, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f,
               0x0b);
  expect_error(&b, at + 2, "length out of bounds");

  mb_init(&b);
  at = SECTION(&b, SEC_ELEMENT, 0x01, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f);
  expect_error(&b, at + 3, "length out of bounds");
}

/* ---- imports and index spaces ------------------------------------------- */

static void test_imports_and_index_spaces(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  size_t imports_at =
      SECTION(&b, SEC_IMPORT, 0x04, 0x01, 'm', 0x01, 'f', 0x00, 0x00, /* func */
              0x01, 'm', 0x01, 't', 0x01, 0x6f, 0x01, 0x01, 0x02, /* table */
              0x01, 'm', 0x03, 'm', 'e', 'm', 0x02, 0x00, 0x01,   /* memory */
              0x01, 'm', 0x01, 'g', 0x03, 0x7e, 0x01);            /* global */
  SECTION(&b, SEC_FUNCTION, 0x01, 0x00);
  SECTION(&b, SEC_TABLE, 0x01, 0x70, 0x00, 0x05);
  SECTION(&b, SEC_GLOBAL, 0x01, 0x7f, 0x00, 0x41, 0x2a, 0x0b);
  SECTION(&b, SEC_CODE, 0x01, 0x02, 0x00, 0x0b);
  wasm_module *m = decode_ok(&b);

  assert_int_equal(m->import_count, 4);
  assert_true(name_is(m->imports[0].module, "m"));
  assert_true(name_is(m->imports[2].field, "mem"));
  assert_int_equal(m->imports[0].offset, imports_at + 1);
  assert_int_equal(m->imports[1].kind, WASM_EXTERN_TABLE);

  assert_int_equal(m->import_func_count, 1);
  assert_int_equal(m->func_count, 2);
  assert_int_equal(m->func_types[0], 0);
  assert_int_equal(m->func_types[1], 0);
  assert_int_equal(m->funcs[0].type_index, 0);

  assert_int_equal(m->import_table_count, 1);
  assert_int_equal(m->table_count, 2);
  assert_int_equal(m->tables[0].elem_type, WASM_TYPE_EXTERNREF);
  assert_int_equal(m->tables[0].limits.min, 1);
  assert_true(m->tables[0].limits.has_max);
  assert_int_equal(m->tables[0].limits.max, 2);
  assert_int_equal(m->tables[1].elem_type, WASM_TYPE_FUNCREF);
  assert_int_equal(m->tables[1].limits.min, 5);
  assert_false(m->tables[1].limits.has_max);

  /* No memory section: the space holds the import alone. */
  assert_int_equal(m->import_memory_count, 1);
  assert_int_equal(m->memory_count, 1);
  assert_int_equal(m->memories[0].limits.min, 1);

  assert_int_equal(m->import_global_count, 1);
  assert_int_equal(m->global_count, 2);
  assert_int_equal(m->globals[0].type.type, WASM_TYPE_I64);
  assert_true(m->globals[0].type.is_mutable);
  assert_int_equal(m->globals[1].type.type, WASM_TYPE_I32);
  assert_false(m->globals[1].type.is_mutable);
  assert_int_equal(m->globals[1].init.kind, WASM_CONST_I32);
  assert_int_equal(m->globals[1].init.value.i32, 42);
  wasm_module_free(m);
}

/* Imported functions without a function section still get func_types. */
static void test_imports_only(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x00);
  SECTION(&b, SEC_IMPORT, 0x02, 0x01, 'a', 0x01, 'b', 0x00, 0x01, 0x01, 'a',
          0x01, 'c', 0x00, 0x00);
  wasm_module *m = decode_ok(&b);
  assert_int_equal(m->func_count, 2);
  assert_int_equal(m->import_func_count, 2);
  assert_int_equal(m->func_types[0], 1);
  assert_int_equal(m->func_types[1], 0);
  assert_non_null(m->func_names);
  assert_int_equal(m->func_names[1].len, 0);
  wasm_module_free(m);
}

static void test_bad_import_kind(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t at = SECTION(&b, SEC_IMPORT, 0x01, 0x01, 'm', 0x01, 'f', 0x05, 0x00);
  expect_error(&b, at + 5, "malformed import kind");
}

static void test_bad_import_name(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t at =
      SECTION(&b, SEC_IMPORT, 0x01, 0x01, 'm', 0x02, 0xed, 0xa0, 0x00, 0x00);
  expect_error(&b, at + 3, "malformed UTF-8 encoding");
}

/* Wasm 2.0 knows limits flags 0 and 1 only; 2 and 3 are threads' shared
 * memories, and the flag is read as a one-bit LEB128. */
static void test_bad_limits_flag(void **state) {
  (void)state;
  const wasm_features no_threads = WASM_FEATURES_ALL & ~WASM_FEATURE_THREADS;
  module_buf b;
  /* Without threads, a 2.0 decoder: the shared flag is malformed. */
  mb_init(&b);
  size_t at = SECTION(&b, SEC_MEMORY, 0x01, 0x02, 0x00);
  expect_error_in_features(b.bytes, b.len, no_threads, at + 1,
                           "integer too large");

  mb_init(&b);
  at = SECTION(&b, SEC_MEMORY, 0x01, 0x03, 0x00, 0x01);
  expect_error_in_features(b.bytes, b.len, no_threads, at + 1,
                           "integer too large");

  /* Without memory64, the i64 flag is malformed; bits beyond it are
   * malformed either way, and tables are never shared. */
  const wasm_features no_memory64 = WASM_FEATURES_ALL & ~WASM_FEATURE_MEMORY64;
  mb_init(&b);
  at = SECTION(&b, SEC_MEMORY, 0x01, 0x04, 0x00);
  expect_error_in_features(b.bytes, b.len, no_memory64, at + 1,
                           "integer too large");

  mb_init(&b);
  at = SECTION(&b, SEC_TABLE, 0x01, 0x70, 0x05, 0x00, 0x00);
  expect_error_in_features(b.bytes, b.len, no_memory64, at + 2,
                           "integer too large");

  mb_init(&b);
  at = SECTION(&b, SEC_MEMORY, 0x01, 0x08, 0x00);
  expect_error(&b, at + 1, "integer too large");

  mb_init(&b);
  at = SECTION(&b, SEC_TABLE, 0x01, 0x70, 0x02, 0x00);
  expect_error(&b, at + 2, "integer too large");

  mb_init(&b);
  at = SECTION(&b, SEC_TABLE, 0x01, 0x70, 0x81, 0x00, 0x00);
  expect_error(&b, at + 2, "integer representation too long");

  mb_init(&b);
  at = SECTION(&b, SEC_IMPORT, 0x01, 0x01, 'm', 0x01, 'm', 0x02, 0x08, 0x00);
  expect_error(&b, at + 6, "integer too large");
}

/* memory64: flag 0x04 makes the limits u64 and the address type i64, for
 * memories and tables alike. */
static void test_memory64_limits(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  /* min 2^32 pages (u64, too large for a u32), max 2^33 */
  SECTION(&b, SEC_TABLE, 0x01, 0x70, 0x04, 0x07);
  SECTION(&b, SEC_MEMORY, 0x01, 0x05, 0x80, 0x80, 0x80, 0x80, 0x10, 0x80, 0x80,
          0x80, 0x80, 0x20);
  wasm_module *m = decode_ok(&b);
  assert_true(m->memories[0].is64);
  assert_int_equal(m->memories[0].limits.min, UINT64_C(1) << 32);
  assert_int_equal(m->memories[0].limits.max, UINT64_C(1) << 33);
  assert_true(m->tables[0].is64);
  assert_false(m->tables[0].limits.has_max);
  assert_int_equal(m->tables[0].limits.min, 7);
  wasm_module_free(m);
}

static void test_shared_memory_limits(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_MEMORY, 0x02, 0x03, 0x01, 0x02, 0x00, 0x05);
  wasm_module *m = decode_ok(&b);
  assert_true(m->memories[0].shared);
  assert_true(m->memories[0].limits.has_max);
  assert_int_equal(m->memories[0].limits.max, 2);
  assert_false(m->memories[1].shared);
  assert_false(m->memories[1].limits.has_max);
  wasm_module_free(m);

  /* Shared without a maximum decodes; validation refuses it. */
  mb_init(&b);
  SECTION(&b, SEC_MEMORY, 0x01, 0x02, 0x01);
  m = decode_ok(&b);
  assert_true(m->memories[0].shared);
  wasm_error err = {0};
  assert_false(wasm_module_validate(m, &err));
  assert_string_equal(err.message, "shared memory must have maximum");
  wasm_module_free(m);
}

static void test_memory_limits(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_MEMORY, 0x02, 0x00, 0x82, 0x80, 0x80, 0x80, 0x00, 0x01, 0x00,
          0xff, 0xff, 0xff, 0xff, 0x0f);
  wasm_module *m = decode_ok(&b);
  assert_int_equal(m->memory_count, 2);
  assert_int_equal(m->memories[0].limits.min, 2);
  assert_false(m->memories[0].limits.has_max);
  assert_int_equal(m->memories[1].limits.min, 0);
  assert_true(m->memories[1].limits.has_max);
  assert_int_equal(m->memories[1].limits.max, 0xffffffffu);
  wasm_module_free(m);
}

static void test_bad_table_type(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t at = SECTION(&b, SEC_TABLE, 0x01, 0x7f, 0x00, 0x00);
  expect_error(&b, at + 1, "malformed reference type");
}

static void test_bad_mutability(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t at = SECTION(&b, SEC_GLOBAL, 0x01, 0x7f, 0x02, 0x41, 0x00, 0x0b);
  expect_error(&b, at + 2, "malformed mutability");

  mb_init(&b);
  at = SECTION(&b, SEC_IMPORT, 0x01, 0x01, 'm', 0x01, 'g', 0x03, 0x7f, 0xff);
  expect_error(&b, at + 7, "malformed mutability");
}

/* ---- constant expressions ----------------------------------------------- */

static void test_global_const_exprs(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t at = SECTION(
      &b, SEC_GLOBAL, 0x08,
      /* i32.const -1 */
      0x7f, 0x00, 0x41, 0x7f, 0x0b,
      /* i64.const INT64_MIN, ten bytes */
      0x7e, 0x00, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
      0x7f, 0x0b,
      /* f32.const 1.0 */
      0x7d, 0x00, 0x43, 0x00, 0x00, 0x80, 0x3f, 0x0b,
      /* f64.const 1.0 */
      0x7c, 0x00, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f, 0x0b,
      /* v128.const 0..15 */
      0x7b, 0x00, 0xfd, 0x0c, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
      0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x0b,
      /* ref.null extern, mutable */
      0x6f, 0x01, 0xd0, 0x6f, 0x0b,
      /* ref.func 3 */
      0x70, 0x00, 0xd2, 0x03, 0x0b,
      /* global.get 0 */
      0x7f, 0x00, 0x23, 0x00, 0x0b);
  wasm_module *m = decode_ok(&b);
  assert_int_equal(m->global_count, 8);
  const wasm_global *g = m->globals;
  assert_int_equal(g[0].init.kind, WASM_CONST_I32);
  assert_int_equal(g[0].init.value.i32, 0xffffffffu);
  assert_int_equal(g[0].init.offset, at + 3);
  assert_int_equal(g[0].init.size, 2);
  assert_int_equal(g[1].init.kind, WASM_CONST_I64);
  assert_int_equal(g[1].init.value.i64, (uint64_t)INT64_MIN);
  assert_int_equal(g[1].init.size, 11);
  assert_int_equal(g[2].init.kind, WASM_CONST_F32);
  assert_int_equal(g[2].init.value.f32_bits, 0x3f800000u);
  assert_int_equal(g[3].init.kind, WASM_CONST_F64);
  assert_int_equal(g[3].init.value.f64_bits, UINT64_C(0x3ff0000000000000));
  assert_int_equal(g[4].type.type, WASM_TYPE_V128);
  assert_int_equal(g[4].init.kind, WASM_CONST_V128);
  assert_int_equal(g[4].init.value.v128[0], 0);
  assert_int_equal(g[4].init.value.v128[15], 15);
  assert_int_equal(g[4].init.size, 18);
  assert_true(g[5].type.is_mutable);
  assert_int_equal(g[5].init.kind, WASM_CONST_REF_NULL);
  assert_int_equal(g[5].init.value.ref_type, WASM_TYPE_EXTERNREF);
  assert_int_equal(g[6].init.kind, WASM_CONST_REF_FUNC);
  assert_int_equal(g[6].init.value.index, 3);
  assert_int_equal(g[7].init.kind, WASM_CONST_GLOBAL_GET);
  assert_int_equal(g[7].init.value.index, 0);
  wasm_module_free(m);
}

/* Multi-memory (3.0) reads memory indices as u32 LEB128s where 2.0 has
 * a zero byte, and a memarg's bit 6 as "a memory index follows"; with
 * the feature off the 2.0 reading stays. */
static void test_memory_indices(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(&b, SEC_FUNCTION, 0x01, 0x00);
  SECTION(&b, SEC_MEMORY, 0x02, 0x00, 0x00, 0x00, 0x00);
  /* memory.size with an overlong 0; i32.load with memory index 1. */
  size_t at = SECTION(&b, SEC_CODE, 0x01, 0x0d, 0x00, 0x3f, 0x80, 0x00, 0x1a,
                      0x41, 0x00, 0x28, 0x42, 0x01, 0x00, 0x1a, 0x0b);
  wasm_module *m = decode_ok(&b);
  assert_true(m->features & WASM_FEATURE_MULTI_MEMORY);
  wasm_module_free(m);

  uint32_t without = WASM_FEATURES_ALL & ~WASM_FEATURE_MULTI_MEMORY;
  wasm_error err = {0};
  m = wasm_module_decode_features(b.bytes, b.len, without, &err);
  assert_null(m);
  assert_int_equal(err.offset, at + 4);
  assert_string_equal(err.message, "zero byte expected");
}

static void test_const_expr_errors(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  /* i32.ctz: not constant (i32.add is, in 3.0: test_validate.c). */
  size_t at = SECTION(&b, SEC_GLOBAL, 0x01, 0x7f, 0x00, 0x68, 0x0b);
  expect_error(&b, at + 3, "constant expression required");

  mb_init(&b);
  at = SECTION(&b, SEC_GLOBAL, 0x01, 0x7f, 0x00, 0x41, 0x00, 0x68, 0x0b);
  expect_error(&b, at + 5, "constant expression required");

  mb_init(&b);
  at = SECTION(&b, SEC_GLOBAL, 0x01, 0x7f, 0x00, 0x41, 0x00);
  expect_error(&b, at + 5, "unexpected end");

  mb_init(&b);
  at = SECTION(&b, SEC_GLOBAL, 0x01, 0x70, 0x00, 0xd0, 0x7f, 0x0b);
  expect_error(&b, at + 4, "malformed heap type");

  mb_init(&b);
  at = SECTION(&b, SEC_GLOBAL, 0x01, 0x7f, 0x00, 0x0b);
  expect_error(&b, at + 3, "type mismatch");

  /* A SIMD opcode other than v128.const. */
  mb_init(&b);
  at = SECTION(&b, SEC_GLOBAL, 0x01, 0x7b, 0x00, 0xfd, 0x0d, 0x0b);
  expect_error(&b, at + 3, "constant expression required");

  /* An overlong i32.const immediate. */
  mb_init(&b);
  at = SECTION(&b, SEC_GLOBAL, 0x01, 0x7f, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80,
               0x80, 0x00, 0x0b);
  expect_error(&b, at + 4, "integer representation too long");
}

/* ---- exports and start -------------------------------------------------- */

static void test_exports_and_start(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(&b, SEC_FUNCTION, 0x01, 0x00);
  SECTION(&b, SEC_MEMORY, 0x01, 0x00, 0x01);
  SECTION(&b, SEC_EXPORT, 0x02, 0x03, 'r', 'u', 'n', 0x00, 0x00, 0x01, 'm',
          0x02, 0x00);
  SECTION(&b, SEC_START, 0x00);
  SECTION(&b, SEC_CODE, 0x01, 0x02, 0x00, 0x0b);
  wasm_module *m = decode_ok(&b);
  assert_int_equal(m->export_count, 2);
  assert_true(name_is(m->exports[0].name, "run"));
  assert_int_equal(m->exports[0].kind, WASM_EXTERN_FUNC);
  assert_int_equal(m->exports[1].kind, WASM_EXTERN_MEMORY);
  assert_int_equal(m->exports[1].index, 0);
  assert_true(m->has_start);
  assert_int_equal(m->start_func, 0);
  wasm_module_free(m);
}

static void test_bad_export_kind(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t at = SECTION(&b, SEC_EXPORT, 0x01, 0x01, 'x', 0x05, 0x00);
  expect_error(&b, at + 3, "malformed export kind");
}

/* ---- tags (exceptions) -------------------------------------------------- */

/* An imported tag comes first in the tag index space; the tag section
 * goes between the memory and global sections. */
static void test_tags(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x01, 0x7f, 0x00);
  SECTION(&b, SEC_IMPORT, 0x01, 0x01, 'm', 0x01, 't', 0x04, 0x00, 0x00);
  SECTION(&b, SEC_MEMORY, 0x00);
  SECTION(&b, SEC_TAG, 0x01, 0x00, 0x00);
  SECTION(&b, SEC_GLOBAL, 0x00);
  SECTION(&b, SEC_EXPORT, 0x01, 0x01, 'x', 0x04, 0x01);
  wasm_module *m = decode_ok(&b);
  assert_int_equal(m->tag_count, 2);
  assert_int_equal(m->import_tag_count, 1);
  assert_int_equal(m->tag_types[1], 0);
  assert_int_equal(m->exports[0].kind, WASM_EXTERN_TAG);
  wasm_module_free(m);
}

static void test_bad_tags(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t at = SECTION(&b, SEC_TAG, 0x01, 0x01, 0x00);
  expect_error(&b, at + 1, "malformed tag attribute");
  mb_init(&b);
  SECTION(&b, SEC_TAG, 0x00);
  at = SECTION(&b, SEC_MEMORY, 0x00);
  expect_error(&b, at - 2, "unexpected content after last section");
  mb_init(&b);
  SECTION(&b, SEC_TAG, 0x00);
  expect_error_in_features(
      b.bytes, b.len,
      WASM_FEATURES_ALL &
          ~(WASM_FEATURE_EXCEPTIONS | WASM_FEATURE_LEGACY_EXCEPTIONS),
      8, "malformed section id");
}

/* ---- element segments --------------------------------------------------- */

static void test_element_encodings(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t at =
      SECTION(&b, SEC_ELEMENT, 0x08,
              /* 0: active table 0, function indices */
              0x00, 0x41, 0x01, 0x0b, 0x02, 0x00, 0x01,
              /* 1: passive, elemkind, function indices */
              0x01, 0x00, 0x01, 0x01,
              /* 2: active table 3, elemkind, function indices */
              0x02, 0x03, 0x41, 0x02, 0x0b, 0x00, 0x01, 0x00,
              /* 3: declarative, elemkind, function indices */
              0x03, 0x00, 0x02, 0x00, 0x01,
              /* 4: active table 0, expressions */
              0x04, 0x41, 0x03, 0x0b, 0x02, 0xd2, 0x00, 0x0b, 0xd0, 0x70, 0x0b,
              /* 5: passive, externref expressions */
              0x05, 0x6f, 0x01, 0xd0, 0x6f, 0x0b,
              /* 6: active table 1, funcref expressions */
              0x06, 0x01, 0x41, 0x04, 0x0b, 0x70, 0x01, 0x23, 0x00, 0x0b,
              /* 7: declarative, funcref expressions */
              0x07, 0x70, 0x01, 0xd2, 0x01, 0x0b);
  wasm_module *m = decode_ok(&b);
  assert_int_equal(m->elem_count, 8);
  const wasm_elem_segment *e = m->elems;

  assert_int_equal(e[0].mode, WASM_SEGMENT_ACTIVE);
  assert_int_equal(e[0].table_index, 0);
  assert_int_equal(e[0].offset.kind, WASM_CONST_I32);
  assert_int_equal(e[0].offset.value.i32, 1);
  assert_int_equal(e[0].offset.offset, at + 2);
  /* Function indices are never null: (ref func) (3.0). */
  assert_int_equal(e[0].elem_type, WASM_REF_TYPE(0, WASM_HEAP_FUNC));
  assert_int_equal(e[0].item_count, 2);
  assert_int_equal(e[0].items[1].kind, WASM_CONST_REF_FUNC);
  assert_int_equal(e[0].items[1].value.index, 1);
  assert_int_equal(e[0].items[0].offset, at + 6);
  assert_int_equal(e[0].items[0].size, 1);
  assert_int_equal(e[0].offset_in_module, at + 1);

  assert_int_equal(e[1].mode, WASM_SEGMENT_PASSIVE);
  assert_int_equal(e[1].elem_type, WASM_REF_TYPE(0, WASM_HEAP_FUNC));
  assert_int_equal(e[1].item_count, 1);
  assert_int_equal(e[1].items[0].value.index, 1);

  assert_int_equal(e[2].mode, WASM_SEGMENT_ACTIVE);
  assert_int_equal(e[2].table_index, 3);
  assert_int_equal(e[2].offset.value.i32, 2);
  assert_int_equal(e[2].item_count, 1);

  assert_int_equal(e[3].mode, WASM_SEGMENT_DECLARATIVE);
  assert_int_equal(e[3].item_count, 2);

  assert_int_equal(e[4].mode, WASM_SEGMENT_ACTIVE);
  assert_int_equal(e[4].table_index, 0);
  assert_int_equal(e[4].offset.value.i32, 3);
  assert_int_equal(e[4].elem_type, WASM_TYPE_FUNCREF);
  assert_int_equal(e[4].items[0].kind, WASM_CONST_REF_FUNC);
  assert_int_equal(e[4].items[1].kind, WASM_CONST_REF_NULL);
  assert_int_equal(e[4].items[1].value.ref_type, WASM_TYPE_FUNCREF);

  assert_int_equal(e[5].mode, WASM_SEGMENT_PASSIVE);
  assert_int_equal(e[5].elem_type, WASM_TYPE_EXTERNREF);
  assert_int_equal(e[5].items[0].value.ref_type, WASM_TYPE_EXTERNREF);

  assert_int_equal(e[6].mode, WASM_SEGMENT_ACTIVE);
  assert_int_equal(e[6].table_index, 1);
  assert_int_equal(e[6].items[0].kind, WASM_CONST_GLOBAL_GET);

  assert_int_equal(e[7].mode, WASM_SEGMENT_DECLARATIVE);
  assert_int_equal(e[7].items[0].kind, WASM_CONST_REF_FUNC);
  assert_int_equal(e[7].items[0].value.index, 1);
  assert_int_equal(e[7].offset_in_module, at + 52);
  wasm_module_free(m);
}

static void test_element_errors(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t at = SECTION(&b, SEC_ELEMENT, 0x01, 0x08, 0x00);
  expect_error(&b, at + 1, "malformed elements segment kind");

  mb_init(&b);
  at = SECTION(&b, SEC_ELEMENT, 0x01, 0x01, 0x01, 0x00);
  expect_error(&b, at + 2, "malformed element kind");

  mb_init(&b);
  at = SECTION(&b, SEC_ELEMENT, 0x01, 0x05, 0x7f, 0x01, 0xd2, 0x00, 0x0b);
  expect_error(&b, at + 2, "malformed reference type");

  /* An item expression that is not constant. */
  mb_init(&b);
  at = SECTION(&b, SEC_ELEMENT, 0x01, 0x05, 0x70, 0x01, 0xf3, 0x00, 0x0b);
  expect_error(&b, at + 4, "constant expression required");
}

/* ---- code section ------------------------------------------------------- */

static void test_function_code_count_mismatch(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(&b, SEC_FUNCTION, 0x02, 0x00, 0x00);
  size_t at = SECTION(&b, SEC_CODE, 0x01, 0x02, 0x00, 0x0b);
  expect_error(&b, at, "function and code section have inconsistent lengths");

  /* A function section and no code section at all. */
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(&b, SEC_FUNCTION, 0x01, 0x00);
  expect_error(&b, b.len,
               "function and code section have inconsistent lengths");

  /* A code section and no function section. */
  mb_init(&b);
  at = SECTION(&b, SEC_CODE, 0x01, 0x02, 0x00, 0x0b);
  expect_error(&b, at, "function and code section have inconsistent lengths");

  /* Empty sections on both sides, or either one absent, agree. */
  mb_init(&b);
  SECTION(&b, SEC_FUNCTION, 0x00);
  wasm_module *m = decode_ok(&b);
  wasm_module_free(m);
  mb_init(&b);
  SECTION(&b, SEC_CODE, 0x00);
  m = decode_ok(&b);
  wasm_module_free(m);
}

static void test_code_entry_fields(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(&b, SEC_FUNCTION, 0x01, 0x00);
  /* Body: two runs (3 x i32, 1 x v128), then `end`. */
  size_t at =
      SECTION(&b, SEC_CODE, 0x01, 0x06, 0x02, 0x03, 0x7f, 0x01, 0x7b, 0x0b);
  wasm_module *m = decode_ok(&b);
  const wasm_func *f = &m->funcs[0];
  assert_int_equal(f->type_index, 0);
  assert_int_equal(f->local_run_count, 2);
  assert_int_equal(f->local_runs[0].count, 3);
  assert_int_equal(f->local_runs[0].type, WASM_TYPE_I32);
  assert_int_equal(f->local_runs[1].count, 1);
  assert_int_equal(f->local_runs[1].type, WASM_TYPE_V128);
  assert_int_equal(f->local_count, 4);
  assert_int_equal(f->body_offset, at + 2);
  assert_int_equal(f->code_offset, at + 7);
  assert_int_equal(f->code_end, at + 8);
  wasm_module_free(m);
}

static void test_too_many_locals(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(&b, SEC_FUNCTION, 0x01, 0x00);
  /* 0xffffffff i32 then 1 i64: 2^32, one past the limit. */
  size_t at = SECTION(&b, SEC_CODE, 0x01, 0x0a, 0x02, 0xff, 0xff, 0xff, 0xff,
                      0x0f, 0x7f, 0x01, 0x7e, 0x0b);
  expect_error(&b, at + 9, "too many locals");

  /* Exactly 2^32 - 1 locals is allowed. */
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(&b, SEC_FUNCTION, 0x01, 0x00);
  SECTION(&b, SEC_CODE, 0x01, 0x0a, 0x02, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x7f,
          0x01, 0x7e, 0x0b);
  wasm_module *m = decode_ok(&b);
  assert_int_equal(m->funcs[0].local_count, 0xffffffffu);
  wasm_module_free(m);
}

static void test_bad_local_type(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(&b, SEC_FUNCTION, 0x01, 0x00);
  size_t at = SECTION(&b, SEC_CODE, 0x01, 0x04, 0x01, 0x01, 0x60, 0x0b);
  expect_error(&b, at + 4, "malformed value type");
}

static void test_body_missing_end(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(&b, SEC_FUNCTION, 0x01, 0x00);
  size_t at = SECTION(&b, SEC_CODE, 0x01, 0x03, 0x00, 0x41, 0x00);
  expect_error(&b, at + 4, "END opcode expected");

  /* Locals and nothing after them. */
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(&b, SEC_FUNCTION, 0x01, 0x00);
  at = SECTION(&b, SEC_CODE, 0x01, 0x01, 0x00);
  expect_error(&b, at + 3, "unexpected end");

  /* A body size running past its section. */
  mb_init(&b);
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(&b, SEC_FUNCTION, 0x01, 0x00);
  at = SECTION(&b, SEC_CODE, 0x01, 0x05, 0x00, 0x0b);
  expect_error(&b, at + 1, "length out of bounds");
}

/* ---- data segments and data count --------------------------------------- */

static void test_data_segments(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_MEMORY, 0x01, 0x00, 0x01);
  size_t at = SECTION(&b, SEC_DATA, 0x03,
                      /* active, memory 0, offset 0, 2 bytes */
                      0x00, 0x41, 0x00, 0x0b, 0x02, 0xaa, 0xbb,
                      /* passive, 3 bytes */
                      0x01, 0x03, 0xcc, 0xdd, 0xee,
                      /* active, memory 1, offset 16, empty */
                      0x02, 0x01, 0x41, 0x10, 0x0b, 0x00);
  wasm_module *m = decode_ok(&b);
  assert_int_equal(m->data_segment_count, 3);
  const wasm_data_segment *d = m->data_segments;
  assert_int_equal(d[0].mode, WASM_SEGMENT_ACTIVE);
  assert_int_equal(d[0].memory_index, 0);
  assert_int_equal(d[0].offset.kind, WASM_CONST_I32);
  assert_int_equal(d[0].data_offset, at + 6);
  assert_int_equal(d[0].size, 2);
  assert_int_equal(m->bytes[d[0].data_offset + 1], 0xbb);
  assert_int_equal(d[0].offset_in_module, at + 1);
  assert_int_equal(d[1].mode, WASM_SEGMENT_PASSIVE);
  assert_int_equal(d[1].data_offset, at + 10);
  assert_int_equal(d[1].size, 3);
  assert_int_equal(d[2].mode, WASM_SEGMENT_ACTIVE);
  assert_int_equal(d[2].memory_index, 1);
  assert_int_equal(d[2].offset.value.i32, 16);
  assert_int_equal(d[2].size, 0);
  assert_false(m->has_data_count);
  wasm_module_free(m);
}

static void test_data_errors(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t at = SECTION(&b, SEC_DATA, 0x01, 0x03, 0x00);
  expect_error(&b, at + 1, "malformed data segment kind");

  /* Seven bytes promised, six given. */
  mb_init(&b);
  at = SECTION(&b, SEC_DATA, 0x01, 0x01, 0x07, 0x61, 0x62, 0x63, 0x64, 0x65,
               0x66);
  expect_error(&b, at + 3, "unexpected end");
}

static void test_data_count_mismatch(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  SECTION(&b, SEC_DATA_COUNT, 0x02);
  size_t at = SECTION(&b, SEC_DATA, 0x01, 0x01, 0x00);
  expect_error(&b, at, "data count and data section have inconsistent lengths");

  /* A non-zero data count needs a data section. */
  mb_init(&b);
  SECTION(&b, SEC_DATA_COUNT, 0x01);
  expect_error(&b, b.len,
               "data count and data section have inconsistent lengths");

  mb_init(&b);
  SECTION(&b, SEC_DATA_COUNT, 0x00);
  wasm_module *m = decode_ok(&b);
  assert_true(m->has_data_count);
  assert_int_equal(m->data_count, 0);
  wasm_module_free(m);

  mb_init(&b);
  SECTION(&b, SEC_DATA_COUNT, 0x01);
  SECTION(&b, SEC_DATA, 0x01, 0x01, 0x00);
  m = decode_ok(&b);
  assert_int_equal(m->data_count, 1);
  assert_int_equal(m->data_segment_count, 1);
  wasm_module_free(m);
}

/* ---- custom sections and the name section ------------------------------- */

static void test_custom_sections_kept(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t first = SECTION(&b, SEC_CUSTOM, 0x01, 'a', 'x', 'y', 'z');
  SECTION(&b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(&b, SEC_CUSTOM, 0x01, 'b');
  SECTION(&b, SEC_FUNCTION, 0x01, 0x00);
  SECTION(&b, SEC_CODE, 0x01, 0x02, 0x00, 0x0b);
  SECTION(&b, SEC_CUSTOM, 0x02, 0xc3, 0xa9, 0x00);
  wasm_module *m = decode_ok(&b);
  assert_int_equal(m->custom_count, 3);
  const wasm_custom_section *c = m->customs;
  assert_true(name_is(c[0].name, "a"));
  assert_int_equal(c[0].data_offset, first + 2);
  assert_int_equal(c[0].data_size, 3);
  assert_memory_equal(m->bytes + c[0].data_offset, "xyz", 3);
  assert_int_equal(c[0].after_section, 0);
  assert_true(name_is(c[1].name, "b"));
  assert_int_equal(c[1].data_size, 0);
  assert_int_equal(c[1].after_section, SEC_TYPE);
  assert_true(name_is(c[2].name, "\xc3\xa9"));
  assert_int_equal(c[2].data_size, 1);
  assert_int_equal(c[2].after_section, SEC_CODE);
  wasm_module_free(m);
}

static void test_custom_section_errors(void **state) {
  (void)state;
  module_buf b;
  mb_init(&b);
  size_t at = SECTION(&b, SEC_CUSTOM, 0x02, 0xc0, 0x80);
  expect_error(&b, at, "malformed UTF-8 encoding");

  /* No room for the name. */
  mb_init(&b);
  RAW(&b, SEC_CUSTOM, 0x00);
  expect_error(&b, 10, "unexpected end");

  /* The name runs past the section. */
  mb_init(&b);
  at = SECTION(&b, SEC_CUSTOM, 0x05, 'a', 'b');
  expect_error(&b, at + 1, "unexpected end");
}

/* Imported function 0 and defined functions 1 and 2, then a `name`
 * section with the given subsections. */
static void build_named_module(module_buf *b, const uint8_t *subsections,
                               size_t n) {
  mb_init(b);
  SECTION(b, SEC_TYPE, 0x01, 0x60, 0x00, 0x00);
  SECTION(b, SEC_IMPORT, 0x01, 0x01, 'm', 0x01, 'f', 0x00, 0x00);
  SECTION(b, SEC_FUNCTION, 0x02, 0x00, 0x00);
  SECTION(b, SEC_CODE, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b);
  uint8_t content[120] = {0x04, 'n', 'a', 'm', 'e'};
  assert_true(n + 5 <= sizeof content);
  memcpy(content + 5, subsections, n);
  mb_section(b, SEC_CUSTOM, content, n + 5);
}

static void test_name_section(void **state) {
  (void)state;
  module_buf b;
  const uint8_t names[] = {/* module name "mod" */
                           0x00, 0x04, 0x03, 'm', 'o', 'd',
                           /* function names: 0 "imp", 2 "two" */
                           0x01, 0x0b, 0x02, 0x00, 0x03, 'i', 'm', 'p', 0x02,
                           0x03, 't', 'w', 'o',
                           /* local names: skipped */
                           0x02, 0x01, 0x00};
  build_named_module(&b, names, sizeof names);
  wasm_module *m = decode_ok(&b);
  assert_int_equal(m->func_count, 3);
  assert_true(name_is(m->module_name, "mod"));
  assert_non_null(m->func_names);
  assert_true(name_is(m->func_names[0], "imp"));
  assert_int_equal(m->func_names[1].len, 0);
  assert_true(name_is(m->func_names[2], "two"));
  assert_int_equal(m->custom_count, 1);
  wasm_module_free(m);
}

static void expect_names_ignored(const uint8_t *names, size_t n) {
  module_buf b;
  build_named_module(&b, names, n);
  wasm_module *m = decode_ok(&b);
  assert_int_equal(m->module_name.len, 0);
  for (uint32_t i = 0; i < m->func_count; i++)
    assert_int_equal(m->func_names[i].len, 0);
  /* The section itself is still there for anyone who wants the bytes. */
  assert_int_equal(m->custom_count, 1);
  wasm_module_free(m);
}

/* A malformed name section must not fail the module; anything it named
 * before the fault is forgotten. */
static void test_malformed_name_section_ignored(void **state) {
  (void)state;
  /* Function indices out of order. */
  const uint8_t descending[] = {0x00, 0x02, 0x01, 'x',  0x01, 0x07, 0x02,
                                0x02, 0x01, 'a',  0x00, 0x01, 'b'};
  expect_names_ignored(descending, sizeof descending);
  /* Function index out of range. */
  const uint8_t out_of_range[] = {0x01, 0x04, 0x01, 0x03, 0x01, 'a'};
  expect_names_ignored(out_of_range, sizeof out_of_range);
  /* Subsection size past the end of the section. */
  const uint8_t truncated[] = {0x00, 0x02, 0x01, 'x', 0x01, 0x09, 0x01};
  expect_names_ignored(truncated, sizeof truncated);
  /* Subsection not filled exactly by its contents. */
  const uint8_t slack[] = {0x00, 0x03, 0x01, 'x', 0x00};
  expect_names_ignored(slack, sizeof slack);
  /* Invalid UTF-8 in a function name. */
  const uint8_t bad_utf8[] = {0x01, 0x04, 0x01, 0x00, 0x01, 0xff};
  expect_names_ignored(bad_utf8, sizeof bad_utf8);
  /* The same subsection twice. */
  const uint8_t repeated[] = {0x00, 0x02, 0x01, 'x', 0x00, 0x02, 0x01, 'y'};
  expect_names_ignored(repeated, sizeof repeated);
}

/* ---- whole-module properties -------------------------------------------- */

/* A module using every section, for the robustness tests below. */
static void build_full_module(module_buf *b) {
  mb_init(b);
  SECTION(b, SEC_CUSTOM, 0x01, 'c', 0x01);
  SECTION(b, SEC_TYPE, 0x02, 0x60, 0x01, 0x7f, 0x01, 0x7e, 0x60, 0x00, 0x00);
  SECTION(b, SEC_IMPORT, 0x02, 0x01, 'e', 0x01, 'f', 0x00, 0x01, 0x01, 'e',
          0x01, 'g', 0x03, 0x7f, 0x00);
  SECTION(b, SEC_FUNCTION, 0x02, 0x00, 0x01);
  SECTION(b, SEC_TABLE, 0x01, 0x70, 0x01, 0x01, 0x04);
  SECTION(b, SEC_MEMORY, 0x01, 0x01, 0x01, 0x02);
  SECTION(b, SEC_GLOBAL, 0x01, 0x7e, 0x01, 0x42, 0x07, 0x0b);
  SECTION(b, SEC_EXPORT, 0x01, 0x01, 'f', 0x00, 0x01);
  SECTION(b, SEC_START, 0x02);
  SECTION(b, SEC_ELEMENT, 0x02, 0x00, 0x23, 0x00, 0x0b, 0x01, 0x02, 0x05, 0x70,
          0x01, 0xd0, 0x70, 0x0b);
  SECTION(b, SEC_DATA_COUNT, 0x02);
  SECTION(b, SEC_CODE, 0x02, 0x06, 0x01, 0x01, 0x7e, 0x42, 0x00, 0x0b, 0x02,
          0x00, 0x0b);
  SECTION(b, SEC_DATA, 0x02, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x61, 0x01, 0x01,
          0x62);
  SECTION(b, SEC_CUSTOM, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x04, 0x01, 0x02, 0x01,
          'z');
}

static void test_full_module(void **state) {
  (void)state;
  module_buf b;
  build_full_module(&b);
  wasm_module *m = decode_ok(&b);
  assert_int_equal(m->func_count, 3);
  assert_int_equal(m->global_count, 2);
  assert_int_equal(m->elem_count, 2);
  assert_int_equal(m->data_segment_count, 2);
  assert_int_equal(m->custom_count, 2);
  assert_true(name_is(m->func_names[2], "z"));
  assert_int_equal(m->funcs[0].local_count, 1);
  wasm_module_free(m);
}

/* The module keeps its own copy: names and offsets stay valid after the
 * caller's buffer changes. */
static void test_module_copies_bytes(void **state) {
  (void)state;
  module_buf b;
  build_full_module(&b);
  wasm_module *m = decode_ok(&b);
  memset(b.bytes, 0xee, b.len);
  assert_true(name_is(m->exports[0].name, "f"));
  assert_true(name_is(m->imports[1].field, "g"));
  assert_int_equal(m->bytes[0], 0x00);
  wasm_module_free(m);
}

/* Cutting the module anywhere gives a clean result: a module (when the cut
 * falls on a section boundary with nothing left inconsistent) or an error,
 * never a crash; under ASan this also catches any read past the end. */
static void test_every_prefix(void **state) {
  (void)state;
  module_buf b;
  build_full_module(&b);
  size_t accepted = 0;
  for (size_t len = 0; len < b.len; len++) {
    wasm_error err = {0};
    wasm_module *m = wasm_module_decode(b.bytes, len, &err);
    assert_true(m != NULL || err.is_set);
    if (m)
      accepted++;
    wasm_module_free(m);
  }
  /* Header only, and the ends of the first custom, type, import and data
   * sections. In between, the function section lacks its code section or
   * the data count its data section. */
  assert_int_equal(accepted, 5);
}

/* Every single-byte change decodes or fails cleanly. */
static void test_byte_mutations(void **state) {
  (void)state;
  static const uint8_t values[] = {0x00, 0x01, 0x0b, 0x40, 0x7f, 0x80, 0xff};
  module_buf b;
  build_full_module(&b);
  for (size_t i = 0; i < b.len; i++) {
    uint8_t saved = b.bytes[i];
    for (size_t k = 0; k < sizeof values; k++) {
      b.bytes[i] = values[k];
      wasm_error err = {0};
      wasm_module *m = wasm_module_decode(b.bytes, b.len, &err);
      assert_true(m != NULL || err.is_set);
      wasm_module_free(m);
    }
    b.bytes[i] = saved;
  }
}

static void test_type_names(void **state) {
  (void)state;
  assert_string_equal(wasm_type_name(WASM_TYPE_I32), "i32");
  assert_string_equal(wasm_type_name(WASM_TYPE_I64), "i64");
  assert_string_equal(wasm_type_name(WASM_TYPE_F32), "f32");
  assert_string_equal(wasm_type_name(WASM_TYPE_F64), "f64");
  assert_string_equal(wasm_type_name(WASM_TYPE_V128), "v128");
  assert_string_equal(wasm_type_name(WASM_TYPE_FUNCREF), "funcref");
  assert_string_equal(wasm_type_name(WASM_TYPE_EXTERNREF), "externref");
  assert_string_equal(wasm_type_name(0x40), "?");
  wasm_module_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty_module),
      cmocka_unit_test(test_bad_magic),
      cmocka_unit_test(test_bad_version),
      cmocka_unit_test(test_malformed_section_id),
      cmocka_unit_test(test_tags),
      cmocka_unit_test(test_bad_tags),
      cmocka_unit_test(test_section_out_of_order),
      cmocka_unit_test(test_duplicate_section),
      cmocka_unit_test(test_data_count_order),
      cmocka_unit_test(test_section_size_mismatch),
      cmocka_unit_test(test_section_content_runs_short),
      cmocka_unit_test(test_section_size_past_end),
      cmocka_unit_test(test_type_section),
      cmocka_unit_test(test_bad_value_type),
      cmocka_unit_test(test_bad_function_type_form),
      cmocka_unit_test(test_hostile_counts),
      cmocka_unit_test(test_imports_and_index_spaces),
      cmocka_unit_test(test_imports_only),
      cmocka_unit_test(test_bad_import_kind),
      cmocka_unit_test(test_bad_import_name),
      cmocka_unit_test(test_bad_limits_flag),
      cmocka_unit_test(test_memory_limits),
      cmocka_unit_test(test_shared_memory_limits),
      cmocka_unit_test(test_memory64_limits),
      cmocka_unit_test(test_bad_table_type),
      cmocka_unit_test(test_bad_mutability),
      cmocka_unit_test(test_global_const_exprs),
      cmocka_unit_test(test_const_expr_errors),
      cmocka_unit_test(test_memory_indices),
      cmocka_unit_test(test_exports_and_start),
      cmocka_unit_test(test_bad_export_kind),
      cmocka_unit_test(test_element_encodings),
      cmocka_unit_test(test_element_errors),
      cmocka_unit_test(test_function_code_count_mismatch),
      cmocka_unit_test(test_code_entry_fields),
      cmocka_unit_test(test_too_many_locals),
      cmocka_unit_test(test_bad_local_type),
      cmocka_unit_test(test_body_missing_end),
      cmocka_unit_test(test_data_segments),
      cmocka_unit_test(test_data_errors),
      cmocka_unit_test(test_data_count_mismatch),
      cmocka_unit_test(test_custom_sections_kept),
      cmocka_unit_test(test_custom_section_errors),
      cmocka_unit_test(test_name_section),
      cmocka_unit_test(test_malformed_name_section_ignored),
      cmocka_unit_test(test_full_module),
      cmocka_unit_test(test_module_copies_bytes),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_byte_mutations),
      cmocka_unit_test(test_type_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
