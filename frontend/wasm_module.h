/* The decoded form of a WebAssembly module: what the binary format says,
 * checked for well-formedness but not yet validated.
 *
 * One structure serves the validator, the code generator and the artifact
 * writer. Index spaces follow the spec: imported functions, tables,
 * memories and globals come first, so `func_types[i]` is the type of
 * function index i whether it is imported or defined. Names and code point
 * into `bytes`, the module's own copy of the binary, which lives as long as
 * the module. */
#ifndef WASMAOT_WASM_MODULE_H
#define WASMAOT_WASM_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm_error.h"
#include "wasm_features.h"
#include "wasm_types.h"

typedef enum wasm_extern_kind {
  WASM_EXTERN_FUNC = 0,
  WASM_EXTERN_TABLE = 1,
  WASM_EXTERN_MEMORY = 2,
  WASM_EXTERN_GLOBAL = 3,
  WASM_EXTERN_TAG = 4, /* exceptions */
} wasm_extern_kind;

typedef struct wasm_name {
  const char *data; /* into the module bytes; not NUL-terminated */
  uint32_t len;
} wasm_name;

/* What a defined type is. Only function types have instructions; struct
 * and array types (GC) are decoded so that rec groups and type
 * equivalence see them, and take part in nothing else. */
typedef enum wasm_composite_kind {
  WASM_COMPOSITE_FUNC,
  WASM_COMPOSITE_STRUCT,
  WASM_COMPOSITE_ARRAY,
} wasm_composite_kind;

#define WASM_NO_SUPERTYPE UINT32_MAX

/* A defined type (3.0: a subtype in a rec group). For a function type,
 * `types` holds the params then the results; for a struct or array the
 * fields' storage types (param_count of them, result_count 0), with
 * `field_mutable` saying which are mutable. */
typedef struct wasm_functype {
  uint32_t param_count;
  uint32_t result_count;
  wasm_type *types;       /* param_count params, then result_count results */
  uint8_t composite;      /* wasm_composite_kind */
  bool is_final;          /* no subtype may declare it as its supertype */
  uint32_t supertype;     /* type index, or WASM_NO_SUPERTYPE */
  uint32_t rec_start;     /* first type index of its rec group */
  uint32_t rec_size;      /* types in the rec group */
  uint8_t *field_mutable; /* struct/array only; NULL when none is */
} wasm_functype;

/* `types` is NULL for a [] -> [] type: callers index these only below
 * the matching count. */
static inline const wasm_type *wasm_functype_params(const wasm_functype *t) {
  return t->types;
}
static inline const wasm_type *wasm_functype_results(const wasm_functype *t) {
  return t->types ? t->types + t->param_count : NULL;
}

typedef struct wasm_limits {
  uint64_t min;
  uint64_t max; /* meaningful when has_max */
  bool has_max;
} wasm_limits;

typedef struct wasm_tabletype {
  wasm_type elem_type; /* a reference type */
  wasm_limits limits;
  bool is64; /* memory64: indexed by i64 (limits flag 0x04) */
} wasm_tabletype;

typedef struct wasm_memtype {
  wasm_limits limits; /* in 64 KiB pages */
  bool shared;        /* threads: shared between agents; needs a maximum */
  bool is64;          /* memory64: addressed by i64 (limits flag 0x04) */
} wasm_memtype;

/* The address type of a memory or table: i64 for memory64's, else i32. */
static inline wasm_type wasm_memtype_addr_type(const wasm_memtype *t) {
  return t->is64 ? WASM_TYPE_I64 : WASM_TYPE_I32;
}
static inline wasm_type wasm_tabletype_addr_type(const wasm_tabletype *t) {
  return t->is64 ? WASM_TYPE_I64 : WASM_TYPE_I32;
}

typedef struct wasm_globaltype {
  wasm_type type;
  bool is_mutable;
} wasm_globaltype;

/* A constant expression (global initialisers, segment offsets, element
 * items). Wasm 2.0 allows exactly one instruction before `end`; `kind`
 * names it. The raw bytes (without the final `end`) are kept as well so
 * later proposals (extended-const) can be evaluated from them. */
typedef enum wasm_const_kind {
  WASM_CONST_I32,
  WASM_CONST_I64,
  WASM_CONST_F32,
  WASM_CONST_F64,
  WASM_CONST_V128,
  WASM_CONST_REF_NULL,   /* value.ref_type */
  WASM_CONST_REF_FUNC,   /* value.index = function index */
  WASM_CONST_GLOBAL_GET, /* value.index = global index */
  /* Several instructions (extended constant expressions, 3.0): the bytes
   * at offset..offset+size, walked by wasm_const_expr_each();
   * value.max_depth is the deepest its operand stack gets. */
  WASM_CONST_EXTENDED
} wasm_const_kind;

typedef struct wasm_const_expr {
  wasm_const_kind kind;
  union {
    uint32_t i32;
    uint64_t i64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    uint8_t v128[16];
    uint32_t index;
    wasm_type ref_type;
    uint32_t max_depth;
  } value;
  size_t offset; /* of the first instruction byte in the module */
  size_t size;   /* bytes up to, not including, the final `end` */
} wasm_const_expr;

typedef struct wasm_import {
  wasm_name module;
  wasm_name field;
  wasm_extern_kind kind;
  union {
    uint32_t func_type; /* type index */
    wasm_tabletype table;
    wasm_memtype memory;
    wasm_globaltype global;
    uint32_t tag_type; /* type index of the tag's [params] -> [] */
  } desc;
  size_t offset;
} wasm_import;

typedef struct wasm_local_run {
  uint32_t count;
  wasm_type type;
} wasm_local_run;

/* A function defined in the module (not imported). */
typedef struct wasm_func {
  uint32_t type_index;
  uint32_t local_run_count;
  wasm_local_run *local_runs; /* declared locals, after the params */
  uint64_t local_count;       /* sum of the runs (params excluded) */
  size_t body_offset;         /* first byte of the code entry (locals) */
  size_t code_offset;         /* first instruction */
  size_t code_end;            /* one past the final `end` opcode */
} wasm_func;

typedef struct wasm_global {
  wasm_globaltype type;
  wasm_const_expr init; /* defined globals only */
} wasm_global;

typedef struct wasm_export {
  wasm_name name;
  wasm_extern_kind kind;
  uint32_t index;
} wasm_export;

typedef enum wasm_segment_mode {
  WASM_SEGMENT_ACTIVE,
  WASM_SEGMENT_PASSIVE,
  WASM_SEGMENT_DECLARATIVE, /* element segments only */
} wasm_segment_mode;

typedef struct wasm_elem_segment {
  wasm_segment_mode mode;
  uint32_t table_index;   /* active only */
  wasm_const_expr offset; /* active only */
  wasm_type elem_type;
  uint32_t item_count;
  /* Each item as a constant expression; the function-index encodings
   * become WASM_CONST_REF_FUNC items, so consumers see one form. */
  wasm_const_expr *items;
  size_t offset_in_module;
} wasm_elem_segment;

typedef struct wasm_data_segment {
  wasm_segment_mode mode;
  uint32_t memory_index;  /* active only */
  wasm_const_expr offset; /* active only */
  size_t data_offset;     /* bytes of the segment within the module */
  uint32_t size;
  size_t offset_in_module;
} wasm_data_segment;

typedef struct wasm_custom_section {
  wasm_name name;
  size_t data_offset; /* section contents after the name */
  size_t data_size;
  uint8_t after_section; /* id of the last non-custom section before it */
} wasm_custom_section;

typedef struct wasm_module {
  uint8_t *bytes; /* owned copy of the binary */
  size_t size;
  wasm_features features;      /* what the decoder accepted (wasm_features.h) */
  wasm_features features_used; /* what the module uses of them */

  uint32_t type_count;
  wasm_functype *types;
  /* Per type index the smallest index of an equivalent type (3.0's
   * iso-recursive equivalence: same position in structurally equal rec
   * groups), so type equality within the module is equality of these. */
  uint32_t *type_canon;
  bool has_subtypes; /* some type is not final or declares a supertype */

  uint32_t import_count;
  wasm_import *imports;

  /* Index spaces: imports first. */
  uint32_t func_count, import_func_count;
  uint32_t *func_types; /* type index of every function */
  wasm_func *funcs;     /* func_count - import_func_count defined functions */

  uint32_t table_count, import_table_count;
  wasm_tabletype *tables;
  /* Defined tables' initial element (3.0 `0x40 0x00` encoding); for the
   * others has_table_init is false and elements start null. Indexed by
   * table index, NULL when no table has one. */
  bool *has_table_init;
  wasm_const_expr *table_inits;

  uint32_t memory_count, import_memory_count;
  wasm_memtype *memories;

  uint32_t global_count, import_global_count;
  wasm_global *globals;

  uint32_t export_count;
  wasm_export *exports;

  /* Exception tags (exceptions): the function type index of each, its
   * params the payload. Imports first. */
  uint32_t tag_count, import_tag_count;
  uint32_t *tag_types;
  /* Some function body throws or catches (either encoding, `throw`
   * included): what code generation has to handle, beyond tags. */
  bool has_exception_code;

  bool has_start;
  uint32_t start_func;

  uint32_t elem_count;
  wasm_elem_segment *elems;

  bool has_data_count;
  uint32_t data_count; /* from the data count section, when present */

  uint32_t data_segment_count;
  wasm_data_segment *data_segments;

  uint32_t custom_count;
  wasm_custom_section *customs;

  /* From the `name` custom section; a malformed name section is ignored,
   * as the spec asks. */
  wasm_name module_name;
  wasm_name *func_names; /* func_count entries; len 0 where unnamed */
} wasm_module;

/* Decodes a binary module. Copies `bytes`. On error returns NULL and fills
 * *err with the offset and what was expected. Every feature of
 * wasm_features.h is on; wasm_module_decode_features() picks them. */
wasm_module *wasm_module_decode(const uint8_t *bytes, size_t size,
                                wasm_error *err);
wasm_module *wasm_module_decode_features(const uint8_t *bytes, size_t size,
                                         wasm_features features,
                                         wasm_error *err);
void wasm_module_free(wasm_module *m);

/* Validates a decoded module per the spec: types of every function body,
 * constant expressions, indices, limits, exports, start. */
bool wasm_module_validate(const wasm_module *m, wasm_error *err);

/* The type rules the module was decoded with. */
static inline wasm_type_rules wasm_module_type_rules(const wasm_module *m) {
  wasm_type_rules rules = {(m->features & WASM_FEATURE_FUNCTION_REFERENCES) !=
                               0,
                           (m->features & WASM_FEATURE_EXCEPTIONS) != 0};
  return rules;
}

/* Subtyping of value types within the module (3.0, without the GC
 * instructions): numbers match themselves, references by nullability
 * and heap type, defined types by equivalence or declared supertypes. */
bool wasm_type_matches(const wasm_module *m, wasm_type sub, wasm_type super);
bool wasm_heaptype_matches(const wasm_module *m, wasm_heaptype sub,
                           wasm_heaptype super);
/* The abstract top of heap type h (FUNC for a function type index). */
wasm_heaptype wasm_module_heap_top(const wasm_module *m, wasm_heaptype h);

/* Tags and `throw` belong to both exception encodings. */
static inline bool wasm_module_has_tags_feature(const wasm_module *m) {
  return (m->features &
          (WASM_FEATURE_EXCEPTIONS | WASM_FEATURE_LEGACY_EXCEPTIONS)) != 0;
}

static inline const wasm_functype *wasm_func_type(const wasm_module *m,
                                                  uint32_t func_index) {
  return &m->types[m->func_types[func_index]];
}

#endif
