#include "spec_value.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  spec_value_type type;
} value_type_names[] = {
    {"i32", SPEC_VALUE_I32},
    {"i64", SPEC_VALUE_I64},
    {"f32", SPEC_VALUE_F32},
    {"f64", SPEC_VALUE_F64},
    {"v128", SPEC_VALUE_V128},
    {"funcref", SPEC_VALUE_FUNCREF},
    {"externref", SPEC_VALUE_EXTERNREF},
    {"ref", SPEC_VALUE_NULL_REF},
    {"either", SPEC_VALUE_EITHER},
};

static const struct {
  const char *name;
  unsigned bits;
} lane_types[] = {
    [SPEC_LANE_I8] = {"i8", 8},    [SPEC_LANE_I16] = {"i16", 16},
    [SPEC_LANE_I32] = {"i32", 32}, [SPEC_LANE_I64] = {"i64", 64},
    [SPEC_LANE_F32] = {"f32", 32}, [SPEC_LANE_F64] = {"f64", 64},
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *spec_value_type_name(spec_value_type type) {
  for (size_t i = 0; i < COUNT_OF(value_type_names); i++)
    if (value_type_names[i].type == type)
      return value_type_names[i].name;
  return "?";
}

__attribute__((format(printf, 3, 4))) static bool
fail(char *why, size_t why_size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, why_size, fmt, ap);
  va_end(ap);
  return false;
}

/* ---- parsing -------------------------------------------------------- */

/* Strict unsigned decimal: digits only, no sign, no overflow past `max`. */
static bool parse_decimal(const json_string *s, uint64_t max, uint64_t *out) {
  if (s->len == 0)
    return false;
  uint64_t v = 0;
  for (size_t i = 0; i < s->len; i++) {
    char c = s->data[i];
    if (c < '0' || c > '9')
      return false;
    unsigned digit = (unsigned)(c - '0');
    if (v > (max - digit) / 10)
      return false;
    v = v * 10 + digit;
  }
  *out = v;
  return true;
}

static bool parse_nan_pattern(const json_string *s, spec_float_pattern *out) {
  if (strcmp(s->data, "nan:canonical") == 0 && s->len == 13) {
    *out = SPEC_NAN_CANONICAL;
    return true;
  }
  if (strcmp(s->data, "nan:arithmetic") == 0 && s->len == 14) {
    *out = SPEC_NAN_ARITHMETIC;
    return true;
  }
  return false;
}

/* A float's bits or a NaN pattern. */
static bool parse_float_text(const json_string *s, unsigned bits,
                             uint64_t *value, spec_float_pattern *pattern) {
  *value = 0;
  *pattern = SPEC_FLOAT_EXACT;
  if (parse_nan_pattern(s, pattern))
    return true;
  return parse_decimal(s, bits == 32 ? UINT32_MAX : UINT64_MAX, value);
}

static bool parse_ref(const json_string *s, spec_value *out) {
  out->of.ref.is_null = strcmp(s->data, "null") == 0 && s->len == 4;
  out->of.ref.any_non_null = strcmp(s->data, "nonnull") == 0 && s->len == 7;
  out->of.ref.host_id = 0;
  if (out->type == SPEC_VALUE_NULL_REF)
    return out->of.ref.is_null;
  return out->of.ref.is_null || out->of.ref.any_non_null ||
         parse_decimal(s, UINT64_MAX, &out->of.ref.host_id);
}

static bool parse_scalar(const json_value *value, spec_value *out, char *why,
                         size_t why_size) {
  if (!value || value->kind != JSON_STRING)
    return fail(why, why_size, "\"value\" of %s is not a string",
                spec_value_type_name(out->type));
  const json_string *s = &value->as.string;
  uint64_t bits = 0;
  bool ok = false;
  switch (out->type) {
  case SPEC_VALUE_I32:
    ok = parse_decimal(s, UINT32_MAX, &bits);
    out->of.i32 = (uint32_t)bits;
    break;
  case SPEC_VALUE_I64:
    ok = parse_decimal(s, UINT64_MAX, &bits);
    out->of.i64 = bits;
    break;
  case SPEC_VALUE_F32:
    ok = parse_float_text(s, 32, &bits, &out->pattern[0]);
    out->of.f32_bits = (uint32_t)bits;
    break;
  case SPEC_VALUE_F64:
    ok = parse_float_text(s, 64, &bits, &out->pattern[0]);
    out->of.f64_bits = bits;
    break;
  case SPEC_VALUE_FUNCREF:
  case SPEC_VALUE_EXTERNREF:
  case SPEC_VALUE_NULL_REF:
    ok = parse_ref(s, out);
    break;
  case SPEC_VALUE_V128:
  case SPEC_VALUE_EITHER:
    break;
  }
  if (!ok)
    return fail(why, why_size, "bad %s value \"%s\"",
                spec_value_type_name(out->type), s->data);
  return true;
}

static bool lane_type_from_json(const json_value *json, spec_lane_type *out) {
  for (size_t i = 0; i < COUNT_OF(lane_types); i++) {
    if (json_string_equals(json, lane_types[i].name)) {
      *out = (spec_lane_type)i;
      return true;
    }
  }
  return false;
}

static bool is_float_lane(spec_lane_type t) {
  return t == SPEC_LANE_F32 || t == SPEC_LANE_F64;
}

static void store_lane(uint8_t *v128, size_t lane, unsigned bits,
                       uint64_t value) {
  size_t bytes = bits / 8;
  for (size_t b = 0; b < bytes; b++)
    v128[lane * bytes + b] = (uint8_t)(value >> (8 * b));
}

static bool parse_lane(const json_value *json, spec_value *out, size_t lane,
                       char *why, size_t why_size) {
  unsigned bits = lane_types[out->lane_type].bits;
  if (!json || json->kind != JSON_STRING)
    return fail(why, why_size, "v128 lane %zu is not a string", lane);
  const json_string *s = &json->as.string;
  uint64_t value = 0;
  bool ok;
  if (is_float_lane(out->lane_type))
    ok = parse_float_text(s, bits, &value, &out->pattern[lane]);
  else
    ok = parse_decimal(s, bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1,
                       &value);
  if (!ok)
    return fail(why, why_size, "bad %s lane \"%s\"",
                lane_types[out->lane_type].name, s->data);
  store_lane(out->of.v128, lane, bits, value);
  return true;
}

static bool parse_v128(const json_value *json, const json_value *value,
                       spec_value *out, char *why, size_t why_size) {
  if (!lane_type_from_json(json_object_get(json, "lane_type"), &out->lane_type))
    return fail(why, why_size, "v128 without a valid \"lane_type\"");
  size_t lanes = 128 / lane_types[out->lane_type].bits;
  if (!value || value->kind != JSON_ARRAY || value->as.array.count != lanes)
    return fail(why, why_size, "v128 %s value is not an array of %zu lanes",
                lane_types[out->lane_type].name, lanes);
  for (size_t i = 0; i < lanes; i++)
    if (!parse_lane(json_array_at(value, i), out, i, why, why_size))
      return false;
  return true;
}

static bool value_type_from_json(const json_value *json, spec_value_type *out) {
  for (size_t i = 0; i < COUNT_OF(value_type_names); i++) {
    if (json_string_equals(json, value_type_names[i].name)) {
      *out = value_type_names[i].type;
      return true;
    }
  }
  return false;
}

void spec_value_release(spec_value *v) {
  if (v->type != SPEC_VALUE_EITHER)
    return;
  for (size_t i = 0; i < v->of.either.count; i++)
    spec_value_release(&v->of.either.values[i]);
  free(v->of.either.values);
  v->of.either.values = NULL;
  v->of.either.count = 0;
}

/* {"type": "either", "values": [...]}: alternatives, not nested. */
static bool parse_either(const json_value *values, spec_value *out, char *why,
                         size_t why_size) {
  if (!values || values->kind != JSON_ARRAY || values->as.array.count == 0)
    return fail(why, why_size, "either without \"values\"");
  size_t n = values->as.array.count;
  out->of.either.values = calloc(n, sizeof *out->of.either.values);
  if (!out->of.either.values)
    return fail(why, why_size, "out of memory");
  out->of.either.count = n;
  for (size_t i = 0; i < n; i++) {
    spec_value *alt = &out->of.either.values[i];
    if (!spec_value_parse(json_array_at(values, i), alt, why, why_size) ||
        alt->type == SPEC_VALUE_EITHER) {
      if (alt->type == SPEC_VALUE_EITHER)
        fail(why, why_size, "either inside either");
      spec_value_release(out);
      return false;
    }
  }
  return true;
}

bool spec_value_parse(const json_value *json, spec_value *out, char *why,
                      size_t why_size) {
  memset(out, 0, sizeof *out);
  if (!json || json->kind != JSON_OBJECT)
    return fail(why, why_size, "value is not an object");
  const json_value *type = json_object_get(json, "type");
  if (!value_type_from_json(type, &out->type))
    return fail(why, why_size, "unknown value type \"%s\"",
                json_as_cstring(type) ? json_as_cstring(type) : "(none)");
  if (out->type == SPEC_VALUE_EITHER)
    return parse_either(json_object_get(json, "values"), out, why, why_size);
  const json_value *value = json_object_get(json, "value");
  if (!value) {
    out->type_only = true;
    return true;
  }
  if (out->type == SPEC_VALUE_V128)
    return parse_v128(json, value, out, why, why_size);
  return parse_scalar(value, out, why, why_size);
}

/* ---- queries -------------------------------------------------------- */

static size_t float_pattern_count(const spec_value *v) {
  switch (v->type) {
  case SPEC_VALUE_F32:
  case SPEC_VALUE_F64:
    return 1;
  case SPEC_VALUE_V128:
    return v->lane_type == SPEC_LANE_F32   ? 4
           : v->lane_type == SPEC_LANE_F64 ? 2
                                           : 0;
  default:
    return 0;
  }
}

bool spec_value_is_pattern(const spec_value *v) {
  if (v->type_only || v->type == SPEC_VALUE_EITHER ||
      v->type == SPEC_VALUE_NULL_REF)
    return true;
  if ((v->type == SPEC_VALUE_FUNCREF || v->type == SPEC_VALUE_EXTERNREF) &&
      v->of.ref.any_non_null)
    return true;
  for (size_t i = 0; i < float_pattern_count(v); i++)
    if (v->pattern[i] != SPEC_FLOAT_EXACT)
      return true;
  return false;
}

wasm_type spec_value_wasm_type(const spec_value *v) {
  switch (v->type) {
  case SPEC_VALUE_I32:
    return WASM_TYPE_I32;
  case SPEC_VALUE_I64:
    return WASM_TYPE_I64;
  case SPEC_VALUE_F32:
    return WASM_TYPE_F32;
  case SPEC_VALUE_F64:
    return WASM_TYPE_F64;
  case SPEC_VALUE_V128:
    return WASM_TYPE_V128;
  case SPEC_VALUE_FUNCREF:
    return WASM_TYPE_FUNCREF;
  case SPEC_VALUE_EXTERNREF:
    return WASM_TYPE_EXTERNREF;
  case SPEC_VALUE_NULL_REF:
    return WASM_TYPE_FUNCREF;
  case SPEC_VALUE_EITHER:
    return spec_value_wasm_type(&v->of.either.values[0]);
  }
  return 0;
}

/* ---- matching ------------------------------------------------------- */

/* The spec's NaN classes: a canonical NaN has only the top payload bit
 * set; an arithmetic NaN has at least that bit set. Either sign. */
static bool float_bits_match(spec_float_pattern pattern, unsigned bits,
                             uint64_t expected, uint64_t actual) {
  uint64_t sign = UINT64_C(1) << (bits - 1);
  uint64_t quiet_nan =
      bits == 32 ? UINT64_C(0x7fc00000) : UINT64_C(0x7ff8000000000000);
  switch (pattern) {
  case SPEC_NAN_CANONICAL:
    return (actual & ~sign) == quiet_nan;
  case SPEC_NAN_ARITHMETIC:
    return (actual & quiet_nan) == quiet_nan;
  case SPEC_FLOAT_EXACT:
    break;
  }
  return expected == actual;
}

static uint64_t load_lane(const uint8_t *v128, size_t lane, unsigned bits) {
  size_t bytes = bits / 8;
  uint64_t value = 0;
  for (size_t b = 0; b < bytes; b++)
    value |= (uint64_t)v128[lane * bytes + b] << (8 * b);
  return value;
}

static bool v128_matches(const spec_value *expected, const spec_value *actual) {
  if (!is_float_lane(expected->lane_type))
    return memcmp(expected->of.v128, actual->of.v128, 16) == 0;
  unsigned bits = lane_types[expected->lane_type].bits;
  for (size_t i = 0; i < 128 / bits; i++) {
    if (!float_bits_match(expected->pattern[i], bits,
                          load_lane(expected->of.v128, i, bits),
                          load_lane(actual->of.v128, i, bits)))
      return false;
  }
  return true;
}

static bool ref_matches(const spec_value *expected, const spec_value *actual) {
  if (expected->of.ref.is_null || actual->of.ref.is_null)
    return expected->of.ref.is_null == actual->of.ref.is_null;
  /* A non-null funcref names no particular function in the script. */
  return expected->type == SPEC_VALUE_FUNCREF ||
         expected->of.ref.any_non_null ||
         expected->of.ref.host_id == actual->of.ref.host_id;
}

bool spec_value_matches(const spec_value *expected, const spec_value *actual) {
  if (expected->type == SPEC_VALUE_EITHER) {
    for (size_t i = 0; i < expected->of.either.count; i++)
      if (spec_value_matches(&expected->of.either.values[i], actual))
        return true;
    return false;
  }
  if (expected->type == SPEC_VALUE_NULL_REF)
    return (actual->type == SPEC_VALUE_FUNCREF ||
            actual->type == SPEC_VALUE_EXTERNREF) &&
           actual->of.ref.is_null;
  if (expected->type != actual->type)
    return false;
  if (expected->type_only)
    return true;
  switch (expected->type) {
  case SPEC_VALUE_I32:
    return expected->of.i32 == actual->of.i32;
  case SPEC_VALUE_I64:
    return expected->of.i64 == actual->of.i64;
  case SPEC_VALUE_F32:
    return float_bits_match(expected->pattern[0], 32, expected->of.f32_bits,
                            actual->of.f32_bits);
  case SPEC_VALUE_F64:
    return float_bits_match(expected->pattern[0], 64, expected->of.f64_bits,
                            actual->of.f64_bits);
  case SPEC_VALUE_V128:
    return v128_matches(expected, actual);
  case SPEC_VALUE_FUNCREF:
  case SPEC_VALUE_EXTERNREF:
    return ref_matches(expected, actual);
  case SPEC_VALUE_NULL_REF:
  case SPEC_VALUE_EITHER:
    break;
  }
  return false;
}

/* ---- formatting ----------------------------------------------------- */

static const char *pattern_text(spec_float_pattern p) {
  return p == SPEC_NAN_CANONICAL ? "nan:canonical" : "nan:arithmetic";
}

/* Appends to buf at *used, never past `size`, keeping it terminated. */
__attribute__((format(printf, 4, 5))) static void
append(char *buf, size_t size, size_t *used, const char *fmt, ...) {
  if (*used >= size)
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf + *used, size - *used, fmt, ap);
  va_end(ap);
  if (n > 0)
    *used += (size_t)n;
}

static void format_float(char *buf, size_t size, size_t *used,
                         spec_float_pattern pattern, uint64_t bits) {
  if (pattern != SPEC_FLOAT_EXACT)
    append(buf, size, used, "%s", pattern_text(pattern));
  else
    append(buf, size, used, "0x%" PRIx64, bits);
}

static void format_v128(const spec_value *v, char *buf, size_t size,
                        size_t *used) {
  unsigned bits = lane_types[v->lane_type].bits;
  append(buf, size, used, "%s[", lane_types[v->lane_type].name);
  for (size_t i = 0; i < 128 / bits; i++) {
    uint64_t lane = load_lane(v->of.v128, i, bits);
    append(buf, size, used, i ? " " : "");
    if (is_float_lane(v->lane_type))
      format_float(buf, size, used, v->pattern[i], lane);
    else
      append(buf, size, used, "%" PRIu64, lane);
  }
  append(buf, size, used, "]");
}

void spec_value_format(const spec_value *v, char *buf, size_t size) {
  size_t used = 0;
  if (size == 0)
    return;
  buf[0] = '\0';
  append(buf, size, &used, "%s:", spec_value_type_name(v->type));
  if (v->type_only) {
    append(buf, size, &used, "*");
    return;
  }
  switch (v->type) {
  case SPEC_VALUE_I32:
    append(buf, size, &used, "%" PRIu32, v->of.i32);
    break;
  case SPEC_VALUE_I64:
    append(buf, size, &used, "%" PRIu64, v->of.i64);
    break;
  case SPEC_VALUE_F32:
    format_float(buf, size, &used, v->pattern[0], v->of.f32_bits);
    break;
  case SPEC_VALUE_F64:
    format_float(buf, size, &used, v->pattern[0], v->of.f64_bits);
    break;
  case SPEC_VALUE_V128:
    format_v128(v, buf, size, &used);
    break;
  case SPEC_VALUE_FUNCREF:
  case SPEC_VALUE_EXTERNREF:
  case SPEC_VALUE_NULL_REF:
    if (v->of.ref.is_null)
      append(buf, size, &used, "null");
    else if (v->of.ref.any_non_null)
      append(buf, size, &used, "non-null");
    else
      append(buf, size, &used, "%" PRIu64, v->of.ref.host_id);
    break;
  case SPEC_VALUE_EITHER:
    append(buf, size, &used, "(");
    for (size_t i = 0; i < v->of.either.count; i++) {
      char alt[160];
      spec_value_format(&v->of.either.values[i], alt, sizeof alt);
      append(buf, size, &used, "%s%s", i ? " | " : "", alt);
    }
    append(buf, size, &used, ")");
    break;
  }
}
