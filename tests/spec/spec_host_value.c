#include "spec_host_value.h"

#include <stdint.h>
#include <string.h>

wasmaot_valkind spec_value_host_kind(spec_value_type type) {
  switch (type) {
  case SPEC_VALUE_I32:
    return WASMAOT_I32;
  case SPEC_VALUE_I64:
    return WASMAOT_I64;
  case SPEC_VALUE_F32:
    return WASMAOT_F32;
  case SPEC_VALUE_F64:
    return WASMAOT_F64;
  case SPEC_VALUE_V128:
    return WASMAOT_V128;
  case SPEC_VALUE_FUNCREF:
    return WASMAOT_FUNCREF;
  case SPEC_VALUE_EXTERNREF:
    return WASMAOT_EXTERNREF;
  case SPEC_VALUE_NULL_REF:
  case SPEC_VALUE_EITHER: /* patterns: never passed to the host */
    break;
  }
  return WASMAOT_I32;
}

static spec_value_type script_type_of(wasmaot_valkind kind) {
  switch (kind) {
  case WASMAOT_I32:
    return SPEC_VALUE_I32;
  case WASMAOT_I64:
    return SPEC_VALUE_I64;
  case WASMAOT_F32:
    return SPEC_VALUE_F32;
  case WASMAOT_F64:
    return SPEC_VALUE_F64;
  case WASMAOT_V128:
    return SPEC_VALUE_V128;
  case WASMAOT_FUNCREF:
    return SPEC_VALUE_FUNCREF;
  case WASMAOT_EXTERNREF:
    return SPEC_VALUE_EXTERNREF;
  }
  return SPEC_VALUE_I32;
}

/* Floats travel as bits (memcpy): a signalling NaN must reach the code
 * unchanged, which no floating-point operation would guarantee. */
bool spec_value_to_host(const spec_value *v, wasmaot_val *out) {
  memset(out, 0, sizeof *out);
  if (spec_value_is_pattern(v))
    return false;
  out->kind = spec_value_host_kind(v->type);
  switch (v->type) {
  case SPEC_VALUE_I32:
  case SPEC_VALUE_F32:
    memcpy(&out->of, &v->of.i32, 4);
    return true;
  case SPEC_VALUE_I64:
  case SPEC_VALUE_F64:
    memcpy(&out->of, &v->of.i64, 8);
    return true;
  case SPEC_VALUE_V128:
    memcpy(out->of.v128, v->of.v128, 16);
    return true;
  case SPEC_VALUE_FUNCREF:
    out->of.ref = NULL;
    return v->of.ref.is_null;
  case SPEC_VALUE_EXTERNREF:
    out->of.ref =
        v->of.ref.is_null ? NULL : (void *)(uintptr_t)(v->of.ref.host_id + 1);
    return true;
  case SPEC_VALUE_NULL_REF:
  case SPEC_VALUE_EITHER:
    break;
  }
  return false;
}

void spec_value_from_host(const wasmaot_val *v, spec_lane_type lanes,
                          spec_value *out) {
  memset(out, 0, sizeof *out);
  out->type = script_type_of(v->kind);
  switch (v->kind) {
  case WASMAOT_I32:
  case WASMAOT_F32:
    memcpy(&out->of.i32, &v->of, 4);
    break;
  case WASMAOT_I64:
  case WASMAOT_F64:
    memcpy(&out->of.i64, &v->of, 8);
    break;
  case WASMAOT_V128:
    memcpy(out->of.v128, v->of.v128, 16);
    out->lane_type = lanes;
    break;
  case WASMAOT_FUNCREF:
  case WASMAOT_EXTERNREF:
    out->of.ref.is_null = v->of.ref == NULL;
    out->of.ref.host_id = v->of.ref ? (uint64_t)(uintptr_t)v->of.ref - 1 : 0;
    break;
  }
}
