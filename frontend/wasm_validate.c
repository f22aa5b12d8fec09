/* Validation of a decoded module, following the spec's appendix "Validation
 * Algorithm".
 *
 * Module-level rules (indices, limits, constant expressions, exports,
 * start) come first; then each function body is checked in one pass with
 * an operand stack and a control stack. Both stacks live on the heap and
 * grow as needed, so neither nesting depth nor any count in the binary can
 * exhaust the C stack: the validator is meant to survive a fuzzer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_const_expr.h"
#include "wasm_features.h"
#include "wasm_instr.h"
#include "wasm_module.h"
#include "wasm_type_relations.h"

/* The type of an operand popped from the polymorphic stack of unreachable
 * code: it matches every type. No value type is encoded as 0. */
enum { TYPE_UNKNOWN = 0 };
/* A reference of unknown type from the polymorphic stack (what
 * ref.as_non_null and br_on_null give it back): matches every reference
 * type, and nothing else. */
#define TYPE_BOTTOM_REF WASM_REF_TYPE(0, WASM_HEAP_BOTTOM)

typedef struct type_list {
  const wasm_type *types;
  uint32_t count;
} type_list;

typedef struct ctrl_frame {
  /* BLOCK, LOOP, IF, ELSE, TRY_TABLE, or a legacy TRY, CATCH or CATCH_ALL
   * (a try in its handlers, which rethrow may name); the function body is
   * a BLOCK. */
  wasm_opcode op;
  wasm_blocktype type;
  size_t height; /* operand stack height when the frame was entered */
  bool unreachable;
  size_t br_table_stamp; /* offset + 1 of the last br_table checking it */
  size_t init_height;    /* locals initialised in it start here (inits) */
} ctrl_frame;

typedef struct validator {
  const wasm_module *m;
  wasm_error *err;
  uint8_t *declared_funcs; /* bitset over function indices: the spec's C.refs */
  uint32_t data_count;     /* the spec's C.datas: segments instructions name */
  uint32_t const_globals;  /* globals a constant expression may read */

  /* The function being checked. */
  const wasm_functype *func_type;
  const wasm_func *func;
  uint64_t *local_run_ends; /* prefix sums of func->local_runs[].count */
  /* Non-defaultable locals (non-null references) must be set before they
   * are read, and a set lasts to the end of its block. Each has an
   * ordinal (run_nd_base[run] + position in the run), a bit in
   * local_inited and, while set, an entry on `inits`. */
  uint64_t *run_nd_base;
  size_t local_run_cap;
  uint8_t *local_inited;
  size_t local_inited_size;
  uint32_t *inits;
  size_t init_count, init_cap;
  char type_names[4][48]; /* ring of buffers for messages */
  unsigned next_type_name;
  const wasm_instr *instr; /* for error offsets and messages */

  wasm_type *vals;
  size_t val_count, val_cap;
  ctrl_frame *ctrls;
  size_t ctrl_count, ctrl_cap;
} validator;

/* ---- Errors -------------------------------------------------------------- */

static bool fail_at(validator *v, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail(validator *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool fail_va(validator *v, size_t offset, const char *fmt, va_list ap) {
  char message[sizeof v->err->message];
  vsnprintf(message, sizeof message, fmt, ap);
  return wasm_error_set(v->err, offset, "%s", message);
}

static bool fail_at(validator *v, size_t offset, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fail_va(v, offset, fmt, ap);
  va_end(ap);
  return false;
}

/* An error in the current instruction. */
static bool fail(validator *v, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fail_va(v, v->instr->offset, fmt, ap);
  va_end(ap);
  return false;
}

static const char *type_name(validator *v, wasm_type t) {
  if (t == TYPE_UNKNOWN)
    return "any";
  char *buf = v->type_names[v->next_type_name++ % 4];
  return wasm_type_format(t, buf, sizeof v->type_names[0]);
}

static const char *instr_name(const validator *v) {
  return wasm_op_name(v->instr->op);
}

static bool grow(validator *v, void **items, size_t *cap, size_t item_size) {
  size_t new_cap = *cap ? *cap * 2 : 64;
  void *grown = realloc(*items, new_cap * item_size);
  if (!grown)
    return fail(v, "out of memory");
  *items = grown;
  *cap = new_cap;
  return true;
}

static bool check_value_type(validator *v, wasm_type t, size_t offset);

/* ---- Block types --------------------------------------------------------- */

static type_list functype_params(const wasm_functype *t) {
  return (type_list){wasm_functype_params(t), t->param_count};
}

/* A type without params or results may have no storage at all, and
 * NULL + 0 is undefined behaviour: only do the arithmetic when needed. */
static type_list functype_results(const wasm_functype *t) {
  if (!t->result_count)
    return (type_list){NULL, 0};
  return (type_list){wasm_functype_results(t), t->result_count};
}

static type_list blocktype_params(const wasm_module *m,
                                  const wasm_blocktype *bt) {
  if (bt->kind != WASM_BLOCKTYPE_TYPE_INDEX)
    return (type_list){NULL, 0};
  return functype_params(&m->types[bt->type_index]);
}

/* For a VALUE block type the list points into *bt, so it lives as long as
 * the block type does. */
static type_list blocktype_results(const wasm_module *m,
                                   const wasm_blocktype *bt) {
  switch (bt->kind) {
  case WASM_BLOCKTYPE_VALUE:
    return (type_list){&bt->value, 1};
  case WASM_BLOCKTYPE_TYPE_INDEX:
    return functype_results(&m->types[bt->type_index]);
  default:
    return (type_list){NULL, 0};
  }
}

/* A branch to a loop goes back to its start; to anything else, past its
 * end. */
static type_list label_types(const wasm_module *m, const ctrl_frame *f) {
  if (f->op == WASM_OP_LOOP)
    return blocktype_params(m, &f->type);
  return blocktype_results(m, &f->type);
}

static bool matches(const validator *v, wasm_type sub, wasm_type super) {
  return sub == TYPE_UNKNOWN || super == TYPE_UNKNOWN ||
         wasm_type_matches(v->m, sub, super);
}

/* Every type of `a` a subtype of the one at its place in `b`. */
static bool type_lists_match(const validator *v, type_list a, type_list b) {
  if (a.count != b.count)
    return false;
  for (uint32_t i = 0; i < a.count; i++)
    if (!matches(v, a.types[i], b.types[i]))
      return false;
  return true;
}

/* ---- Operand stack ------------------------------------------------------- */

static ctrl_frame *top_frame(validator *v) {
  return &v->ctrls[v->ctrl_count - 1];
}

static bool push_val(validator *v, wasm_type t) {
  if (v->val_count == v->val_cap &&
      !grow(v, (void **)&v->vals, &v->val_cap, sizeof *v->vals))
    return false;
  v->vals[v->val_count++] = t;
  return true;
}

static bool push_vals(validator *v, type_list list) {
  for (uint32_t i = 0; i < list.count; i++)
    if (!push_val(v, list.types[i]))
      return false;
  return true;
}

static bool mismatch(validator *v, wasm_type expected, const char *found) {
  return fail(v, "type mismatch in %s: expected %s, found %s", instr_name(v),
              expected == TYPE_UNKNOWN ? "a value" : type_name(v, expected),
              found);
}

/* Pops an operand that must have type `expected` (TYPE_UNKNOWN: any type)
 * and stores its type, possibly TYPE_UNKNOWN, in *out when out != NULL. */
static bool pop_val(validator *v, wasm_type expected, wasm_type *out) {
  const ctrl_frame *top = top_frame(v);
  wasm_type actual = TYPE_UNKNOWN;
  if (v->val_count == top->height) {
    if (!top->unreachable)
      return mismatch(v, expected, "nothing");
  } else {
    actual = v->vals[--v->val_count];
  }
  if (!matches(v, actual, expected))
    return mismatch(v, expected, type_name(v, actual));
  if (out)
    *out = actual;
  return true;
}

static bool pop_vals(validator *v, type_list list) {
  for (uint32_t i = list.count; i-- > 0;)
    if (!pop_val(v, list.types[i], NULL))
      return false;
  return true;
}

/* Checks that the top of the stack matches `list` without popping: what
 * the spec's push_vals(pop_vals(...)) does for each br_table target. */
static bool peek_vals(validator *v, type_list list) {
  const ctrl_frame *top = top_frame(v);
  size_t available = v->val_count - top->height;
  for (uint32_t i = 0; i < list.count; i++) {
    wasm_type expected = list.types[list.count - 1 - i];
    if (i >= available)
      return top->unreachable ? true : mismatch(v, expected, "nothing");
    wasm_type actual = v->vals[v->val_count - 1 - i];
    if (!matches(v, actual, expected))
      return mismatch(v, expected, type_name(v, actual));
  }
  return true;
}

/* Everything after an unconditional branch is unreachable: the stack is
 * cut back to the frame and becomes polymorphic. */
static void set_unreachable(validator *v) {
  ctrl_frame *top = top_frame(v);
  v->val_count = top->height;
  top->unreachable = true;
}

/* ---- Control stack ------------------------------------------------------- */

static bool push_ctrl(validator *v, wasm_opcode op, const wasm_blocktype *bt) {
  if (v->ctrl_count == v->ctrl_cap &&
      !grow(v, (void **)&v->ctrls, &v->ctrl_cap, sizeof *v->ctrls))
    return false;
  ctrl_frame *f = &v->ctrls[v->ctrl_count++];
  f->op = op;
  f->type = *bt;
  f->height = v->val_count;
  f->unreachable = false;
  f->br_table_stamp = 0;
  f->init_height = v->init_count;
  return true;
}

/* The checks shared by `else` and `end`: the frame's results are on the
 * stack, and nothing else is. */
static bool close_frame(validator *v) {
  const ctrl_frame *top = top_frame(v);
  if (!pop_vals(v, blocktype_results(v->m, &top->type)))
    return false;
  if (v->val_count != top->height)
    return fail(v,
                "type mismatch in %s: %zu more value(s) on the stack than "
                "the block's results",
                instr_name(v), v->val_count - top->height);
  return true;
}

static bool label_frame(validator *v, uint32_t depth, ctrl_frame **out) {
  if (depth >= v->ctrl_count)
    return fail(v, "unknown label %u", depth);
  *out = &v->ctrls[v->ctrl_count - 1 - depth];
  return true;
}

/* ---- Control instructions ------------------------------------------------ */

static bool check_func_type_index(validator *v, uint32_t type_index);

static bool check_blocktype(validator *v, const wasm_blocktype *bt) {
  if (bt->kind == WASM_BLOCKTYPE_TYPE_INDEX)
    return check_func_type_index(v, bt->type_index);
  if (bt->kind == WASM_BLOCKTYPE_VALUE)
    return check_value_type(v, bt->value, v->instr->offset);
  return true;
}

static bool validate_block_start(validator *v, const wasm_instr *in) {
  const wasm_blocktype *bt = &in->imm.block;
  if (!check_blocktype(v, bt))
    return false;
  if (in->op == WASM_OP_IF && !pop_val(v, WASM_TYPE_I32, NULL))
    return false;
  type_list params = blocktype_params(v->m, bt);
  return pop_vals(v, params) && push_ctrl(v, in->op, bt) &&
         push_vals(v, params);
}

/* Locals set inside the frame are unset again after it. */
static void reset_inits(validator *v, const ctrl_frame *f) {
  while (v->init_count > f->init_height) {
    uint32_t ordinal = v->inits[--v->init_count];
    v->local_inited[ordinal / 8] &= (uint8_t) ~(1u << (ordinal % 8));
  }
}

static bool validate_else(validator *v) {
  if (top_frame(v)->op != WASM_OP_IF)
    return fail(v, "else without matching if");
  if (!close_frame(v))
    return false;
  reset_inits(v, top_frame(v));
  ctrl_frame *top = top_frame(v);
  top->op = WASM_OP_ELSE;
  top->unreachable = false;
  return push_vals(v, blocktype_params(v->m, &top->type));
}

static bool validate_end(validator *v) {
  if (!close_frame(v))
    return false;
  ctrl_frame frame = *top_frame(v);
  reset_inits(v, &frame);
  type_list results = blocktype_results(v->m, &frame.type);
  /* A missing else branch passes the params through unchanged. */
  if (frame.op == WASM_OP_IF &&
      !type_lists_match(v, blocktype_params(v->m, &frame.type), results))
    return fail(v, "type mismatch in if: without an else branch, the block "
                   "type's params must equal its results");
  v->ctrl_count--;
  return push_vals(v, results);
}

static bool validate_br(validator *v, uint32_t depth) {
  ctrl_frame *target = NULL;
  if (!label_frame(v, depth, &target) ||
      !pop_vals(v, label_types(v->m, target)))
    return false;
  set_unreachable(v);
  return true;
}

static bool validate_br_if(validator *v, uint32_t depth) {
  ctrl_frame *target = NULL;
  if (!pop_val(v, WASM_TYPE_I32, NULL) || !label_frame(v, depth, &target))
    return false;
  type_list types = label_types(v->m, target);
  return pop_vals(v, types) && push_vals(v, types);
}

static bool validate_br_table(validator *v, const wasm_instr *in) {
  ctrl_frame *fallback = NULL, *target = NULL;
  if (!pop_val(v, WASM_TYPE_I32, NULL) ||
      !label_frame(v, in->imm.br_table.default_label, &fallback))
    return false;
  uint32_t arity = label_types(v->m, fallback).count;
  /* The checks of one label give the same answer every time, so a table
   * repeating a few labels costs one check per label, not per entry. */
  size_t stamp = in->offset + 1;
  wasm_br_table_iter it = wasm_br_table_begin(in);
  uint32_t depth;
  while (wasm_br_table_next(&it, &depth)) {
    if (!label_frame(v, depth, &target))
      return false;
    if (target->br_table_stamp == stamp)
      continue;
    target->br_table_stamp = stamp;
    type_list types = label_types(v->m, target);
    if (types.count != arity)
      return fail(v,
                  "type mismatch in br_table: label %u takes %u value(s), "
                  "the default label %u",
                  depth, types.count, arity);
    if (!peek_vals(v, types))
      return false;
  }
  if (!pop_vals(v, label_types(v->m, fallback)))
    return false;
  set_unreachable(v);
  return true;
}

static bool validate_return(validator *v) {
  if (!pop_vals(v, blocktype_results(v->m, &v->ctrls[0].type)))
    return false;
  set_unreachable(v);
  return true;
}

static bool apply_functype(validator *v, const wasm_functype *t) {
  return pop_vals(v, functype_params(t)) && push_vals(v, functype_results(t));
}

static bool validate_call(validator *v, uint32_t func) {
  if (func >= v->m->func_count)
    return fail(v, "unknown function %u", func);
  return apply_functype(v, wasm_func_type(v->m, func));
}

/* A type index naming a function type. */
static bool check_func_type_index(validator *v, uint32_t type_index) {
  if (type_index >= v->m->type_count)
    return fail(v, "unknown type %u", type_index);
  if (v->m->types[type_index].composite != WASM_COMPOSITE_FUNC)
    return fail(v, "type mismatch: type %u is not a function type", type_index);
  return true;
}

/* The table and type of call_indirect (and return_call_indirect), and
 * its table index operand. */
static bool check_call_indirect(validator *v, const wasm_instr *in) {
  const wasm_module *m = v->m;
  uint32_t table = in->imm.call_indirect.table;
  uint32_t type_index = in->imm.call_indirect.type_index;
  if (table >= m->table_count)
    return fail(v, "unknown table %u", table);
  if (!wasm_type_matches(m, m->tables[table].elem_type, WASM_TYPE_FUNCREF))
    return fail(v,
                "type mismatch in call_indirect: table %u holds %s, "
                "expected funcref",
                table, type_name(v, m->tables[table].elem_type));
  if (!check_func_type_index(v, type_index))
    return false;
  return pop_val(v, wasm_tabletype_addr_type(&m->tables[table]), NULL);
}

static bool validate_call_indirect(validator *v, const wasm_instr *in) {
  return check_call_indirect(v, in) &&
         apply_functype(v, &v->m->types[in->imm.call_indirect.type_index]);
}

/* return_call and return_call_indirect: a call whose results are the
 * function's, then as `return`. 3.0 asks the callee's results to match
 * the caller's (exactly, without subtyping here). */
static bool validate_return_call(validator *v, const wasm_functype *callee) {
  type_list want = blocktype_results(v->m, &v->ctrls[0].type);
  type_list got = functype_results(callee);
  if (!type_lists_match(v, got, want))
    return fail(v, "type mismatch: the callee of a tail call returns other "
                   "types than this function");
  return pop_vals(v, functype_params(callee)) &&
         push_vals(v, functype_results(callee)) && validate_return(v);
}

/* call_ref and return_call_ref: the operand is a (ref null $t). */
static bool validate_call_ref(validator *v, const wasm_instr *in) {
  uint32_t type_index = in->imm.type_index;
  if (!check_func_type_index(v, type_index) ||
      !pop_val(v, wasm_ref_type(true, type_index), NULL))
    return false;
  const wasm_functype *t = &v->m->types[type_index];
  if (in->op == WASM_OP_RETURN_CALL_REF)
    return validate_return_call(v, t);
  return apply_functype(v, t);
}

/* Pops a reference of any type; TYPE_BOTTOM_REF from unreachable code. */
static bool pop_ref(validator *v, wasm_type *out) {
  wasm_type t;
  if (!pop_val(v, TYPE_UNKNOWN, &t))
    return false;
  if (t == TYPE_UNKNOWN)
    t = TYPE_BOTTOM_REF;
  if (!wasm_type_is_ref(t))
    return fail(v, "type mismatch in %s: expected a reference, found %s",
                instr_name(v), type_name(v, t));
  *out = t;
  return true;
}

/* br_on_null: branch with the values below when null, else keep the
 * reference, now non-null. */
static bool validate_br_on_null(validator *v, uint32_t depth) {
  ctrl_frame *target = NULL;
  wasm_type t;
  if (!label_frame(v, depth, &target) || !pop_ref(v, &t))
    return false;
  type_list types = label_types(v->m, target);
  return pop_vals(v, types) && push_vals(v, types) &&
         push_val(v, wasm_type_as_non_null(t));
}

/* br_on_non_null: branch with the non-null reference (the label's last
 * value) when not null; fall through without it. */
static bool validate_br_on_non_null(validator *v, uint32_t depth) {
  ctrl_frame *target = NULL;
  wasm_type t;
  if (!label_frame(v, depth, &target))
    return false;
  type_list types = label_types(v->m, target);
  if (types.count == 0 || !wasm_type_is_ref(types.types[types.count - 1]))
    return fail(v, "type mismatch in br_on_non_null: the label's last "
                   "value must be a reference");
  if (!pop_ref(v, &t))
    return false;
  wasm_type want = types.types[types.count - 1];
  if (!matches(v, wasm_type_as_non_null(t), want))
    return mismatch(v, want, type_name(v, wasm_type_as_non_null(t)));
  type_list rest = {types.types, types.count - 1};
  return pop_vals(v, rest) && push_vals(v, rest);
}

/* ---- Exceptions ---------------------------------------------------------- */

/* A tag index; its type's params are the payload. */
static bool tag_type(validator *v, uint32_t tag, const wasm_functype **out) {
  if (tag >= v->m->tag_count)
    return fail(v, "unknown tag %u", tag);
  *out = &v->m->types[v->m->tag_types[tag]];
  return true;
}

static bool validate_throw(validator *v, uint32_t tag) {
  const wasm_functype *t = NULL;
  if (!tag_type(v, tag, &t) || !pop_vals(v, functype_params(t)))
    return false;
  set_unreachable(v);
  return true;
}

static bool validate_throw_ref(validator *v) {
  if (!pop_val(v, WASM_TYPE_EXNREF, NULL))
    return false;
  set_unreachable(v);
  return true;
}

/* What a catch clause hands its label, without the exnref of the _ref
 * kinds. */
static type_list catch_payload(validator *v, const wasm_catch *c) {
  if (c->kind == WASM_CATCH_ALL || c->kind == WASM_CATCH_ALL_REF)
    return (type_list){NULL, 0};
  return functype_params(&v->m->types[v->m->tag_types[c->tag]]);
}

/* The clause's values (payload, then a (ref exn) for the _ref kinds)
 * must match the label's types, which are those of the frames outside
 * the try_table. */
static bool check_catch(validator *v, const wasm_catch *c) {
  const wasm_functype *t = NULL;
  ctrl_frame *target = NULL;
  if ((c->kind == WASM_CATCH || c->kind == WASM_CATCH_REF) &&
      !tag_type(v, c->tag, &t))
    return false;
  if (!label_frame(v, c->label, &target))
    return false;
  type_list payload = catch_payload(v, c);
  type_list want = label_types(v->m, target);
  bool with_ref = c->kind == WASM_CATCH_REF || c->kind == WASM_CATCH_ALL_REF;
  uint32_t count = payload.count + (with_ref ? 1u : 0u);
  if (want.count != count)
    return fail(v,
                "type mismatch in catch clause: label %u takes %u value(s), "
                "the clause gives %u",
                c->label, want.count, count);
  for (uint32_t i = 0; i < payload.count; i++)
    if (!matches(v, payload.types[i], want.types[i]))
      return mismatch(v, want.types[i], type_name(v, payload.types[i]));
  wasm_type exn = wasm_ref_type(false, WASM_HEAP_EXN);
  if (with_ref && !matches(v, exn, want.types[count - 1]))
    return mismatch(v, want.types[count - 1], type_name(v, exn));
  return true;
}

static bool validate_try_table(validator *v, const wasm_instr *in) {
  wasm_catch_iter it = wasm_catch_begin(in);
  wasm_catch c;
  if (!check_blocktype(v, &in->imm.block))
    return false;
  while (wasm_catch_next(&it, &c))
    if (!check_catch(v, &c))
      return false;
  return validate_block_start(v, in);
}

/* Legacy `catch x` and `catch_all`: the try's body (or previous handler)
 * ends with the block's results; the handler starts with the payload. */
static bool validate_legacy_catch(validator *v, const wasm_instr *in) {
  ctrl_frame *top = top_frame(v);
  const wasm_functype *t = NULL;
  if (top->op != WASM_OP_TRY && top->op != WASM_OP_CATCH)
    return fail(v, "%s without matching try", wasm_op_name(in->op));
  if (in->op == WASM_OP_CATCH && !tag_type(v, in->imm.tag, &t))
    return false;
  if (!close_frame(v))
    return false;
  reset_inits(v, top);
  top->op = in->op;
  top->unreachable = false;
  return t == NULL || push_vals(v, functype_params(t));
}

/* `delegate l` ends a try without handlers; its body's exceptions go to
 * label l counted from outside the try. */
static bool validate_delegate(validator *v, uint32_t depth) {
  if (top_frame(v)->op != WASM_OP_TRY)
    return fail(v, "delegate without matching try");
  if (!close_frame(v))
    return false;
  ctrl_frame frame = *top_frame(v);
  reset_inits(v, &frame);
  v->ctrl_count--;
  if (depth >= v->ctrl_count)
    return fail(v, "unknown label %u", depth);
  return push_vals(v, blocktype_results(v->m, &frame.type));
}

/* `rethrow l`: l must be a legacy handler (catch or catch_all). */
static bool validate_rethrow(validator *v, uint32_t depth) {
  ctrl_frame *target = NULL;
  if (!label_frame(v, depth, &target))
    return false;
  if (target->op != WASM_OP_CATCH && target->op != WASM_OP_CATCH_ALL)
    return fail(v, "invalid rethrow label %u: not a catch", depth);
  set_unreachable(v);
  return true;
}

static bool validate_exception(validator *v, const wasm_instr *in) {
  switch (in->op) {
  case WASM_OP_THROW:
    return validate_throw(v, in->imm.tag);
  case WASM_OP_THROW_REF:
    return validate_throw_ref(v);
  case WASM_OP_TRY_TABLE:
    return validate_try_table(v, in);
  case WASM_OP_TRY:
    return validate_block_start(v, in);
  case WASM_OP_CATCH:
  case WASM_OP_CATCH_ALL:
    return validate_legacy_catch(v, in);
  case WASM_OP_DELEGATE:
    return validate_delegate(v, in->imm.label);
  default: /* WASM_OP_RETHROW */
    return validate_rethrow(v, in->imm.label);
  }
}

static bool validate_control(validator *v, const wasm_instr *in) {
  if (wasm_op_is_exceptions(in->op) || wasm_op_is_legacy_exceptions(in->op) ||
      in->op == WASM_OP_THROW)
    return validate_exception(v, in);
  switch (in->op) {
  case WASM_OP_UNREACHABLE:
    set_unreachable(v);
    return true;
  case WASM_OP_BLOCK:
  case WASM_OP_LOOP:
  case WASM_OP_IF:
    return validate_block_start(v, in);
  case WASM_OP_ELSE:
    return validate_else(v);
  case WASM_OP_END:
    return validate_end(v);
  case WASM_OP_BR:
    return validate_br(v, in->imm.label);
  case WASM_OP_BR_IF:
    return validate_br_if(v, in->imm.label);
  case WASM_OP_BR_TABLE:
    return validate_br_table(v, in);
  case WASM_OP_RETURN:
    return validate_return(v);
  case WASM_OP_CALL:
    return validate_call(v, in->imm.func);
  case WASM_OP_RETURN_CALL:
    if (in->imm.func >= v->m->func_count)
      return fail(v, "unknown function %u", in->imm.func);
    return validate_return_call(v, wasm_func_type(v->m, in->imm.func));
  case WASM_OP_CALL_REF:
  case WASM_OP_RETURN_CALL_REF:
    return validate_call_ref(v, in);
  case WASM_OP_BR_ON_NULL:
    return validate_br_on_null(v, in->imm.label);
  case WASM_OP_BR_ON_NON_NULL:
    return validate_br_on_non_null(v, in->imm.label);
  case WASM_OP_RETURN_CALL_INDIRECT:
    return check_call_indirect(v, in) &&
           validate_return_call(v,
                                &v->m->types[in->imm.call_indirect.type_index]);
  default: /* WASM_OP_CALL_INDIRECT */
    return validate_call_indirect(v, in);
  }
}

/* ---- Parametric instructions --------------------------------------------- */

/* Untyped select predates reference types: its operands may be numbers or
 * vectors, never references, so that the result type needs no annotation. */
static bool validate_select(validator *v) {
  wasm_type t1, t2;
  if (!pop_val(v, WASM_TYPE_I32, NULL) || !pop_val(v, TYPE_UNKNOWN, &t1) ||
      !pop_val(v, TYPE_UNKNOWN, &t2))
    return false;
  if (wasm_type_is_ref(t1) || wasm_type_is_ref(t2))
    return fail(v,
                "type mismatch in select: operands must be numbers or "
                "vectors, found %s (use select with a result type)",
                type_name(v, wasm_type_is_ref(t1) ? t1 : t2));
  if (t1 != t2 && t1 != TYPE_UNKNOWN && t2 != TYPE_UNKNOWN)
    return fail(v, "type mismatch in select: operands are %s and %s",
                type_name(v, t2), type_name(v, t1));
  return push_val(v, t1 == TYPE_UNKNOWN ? t2 : t1);
}

static bool validate_typed_select(validator *v, const wasm_instr *in) {
  if (in->imm.select_t.count != 1)
    return fail(v, "invalid result arity: select takes 1 type, found %u",
                in->imm.select_t.count);
  wasm_type t = in->imm.select_t.type;
  return check_value_type(v, t, in->offset) &&
         pop_val(v, WASM_TYPE_I32, NULL) && pop_val(v, t, NULL) &&
         pop_val(v, t, NULL) && push_val(v, t);
}

/* ---- Variable instructions ----------------------------------------------- */

/* Above this many non-null locals in one function the bitmap of their
 * set-ness would be large: an implementation limit. */
#define MAX_NON_DEFAULTABLE_LOCALS (UINT64_C(1) << 24)

static bool prepare_locals(validator *v) {
  const wasm_func *f = v->func;
  if (f->local_run_count > v->local_run_cap) {
    uint64_t *ends =
        realloc(v->local_run_ends, f->local_run_count * sizeof *ends);
    if (ends)
      v->local_run_ends = ends;
    uint64_t *bases =
        realloc(v->run_nd_base, f->local_run_count * sizeof *bases);
    if (bases)
      v->run_nd_base = bases;
    if (!ends || !bases)
      return fail_at(v, f->body_offset, "out of memory");
    v->local_run_cap = f->local_run_count;
  }
  uint64_t total = 0, non_defaultable = 0;
  for (uint32_t i = 0; i < f->local_run_count; i++) {
    if (!check_value_type(v, f->local_runs[i].type, f->body_offset))
      return false;
    v->local_run_ends[i] = total += f->local_runs[i].count;
    v->run_nd_base[i] = non_defaultable;
    if (!wasm_type_is_defaultable(f->local_runs[i].type))
      non_defaultable += f->local_runs[i].count;
  }
  if (non_defaultable > MAX_NON_DEFAULTABLE_LOCALS)
    return fail_at(v, f->body_offset,
                   "too many non-defaultable locals (implementation limit)");
  size_t bytes = (size_t)(non_defaultable / 8 + 1);
  if (bytes > v->local_inited_size) {
    uint8_t *grown = realloc(v->local_inited, bytes);
    if (!grown)
      return fail_at(v, f->body_offset, "out of memory");
    v->local_inited = grown;
    v->local_inited_size = bytes;
  }
  memset(v->local_inited, 0, bytes);
  v->init_count = 0;
  return true;
}

/* Finds the type of local `index`: a parameter, or a declared local found
 * by binary search over the runs. For a non-defaultable local *ordinal is
 * its bit in local_inited. */
static bool local_type(validator *v, uint32_t index, wasm_type *out,
                       uint64_t *ordinal) {
  uint32_t params = v->func_type->param_count;
  if (index < params) {
    *out = wasm_functype_params(v->func_type)[index];
    return true;
  }
  uint64_t declared = index - params;
  if (declared >= v->func->local_count)
    return fail(v, "unknown local %u", index);
  size_t lo = 0, hi = v->func->local_run_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v->local_run_ends[mid] > declared)
      hi = mid;
    else
      lo = mid + 1;
  }
  if (lo >= v->func->local_run_count) /* runs disagree with local_count */
    return fail(v, "unknown local %u", index);
  *out = v->func->local_runs[lo].type;
  uint64_t run_start = lo ? v->local_run_ends[lo - 1] : 0;
  *ordinal = v->run_nd_base[lo] + (declared - run_start);
  return true;
}

static bool is_inited(const validator *v, uint64_t ordinal) {
  return v->local_inited[ordinal / 8] & (1u << (ordinal % 8));
}

static bool set_inited(validator *v, uint64_t ordinal) {
  if (is_inited(v, ordinal))
    return true;
  if (v->init_count == v->init_cap &&
      !grow(v, (void **)&v->inits, &v->init_cap, sizeof *v->inits))
    return false;
  v->inits[v->init_count++] = (uint32_t)ordinal;
  v->local_inited[ordinal / 8] |= (uint8_t)(1u << (ordinal % 8));
  return true;
}

static bool validate_local(validator *v, const wasm_instr *in) {
  wasm_type t = TYPE_UNKNOWN;
  uint64_t ordinal = 0;
  if (!local_type(v, in->imm.local, &t, &ordinal))
    return false;
  /* Parameters are always set. */
  bool tracked = in->imm.local >= v->func_type->param_count &&
                 !wasm_type_is_defaultable(t);
  switch (in->op) {
  case WASM_OP_LOCAL_GET:
    if (tracked && !is_inited(v, ordinal))
      return fail(v, "uninitialized local %u", in->imm.local);
    return push_val(v, t);
  case WASM_OP_LOCAL_SET:
    return pop_val(v, t, NULL) && (!tracked || set_inited(v, ordinal));
  default: /* WASM_OP_LOCAL_TEE */
    return pop_val(v, t, NULL) && (!tracked || set_inited(v, ordinal)) &&
           push_val(v, t);
  }
}

static bool validate_global(validator *v, const wasm_instr *in) {
  uint32_t index = in->imm.global;
  if (index >= v->m->global_count)
    return fail(v, "unknown global %u", index);
  const wasm_globaltype *g = &v->m->globals[index].type;
  if (in->op == WASM_OP_GLOBAL_GET)
    return push_val(v, g->type);
  if (!g->is_mutable)
    return fail(v, "global is immutable: global.set of global %u", index);
  return pop_val(v, g->type, NULL);
}

/* ---- Table and reference instructions ------------------------------------ */

/* The table index itself was checked with the immediates. */
static bool validate_table_access(validator *v, const wasm_instr *in) {
  const wasm_tabletype *table = &v->m->tables[in->imm.table];
  wasm_type t = table->elem_type, at = wasm_tabletype_addr_type(table);
  switch (in->op) {
  case WASM_OP_TABLE_GET:
    return pop_val(v, at, NULL) && push_val(v, t);
  case WASM_OP_TABLE_SET:
    return pop_val(v, t, NULL) && pop_val(v, at, NULL);
  case WASM_OP_TABLE_GROW:
    return pop_val(v, at, NULL) && pop_val(v, t, NULL) && push_val(v, at);
  default: /* WASM_OP_TABLE_FILL */
    return pop_val(v, at, NULL) && pop_val(v, t, NULL) && pop_val(v, at, NULL);
  }
}

static bool is_declared_func(const validator *v, uint32_t func) {
  return v->declared_funcs[func / 8] & (1u << (func % 8));
}

static bool validate_ref(validator *v, const wasm_instr *in) {
  wasm_type t;
  switch (in->op) {
  case WASM_OP_REF_NULL:
    return check_value_type(v, in->imm.ref_type, in->offset) &&
           push_val(v, in->imm.ref_type);
  case WASM_OP_REF_IS_NULL:
    return pop_ref(v, &t) && push_val(v, WASM_TYPE_I32);
  case WASM_OP_REF_AS_NON_NULL:
    return pop_ref(v, &t) && push_val(v, wasm_type_as_non_null(t));
  default: /* WASM_OP_REF_FUNC */
    if (in->imm.func >= v->m->func_count)
      return fail(v, "unknown function %u", in->imm.func);
    if (!is_declared_func(v, in->imm.func))
      return fail(v,
                  "undeclared function reference %u: ref.func needs the "
                  "function in an element segment, export or global",
                  in->imm.func);
    return push_val(v, wasm_ref_type(false, v->m->func_types[in->imm.func]));
  }
}

/* ---- Immediates ---------------------------------------------------------- */

static bool check_memory(validator *v, uint32_t memory) {
  if (memory >= v->m->memory_count)
    return fail(v, "unknown memory %u", memory);
  return true;
}

static bool check_table(validator *v, uint32_t table) {
  if (table >= v->m->table_count)
    return fail(v, "unknown table %u", table);
  return true;
}

static bool check_elem(validator *v, uint32_t elem) {
  if (elem >= v->m->elem_count)
    return fail(v, "unknown elem segment %u", elem);
  return true;
}

static bool check_data(validator *v, uint32_t data) {
  if (data >= v->data_count)
    return fail(v, "unknown data segment %u", data);
  return true;
}

static bool check_memarg(validator *v, const wasm_instr *in) {
  int natural = wasm_op_natural_align_log2(in->op);
  if (!check_memory(v, in->memarg.memory))
    return false;
  /* The offset is a u64 in the binary; a 32-bit memory's is below 2^32. */
  if (!v->m->memories[in->memarg.memory].is64 && in->memarg.offset > UINT32_MAX)
    return fail(v, "offset out of range: %llu for a 32-bit memory",
                (unsigned long long)in->memarg.offset);
  if (in->memarg.align_log2 > (uint32_t)natural)
    return fail(v,
                "alignment must not be larger than natural: %s is %u-byte "
                "aligned at most, found 2^%u",
                instr_name(v), 1u << natural, in->memarg.align_log2);
  if (wasm_op_is_atomic(in->op) && in->memarg.align_log2 != (uint32_t)natural)
    return fail(v,
                "alignment must be equal to natural for an atomic access: "
                "%s is %u-byte aligned, found 2^%u",
                instr_name(v), 1u << natural, in->memarg.align_log2);
  return true;
}

static bool check_lane(validator *v, const wasm_instr *in) {
  unsigned lanes = wasm_op_lane_count(in->op);
  if (in->lane >= lanes)
    return fail(v, "invalid lane index %u in %s: must be below %u", in->lane,
                instr_name(v), lanes);
  return true;
}

/* A shuffle picks from the 32 lanes of its two operands. */
static bool check_shuffle(validator *v, const wasm_instr *in) {
  for (int i = 0; i < 16; i++)
    if (in->imm.v128[i] >= 32)
      return fail(v, "invalid lane index %u in i8x16.shuffle: must be below 32",
                  in->imm.v128[i]);
  return true;
}

static bool check_table_init(validator *v, const wasm_instr *in) {
  uint32_t table = in->imm.table_init.table, elem = in->imm.table_init.elem;
  if (!check_table(v, table) || !check_elem(v, elem))
    return false;
  wasm_type want = v->m->tables[table].elem_type;
  wasm_type have = v->m->elems[elem].elem_type;
  if (!wasm_type_matches(v->m, have, want))
    return fail(v,
                "type mismatch in table.init: elem segment %u holds %s, "
                "table %u holds %s",
                elem, type_name(v, have), table, type_name(v, want));
  return true;
}

static bool check_table_copy(validator *v, const wasm_instr *in) {
  uint32_t dst = in->imm.table_copy.dst, src = in->imm.table_copy.src;
  if (!check_table(v, dst) || !check_table(v, src))
    return false;
  wasm_type to = v->m->tables[dst].elem_type;
  wasm_type from = v->m->tables[src].elem_type;
  if (!wasm_type_matches(v->m, from, to))
    return fail(v,
                "type mismatch in table.copy: table %u holds %s, table %u "
                "holds %s",
                src, type_name(v, from), dst, type_name(v, to));
  return true;
}

/* Rules on the immediates alone: indices exist, alignment and lanes are in
 * range. Operand types are checked afterwards. */
static bool check_immediates(validator *v, const wasm_instr *in) {
  switch (wasm_op_imm(in->op)) {
  case WASM_IMM_MEMARG:
    return check_memarg(v, in);
  case WASM_IMM_MEMARG_LANE:
    return check_memarg(v, in) && check_lane(v, in);
  case WASM_IMM_LANE:
    return check_lane(v, in);
  case WASM_IMM_SHUFFLE:
    return check_shuffle(v, in);
  case WASM_IMM_MEMORY:
    return check_memory(v, in->imm.memory);
  case WASM_IMM_MEMORY_COPY:
    return check_memory(v, in->imm.memory_copy.dst) &&
           check_memory(v, in->imm.memory_copy.src);
  case WASM_IMM_MEMORY_INIT:
    return check_memory(v, in->imm.memory_init.memory) &&
           check_data(v, in->imm.memory_init.data);
  case WASM_IMM_DATA:
    return check_data(v, in->imm.data);
  case WASM_IMM_TABLE:
    return check_table(v, in->imm.table);
  case WASM_IMM_ELEM:
    return check_elem(v, in->imm.elem);
  case WASM_IMM_TABLE_INIT:
    return check_table_init(v, in);
  case WASM_IMM_TABLE_COPY:
    return check_table_copy(v, in);
  default:
    return true;
  }
}

/* ---- Instructions -------------------------------------------------------- */

/* The address types of the memory or table an instruction with a fixed
 * signature names (a copy's destination in *addr, its source in
 * *src_addr): opcodes.def's letters a, s and l. The indices were checked
 * with the immediates. */
static void instr_addr_types(const validator *v, const wasm_instr *in,
                             wasm_type *addr, wasm_type *src_addr) {
  const wasm_module *m = v->m;
  *addr = *src_addr = WASM_TYPE_I32;
  switch (wasm_op_imm(in->op)) {
  case WASM_IMM_MEMARG:
  case WASM_IMM_MEMARG_LANE:
    *addr = wasm_memtype_addr_type(&m->memories[in->memarg.memory]);
    break;
  case WASM_IMM_MEMORY:
    *addr = wasm_memtype_addr_type(&m->memories[in->imm.memory]);
    break;
  case WASM_IMM_MEMORY_INIT:
    *addr = wasm_memtype_addr_type(&m->memories[in->imm.memory_init.memory]);
    break;
  case WASM_IMM_MEMORY_COPY:
    *addr = wasm_memtype_addr_type(&m->memories[in->imm.memory_copy.dst]);
    *src_addr = wasm_memtype_addr_type(&m->memories[in->imm.memory_copy.src]);
    break;
  case WASM_IMM_TABLE:
    *addr = wasm_tabletype_addr_type(&m->tables[in->imm.table]);
    break;
  case WASM_IMM_TABLE_INIT:
    *addr = wasm_tabletype_addr_type(&m->tables[in->imm.table_init.table]);
    break;
  case WASM_IMM_TABLE_COPY:
    *addr = wasm_tabletype_addr_type(&m->tables[in->imm.table_copy.dst]);
    *src_addr = wasm_tabletype_addr_type(&m->tables[in->imm.table_copy.src]);
    break;
  default:
    break;
  }
}

static bool apply_signature(validator *v, const wasm_op_signature *sig) {
  return pop_vals(v, (type_list){sig->params, sig->param_count}) &&
         push_vals(v, (type_list){sig->results, sig->result_count});
}

/* Instructions whose typing the SIG column of opcodes.def cannot express. */
static bool validate_special(validator *v, const wasm_instr *in) {
  switch (in->op) {
  case WASM_OP_NOP:
    return true;
  case WASM_OP_DROP:
    return pop_val(v, TYPE_UNKNOWN, NULL);
  case WASM_OP_SELECT:
    return validate_select(v);
  case WASM_OP_SELECT_T:
    return validate_typed_select(v, in);
  case WASM_OP_LOCAL_GET:
  case WASM_OP_LOCAL_SET:
  case WASM_OP_LOCAL_TEE:
    return validate_local(v, in);
  case WASM_OP_GLOBAL_GET:
  case WASM_OP_GLOBAL_SET:
    return validate_global(v, in);
  case WASM_OP_TABLE_GET:
  case WASM_OP_TABLE_SET:
  case WASM_OP_TABLE_GROW:
  case WASM_OP_TABLE_FILL:
    return validate_table_access(v, in);
  case WASM_OP_REF_NULL:
  case WASM_OP_REF_IS_NULL:
  case WASM_OP_REF_FUNC:
  case WASM_OP_REF_AS_NON_NULL:
    return validate_ref(v, in);
  default:
    return validate_control(v, in);
  }
}

static bool validate_instr(validator *v, const wasm_instr *in) {
  v->instr = in;
  if (!check_immediates(v, in))
    return false;
  wasm_op_signature sig;
  wasm_type addr, src_addr;
  instr_addr_types(v, in, &addr, &src_addr);
  if (wasm_op_get_signature_at(in->op, addr, src_addr, &sig))
    return apply_signature(v, &sig);
  return validate_special(v, in);
}

/* ---- Function bodies ----------------------------------------------------- */

static bool validate_body(validator *v, wasm_reader *r) {
  wasm_instr in;
  while (v->ctrl_count > 0) {
    if (wasm_reader_at_end(r))
      return fail_at(v, r->pos, "END opcode expected");
    if (!wasm_read_instr(r, v->m, &in) || !validate_instr(v, &in))
      return false;
  }
  if (!wasm_reader_at_end(r))
    return fail_at(v, r->pos,
                   "operators remaining after the function's final end");
  return true;
}

static bool validate_function(validator *v, uint32_t defined_index) {
  const wasm_module *m = v->m;
  uint32_t type_index = m->func_types[m->import_func_count + defined_index];
  v->func = &m->funcs[defined_index];
  v->func_type = &m->types[type_index];
  if (!prepare_locals(v))
    return false;
  v->val_count = 0;
  v->ctrl_count = 0;
  /* The body is a block whose results are the function's; its params are
   * locals, not operands. */
  wasm_blocktype body = {WASM_BLOCKTYPE_TYPE_INDEX, 0, type_index};
  wasm_instr entry = {.offset = v->func->code_offset};
  v->instr = &entry;
  if (!push_ctrl(v, WASM_OP_BLOCK, &body))
    return false;
  wasm_reader r = {m->bytes, v->func->code_offset, v->func->code_end, v->err};
  return validate_body(v, &r);
}

/* ---- Module-level rules -------------------------------------------------- */

/* A value type's type index, if any, must exist (below `limit`: in the type
 * section, the end of the current rec group). */
static bool check_value_type_below(validator *v, wasm_type t, uint32_t limit,
                                   size_t offset) {
  if (!wasm_type_is_ref(t) || t == TYPE_BOTTOM_REF)
    return true;
  wasm_heaptype h = wasm_type_heap(t);
  if (wasm_heaptype_is_index(h) && h >= limit)
    return fail_at(v, offset, "unknown type %u", (unsigned)h);
  return true;
}

static bool check_value_type(validator *v, wasm_type t, size_t offset) {
  return check_value_type_below(v, t, v->m->type_count, offset);
}

static bool check_type_index(validator *v, uint32_t index, size_t offset) {
  if (index >= v->m->type_count)
    return fail_at(v, offset, "unknown type %u", index);
  if (v->m->types[index].composite != WASM_COMPOSITE_FUNC)
    return fail_at(v, offset, "type mismatch: type %u is not a function type",
                   index);
  return true;
}

/* A declared subtype must have the supertype's kind of composite type
 * and match it: function parameters contravariantly, results
 * covariantly; fields covariantly when immutable, exactly when not. */
static bool composite_matches(validator *v, const wasm_functype *sub,
                              const wasm_functype *super) {
  const wasm_module *m = v->m;
  if (sub->composite != super->composite)
    return false;
  if (sub->composite == WASM_COMPOSITE_FUNC) {
    if (sub->param_count != super->param_count ||
        sub->result_count != super->result_count)
      return false;
    for (uint32_t i = 0; i < sub->param_count; i++)
      if (!wasm_type_matches(m, super->types[i], sub->types[i]))
        return false;
    for (uint32_t i = sub->param_count;
         i < sub->param_count + sub->result_count; i++)
      if (!wasm_type_matches(m, sub->types[i], super->types[i]))
        return false;
    return true;
  }
  if (sub->param_count < super->param_count ||
      (sub->composite == WASM_COMPOSITE_ARRAY &&
       sub->param_count != super->param_count))
    return false;
  for (uint32_t i = 0; i < super->param_count; i++) {
    bool mut_sub = sub->field_mutable && sub->field_mutable[i];
    bool mut_super = super->field_mutable && super->field_mutable[i];
    if (mut_sub != mut_super)
      return false;
    wasm_type a = sub->types[i], b = super->types[i];
    if (mut_sub ? a != b && !(wasm_type_matches(m, a, b) &&
                              wasm_type_matches(m, b, a))
                : !wasm_type_matches(m, a, b))
      return false;
  }
  return true;
}

/* Every type: references within its rec group or earlier, a supertype
 * that is earlier, not final, and matched. */
static bool check_types(validator *v) {
  const wasm_module *m = v->m;
  for (uint32_t i = 0; i < m->type_count; i++) {
    const wasm_functype *t = &m->types[i];
    uint32_t limit = t->rec_start + t->rec_size;
    for (uint32_t k = 0; k < t->param_count + t->result_count; k++)
      if (!check_value_type_below(v, t->types[k], limit, 0))
        return false;
    if (t->supertype == WASM_NO_SUPERTYPE)
      continue;
    if (t->supertype >= i)
      return fail_at(v, 0,
                     "unknown type %u: a supertype must be defined "
                     "before its subtype %u",
                     t->supertype, i);
    const wasm_functype *super = &m->types[t->supertype];
    if (super->is_final || !composite_matches(v, t, super))
      return fail_at(v, 0, "sub type %u does not match super type %u", i,
                     t->supertype);
  }
  return true;
}

/* The value types of imports, tables, globals and element segments. */
static bool check_declared_types(validator *v) {
  const wasm_module *m = v->m;
  for (uint32_t i = 0; i < m->table_count; i++)
    if (!check_value_type(v, m->tables[i].elem_type, 0))
      return false;
  for (uint32_t i = 0; i < m->global_count; i++)
    if (!check_value_type(v, m->globals[i].type.type, 0))
      return false;
  for (uint32_t i = 0; i < m->elem_count; i++)
    if (!check_value_type(v, m->elems[i].elem_type,
                          m->elems[i].offset_in_module))
      return false;
  return true;
}

static bool check_function_types(validator *v) {
  const wasm_module *m = v->m;
  for (uint32_t i = 0; i < m->import_count; i++)
    if (m->imports[i].kind == WASM_EXTERN_FUNC &&
        !check_type_index(v, m->imports[i].desc.func_type,
                          m->imports[i].offset))
      return false;
  for (uint32_t i = 0; i < m->func_count; i++) {
    size_t offset = i >= m->import_func_count
                        ? m->funcs[i - m->import_func_count].body_offset
                        : 0;
    if (!check_type_index(v, m->func_types[i], offset))
      return false;
  }
  return true;
}

/* A tag's type is a function type without results (exceptions). */
static bool check_tag_types(validator *v) {
  const wasm_module *m = v->m;
  for (uint32_t i = 0; i < m->tag_count; i++) {
    if (!check_type_index(v, m->tag_types[i], 0))
      return false;
    if (m->types[m->tag_types[i]].result_count != 0)
      return fail_at(v, 0, "non-empty tag result type (tag %u)", i);
  }
  return true;
}

/* The import entry of the index-th imported entity of `kind`. */
static size_t import_offset(const wasm_module *m, wasm_extern_kind kind,
                            uint32_t index) {
  for (uint32_t i = 0; i < m->import_count; i++)
    if (m->imports[i].kind == kind && index-- == 0)
      return m->imports[i].offset;
  return 0;
}

static bool check_limits(validator *v, const wasm_limits *l, uint64_t bound,
                         const char *unit, size_t offset) {
  if (l->min > bound || (l->has_max && l->max > bound))
    return fail_at(v, offset, "%s size must be at most %llu", unit,
                   (unsigned long long)bound);
  if (l->has_max && l->min > l->max)
    return fail_at(v, offset,
                   "size minimum must not be greater than maximum: %llu > %llu",
                   (unsigned long long)l->min, (unsigned long long)l->max);
  return true;
}

/* The largest limits of each address type: 4 GiB or 2^64 bytes of 64 KiB
 * pages, 2^32 - 1 or 2^64 - 1 table elements. */
#define MAX_MEMORY_PAGES UINT64_C(0x10000)
#define MAX_MEMORY64_PAGES UINT64_C(0x1000000000000)
#define MAX_TABLE_SIZE UINT64_C(0xffffffff)
#define MAX_TABLE64_SIZE UINT64_MAX

/* Imported tables are reported at their import entry; defined ones carry
 * no offset of their own. One walk over the imports keeps this linear. */
static bool check_tables(validator *v) {
  const wasm_module *m = v->m;
  uint32_t table = 0;
  for (uint32_t i = 0; i < m->import_count && table < m->table_count; i++)
    if (m->imports[i].kind == WASM_EXTERN_TABLE) {
      const wasm_tabletype *t = &m->tables[table++];
      if (!check_limits(v, &t->limits,
                        t->is64 ? MAX_TABLE64_SIZE : MAX_TABLE_SIZE, "table",
                        m->imports[i].offset))
        return false;
    }
  for (uint32_t i = m->import_table_count; i < m->table_count; i++) {
    const wasm_tabletype *t = &m->tables[i];
    if (!check_limits(v, &t->limits,
                      t->is64 ? MAX_TABLE64_SIZE : MAX_TABLE_SIZE, "table", 0))
      return false;
  }
  return true;
}

static bool check_const_expr(validator *v, const wasm_const_expr *e,
                             wasm_type expected, const char *what);

/* A table of non-null references needs an initial value (3.0's table
 * initialiser), which must have its element type; it may read the
 * imported globals. */
static bool check_table_inits(validator *v) {
  const wasm_module *m = v->m;
  v->const_globals = m->import_global_count;
  for (uint32_t i = m->import_table_count; i < m->table_count; i++) {
    wasm_type t = m->tables[i].elem_type;
    if (m->has_table_init && m->has_table_init[i]) {
      if (!check_const_expr(v, &m->table_inits[i], t, "table initializer"))
        return false;
    } else if (!wasm_type_is_defaultable(t)) {
      return fail_at(v, 0,
                     "type mismatch: table %u of non-null references needs "
                     "an initializer",
                     i);
    }
  }
  return true;
}

static bool check_memories(validator *v) {
  const wasm_module *m = v->m;
  for (uint32_t i = 0; i < m->memory_count; i++) {
    size_t offset = i < m->import_memory_count
                        ? import_offset(m, WASM_EXTERN_MEMORY, i)
                        : 0;
    if (i > 0 && !(m->features & WASM_FEATURE_MULTI_MEMORY))
      return fail_at(v, offset, "multiple memories: Wasm 2.0 allows one");
    if (!check_limits(v, &m->memories[i].limits,
                      m->memories[i].is64 ? MAX_MEMORY64_PAGES
                                          : MAX_MEMORY_PAGES,
                      "memory (in 64 KiB pages)", offset))
      return false;
    if (m->memories[i].shared && !m->memories[i].limits.has_max)
      return fail_at(v, offset, "shared memory must have maximum");
  }
  return true;
}

static void declare_func(validator *v, uint32_t func) {
  if (func < v->m->func_count)
    v->declared_funcs[func / 8] |= (uint8_t)(1u << (func % 8));
}

static void declare_const_expr_func(validator *v, const wasm_const_expr *e) {
  if (e->kind == WASM_CONST_REF_FUNC)
    declare_func(v, e->value.index);
}

/* The spec's C.refs: functions named outside function bodies (element
 * segments, global initialisers, exports) may be referenced by ref.func. */
static bool collect_declared_funcs(validator *v) {
  const wasm_module *m = v->m;
  v->declared_funcs = calloc((size_t)m->func_count / 8 + 1, 1);
  if (!v->declared_funcs)
    return fail_at(v, 0, "out of memory");
  for (uint32_t i = m->import_global_count; i < m->global_count; i++)
    declare_const_expr_func(v, &m->globals[i].init);
  for (uint32_t i = 0; m->has_table_init && i < m->table_count; i++)
    if (m->has_table_init[i])
      declare_const_expr_func(v, &m->table_inits[i]);
  for (uint32_t i = 0; i < m->elem_count; i++)
    for (uint32_t k = 0; k < m->elems[i].item_count; k++)
      declare_const_expr_func(v, &m->elems[i].items[k]);
  for (uint32_t i = 0; i < m->export_count; i++)
    if (m->exports[i].kind == WASM_EXTERN_FUNC)
      declare_func(v, m->exports[i].index);
  return true;
}

/* Constant expressions read immutable globals that are known before the
 * expression runs (3.0): a global's initialiser the globals before it,
 * imported or defined; segment offsets and items any global
 * (v->const_globals). 2.0 allowed only imported ones. */
static bool const_global_type(validator *v, const wasm_const_expr *e,
                              wasm_type *out) {
  uint32_t index = e->value.index;
  if (index >= v->const_globals)
    return fail_at(v, e->offset,
                   "unknown global %u: a constant expression may read only "
                   "the %u globals before it",
                   index, v->const_globals);
  const wasm_globaltype *g = &v->m->globals[index].type;
  if (g->is_mutable)
    return fail_at(v, e->offset,
                   "constant expression required: global %u is mutable", index);
  *out = g->type;
  return true;
}

static bool const_expr_type(validator *v, const wasm_const_expr *e,
                            wasm_type *out);

/* The operand stack of an extended constant expression. */
typedef struct const_stack {
  validator *v;
  const wasm_const_expr *expr;
  wasm_type types[WASM_CONST_EXPR_MAX_DEPTH];
  uint32_t depth;
} const_stack;

static bool const_stack_step(void *ctx, const wasm_const_instr *in) {
  const_stack *st = ctx;
  validator *v = st->v;
  if (in->arith == WASM_CONST_PUSH) {
    wasm_type t;
    if (!const_expr_type(v, &in->value, &t))
      return false;
    /* The decoder bounded the depth. */
    st->types[st->depth++] = t;
    return true;
  }
  wasm_type operand = wasm_const_arith_type(in->arith);
  if (st->depth < 2 || st->types[st->depth - 1] != operand ||
      st->types[st->depth - 2] != operand)
    return fail_at(v, in->value.offset,
                   "type mismatch: %s arithmetic in a constant expression "
                   "needs two %s operands",
                   type_name(v, operand), type_name(v, operand));
  st->depth--;
  return true;
}

static bool extended_const_type(validator *v, const wasm_const_expr *e,
                                wasm_type *out) {
  const_stack st = {.v = v, .expr = e};
  if (!wasm_const_expr_each(v->m, e, const_stack_step, &st))
    return false;
  if (st.depth != 1)
    return fail_at(v, e->offset,
                   "type mismatch: constant expression leaves %u values, "
                   "expected 1",
                   st.depth);
  *out = st.types[0];
  return true;
}

static bool const_expr_type(validator *v, const wasm_const_expr *e,
                            wasm_type *out) {
  switch (e->kind) {
  case WASM_CONST_EXTENDED:
    return extended_const_type(v, e, out);
  case WASM_CONST_I32:
    *out = WASM_TYPE_I32;
    return true;
  case WASM_CONST_I64:
    *out = WASM_TYPE_I64;
    return true;
  case WASM_CONST_F32:
    *out = WASM_TYPE_F32;
    return true;
  case WASM_CONST_F64:
    *out = WASM_TYPE_F64;
    return true;
  case WASM_CONST_V128:
    *out = WASM_TYPE_V128;
    return true;
  case WASM_CONST_REF_NULL:
    *out = e->value.ref_type;
    return check_value_type(v, *out, e->offset);
  case WASM_CONST_REF_FUNC:
    if (e->value.index >= v->m->func_count)
      return fail_at(v, e->offset, "unknown function %u", e->value.index);
    *out = wasm_ref_type(false, v->m->func_types[e->value.index]);
    return true;
  case WASM_CONST_GLOBAL_GET:
    return const_global_type(v, e, out);
  }
  return fail_at(v, e->offset, "constant expression required");
}

static bool check_const_expr(validator *v, const wasm_const_expr *e,
                             wasm_type expected, const char *what) {
  wasm_type t = TYPE_UNKNOWN;
  if (!const_expr_type(v, e, &t))
    return false;
  if (!wasm_type_matches(v->m, t, expected))
    return fail_at(v, e->offset, "type mismatch in %s: expected %s, found %s",
                   what, type_name(v, expected), type_name(v, t));
  return true;
}

static bool check_globals(validator *v) {
  const wasm_module *m = v->m;
  for (uint32_t i = m->import_global_count; i < m->global_count; i++) {
    v->const_globals = i;
    if (!check_const_expr(v, &m->globals[i].init, m->globals[i].type.type,
                          "global initializer"))
      return false;
  }
  v->const_globals = m->global_count; /* for the segments after */
  return true;
}

static bool check_active_elem(validator *v, const wasm_elem_segment *seg) {
  const wasm_module *m = v->m;
  if (seg->table_index >= m->table_count)
    return fail_at(v, seg->offset_in_module, "unknown table %u",
                   seg->table_index);
  wasm_type table_type = m->tables[seg->table_index].elem_type;
  if (!wasm_type_matches(m, seg->elem_type, table_type))
    return fail_at(v, seg->offset_in_module,
                   "type mismatch: element segment of %s for table %u of %s",
                   type_name(v, seg->elem_type), seg->table_index,
                   type_name(v, table_type));
  return check_const_expr(
      v, &seg->offset, wasm_tabletype_addr_type(&m->tables[seg->table_index]),
      "element segment offset");
}

static bool check_elems(validator *v) {
  const wasm_module *m = v->m;
  for (uint32_t i = 0; i < m->elem_count; i++) {
    const wasm_elem_segment *seg = &m->elems[i];
    for (uint32_t k = 0; k < seg->item_count; k++)
      if (!check_const_expr(v, &seg->items[k], seg->elem_type,
                            "element segment item"))
        return false;
    if (seg->mode == WASM_SEGMENT_ACTIVE && !check_active_elem(v, seg))
      return false;
  }
  return true;
}

static bool check_datas(validator *v) {
  const wasm_module *m = v->m;
  if (m->has_data_count && m->data_count != m->data_segment_count)
    return fail_at(v, 0,
                   "data count and data section have inconsistent lengths: "
                   "%u and %u",
                   m->data_count, m->data_segment_count);
  for (uint32_t i = 0; i < m->data_segment_count; i++) {
    const wasm_data_segment *seg = &m->data_segments[i];
    if (seg->mode != WASM_SEGMENT_ACTIVE)
      continue;
    if (seg->memory_index >= m->memory_count)
      return fail_at(v, seg->offset_in_module, "unknown memory %u",
                     seg->memory_index);
    if (!check_const_expr(
            v, &seg->offset,
            wasm_memtype_addr_type(&m->memories[seg->memory_index]),
            "data segment offset"))
      return false;
  }
  return true;
}

static bool check_start(validator *v) {
  const wasm_module *m = v->m;
  if (!m->has_start)
    return true;
  if (m->start_func >= m->func_count)
    return fail_at(v, 0, "unknown function %u: start function", m->start_func);
  const wasm_functype *t = wasm_func_type(m, m->start_func);
  if (t->param_count || t->result_count)
    return fail_at(v, 0, "start function must have type [] -> []");
  return true;
}

static bool check_export_index(validator *v, const wasm_export *e) {
  const wasm_module *m = v->m;
  switch (e->kind) {
  case WASM_EXTERN_FUNC:
    if (e->index < m->func_count)
      return true;
    return fail_at(v, 0, "unknown function %u in export", e->index);
  case WASM_EXTERN_TABLE:
    if (e->index < m->table_count)
      return true;
    return fail_at(v, 0, "unknown table %u in export", e->index);
  case WASM_EXTERN_MEMORY:
    if (e->index < m->memory_count)
      return true;
    return fail_at(v, 0, "unknown memory %u in export", e->index);
  case WASM_EXTERN_TAG:
    if (e->index < m->tag_count)
      return true;
    return fail_at(v, 0, "unknown tag %u in export", e->index);
  default:
    if (e->index < m->global_count)
      return true;
    return fail_at(v, 0, "unknown global %u in export", e->index);
  }
}

static int compare_names(const void *a, const void *b) {
  const wasm_name *x = a, *y = b;
  if (x->len != y->len)
    return x->len < y->len ? -1 : 1;
  return x->len ? memcmp(x->data, y->data, x->len) : 0;
}

/* Sorting makes duplicate names adjacent: n log n, where comparing every
 * pair would let a large export section stall the validator. */
static bool check_export_names_unique(validator *v) {
  const wasm_module *m = v->m;
  if (m->export_count < 2)
    return true;
  wasm_name *names = malloc(m->export_count * sizeof *names);
  if (!names)
    return fail_at(v, 0, "out of memory");
  for (uint32_t i = 0; i < m->export_count; i++)
    names[i] = m->exports[i].name;
  qsort(names, m->export_count, sizeof *names, compare_names);
  bool ok = true;
  for (uint32_t i = 1; i < m->export_count && ok; i++)
    if (!compare_names(&names[i - 1], &names[i]))
      ok = fail_at(v, 0, "duplicate export name \"%.*s\"",
                   (int)(names[i].len > 64 ? 64 : names[i].len), names[i].data);
  free(names);
  return ok;
}

static bool check_exports(validator *v) {
  for (uint32_t i = 0; i < v->m->export_count; i++)
    if (!check_export_index(v, &v->m->exports[i]))
      return false;
  return check_export_names_unique(v);
}

static bool validate_module_level(validator *v) {
  return check_types(v) && check_function_types(v) && check_tag_types(v) &&
         check_declared_types(v) && check_tables(v) && check_table_inits(v) &&
         check_memories(v) && check_globals(v) && check_elems(v) &&
         check_datas(v) && check_start(v) && check_exports(v) &&
         collect_declared_funcs(v);
}

static bool validate_bodies(validator *v) {
  uint32_t defined = v->m->func_count - v->m->import_func_count;
  for (uint32_t i = 0; i < defined; i++)
    if (!validate_function(v, i))
      return false;
  return true;
}

bool wasm_module_validate(const wasm_module *m, wasm_error *err) {
  validator v = {.m = m, .err = err};
  v.data_count = m->has_data_count ? m->data_count : m->data_segment_count;
  bool ok = validate_module_level(&v) && validate_bodies(&v);
  free(v.declared_funcs);
  free(v.local_run_ends);
  free(v.run_nd_base);
  free(v.local_inited);
  free(v.inits);
  free(v.vals);
  free(v.ctrls);
  return ok;
}
