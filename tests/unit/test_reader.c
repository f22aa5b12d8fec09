/* Unit tests for the byte reader: LEB128 limits and UTF-8 names.
 *
 * The binary format is strict about integers: at most ceil(N/7) bytes, and
 * the unused bits of the last byte must be zero (unsigned) or copies of the
 * sign bit (signed). These tables pin each rule at its edge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wasm_reader.h"

typedef struct leb_case {
  uint8_t bytes[12];
  size_t len;
  bool ok;
  uint64_t value;      /* when ok: the result, as raw bits */
  const char *message; /* when not ok: expected message prefix */
  size_t err_offset;   /* when not ok */
} leb_case;

#define TOO_LONG "integer representation too long"
#define TOO_LARGE "integer too large"
#define UNEXPECTED_END "unexpected end"

typedef bool (*leb_reader_fn)(wasm_reader *r, uint64_t *out);

static bool read_u32_as64(wasm_reader *r, uint64_t *out) {
  uint32_t v;
  bool ok = wasm_read_u32(r, &v);
  *out = v;
  return ok;
}

static bool read_s32_as64(wasm_reader *r, uint64_t *out) {
  int32_t v;
  bool ok = wasm_read_s32(r, &v);
  *out = (uint64_t)(int64_t)v;
  return ok;
}

static bool read_s33_as64(wasm_reader *r, uint64_t *out) {
  int64_t v;
  bool ok = wasm_read_s33(r, &v);
  *out = (uint64_t)v;
  return ok;
}

static bool read_s64_as64(wasm_reader *r, uint64_t *out) {
  int64_t v;
  bool ok = wasm_read_s64(r, &v);
  *out = (uint64_t)v;
  return ok;
}

static bool read_u64_as64(wasm_reader *r, uint64_t *out) {
  return wasm_read_u64(r, out);
}

/* Runs each case from offset 0; a successful read must consume exactly the
 * case's bytes. */
static void check_leb_cases(leb_reader_fn read, const leb_case *cases,
                            size_t count) {
  for (size_t i = 0; i < count; i++) {
    const leb_case *c = &cases[i];
    wasm_error err = {0};
    wasm_reader r = {c->bytes, 0, c->len, &err};
    uint64_t value = 0;
    bool ok = read(&r, &value);
    if (ok != c->ok)
      fail_msg("case %zu: expected %s, got %s (%s)", i,
               c->ok ? "success" : "failure", ok ? "success" : "failure",
               err.message);
    if (ok) {
      if (value != c->value)
        fail_msg("case %zu: value 0x%llx, expected 0x%llx", i,
                 (unsigned long long)value, (unsigned long long)c->value);
      if (r.pos != c->len)
        fail_msg("case %zu: consumed %zu of %zu bytes", i, r.pos, c->len);
      continue;
    }
    if (strncmp(err.message, c->message, strlen(c->message)) != 0)
      fail_msg("case %zu: message \"%s\", expected \"%s\"", i, err.message,
               c->message);
    if (err.offset != c->err_offset)
      fail_msg("case %zu: error offset %zu, expected %zu", i, err.offset,
               c->err_offset);
  }
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void test_u32(void **state) {
  (void)state;
  static const leb_case cases[] = {
      {{0x00}, 1, true, 0, NULL, 0},
      {{0x7f}, 1, true, 127, NULL, 0},
      {{0x80, 0x01}, 2, true, 128, NULL, 0},
      {{0xe5, 0x8e, 0x26}, 3, true, 624485, NULL, 0},
      /* Longest encoding of the largest value. */
      {{0xff, 0xff, 0xff, 0xff, 0x0f}, 5, true, 0xffffffffu, NULL, 0},
      /* Non-minimal encodings are fine up to the length limit. */
      {{0x80, 0x80, 0x80, 0x80, 0x00}, 5, true, 0, NULL, 0},
      {{0x82, 0x80, 0x80, 0x80, 0x00}, 5, true, 2, NULL, 0},
      /* A sixth byte. */
      {{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 6, false, 0, TOO_LONG, 0},
      {{0x82, 0x80, 0x80, 0x80, 0x80, 0x00}, 6, false, 0, TOO_LONG, 0},
      /* Bits 32 and up in the fifth byte. */
      {{0xff, 0xff, 0xff, 0xff, 0x1f}, 5, false, 0, TOO_LARGE, 0},
      {{0x82, 0x80, 0x80, 0x80, 0x70}, 5, false, 0, TOO_LARGE, 0},
      {{0x82, 0x80, 0x80, 0x80, 0x40}, 5, false, 0, TOO_LARGE, 0},
      {{0x80, 0x80, 0x80, 0x80, 0x10}, 5, false, 0, TOO_LARGE, 0},
      /* Truncated: the error is where the missing byte should be. */
      {{0}, 0, false, 0, UNEXPECTED_END, 0},
      {{0x80}, 1, false, 0, UNEXPECTED_END, 1},
      {{0xff, 0xff, 0xff, 0xff}, 4, false, 0, UNEXPECTED_END, 4},
  };
  check_leb_cases(read_u32_as64, cases, COUNT(cases));
}

static void test_s32(void **state) {
  (void)state;
  static const leb_case cases[] = {
      {{0x00}, 1, true, 0, NULL, 0},
      {{0x3f}, 1, true, 63, NULL, 0},
      /* Bit 6 of the last byte is the sign. */
      {{0x40}, 1, true, (uint64_t)-64, NULL, 0},
      {{0x7f}, 1, true, (uint64_t)-1, NULL, 0},
      {{0xc0, 0x00}, 2, true, 64, NULL, 0},
      {{0x80, 0x7f}, 2, true, (uint64_t)-128, NULL, 0},
      {{0xff, 0xff, 0xff, 0xff, 0x07}, 5, true, 0x7fffffff, NULL, 0},
      {{0x80, 0x80, 0x80, 0x80, 0x78},
       5,
       true,
       (uint64_t)(int64_t)INT32_MIN,
       NULL,
       0},
      /* Non-minimal encodings of 0 and -1. */
      {{0x80, 0x80, 0x80, 0x80, 0x00}, 5, true, 0, NULL, 0},
      {{0xff, 0xff, 0xff, 0xff, 0x7f}, 5, true, (uint64_t)-1, NULL, 0},
      {{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 6, false, 0, TOO_LONG, 0},
      {{0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, 6, false, 0, TOO_LONG, 0},
      /* The unused bits must all equal the sign bit (bit 3 of byte 5). */
      {{0x80, 0x80, 0x80, 0x80, 0x70}, 5, false, 0, TOO_LARGE, 0},
      {{0xff, 0xff, 0xff, 0xff, 0x0f}, 5, false, 0, TOO_LARGE, 0},
      {{0x80, 0x80, 0x80, 0x80, 0x1f}, 5, false, 0, TOO_LARGE, 0},
      {{0xff, 0xff, 0xff, 0xff, 0x4f}, 5, false, 0, TOO_LARGE, 0},
      {{0xc0}, 1, false, 0, UNEXPECTED_END, 1},
  };
  check_leb_cases(read_s32_as64, cases, COUNT(cases));
}

static void test_s33(void **state) {
  (void)state;
  static const leb_case cases[] = {
      /* Block types: 0x40 is the empty type, -64. */
      {{0x40}, 1, true, (uint64_t)-64, NULL, 0},
      {{0x7f}, 1, true, (uint64_t)-1, NULL, 0},
      {{0x05}, 1, true, 5, NULL, 0},
      /* 33 bits hold every u32 type index as a positive number. */
      {{0xff, 0xff, 0xff, 0xff, 0x0f}, 5, true, 0xffffffffu, NULL, 0},
      {{0x80, 0x80, 0x80, 0x80, 0x70},
       5,
       true,
       (uint64_t) - (INT64_C(1) << 32),
       NULL,
       0},
      {{0xff, 0xff, 0xff, 0xff, 0x7f}, 5, true, (uint64_t)-1, NULL, 0},
      /* Sign bit is bit 4 of byte 5; bits 5 and 6 must copy it. */
      {{0xff, 0xff, 0xff, 0xff, 0x2f}, 5, false, 0, TOO_LARGE, 0},
      {{0x80, 0x80, 0x80, 0x80, 0x50}, 5, false, 0, TOO_LARGE, 0},
      {{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 6, false, 0, TOO_LONG, 0},
  };
  check_leb_cases(read_s33_as64, cases, COUNT(cases));
}

static void test_s64(void **state) {
  (void)state;
  static const leb_case cases[] = {
      {{0x7f}, 1, true, (uint64_t)-1, NULL, 0},
      {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00},
       10,
       true,
       (uint64_t)INT64_MAX,
       NULL,
       0},
      {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f},
       10,
       true,
       (uint64_t)INT64_MIN,
       NULL,
       0},
      {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
       10,
       true,
       (uint64_t)-1,
       NULL,
       0},
      /* Sign extension from a short encoding reaches bit 63. */
      {{0x80, 0x80, 0x80, 0x80, 0x70},
       5,
       true,
       (uint64_t) - (INT64_C(1) << 32),
       NULL,
       0},
      {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
       11,
       false,
       0,
       TOO_LONG,
       0},
      /* Only bit 0 of byte 10 is payload; bits 1-6 must copy it. */
      {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7e},
       10,
       false,
       0,
       TOO_LARGE,
       0},
      {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
       10,
       false,
       0,
       TOO_LARGE,
       0},
      {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02},
       10,
       false,
       0,
       TOO_LARGE,
       0},
      {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x41},
       10,
       false,
       0,
       TOO_LARGE,
       0},
      {{0xff, 0xff, 0xff}, 3, false, 0, UNEXPECTED_END, 3},
  };
  check_leb_cases(read_s64_as64, cases, COUNT(cases));
}

static void test_u64(void **state) {
  (void)state;
  static const leb_case cases[] = {
      {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
       10,
       true,
       0,
       NULL,
       0},
      {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
       10,
       true,
       UINT64_MAX,
       NULL,
       0},
      {{0x80, 0x80, 0x80, 0x80, 0x10}, 5, true, UINT64_C(1) << 32, NULL, 0},
      {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02},
       10,
       false,
       0,
       TOO_LARGE,
       0},
      {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
       11,
       false,
       0,
       TOO_LONG,
       0},
  };
  check_leb_cases(read_u64_as64, cases, COUNT(cases));
}

/* Errors carry the offset of the integer's first byte, from the start of
 * the whole module, not of the reader's window. */
static void test_leb_error_offset_is_module_relative(void **state) {
  (void)state;
  static const uint8_t bytes[] = {0xaa, 0xbb, 0x80, 0x80,
                                  0x80, 0x80, 0x80, 0x00};
  wasm_error err = {0};
  wasm_reader r = {bytes, 2, sizeof bytes, &err};
  uint32_t v;
  assert_false(wasm_read_u32(&r, &v));
  assert_true(err.is_set);
  assert_int_equal(err.offset, 2);
  assert_string_equal(err.message, TOO_LONG);
}

/* A window's end is a hard stop even when more bytes follow in memory. */
static void test_window_end_stops_reads(void **state) {
  (void)state;
  static const uint8_t bytes[] = {0x80, 0x01, 0x05};
  wasm_error err = {0};
  wasm_reader r = {bytes, 0, 1, &err};
  uint32_t v;
  assert_false(wasm_read_u32(&r, &v));
  assert_int_equal(err.offset, 1);
  const uint8_t *p;
  wasm_error err2 = {0};
  wasm_reader r2 = {bytes, 1, 3, &err2};
  assert_false(wasm_read_bytes(&r2, 3, &p));
  assert_int_equal(r2.pos, 1);
  assert_true(wasm_read_bytes(&r2, 2, &p));
  assert_ptr_equal(p, bytes + 1);
  assert_true(wasm_reader_at_end(&r2));
}

static void test_first_error_wins(void **state) {
  (void)state;
  static const uint8_t bytes[] = {0xff, 0xff, 0xff, 0xff, 0x7f};
  wasm_error err = {0};
  wasm_reader r = {bytes, 0, sizeof bytes, &err};
  uint32_t v;
  assert_false(wasm_read_u32(&r, &v));
  r.pos = 5;
  uint8_t b;
  assert_false(wasm_read_u8(&r, &b));
  assert_int_equal(err.offset, 0);
  assert_string_equal(err.message, TOO_LARGE);
}

static void test_float_bits_little_endian(void **state) {
  (void)state;
  static const uint8_t bytes[] = {0x01, 0x00, 0xc0, 0x7f, 0x01, 0x00,
                                  0x00, 0x00, 0x00, 0x00, 0xf8, 0x7f};
  wasm_error err = {0};
  wasm_reader r = {bytes, 0, sizeof bytes, &err};
  uint32_t f32;
  uint64_t f64;
  assert_true(wasm_read_f32_bits(&r, &f32));
  /* A NaN with a payload: the bits survive unconverted. */
  assert_int_equal(f32, 0x7fc00001u);
  assert_true(wasm_read_f64_bits(&r, &f64));
  assert_int_equal(f64, UINT64_C(0x7ff8000000000001));
  assert_false(wasm_read_f32_bits(&r, &f32));
  assert_int_equal(err.offset, 12);
}

/* ---- UTF-8 -------------------------------------------------------------- */

typedef struct utf8_case {
  const char *s;
  size_t len;
} utf8_case;

#define U(lit)                                                                 \
  { lit, sizeof(lit) - 1 }

static void test_utf8_valid(void **state) {
  (void)state;
  static const utf8_case cases[] = {
      U(""),
      U("abc"),
      U("\0"),               /* NUL is a character like any other */
      U("\xc2\x80"),         /* U+0080, smallest two-byte */
      U("\xdf\xbf"),         /* U+07FF */
      U("\xe0\xa0\x80"),     /* U+0800, smallest three-byte */
      U("\xed\x9f\xbf"),     /* U+D7FF, just below the surrogates */
      U("\xee\x80\x80"),     /* U+E000, just above them */
      U("\xef\xbf\xbf"),     /* U+FFFF */
      U("\xf0\x90\x80\x80"), /* U+10000, smallest four-byte */
      U("\xf4\x8f\xbf\xbf"), /* U+10FFFF, the last code point */
      U("a\xc3\xa9z\xe2\x82\xac"),
  };
  for (size_t i = 0; i < COUNT(cases); i++)
    if (!wasm_utf8_valid((const uint8_t *)cases[i].s, cases[i].len))
      fail_msg("case %zu rejected", i);
}

static void test_utf8_invalid(void **state) {
  (void)state;
  static const utf8_case cases[] = {
      /* Overlong forms. */
      U("\xc0\x80"),
      U("\xc1\xbf"),
      U("\xe0\x80\x80"),
      U("\xe0\x9f\xbf"),
      U("\xf0\x80\x80\x80"),
      U("\xf0\x8f\xbf\xbf"),
      /* Surrogates. */
      U("\xed\xa0\x80"),
      U("\xed\xbf\xbf"),
      /* Above U+10FFFF, and lead bytes that cannot start anything. */
      U("\xf4\x90\x80\x80"),
      U("\xf5\x80\x80\x80"),
      U("\xf7\xbf\xbf\xbf"),
      U("\xf8\x88\x80\x80\x80"),
      U("\xfe"),
      U("\xff"),
      /* Truncated sequences. */
      U("\xc2"),
      U("\xe0\xa0"),
      U("\xf0\x90\x80"),
      U("a\xc2"),
      /* Stray or missing continuation bytes. */
      U("\x80"),
      U("a\xbf"),
      U("\xc2\x41"),
      U("\xe0\xa0\xc0"),
      U("\xf0\x90\x80\x7f"),
  };
  for (size_t i = 0; i < COUNT(cases); i++)
    if (wasm_utf8_valid((const uint8_t *)cases[i].s, cases[i].len))
      fail_msg("case %zu accepted", i);
}

/* The length limits the check: bytes past it are never looked at. */
static void test_utf8_respects_length(void **state) {
  (void)state;
  static const uint8_t bytes[] = {'o', 'k', 0xc2};
  assert_true(wasm_utf8_valid(bytes, 2));
  assert_false(wasm_utf8_valid(bytes, 3));
}

static void test_read_name(void **state) {
  (void)state;
  static const uint8_t bytes[] = {0x00, 0x03, 'a',  0xc3,
                                  0xa9, 0x02, 0xc0, 0x80};
  wasm_error err = {0};
  wasm_reader r = {bytes, 1, sizeof bytes, &err};
  const char *name;
  uint32_t len;
  assert_true(wasm_read_name(&r, &name, &len));
  assert_int_equal(len, 3);
  assert_ptr_equal(name, (const char *)bytes + 2);
  assert_int_equal(r.pos, 5);
  assert_false(wasm_read_name(&r, &name, &len));
  assert_int_equal(err.offset, 5);
  assert_string_equal(err.message, "malformed UTF-8 encoding in name");
}

static void test_read_name_too_long(void **state) {
  (void)state;
  static const uint8_t bytes[] = {0x05, 'a', 'b'};
  wasm_error err = {0};
  wasm_reader r = {bytes, 0, sizeof bytes, &err};
  const char *name;
  uint32_t len;
  assert_false(wasm_read_name(&r, &name, &len));
  assert_int_equal(err.offset, 1);
  assert_true(strncmp(err.message, UNEXPECTED_END, strlen(UNEXPECTED_END)) ==
              0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_u32),
      cmocka_unit_test(test_s32),
      cmocka_unit_test(test_s33),
      cmocka_unit_test(test_s64),
      cmocka_unit_test(test_u64),
      cmocka_unit_test(test_leb_error_offset_is_module_relative),
      cmocka_unit_test(test_window_end_stops_reads),
      cmocka_unit_test(test_first_error_wins),
      cmocka_unit_test(test_float_bits_little_endian),
      cmocka_unit_test(test_utf8_valid),
      cmocka_unit_test(test_utf8_invalid),
      cmocka_unit_test(test_utf8_respects_length),
      cmocka_unit_test(test_read_name),
      cmocka_unit_test(test_read_name_too_long),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
