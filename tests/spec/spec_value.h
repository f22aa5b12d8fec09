/* Typed Wasm values from the script's JSON: invocation arguments and
 * expected results.
 *
 * wast2json writes every number as an unsigned decimal string of its bit
 * pattern (floats included), so a value is kept as raw bits and compared
 * bit for bit; only expected results may instead hold a NaN pattern
 * ("nan:canonical", "nan:arithmetic"), per scalar or per float lane. */
#ifndef WASMAOT_SPEC_VALUE_H
#define WASMAOT_SPEC_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "wasm_module.h"

typedef enum spec_value_type {
  SPEC_VALUE_I32,
  SPEC_VALUE_I64,
  SPEC_VALUE_F32,
  SPEC_VALUE_F64,
  SPEC_VALUE_V128,
  SPEC_VALUE_FUNCREF,
  SPEC_VALUE_EXTERNREF,
  /* Expected results only (the 3.0 scripts, tests/spec/wast_to_json.mjs):
   * a null of any reference type, `(ref.null)`; and one of several
   * results, `(either ...)`, for relaxed SIMD's implementation-defined
   * choices. */
  SPEC_VALUE_NULL_REF,
  SPEC_VALUE_EITHER,
} spec_value_type;

/* How the script spelled a v128's lanes; NaN patterns need float lanes. */
typedef enum spec_lane_type {
  SPEC_LANE_I8,
  SPEC_LANE_I16,
  SPEC_LANE_I32,
  SPEC_LANE_I64,
  SPEC_LANE_F32,
  SPEC_LANE_F64,
} spec_lane_type;

typedef enum spec_float_pattern {
  SPEC_FLOAT_EXACT, /* compare the bits */
  SPEC_NAN_CANONICAL,
  SPEC_NAN_ARITHMETIC,
} spec_float_pattern;

#define SPEC_MAX_FLOAT_LANES 4

typedef struct spec_value {
  spec_value_type type;
  /* No "value" member: any value of the type matches. wast2json writes
   * these for the result types of assert_trap and assert_exhaustion. */
  bool type_only;
  spec_lane_type lane_type; /* v128 only */
  /* f32/f64 use [0]; v128 uses one entry per f32 or f64 lane. */
  spec_float_pattern pattern[SPEC_MAX_FLOAT_LANES];
  union {
    uint32_t i32;
    uint64_t i64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    uint8_t v128[16]; /* lane 0 first, each lane little-endian */
    struct {
      bool is_null;
      /* Expected only: any non-null reference, `(ref.func)` or
       * `(ref.extern)` without a number ("value": "nonnull"). */
      bool any_non_null;
      uint64_t host_id; /* externref: the script's (ref.extern N) */
    } ref;
    struct {
      struct spec_value *values; /* owned: spec_value_release() */
      size_t count;
    } either;
  } of;
} spec_value;

/* Parses {"type": "i32", "value": "42"} and friends. On failure writes a
 * reason into `why` and returns false. */
bool spec_value_parse(const json_value *json, spec_value *out, char *why,
                      size_t why_size);

/* Frees what a parsed value owns (the alternatives of an `either`). */
void spec_value_release(spec_value *v);

/* True when the value holds a NaN pattern or is type-only: it can be
 * expected but not passed as an argument. */
bool spec_value_is_pattern(const spec_value *v);

/* Whether `actual` (a concrete value) satisfies `expected`. */
bool spec_value_matches(const spec_value *expected, const spec_value *actual);

/* The Wasm value type, for checking against a function signature. */
wasm_type spec_value_wasm_type(const spec_value *v);

const char *spec_value_type_name(spec_value_type type);

/* "i32:42", "f32:nan:canonical", "v128:i16[1 2 3 4 5 6 7 8]", ... for
 * failure messages. Always NUL-terminates. */
void spec_value_format(const spec_value *v, char *buf, size_t size);

#endif
