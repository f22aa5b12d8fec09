/* Value and heap types: names, the abstract subtype lattice and the one
 * reader of their binary encoding (the decoder's sections and the
 * instruction reader both use it). */
#include "wasm_types.h"

#include <stdio.h>

wasm_heaptype wasm_heaptype_top(wasm_heaptype h) {
  switch (h) {
  case WASM_HEAP_FUNC:
  case WASM_HEAP_NOFUNC:
    return WASM_HEAP_FUNC;
  case WASM_HEAP_EXTERN:
  case WASM_HEAP_NOEXTERN:
    return WASM_HEAP_EXTERN;
  case WASM_HEAP_EXN:
  case WASM_HEAP_NOEXN:
    return WASM_HEAP_EXN;
  default:
    return WASM_HEAP_ANY;
  }
}

/* The bottom type of each hierarchy. */
static wasm_heaptype heap_bottom(wasm_heaptype top) {
  switch (top) {
  case WASM_HEAP_FUNC:
    return WASM_HEAP_NOFUNC;
  case WASM_HEAP_EXTERN:
    return WASM_HEAP_NOEXTERN;
  case WASM_HEAP_EXN:
    return WASM_HEAP_NOEXN;
  default:
    return WASM_HEAP_NONE;
  }
}

bool wasm_heaptype_abstract_sub(wasm_heaptype a, wasm_heaptype b) {
  if (a == b || a == WASM_HEAP_BOTTOM)
    return true;
  wasm_heaptype top = wasm_heaptype_top(a);
  if (top != wasm_heaptype_top(b))
    return false;
  if (b == top || a == heap_bottom(top))
    return true;
  /* Inside any: i31, struct and array are below eq. */
  return b == WASM_HEAP_EQ &&
         (a == WASM_HEAP_I31 || a == WASM_HEAP_STRUCT || a == WASM_HEAP_ARRAY);
}

static const char *heap_name(wasm_heaptype h) {
  switch (h) {
  case WASM_HEAP_NOEXN:
    return "noexn";
  case WASM_HEAP_NOFUNC:
    return "nofunc";
  case WASM_HEAP_NOEXTERN:
    return "noextern";
  case WASM_HEAP_NONE:
    return "none";
  case WASM_HEAP_FUNC:
    return "func";
  case WASM_HEAP_EXTERN:
    return "extern";
  case WASM_HEAP_ANY:
    return "any";
  case WASM_HEAP_EQ:
    return "eq";
  case WASM_HEAP_I31:
    return "i31";
  case WASM_HEAP_STRUCT:
    return "struct";
  case WASM_HEAP_ARRAY:
    return "array";
  case WASM_HEAP_EXN:
    return "exn";
  case WASM_HEAP_BOTTOM:
    return "bot";
  default:
    return NULL;
  }
}

const char *wasm_type_name(wasm_type t) {
  switch (t) {
  case WASM_TYPE_I32:
    return "i32";
  case WASM_TYPE_I64:
    return "i64";
  case WASM_TYPE_F32:
    return "f32";
  case WASM_TYPE_F64:
    return "f64";
  case WASM_TYPE_V128:
    return "v128";
  case WASM_TYPE_I8:
    return "i8";
  case WASM_TYPE_I16:
    return "i16";
  case WASM_TYPE_FUNCREF:
    return "funcref";
  case WASM_TYPE_EXTERNREF:
    return "externref";
  case WASM_TYPE_EXNREF:
    return "exnref";
  default:
    return "?";
  }
}

const char *wasm_type_format(wasm_type t, char *buf, unsigned size) {
  const char *name = wasm_type_name(t);
  if (name[0] != '?' || !wasm_type_is_ref(t)) {
    snprintf(buf, size, "%s", name);
    return buf;
  }
  wasm_heaptype h = wasm_type_heap(t);
  const char *null = wasm_type_is_nullable(t) ? "null " : "";
  if (heap_name(h))
    snprintf(buf, size, "(ref %s%s)", null, heap_name(h));
  else
    snprintf(buf, size, "(ref %s%u)", null, (unsigned)h);
  return buf;
}

/* ---- Reading ------------------------------------------------------------- */

static bool is_number_or_vector(uint8_t b) {
  return b >= WASM_TYPE_V128 && b <= WASM_TYPE_I32;
}

/* The abstract heap types a module may name. */
static bool is_abstract_heap_byte(uint8_t b, wasm_type_rules rules) {
  if (b == 0x70 || b == 0x6f)
    return true;
  if (!rules.typed_refs)
    return false;
  if (b == 0x69 || b == 0x74)
    return rules.exn_refs;
  return b >= 0x6a && b <= 0x73;
}

bool wasm_is_value_type_byte(uint8_t b, wasm_type_rules rules) {
  if (is_number_or_vector(b) || is_abstract_heap_byte(b, rules))
    return true;
  return rules.typed_refs &&
         (b == WASM_TYPE_KIND_REF_NULL || b == WASM_TYPE_KIND_REF);
}

bool wasm_read_heap_type(wasm_reader *r, wasm_type_rules rules,
                         wasm_heaptype *out) {
  size_t at = r->pos;
  if (r->pos < r->end && is_abstract_heap_byte(r->bytes[r->pos], rules)) {
    *out = WASM_HEAP_ABSTRACT(r->bytes[r->pos++]);
    return true;
  }
  int64_t index;
  if (!wasm_read_s33(r, &index))
    return false;
  if (index < 0)
    return wasm_error_set(r->err, at, "malformed heap type");
  if (index >= WASM_HEAP_INDEX_LIMIT)
    return wasm_error_set(r->err, at,
                          "type index %lld too large (implementation limit)",
                          (long long)index);
  *out = (wasm_heaptype)index;
  return true;
}

/* The spec reads type bytes as 7-bit signed LEB128, so a byte with the
 * continuation bit set is an overlong integer before it is a bad type; we
 * keep that wording. */
bool wasm_read_type_byte(wasm_reader *r, uint8_t *out) {
  size_t at = r->pos;
  if (!wasm_read_u8(r, out))
    return false;
  if (*out & 0x80)
    return wasm_error_set(r->err, at, "integer representation too long");
  return true;
}

/* After the first byte b of a reference type. */
static bool read_ref_rest(wasm_reader *r, wasm_type_rules rules, uint8_t b,
                          wasm_type *out) {
  if (b != WASM_TYPE_KIND_REF_NULL && b != WASM_TYPE_KIND_REF) {
    /* A shorthand: (ref null ht). */
    *out = wasm_ref_type(true, WASM_HEAP_ABSTRACT(b));
    return true;
  }
  wasm_heaptype heap;
  if (!wasm_read_heap_type(r, rules, &heap))
    return false;
  *out = wasm_ref_type(b == WASM_TYPE_KIND_REF_NULL, heap);
  return true;
}

bool wasm_read_value_type(wasm_reader *r, wasm_type_rules rules,
                          wasm_type *out) {
  size_t at = r->pos;
  uint8_t b;
  if (!wasm_read_type_byte(r, &b))
    return false;
  if (!wasm_is_value_type_byte(b, rules))
    return wasm_error_set(r->err, at, "malformed value type 0x%02x", b);
  if (is_number_or_vector(b)) {
    *out = b;
    return true;
  }
  return read_ref_rest(r, rules, b, out);
}

bool wasm_read_ref_type(wasm_reader *r, wasm_type_rules rules, wasm_type *out) {
  size_t at = r->pos;
  uint8_t b;
  if (!wasm_read_type_byte(r, &b))
    return false;
  if (is_number_or_vector(b) || !wasm_is_value_type_byte(b, rules))
    return wasm_error_set(r->err, at, "malformed reference type 0x%02x", b);
  return read_ref_rest(r, rules, b, out);
}
