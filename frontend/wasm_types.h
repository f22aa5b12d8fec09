/* Value types and heap types: the one representation that the decoder,
 * the validator, the compiler and the loader share.
 *
 * A value type is 32 bits. Numbers and vectors are their binary byte
 * (0x7f i32 ... 0x7b v128), upper bits zero. A reference type `(ref null?
 * ht)` keeps its binary prefix in the low byte (0x63 = nullable, 0x64 =
 * non-null, as the binary format spells them) and the heap type in the
 * upper 24 bits:
 *
 *   bits 31..8  heap type: a type index below WASM_HEAP_ABSTRACT_BASE, or
 *               WASM_HEAP_ABSTRACT_BASE | the abstract type's byte
 *   bits  7..0  0x63 (ref null ht) or 0x64 (ref ht); else a number type
 *
 * so every type has exactly one encoding and equal types (within one
 * module, before canonicalisation) compare equal with `==`. The 2.0
 * shorthands funcref (0x70) and externref (0x6f) are (ref null func) and
 * (ref null extern). Outside a module (the loader's canonical types) the
 * index of a defined heap type is an engine-wide canonical type id
 * instead; the encoding is the same.
 *
 * The abstract heap types are those of 3.0: func/nofunc, extern/noextern,
 * exn/noexn, and the GC hierarchy any/eq/i31/struct/array/none, which is
 * represented (it appears in function types) though no GC instruction is
 * implemented. */
#ifndef WASMAOT_WASM_TYPES_H
#define WASMAOT_WASM_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "wasm_reader.h"

typedef uint32_t wasm_type;
typedef uint32_t wasm_heaptype;

enum {
  WASM_TYPE_I32 = 0x7f,
  WASM_TYPE_I64 = 0x7e,
  WASM_TYPE_F32 = 0x7d,
  WASM_TYPE_F64 = 0x7c,
  WASM_TYPE_V128 = 0x7b,
  /* Packed storage types of struct and array fields (GC types). */
  WASM_TYPE_I8 = 0x78,
  WASM_TYPE_I16 = 0x77,
  /* The low byte of a reference type. */
  WASM_TYPE_KIND_REF_NULL = 0x63,
  WASM_TYPE_KIND_REF = 0x64,
};

/* Heap types. Abstract ones are the base plus their binary byte. */
#define WASM_HEAP_ABSTRACT_BASE 0xffff00u
#define WASM_HEAP_ABSTRACT(byte) (WASM_HEAP_ABSTRACT_BASE | (byte))
enum {
  WASM_HEAP_NOEXN = WASM_HEAP_ABSTRACT(0x74),
  WASM_HEAP_NOFUNC = WASM_HEAP_ABSTRACT(0x73),
  WASM_HEAP_NOEXTERN = WASM_HEAP_ABSTRACT(0x72),
  WASM_HEAP_NONE = WASM_HEAP_ABSTRACT(0x71),
  WASM_HEAP_FUNC = WASM_HEAP_ABSTRACT(0x70),
  WASM_HEAP_EXTERN = WASM_HEAP_ABSTRACT(0x6f),
  WASM_HEAP_ANY = WASM_HEAP_ABSTRACT(0x6e),
  WASM_HEAP_EQ = WASM_HEAP_ABSTRACT(0x6d),
  WASM_HEAP_I31 = WASM_HEAP_ABSTRACT(0x6c),
  WASM_HEAP_STRUCT = WASM_HEAP_ABSTRACT(0x6b),
  WASM_HEAP_ARRAY = WASM_HEAP_ABSTRACT(0x6a),
  WASM_HEAP_EXN = WASM_HEAP_ABSTRACT(0x69),
  /* Not in the binary format: the validator's type of a reference popped
   * from the polymorphic stack, a subtype of every heap type. */
  WASM_HEAP_BOTTOM = WASM_HEAP_ABSTRACT(0xff),
};
/* Type indices (and canonical ids) must stay below this. */
#define WASM_HEAP_INDEX_LIMIT WASM_HEAP_ABSTRACT_BASE

#define WASM_REF_TYPE(nullable, heap)                                          \
  ((wasm_type)(((uint32_t)(heap) << 8) |                                       \
               ((nullable) ? WASM_TYPE_KIND_REF_NULL : WASM_TYPE_KIND_REF)))

/* Macros, not enum members: the values do not fit an int. */
#define WASM_TYPE_FUNCREF WASM_REF_TYPE(1, WASM_HEAP_FUNC)
#define WASM_TYPE_EXTERNREF WASM_REF_TYPE(1, WASM_HEAP_EXTERN)
#define WASM_TYPE_EXNREF WASM_REF_TYPE(1, WASM_HEAP_EXN)

static inline wasm_type wasm_ref_type(bool nullable, wasm_heaptype heap) {
  return WASM_REF_TYPE(nullable, heap);
}
static inline bool wasm_type_is_ref(wasm_type t) {
  uint8_t kind = (uint8_t)t;
  return kind == WASM_TYPE_KIND_REF_NULL || kind == WASM_TYPE_KIND_REF;
}
static inline bool wasm_type_is_nullable(wasm_type t) {
  return (uint8_t)t == WASM_TYPE_KIND_REF_NULL;
}
/* Only for reference types. */
static inline wasm_heaptype wasm_type_heap(wasm_type t) {
  return t >> 8;
}
static inline wasm_type wasm_type_as_non_null(wasm_type t) {
  return wasm_ref_type(false, wasm_type_heap(t));
}
static inline bool wasm_heaptype_is_index(wasm_heaptype h) {
  return h < WASM_HEAP_ABSTRACT_BASE;
}
/* Has a default value (zero or null), so a local of this type needs no
 * initialisation: everything but a non-null reference. */
static inline bool wasm_type_is_defaultable(wasm_type t) {
  return (uint8_t)t != WASM_TYPE_KIND_REF;
}

/* The top of an abstract heap type's hierarchy: FUNC, EXTERN, EXN or ANY.
 * For a type index the caller must know the kind (func types: FUNC). */
wasm_heaptype wasm_heaptype_top(wasm_heaptype abstract);
/* Is abstract heap type a a subtype of abstract heap type b? */
bool wasm_heaptype_abstract_sub(wasm_heaptype a, wasm_heaptype b);

/* "i32", "funcref", "(ref null 3)", "(ref func)", ... into buf (at least
 * 32 bytes); returns buf. */
const char *wasm_type_format(wasm_type t, char *buf, unsigned size);
/* A static name for the types that have one ("i32", "funcref", ...), "?"
 * for the others; wasm_type_format() names every type. */
const char *wasm_type_name(wasm_type t);

/* What the type readers accept beyond 2.0. */
typedef struct wasm_type_rules {
  bool typed_refs; /* 0x63/0x64 prefixes and the 3.0 abstract heap types */
  bool exn_refs;   /* exnref, exn and noexn */
} wasm_type_rules;

/* Readers of the binary encoding, with the spec interpreter's error
 * wording. The value type and reference type readers also take the
 * shorthand bytes (0x70 funcref, ...). Type indices are not range-checked
 * here (validation's "unknown type"), only bounded by
 * WASM_HEAP_INDEX_LIMIT. */
bool wasm_read_value_type(wasm_reader *r, wasm_type_rules rules,
                          wasm_type *out);
bool wasm_read_ref_type(wasm_reader *r, wasm_type_rules rules, wasm_type *out);
bool wasm_read_heap_type(wasm_reader *r, wasm_type_rules rules,
                         wasm_heaptype *out);
/* One byte of a type encoding (a form byte such as 0x60): the spec reads
 * them as 7-bit signed LEB128, so a continuation bit is "integer
 * representation too long". */
bool wasm_read_type_byte(wasm_reader *r, uint8_t *out);
/* Is `b` the first byte of a value type (block types start with either a
 * value type or an s33 type index)? */
bool wasm_is_value_type_byte(uint8_t b, wasm_type_rules rules);

#endif
