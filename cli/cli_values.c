#include "cli_values.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_integer(const char *text, int bits, int64_t *out) {
  errno = 0;
  char *end;
  bool negative = text[0] == '-';
  uint64_t magnitude = strtoull(negative ? text + 1 : text, &end, 0);
  if (!*text || *end || errno || (negative && text[1] == '-'))
    return false;
  uint64_t limit = bits == 32 ? UINT32_MAX : UINT64_MAX;
  uint64_t neg_limit = (uint64_t)1 << (bits - 1);
  if ((!negative && magnitude > limit) || (negative && magnitude > neg_limit))
    return false;
  *out = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
  return true;
}

bool cli_parse_value(wasmaot_valkind kind, const char *text, wasmaot_val *out) {
  memset(out, 0, sizeof *out);
  out->kind = kind;
  int64_t i;
  char *end;
  switch (kind) {
  case WASMAOT_I32:
    if (!parse_integer(text, 32, &i))
      return false;
    out->of.i32 = (int32_t)(uint32_t)i;
    return true;
  case WASMAOT_I64:
    if (!parse_integer(text, 64, &i))
      return false;
    out->of.i64 = i;
    return true;
  case WASMAOT_F32:
    out->of.f32 = strtof(text, &end);
    return *text && !*end;
  case WASMAOT_F64:
    out->of.f64 = strtod(text, &end);
    return *text && !*end;
  case WASMAOT_FUNCREF:
  case WASMAOT_EXTERNREF:
    out->of.ref = NULL;
    return strcmp(text, "null") == 0;
  default:
    return false;
  }
}

/* Shortest %g precision that reads back to exactly `v`. */
static void format_double(double v, bool is_f32, char *buf, size_t size) {
  if (isnan(v)) {
    snprintf(buf, size, "%snan", signbit(v) ? "-" : "");
    return;
  }
  if (isinf(v)) {
    snprintf(buf, size, "%sinf", v < 0 ? "-" : "");
    return;
  }
  if (v == 0) {
    snprintf(buf, size, "%s", signbit(v) ? "-0" : "0");
    return;
  }
  for (int precision = 1; precision <= 17; precision++) {
    snprintf(buf, size, "%.*g", precision, v);
    if (is_f32 ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v)
      return;
  }
}

void cli_format_value(const wasmaot_val *v, char *buf, size_t size) {
  switch (v->kind) {
  case WASMAOT_I32:
    snprintf(buf, size, "%" PRId32, v->of.i32);
    break;
  case WASMAOT_I64:
    snprintf(buf, size, "%" PRId64, v->of.i64);
    break;
  case WASMAOT_F32:
    format_double(v->of.f32, true, buf, size);
    break;
  case WASMAOT_F64:
    format_double(v->of.f64, false, buf, size);
    break;
  case WASMAOT_V128: {
    size_t n = 0;
    for (int i = 0; i < 16 && n + 3 < size; i++)
      n += (size_t)snprintf(buf + n, size - n, "%02x", v->of.v128[i]);
    break;
  }
  default:
    snprintf(buf, size, "%s", v->of.ref ? "ref" : "null");
    break;
  }
}
