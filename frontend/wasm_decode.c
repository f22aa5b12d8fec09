/* The binary-format decoder (WebAssembly 2.0): sections, types, imports,
 * index spaces, segments, code entries and the `name` custom section.
 *
 * Every section is read through a reader windowed to its declared size, so
 * nothing can run into the next section, and "section size mismatch" is
 * just a window that was not consumed exactly. Counts read from the input
 * are checked against the bytes left before anything is allocated for
 * them: every vector element takes at least one byte, so allocations stay
 * within a small multiple of the input size whatever the counts say.
 *
 * Error messages start with the spec interpreter's wording (the spec suite's
 * assert_malformed texts), sometimes followed by detail. Instruction syntax
 * inside function bodies is wasm_instr.c's job, called once the module
 * structure is complete. */
#include <stdlib.h>
#include <string.h>

#include "wasm_const_expr.h"
#include "wasm_features.h"
#include "wasm_instr.h"
#include "wasm_module.h"
#include "wasm_reader.h"
#include "wasm_type_relations.h"

enum {
  SECTION_CUSTOM = 0,
  SECTION_TYPE = 1,
  SECTION_IMPORT = 2,
  SECTION_FUNCTION = 3,
  SECTION_TABLE = 4,
  SECTION_MEMORY = 5,
  SECTION_GLOBAL = 6,
  SECTION_EXPORT = 7,
  SECTION_START = 8,
  SECTION_ELEMENT = 9,
  SECTION_CODE = 10,
  SECTION_DATA = 11,
  SECTION_DATA_COUNT = 12,
  SECTION_TAG = 13, /* exceptions */
};

enum {
  OP_END = 0x0b,
  OP_GLOBAL_GET = 0x23,
  OP_I32_CONST = 0x41,
  OP_I64_CONST = 0x42,
  OP_F32_CONST = 0x43,
  OP_F64_CONST = 0x44,
  OP_I32_ADD = 0x6a,
  OP_I32_SUB = 0x6b,
  OP_I32_MUL = 0x6c,
  OP_I64_ADD = 0x7c,
  OP_I64_SUB = 0x7d,
  OP_I64_MUL = 0x7e,
  OP_REF_NULL = 0xd0,
  OP_REF_FUNC = 0xd2,
  OP_SIMD_PREFIX = 0xfd,
  SIMD_V128_CONST = 12,
  FUNCTYPE_FORM = 0x60,
  STRUCTTYPE_FORM = 0x5f,
  ARRAYTYPE_FORM = 0x5e,
  SUBTYPE_FORM = 0x50,
  SUBTYPE_FINAL_FORM = 0x4f,
  RECTYPE_FORM = 0x4e,
  TABLE_INIT_FORM = 0x40,
  ELEM_KIND_FUNCREF = 0x00,
  TAG_ATTRIBUTE_EXCEPTION = 0x00,
};

/* State that lives only while decoding; the module holds the results. */
typedef struct decoder {
  wasm_module *m;
  uint32_t sections_seen; /* bit per non-custom section id */
  uint8_t last_id;        /* last non-custom section, 0 before any */
  uint32_t custom_capacity;
  uint32_t type_capacity;
} decoder;

/* ---- small reading helpers ---------------------------------------------- */

/* A zeroed array of n elements, NULL when n is 0. On failure records the
 * error and returns NULL, so callers test `!p && n`. calloc checks the
 * multiplication for overflow. */
static void *alloc_array(wasm_reader *r, size_t n, size_t elem_size) {
  if (n == 0)
    return NULL;
  void *p = calloc(n, elem_size);
  if (!p)
    wasm_error_set(r->err, r->pos, "out of memory");
  return p;
}

/* A reader over the next n bytes of r, which then skips them. The caller
 * has checked n against what is left. */
static wasm_reader sub_reader(wasm_reader *r, size_t n) {
  wasm_reader sub = {r->bytes, r->pos, r->pos + n, r->err};
  r->pos += n;
  return sub;
}

/* A vector length. Every element takes at least one byte, so a count
 * larger than what is left is malformed and would only make us allocate
 * for nothing. */
static bool read_count(wasm_reader *r, uint32_t *out) {
  size_t at = r->pos;
  if (!wasm_read_u32(r, out))
    return false;
  if (*out > wasm_reader_remaining(r))
    return wasm_error_set(r->err, at,
                          "length out of bounds: %u items, %zu bytes left",
                          *out, wasm_reader_remaining(r));
  return true;
}

/* A byte length followed by that many bytes. */
static bool read_length(wasm_reader *r, uint32_t *out) {
  size_t at = r->pos;
  if (!wasm_read_u32(r, out))
    return false;
  if (*out > wasm_reader_remaining(r))
    return wasm_error_set(r->err, at,
                          "length out of bounds: %u bytes, %zu bytes left",
                          *out, wasm_reader_remaining(r));
  return true;
}

static bool read_name(wasm_reader *r, wasm_name *out) {
  return wasm_read_name(r, &out->data, &out->len);
}

static bool read_value_type(const wasm_module *m, wasm_reader *r,
                            wasm_type *out) {
  return wasm_read_value_type(r, wasm_module_type_rules(m), out);
}

static bool read_ref_type(const wasm_module *m, wasm_reader *r,
                          wasm_type *out) {
  return wasm_read_ref_type(r, wasm_module_type_rules(m), out);
}

/* The limits flag is a one-byte LEB128: bit 0 says a maximum follows, for
 * memories bit 1 (threads) says the memory is shared, and bit 2
 * (memory64) says the memory or table has i64 addresses, its limits then
 * being u64. Other bits are malformed. */
enum { LIMITS_HAS_MAX = 0x01, LIMITS_SHARED = 0x02, LIMITS_64 = 0x04 };

/* What a limits flag may hold besides LIMITS_HAS_MAX with the module's
 * features, and a hint for a flag that a feature which is off allows. */
static bool read_limits_flags(const wasm_module *m, wasm_reader *r,
                              wasm_limits *out, bool memory,
                              uint8_t *flags_out) {
  size_t at = r->pos;
  uint8_t flags;
  uint8_t allowed = LIMITS_HAS_MAX, known = LIMITS_HAS_MAX | LIMITS_64;
  if (memory) {
    known |= LIMITS_SHARED;
    if (m->features & WASM_FEATURE_THREADS)
      allowed |= LIMITS_SHARED;
  }
  if (m->features & WASM_FEATURE_MEMORY64)
    allowed |= LIMITS_64;
  if (!wasm_read_u8(r, &flags))
    return false;
  if (flags & 0x80)
    return wasm_error_set(r->err, at, "integer representation too long");
  if (flags & ~allowed) {
    const char *hint = "";
    if (!(flags & ~known))
      hint = flags & ~allowed & LIMITS_64
                 ? " (i64 limits need the memory64 feature)"
                 : " (a shared memory needs the threads feature)";
    return wasm_error_set(r->err, at,
                          "integer too large: malformed limits flags 0x%02x%s",
                          flags, hint);
  }
  out->has_max = flags & LIMITS_HAS_MAX;
  if (flags & LIMITS_64) {
    if (!wasm_read_u64(r, &out->min) ||
        (out->has_max && !wasm_read_u64(r, &out->max)))
      return false;
    if (!out->has_max)
      out->max = 0;
  } else {
    uint32_t min, max = 0;
    if (!wasm_read_u32(r, &min) || (out->has_max && !wasm_read_u32(r, &max)))
      return false;
    out->min = min;
    out->max = max;
  }
  *flags_out = flags;
  return true;
}

static bool read_memory_type(const wasm_module *m, wasm_reader *r,
                             wasm_memtype *out) {
  uint8_t flags;
  if (!read_limits_flags(m, r, &out->limits, true, &flags))
    return false;
  out->shared = flags & LIMITS_SHARED;
  out->is64 = flags & LIMITS_64;
  return true;
}

static bool read_table_type(const wasm_module *m, wasm_reader *r,
                            wasm_tabletype *out) {
  uint8_t flags;
  if (!read_ref_type(m, r, &out->elem_type) ||
      !read_limits_flags(m, r, &out->limits, false, &flags))
    return false;
  out->is64 = flags & LIMITS_64;
  return true;
}

static bool read_global_type(const wasm_module *m, wasm_reader *r,
                             wasm_globaltype *out) {
  if (!read_value_type(m, r, &out->type))
    return false;
  size_t at = r->pos;
  uint8_t mut;
  if (!wasm_read_u8(r, &mut))
    return false;
  if (mut > 1)
    return wasm_error_set(r->err, at, "malformed mutability 0x%02x", mut);
  out->is_mutable = mut == 1;
  return true;
}

/* ---- constant expressions ----------------------------------------------- */

static bool read_v128_const(wasm_reader *r, wasm_const_expr *e, size_t at) {
  uint32_t sub;
  const uint8_t *bytes;
  if (!wasm_read_u32(r, &sub))
    return false;
  if (sub != SIMD_V128_CONST)
    return wasm_error_set(r->err, at, "constant expression required");
  if (!wasm_read_bytes(r, 16, &bytes))
    return false;
  e->kind = WASM_CONST_V128;
  memcpy(e->value.v128, bytes, 16);
  return true;
}

static bool read_int_const(wasm_reader *r, uint8_t op, wasm_const_expr *e) {
  if (op == OP_I32_CONST) {
    int32_t v;
    e->kind = WASM_CONST_I32;
    if (!wasm_read_s32(r, &v))
      return false;
    e->value.i32 = (uint32_t)v;
    return true;
  }
  int64_t v;
  e->kind = WASM_CONST_I64;
  if (!wasm_read_s64(r, &v))
    return false;
  e->value.i64 = (uint64_t)v;
  return true;
}

static bool read_const_value(wasm_reader *r, const wasm_module *m, uint8_t op,
                             wasm_const_expr *e);

/* The arithmetic of extended constant expressions, by opcode byte. */
static wasm_const_arith const_arith_of(uint8_t op) {
  switch (op) {
  case OP_I32_ADD:
    return WASM_CONST_I32_ADD;
  case OP_I32_SUB:
    return WASM_CONST_I32_SUB;
  case OP_I32_MUL:
    return WASM_CONST_I32_MUL;
  case OP_I64_ADD:
    return WASM_CONST_I64_ADD;
  case OP_I64_SUB:
    return WASM_CONST_I64_SUB;
  case OP_I64_MUL:
    return WASM_CONST_I64_MUL;
  default:
    return WASM_CONST_PUSH;
  }
}

/* One instruction of a constant expression: a constant, global.get,
 * ref.null, ref.func, or (3.0) i32/i64 add, sub, mul. */
bool wasm_read_const_instr(wasm_reader *r, const wasm_module *m,
                           wasm_const_instr *in) {
  in->arith = WASM_CONST_PUSH;
  wasm_const_expr *e = &in->value;
  e->offset = r->pos;
  uint8_t op;
  if (!wasm_read_u8(r, &op))
    return false;
  in->arith = const_arith_of(op);
  bool ok = in->arith != WASM_CONST_PUSH || read_const_value(r, m, op, e);
  e->size = r->pos - e->offset;
  return ok;
}

static bool read_const_value(wasm_reader *r, const wasm_module *m, uint8_t op,
                             wasm_const_expr *e) {
  size_t at = e->offset;
  switch (op) {
  case OP_I32_CONST:
  case OP_I64_CONST:
    return read_int_const(r, op, e);
  case OP_F32_CONST:
    e->kind = WASM_CONST_F32;
    return wasm_read_f32_bits(r, &e->value.f32_bits);
  case OP_F64_CONST:
    e->kind = WASM_CONST_F64;
    return wasm_read_f64_bits(r, &e->value.f64_bits);
  case OP_SIMD_PREFIX:
    return read_v128_const(r, e, at);
  case OP_REF_NULL: {
    /* A heap type (3.0); 2.0's reference type bytes are the same. */
    wasm_heaptype heap;
    e->kind = WASM_CONST_REF_NULL;
    if (!wasm_read_heap_type(r, wasm_module_type_rules(m), &heap))
      return false;
    e->value.ref_type = wasm_ref_type(true, heap);
    return true;
  }
  case OP_REF_FUNC:
    e->kind = WASM_CONST_REF_FUNC;
    return wasm_read_u32(r, &e->value.index);
  case OP_GLOBAL_GET:
    e->kind = WASM_CONST_GLOBAL_GET;
    return wasm_read_u32(r, &e->value.index);
  case OP_END:
    /* The validator's word: an empty expression leaves no value. */
    return wasm_error_set(r->err, at,
                          "type mismatch: constant expression is empty");
  default:
    return wasm_error_set(r->err, at,
                          "constant expression required: opcode 0x%02x", op);
  }
}

static bool next_is_end(const wasm_reader *r) {
  return !wasm_reader_at_end(r) && r->bytes[r->pos] == OP_END;
}

/* A one-instruction expression is kept as that instruction; a longer one
 * (extended constant expressions) as its bytes, checked here for syntax
 * and for the depth of its operand stack (types are the validator's). */
static bool read_const_expr(const wasm_module *m, wasm_reader *r,
                            wasm_const_expr *e) {
  size_t start = r->pos;
  wasm_const_instr in;
  if (!wasm_read_const_instr(r, m, &in))
    return false;
  if (in.arith == WASM_CONST_PUSH && next_is_end(r)) {
    *e = in.value;
  } else {
    uint32_t depth = in.arith == WASM_CONST_PUSH ? 1 : 0, max_depth = depth;
    while (!next_is_end(r)) {
      size_t at = r->pos;
      if (wasm_reader_at_end(r))
        break; /* the read of `end` below reports it */
      if (!wasm_read_const_instr(r, m, &in))
        return false;
      if (in.arith == WASM_CONST_PUSH)
        depth++;
      else if (depth > 0)
        depth--; /* two operands, one result; underflow is for validation */
      if (depth > max_depth)
        max_depth = depth;
      if (max_depth > WASM_CONST_EXPR_MAX_DEPTH)
        return wasm_error_set(r->err, at,
                              "constant expression too deep: more than %d "
                              "operands (implementation limit)",
                              WASM_CONST_EXPR_MAX_DEPTH);
    }
    e->kind = WASM_CONST_EXTENDED;
    e->value.max_depth = max_depth;
  }
  e->offset = start;
  e->size = r->pos - start;
  uint8_t end;
  return wasm_read_u8(r, &end);
}

/* ---- type section ------------------------------------------------------- */

/* A vec(valtype) into a fresh array of *count types. */
static bool read_value_type_vec(const wasm_module *m, wasm_reader *r,
                                uint32_t *count, wasm_type **out) {
  if (!read_count(r, count))
    return false;
  *out = alloc_array(r, *count, sizeof **out);
  if (!*out && *count)
    return false;
  for (uint32_t i = 0; i < *count; i++)
    if (!read_value_type(m, r, &(*out)[i]))
      return false;
  return true;
}

static bool read_func_type(const wasm_module *m, wasm_reader *r,
                           wasm_functype *t) {
  uint32_t params, results;
  wasm_type *p = NULL, *q = NULL;
  bool ok = read_value_type_vec(m, r, &params, &p) &&
            read_value_type_vec(m, r, &results, &q);
  /* Both counts are bytes of the module, so their sum fits a size_t. */
  size_t total = (size_t)params + results;
  if (ok) {
    t->types = alloc_array(r, total, sizeof *t->types);
    ok = t->types || !total;
  }
  if (ok && params)
    memcpy(t->types, p, params * sizeof *p);
  if (ok && results)
    memcpy(t->types + params, q, results * sizeof *q);
  free(p);
  free(q);
  if (!ok)
    return false;
  t->param_count = params;
  t->result_count = results;
  return true;
}

/* A struct or array field: a storage type (a value type, i8 or i16) and
 * its mutability. */
static bool read_field(const wasm_module *m, wasm_reader *r, wasm_type *type,
                       uint8_t *is_mutable) {
  if (r->pos < r->end &&
      (r->bytes[r->pos] == WASM_TYPE_I8 || r->bytes[r->pos] == WASM_TYPE_I16))
    *type = r->bytes[r->pos++];
  else if (!read_value_type(m, r, type))
    return false;
  size_t at = r->pos;
  if (!wasm_read_u8(r, is_mutable))
    return false;
  if (*is_mutable > 1)
    return wasm_error_set(r->err, at, "malformed mutability 0x%02x",
                          *is_mutable);
  return true;
}

static bool read_fields(const wasm_module *m, wasm_reader *r, uint32_t count,
                        wasm_functype *t) {
  t->types = alloc_array(r, count, sizeof *t->types);
  t->field_mutable = alloc_array(r, count, 1);
  if (count && (!t->types || !t->field_mutable))
    return false;
  t->param_count = count;
  for (uint32_t i = 0; i < count; i++)
    if (!read_field(m, r, &t->types[i], &t->field_mutable[i]))
      return false;
  return true;
}

static bool read_composite_type(const wasm_module *m, wasm_reader *r,
                                wasm_functype *t) {
  size_t at = r->pos;
  uint8_t form;
  if (!wasm_read_type_byte(r, &form))
    return false;
  bool typed = m->features & WASM_FEATURE_FUNCTION_REFERENCES;
  uint32_t count = 1;
  switch (form) {
  case FUNCTYPE_FORM:
    t->composite = WASM_COMPOSITE_FUNC;
    return read_func_type(m, r, t);
  case STRUCTTYPE_FORM:
    if (!typed || !read_count(r, &count))
      break;
    t->composite = WASM_COMPOSITE_STRUCT;
    return read_fields(m, r, count, t);
  case ARRAYTYPE_FORM:
    if (!typed)
      break;
    t->composite = WASM_COMPOSITE_ARRAY;
    return read_fields(m, r, count, t);
  }
  if (r->err->message[0])
    return false;
  return wasm_error_set(r->err, at, "malformed function type 0x%02x", form);
}

/* sub / sub final with at most one supertype, or a bare composite type
 * (final, no supertype). */
static bool read_sub_type(const wasm_module *m, wasm_reader *r,
                          wasm_functype *t) {
  t->is_final = true;
  t->supertype = WASM_NO_SUPERTYPE;
  uint8_t b = r->pos < r->end ? r->bytes[r->pos] : 0;
  if ((b != SUBTYPE_FORM && b != SUBTYPE_FINAL_FORM) ||
      !(m->features & WASM_FEATURE_FUNCTION_REFERENCES))
    return read_composite_type(m, r, t);
  r->pos++;
  t->is_final = b == SUBTYPE_FINAL_FORM;
  size_t at = r->pos;
  uint32_t n;
  if (!read_count(r, &n))
    return false;
  if (n > 1)
    return wasm_error_set(r->err, at, "multiple supertypes: %u", n);
  if (n == 1 && !wasm_read_u32(r, &t->supertype))
    return false;
  return read_composite_type(m, r, t);
}

/* Room for one more type; the section's count is of rec groups, not
 * types. */
static bool reserve_type(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  if (m->type_count < d->type_capacity)
    return true;
  if (m->type_count >= WASM_HEAP_INDEX_LIMIT)
    return wasm_error_set(r->err, r->pos,
                          "too many types (implementation limit)");
  uint32_t cap = d->type_capacity ? 2 * d->type_capacity : 16;
  wasm_functype *grown = realloc(m->types, cap * sizeof *grown);
  if (!grown)
    return wasm_error_set(r->err, r->pos, "out of memory");
  memset(grown + m->type_count, 0, (cap - m->type_count) * sizeof *grown);
  m->types = grown;
  d->type_capacity = cap;
  return true;
}

/* One rec group: `rec` with several sub types, or a single one. */
static bool read_rec_group(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  uint32_t n = 1;
  if (r->pos < r->end && r->bytes[r->pos] == RECTYPE_FORM &&
      (m->features & WASM_FEATURE_FUNCTION_REFERENCES)) {
    r->pos++;
    if (!read_count(r, &n))
      return false;
  }
  uint32_t start = m->type_count;
  for (uint32_t i = 0; i < n; i++) {
    if (!reserve_type(d, r))
      return false;
    wasm_functype *t = &m->types[m->type_count++];
    t->rec_start = start;
    t->rec_size = n;
    if (!read_sub_type(m, r, t))
      return false;
    if (!t->is_final || t->supertype != WASM_NO_SUPERTYPE)
      m->has_subtypes = true;
  }
  return true;
}

static bool decode_type_section(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_count(r, &n))
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (!read_rec_group(d, r))
      return false;
  return wasm_module_canonicalise_types(m, r->err);
}

/* ---- import section ----------------------------------------------------- */

/* A tag type: the attribute byte (0, exception, the only one there is)
 * and a function type index, range-checked by validation. */
static bool read_tag_type(wasm_reader *r, uint32_t *type_index) {
  size_t at = r->pos;
  uint8_t attribute;
  if (!wasm_read_u8(r, &attribute))
    return false;
  if (attribute != TAG_ATTRIBUTE_EXCEPTION)
    return wasm_error_set(r->err, at, "malformed tag attribute 0x%02x",
                          attribute);
  return wasm_read_u32(r, type_index);
}

static bool read_import_desc(const wasm_module *m, wasm_reader *r,
                             wasm_import *imp) {
  size_t at = r->pos;
  uint8_t kind;
  if (!wasm_read_u8(r, &kind))
    return false;
  imp->kind = (wasm_extern_kind)kind;
  switch (kind) {
  case WASM_EXTERN_FUNC:
    return wasm_read_u32(r, &imp->desc.func_type);
  case WASM_EXTERN_TABLE:
    return read_table_type(m, r, &imp->desc.table);
  case WASM_EXTERN_MEMORY:
    return read_memory_type(m, r, &imp->desc.memory);
  case WASM_EXTERN_GLOBAL:
    return read_global_type(m, r, &imp->desc.global);
  case WASM_EXTERN_TAG:
    if (!wasm_module_has_tags_feature(m))
      return wasm_error_set(r->err, at,
                            "malformed import kind 0x04 (tags need the "
                            "exceptions feature)");
    return read_tag_type(r, &imp->desc.tag_type);
  default:
    return wasm_error_set(r->err, at, "malformed import kind 0x%02x", kind);
  }
}

static void count_import(wasm_module *m, wasm_extern_kind kind) {
  switch (kind) {
  case WASM_EXTERN_FUNC:
    m->import_func_count++;
    break;
  case WASM_EXTERN_TABLE:
    m->import_table_count++;
    break;
  case WASM_EXTERN_MEMORY:
    m->import_memory_count++;
    break;
  case WASM_EXTERN_GLOBAL:
    m->import_global_count++;
    break;
  case WASM_EXTERN_TAG:
    m->import_tag_count++;
    break;
  }
}

static bool decode_import_section(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_count(r, &n))
    return false;
  m->imports = alloc_array(r, n, sizeof *m->imports);
  if (!m->imports && n)
    return false;
  m->import_count = n;
  for (uint32_t i = 0; i < n; i++) {
    wasm_import *imp = &m->imports[i];
    imp->offset = r->pos;
    if (!read_name(r, &imp->module) || !read_name(r, &imp->field) ||
        !read_import_desc(m, r, imp))
      return false;
    count_import(m, imp->kind);
  }
  return true;
}

/* ---- index spaces: imports first, then the module's own definitions ---- */

/* Imports and definitions of one kind, checked to fit an index. */
static bool space_size(wasm_reader *r, uint32_t imported, uint32_t defined,
                       const char *what, uint32_t *total) {
  uint64_t sum = (uint64_t)imported + defined;
  if (sum > UINT32_MAX)
    return wasm_error_set(r->err, r->pos, "too many %s", what);
  *total = (uint32_t)sum;
  return true;
}

static bool build_func_space(wasm_module *m, wasm_reader *r, uint32_t defined) {
  uint32_t total = 0;
  if (!space_size(r, m->import_func_count, defined, "functions", &total))
    return false;
  m->func_types = alloc_array(r, total, sizeof *m->func_types);
  m->funcs = alloc_array(r, defined, sizeof *m->funcs);
  if ((!m->func_types && total) || (!m->funcs && defined))
    return false;
  m->func_count = total;
  uint32_t k = 0;
  for (uint32_t i = 0; i < m->import_count; i++)
    if (m->imports[i].kind == WASM_EXTERN_FUNC)
      m->func_types[k++] = m->imports[i].desc.func_type;
  return true;
}

static bool build_table_space(wasm_module *m, wasm_reader *r,
                              uint32_t defined) {
  uint32_t total = 0;
  if (!space_size(r, m->import_table_count, defined, "tables", &total))
    return false;
  m->tables = alloc_array(r, total, sizeof *m->tables);
  if (!m->tables && total)
    return false;
  m->table_count = total;
  uint32_t k = 0;
  for (uint32_t i = 0; i < m->import_count; i++)
    if (m->imports[i].kind == WASM_EXTERN_TABLE)
      m->tables[k++] = m->imports[i].desc.table;
  return true;
}

static bool build_memory_space(wasm_module *m, wasm_reader *r,
                               uint32_t defined) {
  uint32_t total = 0;
  if (!space_size(r, m->import_memory_count, defined, "memories", &total))
    return false;
  m->memories = alloc_array(r, total, sizeof *m->memories);
  if (!m->memories && total)
    return false;
  m->memory_count = total;
  uint32_t k = 0;
  for (uint32_t i = 0; i < m->import_count; i++)
    if (m->imports[i].kind == WASM_EXTERN_MEMORY)
      m->memories[k++] = m->imports[i].desc.memory;
  return true;
}

static bool build_global_space(wasm_module *m, wasm_reader *r,
                               uint32_t defined) {
  uint32_t total = 0;
  if (!space_size(r, m->import_global_count, defined, "globals", &total))
    return false;
  m->globals = alloc_array(r, total, sizeof *m->globals);
  if (!m->globals && total)
    return false;
  m->global_count = total;
  uint32_t k = 0;
  for (uint32_t i = 0; i < m->import_count; i++)
    if (m->imports[i].kind == WASM_EXTERN_GLOBAL)
      m->globals[k++].type = m->imports[i].desc.global;
  return true;
}

static bool build_tag_space(wasm_module *m, wasm_reader *r, uint32_t defined) {
  uint32_t total = 0;
  if (!space_size(r, m->import_tag_count, defined, "tags", &total))
    return false;
  m->tag_types = alloc_array(r, total, sizeof *m->tag_types);
  if (!m->tag_types && total)
    return false;
  m->tag_count = total;
  uint32_t k = 0;
  for (uint32_t i = 0; i < m->import_count; i++)
    if (m->imports[i].kind == WASM_EXTERN_TAG)
      m->tag_types[k++] = m->imports[i].desc.tag_type;
  return true;
}

/* ---- function, table, memory, global, tag sections ---------------------- */

static bool decode_function_section(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_count(r, &n) || !build_func_space(m, r, n))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    if (!wasm_read_u32(r, &m->funcs[i].type_index))
      return false;
    m->func_types[m->import_func_count + i] = m->funcs[i].type_index;
  }
  return true;
}

/* A defined table: its type, or (3.0) 0x40 0x00, its type and the
 * expression every element starts as. */
static bool read_table(wasm_module *m, wasm_reader *r, uint32_t index) {
  size_t at = r->pos;
  if (r->pos < r->end && r->bytes[r->pos] == TABLE_INIT_FORM &&
      (m->features & WASM_FEATURE_FUNCTION_REFERENCES)) {
    uint8_t zero;
    r->pos++;
    if (!wasm_read_u8(r, &zero))
      return false;
    if (zero != 0)
      return wasm_error_set(r->err, at + 1,
                            "malformed table: zero byte "
                            "expected after 0x40");
    if (!m->has_table_init) {
      m->has_table_init = alloc_array(r, m->table_count, sizeof(bool));
      m->table_inits = alloc_array(r, m->table_count, sizeof *m->table_inits);
      if (!m->has_table_init || !m->table_inits)
        return false;
    }
    m->has_table_init[index] = true;
    return read_table_type(m, r, &m->tables[index]) &&
           read_const_expr(m, r, &m->table_inits[index]);
  }
  if (r->pos < r->end && r->bytes[r->pos] == TABLE_INIT_FORM)
    return wasm_error_set(r->err, at,
                          "malformed reference type 0x40 (a table "
                          "initializer needs the function-references "
                          "feature)");
  return read_table_type(m, r, &m->tables[index]);
}

static bool decode_table_section(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_count(r, &n) || !build_table_space(m, r, n))
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (!read_table(m, r, m->import_table_count + i))
      return false;
  return true;
}

static bool decode_memory_section(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_count(r, &n) || !build_memory_space(m, r, n))
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (!read_memory_type(m, r, &m->memories[m->import_memory_count + i]))
      return false;
  return true;
}

static bool decode_global_section(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_count(r, &n) || !build_global_space(m, r, n))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    wasm_global *g = &m->globals[m->import_global_count + i];
    if (!read_global_type(m, r, &g->type) || !read_const_expr(m, r, &g->init))
      return false;
  }
  return true;
}

static bool decode_tag_section(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_count(r, &n) || !build_tag_space(m, r, n))
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (!read_tag_type(r, &m->tag_types[m->import_tag_count + i]))
      return false;
  return true;
}

/* ---- export and start sections ------------------------------------------ */

static bool read_export(const wasm_module *m, wasm_reader *r, wasm_export *e) {
  if (!read_name(r, &e->name))
    return false;
  size_t at = r->pos;
  uint8_t kind;
  if (!wasm_read_u8(r, &kind))
    return false;
  if (kind > WASM_EXTERN_TAG ||
      (kind == WASM_EXTERN_TAG && !wasm_module_has_tags_feature(m)))
    return wasm_error_set(r->err, at, "malformed export kind 0x%02x", kind);
  e->kind = (wasm_extern_kind)kind;
  return wasm_read_u32(r, &e->index);
}

static bool decode_export_section(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_count(r, &n))
    return false;
  m->exports = alloc_array(r, n, sizeof *m->exports);
  if (!m->exports && n)
    return false;
  m->export_count = n;
  for (uint32_t i = 0; i < n; i++)
    if (!read_export(m, r, &m->exports[i]))
      return false;
  return true;
}

static bool decode_start_section(decoder *d, wasm_reader *r) {
  d->m->has_start = true;
  return wasm_read_u32(r, &d->m->start_func);
}

/* ---- element section ---------------------------------------------------- */

/* The item vector's length, and room for that many items. */
static bool alloc_elem_items(wasm_reader *r, wasm_elem_segment *seg) {
  uint32_t n;
  if (!read_count(r, &n))
    return false;
  seg->items = alloc_array(r, n, sizeof *seg->items);
  if (!seg->items && n)
    return false;
  seg->item_count = n;
  return true;
}

/* Items given as bare function indices become ref.func expressions whose
 * offset and size cover the index, so consumers see one form. */
static bool read_func_index_items(wasm_reader *r, wasm_elem_segment *seg) {
  if (!alloc_elem_items(r, seg))
    return false;
  for (uint32_t i = 0; i < seg->item_count; i++) {
    wasm_const_expr *e = &seg->items[i];
    e->kind = WASM_CONST_REF_FUNC;
    e->offset = r->pos;
    if (!wasm_read_u32(r, &e->value.index))
      return false;
    e->size = r->pos - e->offset;
  }
  return true;
}

static bool read_expr_items(const wasm_module *m, wasm_reader *r,
                            wasm_elem_segment *seg) {
  if (!alloc_elem_items(r, seg))
    return false;
  for (uint32_t i = 0; i < seg->item_count; i++)
    if (!read_const_expr(m, r, &seg->items[i]))
      return false;
  return true;
}

static bool read_elem_kind(wasm_reader *r, wasm_type *out) {
  size_t at = r->pos;
  uint8_t kind;
  if (!wasm_read_u8(r, &kind))
    return false;
  if (kind != ELEM_KIND_FUNCREF)
    return wasm_error_set(r->err, at, "malformed element kind 0x%02x", kind);
  *out = wasm_ref_type(false, WASM_HEAP_FUNC);
  return true;
}

/* The segment's flags are three bits: 1 = passive or declarative, 2 =
 * explicit table index (active) or declarative (otherwise), 4 = items are
 * expressions rather than function indices. */
static bool read_elem_segment(const wasm_module *m, wasm_reader *r,
                              wasm_elem_segment *seg) {
  seg->offset_in_module = r->pos;
  uint32_t flags;
  if (!wasm_read_u32(r, &flags))
    return false;
  if (flags > 7)
    return wasm_error_set(r->err, seg->offset_in_module,
                          "malformed elements segment kind %u", flags);
  bool is_active = !(flags & 1), uses_exprs = flags & 4;
  seg->mode = is_active     ? WASM_SEGMENT_ACTIVE
              : (flags & 2) ? WASM_SEGMENT_DECLARATIVE
                            : WASM_SEGMENT_PASSIVE;
  if (is_active && (flags & 2) && !wasm_read_u32(r, &seg->table_index))
    return false;
  if (is_active && !read_const_expr(m, r, &seg->offset))
    return false;
  /* Flag 0 implies (ref func) (function indices are never null), flag 4
   * funcref; the others spell out the element type. */
  seg->elem_type =
      uses_exprs ? WASM_TYPE_FUNCREF : wasm_ref_type(false, WASM_HEAP_FUNC);
  if ((flags & 3) && !(uses_exprs ? read_ref_type(m, r, &seg->elem_type)
                                  : read_elem_kind(r, &seg->elem_type)))
    return false;
  return uses_exprs ? read_expr_items(m, r, seg)
                    : read_func_index_items(r, seg);
}

static bool decode_element_section(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  uint32_t n;
  if (!read_count(r, &n))
    return false;
  m->elems = alloc_array(r, n, sizeof *m->elems);
  if (!m->elems && n)
    return false;
  m->elem_count = n;
  for (uint32_t i = 0; i < n; i++)
    if (!read_elem_segment(m, r, &m->elems[i]))
      return false;
  return true;
}

/* ---- data count, code and data sections --------------------------------- */

/* Functions the function section declared; 0 when there was none. */
static uint32_t defined_func_count(const decoder *d) {
  if (!(d->sections_seen & 1u << SECTION_FUNCTION))
    return 0;
  return d->m->func_count - d->m->import_func_count;
}

static bool decode_data_count_section(decoder *d, wasm_reader *r) {
  d->m->has_data_count = true;
  return wasm_read_u32(r, &d->m->data_count);
}

/* Declared locals come in runs of (count, type). Their total must fit the
 * 32-bit local index space; the spec checks declared locals only, params
 * excluded. */
static bool read_locals(const wasm_module *m, wasm_reader *r, wasm_func *f) {
  uint32_t runs;
  if (!read_count(r, &runs))
    return false;
  f->local_runs = alloc_array(r, runs, sizeof *f->local_runs);
  if (!f->local_runs && runs)
    return false;
  f->local_run_count = runs;
  uint64_t total = 0;
  for (uint32_t i = 0; i < runs; i++) {
    wasm_local_run *run = &f->local_runs[i];
    size_t at = r->pos;
    if (!wasm_read_u32(r, &run->count) || !read_value_type(m, r, &run->type))
      return false;
    total += run->count;
    if (total > UINT32_MAX)
      return wasm_error_set(r->err, at, "too many locals");
  }
  f->local_count = total;
  return true;
}

/* One code entry: its size, locals, and instructions ending in `end`. The
 * instructions themselves are checked later by the instruction reader;
 * here we only make sure the body is not empty and ends in `end`. */
static bool read_code_entry(const wasm_module *m, wasm_reader *r,
                            wasm_func *f) {
  uint32_t size;
  if (!read_length(r, &size))
    return false;
  wasm_reader body = sub_reader(r, size);
  f->body_offset = body.pos;
  f->code_end = body.end;
  if (!read_locals(m, &body, f))
    return false;
  f->code_offset = body.pos;
  if (wasm_reader_at_end(&body))
    return wasm_error_set(r->err, body.end,
                          "unexpected end of section or function");
  if (r->bytes[body.end - 1] != OP_END)
    return wasm_error_set(r->err, body.end - 1, "END opcode expected");
  return true;
}

static bool decode_code_section(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  uint32_t defined = defined_func_count(d);
  size_t at = r->pos;
  uint32_t n;
  if (!read_count(r, &n))
    return false;
  if (n != defined)
    return wasm_error_set(r->err, at,
                          "function and code section have inconsistent "
                          "lengths: %u functions, %u bodies",
                          defined, n);
  for (uint32_t i = 0; i < n; i++)
    if (!read_code_entry(m, r, &m->funcs[i]))
      return false;
  return true;
}

/* Flags: 0 = active in memory 0, 1 = passive, 2 = active with an explicit
 * memory index. */
static bool read_data_segment(const wasm_module *m, wasm_reader *r,
                              wasm_data_segment *seg) {
  seg->offset_in_module = r->pos;
  uint32_t flags;
  if (!wasm_read_u32(r, &flags))
    return false;
  if (flags > 2)
    return wasm_error_set(r->err, seg->offset_in_module,
                          "malformed data segment kind %u", flags);
  seg->mode = flags == 1 ? WASM_SEGMENT_PASSIVE : WASM_SEGMENT_ACTIVE;
  if (flags == 2 && !wasm_read_u32(r, &seg->memory_index))
    return false;
  if (flags != 1 && !read_const_expr(m, r, &seg->offset))
    return false;
  const uint8_t *data;
  if (!wasm_read_u32(r, &seg->size) || !wasm_read_bytes(r, seg->size, &data))
    return false;
  seg->data_offset = (size_t)(data - r->bytes);
  return true;
}

static bool decode_data_section(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  size_t at = r->pos;
  uint32_t n;
  if (!read_count(r, &n))
    return false;
  if (m->has_data_count && n != m->data_count)
    return wasm_error_set(r->err, at,
                          "data count and data section have inconsistent "
                          "lengths: data count %u, %u segments",
                          m->data_count, n);
  m->data_segments = alloc_array(r, n, sizeof *m->data_segments);
  if (!m->data_segments && n)
    return false;
  m->data_segment_count = n;
  for (uint32_t i = 0; i < n; i++)
    if (!read_data_segment(m, r, &m->data_segments[i]))
      return false;
  return true;
}

/* ---- custom sections ---------------------------------------------------- */

static bool append_custom(decoder *d, wasm_reader *r,
                          const wasm_custom_section *c) {
  wasm_module *m = d->m;
  if (m->custom_count == d->custom_capacity) {
    /* Each custom section takes at least two bytes, so the count stays far
     * below the point where doubling could overflow. */
    uint32_t cap = d->custom_capacity ? d->custom_capacity * 2 : 4;
    wasm_custom_section *grown = realloc(m->customs, cap * sizeof *grown);
    if (!grown)
      return wasm_error_set(r->err, r->pos, "out of memory");
    m->customs = grown;
    d->custom_capacity = cap;
  }
  m->customs[m->custom_count++] = *c;
  return true;
}

static bool decode_custom_section(decoder *d, wasm_reader *r) {
  wasm_custom_section c = {0};
  if (!read_name(r, &c.name))
    return false;
  c.data_offset = r->pos;
  c.data_size = wasm_reader_remaining(r);
  c.after_section = d->last_id;
  r->pos = r->end;
  return append_custom(d, r, &c);
}

/* ---- section framing ---------------------------------------------------- */

static const char *section_name(uint8_t id) {
  static const char *const names[] = {
      "custom", "type",  "import",  "function", "table", "memory",     "global",
      "export", "start", "element", "code",     "data",  "data count", "tag"};
  return id < sizeof names / sizeof names[0] ? names[id] : "unknown";
}

/* Where a section may appear: by id, except that the data count section
 * (added with bulk memory) goes between the element and code sections,
 * and the tag section (exceptions) between the memory and global ones. */
static unsigned section_rank(uint8_t id) {
  if (id == SECTION_DATA_COUNT)
    return SECTION_ELEMENT * 2 + 1;
  if (id == SECTION_TAG)
    return SECTION_MEMORY * 2 + 1;
  return id * 2u;
}

static bool check_section_order(decoder *d, wasm_reader *r, uint8_t id,
                                size_t at) {
  if (d->sections_seen & (1u << id))
    return wasm_error_set(r->err, at,
                          "unexpected content after last section: "
                          "duplicate %s section",
                          section_name(id));
  if (d->last_id && section_rank(id) < section_rank(d->last_id))
    return wasm_error_set(r->err, at,
                          "unexpected content after last section: %s "
                          "section after %s section",
                          section_name(id), section_name(d->last_id));
  d->sections_seen |= 1u << id;
  d->last_id = id;
  return true;
}

static bool decode_section_contents(decoder *d, uint8_t id, wasm_reader *r) {
  switch (id) {
  case SECTION_CUSTOM:
    return decode_custom_section(d, r);
  case SECTION_TYPE:
    return decode_type_section(d, r);
  case SECTION_IMPORT:
    return decode_import_section(d, r);
  case SECTION_FUNCTION:
    return decode_function_section(d, r);
  case SECTION_TABLE:
    return decode_table_section(d, r);
  case SECTION_MEMORY:
    return decode_memory_section(d, r);
  case SECTION_GLOBAL:
    return decode_global_section(d, r);
  case SECTION_EXPORT:
    return decode_export_section(d, r);
  case SECTION_START:
    return decode_start_section(d, r);
  case SECTION_ELEMENT:
    return decode_element_section(d, r);
  case SECTION_CODE:
    return decode_code_section(d, r);
  case SECTION_DATA:
    return decode_data_section(d, r);
  case SECTION_TAG:
    return decode_tag_section(d, r);
  default:
    return decode_data_count_section(d, r);
  }
}

static bool decode_section(decoder *d, wasm_reader *r) {
  size_t at = r->pos;
  uint8_t id;
  if (!wasm_read_u8(r, &id))
    return false;
  if (id > SECTION_TAG ||
      (id == SECTION_TAG && !wasm_module_has_tags_feature(d->m)))
    return wasm_error_set(r->err, at, "malformed section id %u", id);
  if (id != SECTION_CUSTOM && !check_section_order(d, r, id, at))
    return false;
  uint32_t size;
  if (!read_length(r, &size))
    return false;
  wasm_reader section = sub_reader(r, size);
  if (!decode_section_contents(d, id, &section))
    return false;
  if (!wasm_reader_at_end(&section))
    return wasm_error_set(r->err, section.pos,
                          "section size mismatch: %s section has %zu bytes "
                          "left over",
                          section_name(id), wasm_reader_remaining(&section));
  return true;
}

static bool decode_header(wasm_reader *r) {
  static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6d};
  static const uint8_t version[4] = {0x01, 0x00, 0x00, 0x00};
  const uint8_t *p;
  if (!wasm_read_bytes(r, 4, &p))
    return false;
  if (memcmp(p, magic, 4) != 0)
    return wasm_error_set(r->err, 0, "magic header not detected");
  if (!wasm_read_bytes(r, 4, &p))
    return false;
  if (memcmp(p, version, 4) != 0)
    return wasm_error_set(r->err, 4, "unknown binary version");
  return true;
}

/* ---- after the last section --------------------------------------------- */

/* Index spaces of kinds whose defining section is absent hold only the
 * imports. */
static bool build_missing_spaces(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  uint32_t seen = d->sections_seen;
  return ((seen & 1u << SECTION_FUNCTION) || build_func_space(m, r, 0)) &&
         ((seen & 1u << SECTION_TABLE) || build_table_space(m, r, 0)) &&
         ((seen & 1u << SECTION_MEMORY) || build_memory_space(m, r, 0)) &&
         ((seen & 1u << SECTION_GLOBAL) || build_global_space(m, r, 0)) &&
         ((seen & 1u << SECTION_TAG) || build_tag_space(m, r, 0));
}

/* Counts that must agree with a section that never came. */
static bool check_absent_sections(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  uint32_t defined = defined_func_count(d);
  if (!(d->sections_seen & 1u << SECTION_CODE) && defined != 0)
    return wasm_error_set(r->err, r->pos,
                          "function and code section have inconsistent "
                          "lengths: %u functions, no code section",
                          defined);
  if (!(d->sections_seen & 1u << SECTION_DATA) && m->has_data_count &&
      m->data_count != 0)
    return wasm_error_set(r->err, r->pos,
                          "data count and data section have inconsistent "
                          "lengths: data count %u, no data section",
                          m->data_count);
  return true;
}

/* ---- the `name` custom section ------------------------------------------ */

/* vec((funcidx, name)), indices strictly increasing and in range. */
static bool read_function_names(wasm_module *m, wasm_reader *r) {
  uint32_t n;
  if (!read_count(r, &n))
    return false;
  uint64_t next_allowed = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t index;
    wasm_name name;
    if (!wasm_read_u32(r, &index) || !read_name(r, &name))
      return false;
    if (index < next_allowed || index >= m->func_count)
      return false;
    m->func_names[index] = name;
    next_allowed = (uint64_t)index + 1;
  }
  return true;
}

static bool read_name_subsection(wasm_module *m, uint8_t id, wasm_reader *r) {
  switch (id) {
  case 0:
    return read_name(r, &m->module_name);
  case 1:
    return read_function_names(m, r);
  default: /* local names and later extensions: not used */
    r->pos = r->end;
    return true;
  }
}

/* Subsections in increasing id order, each exactly filling its size. */
static bool read_name_subsections(wasm_module *m, wasm_reader *r) {
  int last_id = -1;
  while (!wasm_reader_at_end(r)) {
    uint8_t id;
    uint32_t size;
    if (!wasm_read_u8(r, &id) || !read_length(r, &size) || id <= last_id)
      return false;
    last_id = id;
    wasm_reader sub = sub_reader(r, size);
    if (!read_name_subsection(m, id, &sub) || !wasm_reader_at_end(&sub))
      return false;
  }
  return true;
}

static const wasm_custom_section *find_custom(const wasm_module *m,
                                              const char *name) {
  size_t len = strlen(name);
  for (uint32_t i = 0; i < m->custom_count; i++) {
    const wasm_custom_section *c = &m->customs[i];
    if (c->name.len == len && memcmp(c->name.data, name, len) == 0)
      return c;
  }
  return NULL;
}

/* The spec asks that a malformed name section not fail the module, so it
 * is read with an error of its own, and whatever it filled in before going
 * wrong is cleared. */
static void decode_name_section(wasm_module *m) {
  const wasm_custom_section *c = find_custom(m, "name");
  if (!c)
    return;
  wasm_error ignored = {0};
  wasm_reader r = {m->bytes, c->data_offset, c->data_offset + c->data_size,
                   &ignored};
  if (read_name_subsections(m, &r))
    return;
  m->module_name = (wasm_name){0};
  if (m->func_names)
    memset(m->func_names, 0, m->func_count * sizeof *m->func_names);
}

static bool finish_module(decoder *d, wasm_reader *r) {
  wasm_module *m = d->m;
  if (!build_missing_spaces(d, r) || !check_absent_sections(d, r))
    return false;
  m->func_names = alloc_array(r, m->func_count, sizeof *m->func_names);
  if (!m->func_names && m->func_count)
    return false;
  decode_name_section(m);
  return true;
}

/* Instruction syntax of every body, now that the module's types, index
 * spaces and data count are known. */
static bool check_function_bodies(wasm_module *m, wasm_error *err) {
  uint32_t defined = m->func_count - m->import_func_count;
  wasm_body_facts facts = {m->features_used, false};
  for (uint32_t i = 0; i < defined; i++)
    if (!wasm_func_body_well_formed(m, i, &facts, err))
      return false;
  m->features_used = facts.used;
  m->has_exception_code = facts.exception_code;
  for (uint32_t i = 0; i < m->memory_count; i++)
    if (m->memories[i].shared)
      m->features_used |= WASM_FEATURE_THREADS;
  return true;
}

/* ---- entry point -------------------------------------------------------- */

static wasm_module *new_module(const uint8_t *bytes, size_t size,
                               wasm_error *err) {
  wasm_module *m = calloc(1, sizeof *m);
  uint8_t *copy = malloc(size ? size : 1);
  if (!m || !copy) {
    free(m);
    free(copy);
    wasm_error_set(err, 0, "out of memory");
    return NULL;
  }
  if (size)
    memcpy(copy, bytes, size);
  m->bytes = copy;
  m->size = size;
  return m;
}

wasm_module *wasm_module_decode(const uint8_t *bytes, size_t size,
                                wasm_error *err) {
  return wasm_module_decode_features(bytes, size, WASM_FEATURES_DEFAULT, err);
}

wasm_module *wasm_module_decode_features(const uint8_t *bytes, size_t size,
                                         wasm_features features,
                                         wasm_error *err) {
  wasm_module *m = new_module(bytes, size, err);
  if (!m)
    return NULL;
  m->features = features;
  decoder d = {.m = m};
  wasm_reader r = {m->bytes, 0, size, err};
  bool ok = decode_header(&r);
  while (ok && !wasm_reader_at_end(&r))
    ok = decode_section(&d, &r);
  ok = ok && finish_module(&d, &r) && check_function_bodies(m, err);
  if (!ok) {
    wasm_module_free(m);
    return NULL;
  }
  return m;
}
