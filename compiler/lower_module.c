/* Lowering a whole module: the vmctx layout, one LLVM function per Wasm
 * function, a host-to-Wasm trampoline per type, and the PC-relative tables
 * through which the loader finds them (see formats/artifact_format.h). */
#include "lower_module.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

static uint32_t align_up(uint32_t v, uint32_t a) {
  return (v + a - 1) & ~(a - 1);
}

void lower_compute_vmctx_layout(const wasm_module *m, bool count_entries,
                                wasmaot_vmctx_layout *l) {
  memset(l, 0, sizeof *l);
  uint32_t off = align_up(sizeof(wasmaot_vmctx_header), 16);
  l->defined_globals = off;
  off += 16 * (m->global_count - m->import_global_count);
  l->imported_globals = off;
  off += 8 * m->import_global_count;
  l->imported_funcs = off;
  off += 8 * m->import_func_count;
  l->defined_funcrefs = off;
  off += sizeof(wasmaot_funcref) * (m->func_count - m->import_func_count);
  l->tables = off;
  off += 8 * m->table_count;
  l->memories = off;
  off += 8 * m->memory_count;
  l->type_ids = off;
  off += 4 * m->type_count;
  off = align_up(off, 8);
  l->tags = off;
  off += 8 * m->tag_count;
  if (count_entries) {
    l->entry_counts = off;
    off += 8;
  }
  l->size = align_up(off, 16);
}

static void init_common_types(lower_module_ctx *mc) {
  LLVMContextRef c = mc->llctx;
  mc->t_void = LLVMVoidTypeInContext(c);
  mc->t_i1 = LLVMInt1TypeInContext(c);
  mc->t_i8 = LLVMInt8TypeInContext(c);
  mc->t_i16 = LLVMInt16TypeInContext(c);
  mc->t_i32 = LLVMInt32TypeInContext(c);
  mc->t_i64 = LLVMInt64TypeInContext(c);
  mc->t_f32 = LLVMFloatTypeInContext(c);
  mc->t_f64 = LLVMDoubleTypeInContext(c);
  mc->t_v128 = LLVMVectorType(mc->t_i64, 2);
  mc->t_ptr = LLVMPointerTypeInContext(c, 0);
}

static LLVMTypeRef result_type(lower_module_ctx *mc, const wasm_functype *t) {
  if (t->result_count == 0)
    return mc->t_void;
  if (t->result_count == 1)
    return lower_value_type(mc, wasm_functype_results(t)[0]);
  LLVMTypeRef *fields = malloc(t->result_count * sizeof *fields);
  if (!fields)
    abort();
  for (uint32_t i = 0; i < t->result_count; i++)
    fields[i] = lower_value_type(mc, wasm_functype_results(t)[i]);
  LLVMTypeRef s =
      LLVMStructTypeInContext(mc->llctx, fields, t->result_count, false);
  free(fields);
  return s;
}

static bool build_func_types(lower_module_ctx *mc) {
  const wasm_module *m = mc->m;
  mc->func_types =
      calloc(m->type_count ? m->type_count : 1, sizeof *mc->func_types);
  if (!mc->func_types)
    return false;
  for (uint32_t i = 0; i < m->type_count; i++) {
    const wasm_functype *t = &m->types[i];
    LLVMTypeRef *params = malloc((t->param_count + 1) * sizeof *params);
    if (!params)
      return false;
    params[0] = mc->t_ptr;
    for (uint32_t k = 0; k < t->param_count; k++)
      params[k + 1] = lower_value_type(mc, wasm_functype_params(t)[k]);
    mc->func_types[i] =
        LLVMFunctionType(result_type(mc, t), params, t->param_count + 1, false);
    free(params);
  }
  return true;
}

/* The symbol a function gets: its name-section name where it has one, so
 * perf, gdb and objdump show it, behind a "wasm:" prefix that keeps it
 * apart from the libcalls (memcpy, floor, ...) LLVM may emit, whose names
 * a C program compiled to Wasm also uses. */
static void function_symbol(const wasm_module *m, uint32_t index, char *buf,
                            size_t size) {
  const wasm_name *n = m->func_names ? &m->func_names[index] : NULL;
  if (n && n->len > 0)
    snprintf(buf, size, "wasm:%.*s", (int)(n->len > 200 ? 200 : n->len),
             n->data);
  else
    snprintf(buf, size, "wasm:func%u", index);
}

static void set_function_attributes(lower_module_ctx *mc, LLVMValueRef fn) {
  static const char *const enum_attrs[] = {"nounwind"};
  /* Code that may be unwound through needs unwind tables. */
  size_t enum_count = mc->exceptions ? 0 : 1;
  for (size_t i = 0; i < enum_count; i++) {
    unsigned kind =
        LLVMGetEnumAttributeKindForName(enum_attrs[i], strlen(enum_attrs[i]));
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(mc->llctx, kind, 0));
  }
  /* Like native code at -O2: the frame pointer register is one more for
   * values (bench/dispatch 1.5x -> 1.3x native). --frame-pointers keeps
   * them so that perf and gdb can walk Wasm frames. */
  const char *fp = mc->target->frame_pointers ? "all" : "none";
  LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                          LLVMCreateStringAttribute(mc->llctx, "frame-pointer",
                                                    13, fp,
                                                    (unsigned)strlen(fp)));
  LLVMAddAttributeAtIndex(
      fn, LLVMAttributeFunctionIndex,
      LLVMCreateStringAttribute(mc->llctx, "target-cpu", 10, mc->target->cpu,
                                (unsigned)strlen(mc->target->cpu)));
  if (mc->target->features[0])
    LLVMAddAttributeAtIndex(
        fn, LLVMAttributeFunctionIndex,
        LLVMCreateStringAttribute(mc->llctx, "target-features", 15,
                                  mc->target->features,
                                  (unsigned)strlen(mc->target->features)));
}

typedef struct named_index {
  const char *name;
  uint32_t index;
} named_index;

static int by_name_then_index(const void *a, const void *b) {
  const named_index *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c)
    return c;
  return x->index < y->index ? -1 : x->index > y->index;
}

void lower_free_piece_symbols(const wasm_module *m, char **symbols) {
  if (!symbols)
    return;
  for (uint32_t i = 0; i < m->func_count; i++)
    free(symbols[i]);
  free(symbols);
}

char **lower_piece_symbols(const wasm_module *m) {
  uint32_t first = m->import_func_count, n = m->func_count - first;
  char **symbols = calloc(m->func_count ? m->func_count : 1, sizeof *symbols);
  named_index *order = malloc((n ? n : 1) * sizeof *order);
  bool ok = symbols && order;
  char name[256];
  for (uint32_t i = first; ok && i < m->func_count; i++) {
    function_symbol(m, i, name, sizeof name);
    symbols[i] = strdup(name);
    ok = symbols[i] != NULL;
    order[i - first] = (named_index){symbols[i], i};
  }
  if (ok)
    qsort(order, n, sizeof *order, by_name_then_index);
  /* A name the name section gives twice keeps it for the first function;
   * the others get their index appended. */
  for (uint32_t k = 1; ok && k < n; k++) {
    if (strcmp(order[k].name, order[k - 1].name) != 0)
      continue;
    uint32_t i = order[k].index;
    char *renamed = malloc(strlen(symbols[i]) + 16);
    ok = renamed != NULL;
    if (ok) {
      sprintf(renamed, "%s.%u", symbols[i], i);
      free(symbols[i]);
      symbols[i] = renamed;
    }
  }
  free(order);
  if (!ok) {
    lower_free_piece_symbols(m, symbols);
    return NULL;
  }
  return symbols;
}

/* The same LLVM prototype: references are all `ptr`. */
static bool lowered_type_equal(wasm_type a, wasm_type b) {
  return a == b || (wasm_type_is_ref(a) && wasm_type_is_ref(b));
}

static bool same_prototype(const wasm_functype *a, const wasm_functype *b) {
  if (a->param_count != b->param_count || a->result_count != b->result_count)
    return false;
  for (uint32_t i = 0; i < a->param_count + a->result_count; i++)
    if (!lowered_type_equal(a->types[i], b->types[i]))
      return false;
  return true;
}

bool lower_results_in_registers(const wasm_functype *t) {
  uint32_t ints = 0, floats = 0;
  for (uint32_t i = 0; i < t->result_count; i++) {
    wasm_type r = wasm_functype_results(t)[i];
    if (r == WASM_TYPE_F32 || r == WASM_TYPE_F64 || r == WASM_TYPE_V128)
      floats++;
    else
      ints++;
  }
  return ints <= 2 && floats <= 2;
}

bool lower_module_needs_tailcc(const wasm_module *m) {
  for (uint32_t i = m->import_func_count; i < m->func_count; i++) {
    const wasm_func *fn = &m->funcs[i - m->import_func_count];
    const wasm_functype *caller = wasm_func_type(m, i);
    wasm_error err = {0};
    wasm_reader r = {m->bytes, fn->code_offset, fn->code_end, &err};
    wasm_instr in;
    while (r.pos < r.end && wasm_read_instr(&r, m, &in)) {
      uint32_t callee;
      if (in.op == WASM_OP_RETURN_CALL)
        callee = m->func_types[in.imm.func];
      else if (in.op == WASM_OP_RETURN_CALL_INDIRECT)
        callee = in.imm.call_indirect.type_index;
      else if (in.op == WASM_OP_RETURN_CALL_REF)
        callee = in.imm.type_index;
      else
        continue;
      if (!same_prototype(&m->types[callee], caller) &&
          lower_results_in_registers(&m->types[callee]))
        return true;
    }
  }
  return false;
}

/* Where a defined function's convention is set: every one of a tailcc
 * module (declaration, definition and calls must agree). */
static void set_function_conv(lower_module_ctx *mc, LLVMValueRef fn) {
  if (mc->tail_cc)
    LLVMSetFunctionCallConv(fn, LOWER_TAIL_CALL_CONV);
}

LLVMValueRef lower_func_decl(lower_module_ctx *mc, uint32_t func_index) {
  if (mc->funcs[func_index])
    return mc->funcs[func_index];
  /* Only a piece gets here. Other pieces call the function, and piece 0's
   * tables point at it: a hidden global under a name unique in the module.
   * Only the piece that defines it gives it a body. */
  LLVMTypeRef type = mc->func_types[mc->m->func_types[func_index]];
  LLVMValueRef fn =
      LLVMAddFunction(mc->llmod, mc->part->symbols[func_index], type);
  LLVMSetLinkage(fn, LLVMExternalLinkage);
  LLVMSetVisibility(fn, LLVMHiddenVisibility);
  set_function_attributes(mc, fn);
  set_function_conv(mc, fn);
  mc->funcs[func_index] = fn;
  return fn;
}

static bool declare_functions(lower_module_ctx *mc,
                              const lower_partition *part) {
  const wasm_module *m = mc->m;
  mc->funcs = calloc(m->func_count ? m->func_count : 1, sizeof *mc->funcs);
  if (!mc->funcs)
    return false;
  mc->part = part;
  if (part) {
    /* The piece's own functions first, in order; the others as they are
     * referenced (lower_func_decl). */
    for (uint32_t k = 0; k < part->count; k++) {
      LLVMValueRef fn = lower_func_decl(mc, part->funcs[k]);
      if (part->function_align)
        LLVMSetAlignment(fn, part->function_align);
    }
    return true;
  }
  char name[256];
  for (uint32_t i = m->import_func_count; i < m->func_count; i++) {
    LLVMTypeRef type = mc->func_types[m->func_types[i]];
    function_symbol(m, i, name, sizeof name);
    LLVMValueRef fn = LLVMAddFunction(mc->llmod, name, type);
    /* LLVM renames a clashing internal symbol itself (name.1, ...). */
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    set_function_attributes(mc, fn);
    set_function_conv(mc, fn);
    mc->funcs[i] = fn;
  }
  return true;
}

/* void tramp(ptr code, ptr env, ptr slots): see artifact_format.h. */
static LLVMValueRef build_trampoline(lower_module_ctx *mc,
                                     uint32_t type_index) {
  const wasm_functype *t = &mc->m->types[type_index];
  LLVMBuilderRef b = mc->builder;
  LLVMTypeRef params[3] = {mc->t_ptr, mc->t_ptr, mc->t_ptr};
  LLVMTypeRef fnty = LLVMFunctionType(mc->t_void, params, 3, false);
  char name[64];
  snprintf(name, sizeof name, "wasmaot_tramp%u", type_index);
  LLVMValueRef fn = LLVMAddFunction(mc->llmod, name, fnty);
  LLVMSetLinkage(fn, LLVMInternalLinkage);
  set_function_attributes(mc, fn);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(mc->llctx, fn, ""));
  LLVMValueRef slots = LLVMGetParam(fn, 2);

  LLVMValueRef *args = malloc((t->param_count + 1) * sizeof *args);
  if (!args)
    abort();
  args[0] = LLVMGetParam(fn, 1);
  for (uint32_t i = 0; i < t->param_count; i++) {
    LLVMValueRef off =
        LLVMConstInt(mc->t_i64, (uint64_t)i * WASMAOT_VALUE_SLOT_SIZE, false);
    LLVMValueRef p = LLVMBuildInBoundsGEP2(b, mc->t_i8, slots, &off, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(
        b, lower_value_type(mc, wasm_functype_params(t)[i]), p, "");
    LLVMSetAlignment(v, 8);
    args[i + 1] = v;
  }
  LLVMValueRef call =
      lower_trampoline_call(mc, fn, mc->func_types[type_index],
                            LLVMGetParam(fn, 0), args, t->param_count + 1);
  free(args);
  for (uint32_t i = 0; i < t->result_count; i++) {
    LLVMValueRef v =
        t->result_count == 1 ? call : LLVMBuildExtractValue(b, call, i, "");
    LLVMValueRef off =
        LLVMConstInt(mc->t_i64, (uint64_t)i * WASMAOT_VALUE_SLOT_SIZE, false);
    LLVMValueRef st = LLVMBuildStore(
        b, v, LLVMBuildInBoundsGEP2(b, mc->t_i8, slots, &off, 1, ""));
    LLVMSetAlignment(st, 8);
  }
  LLVMBuildRetVoid(b);
  return fn;
}

/* int32_t table[n] = { target_i - &table, ... }: position-independent, so
 * the loader needs no relocation to find functions. */
static void build_relative_table(lower_module_ctx *mc, const char *name,
                                 LLVMValueRef *targets, uint32_t n) {
  LLVMTypeRef arr_ty = LLVMArrayType2(mc->t_i32, n);
  LLVMValueRef table = LLVMAddGlobal(mc->llmod, arr_ty, name);
  LLVMValueRef base = LLVMConstPtrToInt(table, mc->t_i64);
  LLVMValueRef *elems = malloc((n ? n : 1) * sizeof *elems);
  if (!elems)
    abort();
  for (uint32_t i = 0; i < n; i++) {
    LLVMValueRef addr = LLVMConstPtrToInt(targets[i], mc->t_i64);
    elems[i] = LLVMConstTrunc(LLVMConstSub(addr, base), mc->t_i32);
  }
  LLVMSetInitializer(table, LLVMConstArray2(mc->t_i32, elems, n));
  free(elems);
  LLVMSetGlobalConstant(table, true);
  LLVMSetLinkage(table, LLVMExternalLinkage);
  LLVMSetVisibility(table, LLVMDefaultVisibility);
  LLVMSetAlignment(table, 4);
}

/* The C-convention entry of a tailcc function, for funcref.code: what
 * trampolines, host code, call_indirect and other modules call. The call
 * stays a call (noinline), so the body is not copied into its entry. */
static LLVMValueRef build_c_entry(lower_module_ctx *mc, uint32_t func_index) {
  LLVMValueRef body = mc->funcs[func_index];
  LLVMTypeRef type = mc->func_types[mc->m->func_types[func_index]];
  LLVMBuilderRef b = mc->builder;
  char name[300];
  snprintf(name, sizeof name, "%s.entry", LLVMGetValueName(body));
  LLVMValueRef fn = LLVMAddFunction(mc->llmod, name, type);
  LLVMSetLinkage(fn, LLVMInternalLinkage);
  set_function_attributes(mc, fn);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(mc->llctx, fn, ""));
  unsigned n = LLVMCountParams(fn);
  LLVMValueRef *args = malloc(n * sizeof *args);
  if (!args)
    abort();
  for (unsigned i = 0; i < n; i++)
    args[i] = LLVMGetParam(fn, i);
  LLVMValueRef call = LLVMBuildCall2(b, type, body, args, n, "");
  free(args);
  LLVMSetInstructionCallConv(call, LOWER_TAIL_CALL_CONV);
  unsigned noinline = LLVMGetEnumAttributeKindForName("noinline", 8);
  LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                           LLVMCreateEnumAttribute(mc->llctx, noinline, 0));
  if (LLVMGetTypeKind(LLVMGetReturnType(type)) == LLVMVoidTypeKind)
    LLVMBuildRetVoid(b);
  else
    LLVMBuildRet(b, call);
  return fn;
}

static void build_tables(lower_module_ctx *mc) {
  const wasm_module *m = mc->m;
  uint32_t defined = m->func_count - m->import_func_count;
  for (uint32_t i = m->import_func_count; i < m->func_count; i++)
    lower_func_decl(mc, i);
  LLVMValueRef *bodies = mc->funcs + m->import_func_count;
  if (mc->tail_cc) {
    /* funcref.code is C everywhere; the tailcc bodies are the tail
     * table's, for return_call_indirect (artifact_format.h). */
    LLVMValueRef *entries = malloc((defined ? defined : 1) * sizeof *entries);
    if (!entries)
      abort();
    for (uint32_t i = 0; i < defined; i++)
      entries[i] = build_c_entry(mc, m->import_func_count + i);
    build_relative_table(mc, WASMAOT_SYM_FUNC_TABLE, entries, defined);
    build_relative_table(mc, WASMAOT_SYM_TAIL_TABLE, bodies, defined);
    free(entries);
  } else {
    build_relative_table(mc, WASMAOT_SYM_FUNC_TABLE, bodies, defined);
  }
  LLVMValueRef *tramps =
      malloc((m->type_count ? m->type_count : 1) * sizeof *tramps);
  if (!tramps)
    abort();
  for (uint32_t i = 0; i < m->type_count; i++)
    tramps[i] = build_trampoline(mc, i);
  build_relative_table(mc, WASMAOT_SYM_TRAMP_TABLE, tramps, m->type_count);
  free(tramps);
}

LLVMModuleRef lower_module_part(const wasm_module *m,
                                const codegen_target *target,
                                LLVMContextRef llctx,
                                const lower_partition *part,
                                wasmaot_vmctx_layout *layout,
                                const aot_progress *progress, wasm_error *err) {
  lower_module_ctx mc = {.m = m,
                         .target = target,
                         .llctx = llctx,
                         .err = err,
                         .exceptions = m->has_exception_code};
  init_common_types(&mc);
  lower_compute_vmctx_layout(m, target->count_entries, &mc.layout);
  mc.llmod = LLVMModuleCreateWithNameInContext("wasm", llctx);
  codegen_configure_module(target, mc.llmod);
  mc.builder = LLVMCreateBuilderInContext(llctx);

  bool ok = build_func_types(&mc);
  mc.tail_cc = part ? part->tail_cc : lower_module_needs_tailcc(m);
  ok = ok && declare_functions(&mc, part);
  if (!ok)
    wasm_error_set(err, 0, "out of memory");
  uint32_t defined = part ? part->count : m->func_count - m->import_func_count;
  aot_report(progress, AOT_PHASE_LOWER, 0, defined);
  for (uint32_t k = 0; ok && k < defined; k++) {
    ok = lower_function(&mc, part ? part->funcs[k] : m->import_func_count + k);
    aot_report(progress, AOT_PHASE_LOWER, k + 1, defined);
  }
  if (ok && (!part || part->tables))
    build_tables(&mc);

  LLVMDisposeBuilder(mc.builder);
  free(mc.func_types);
  free(mc.funcs);
  if (!ok) {
    LLVMDisposeModule(mc.llmod);
    return NULL;
  }
  *layout = mc.layout;
  return mc.llmod;
}

LLVMModuleRef lower_module(const wasm_module *m, const codegen_target *target,
                           LLVMContextRef llctx, wasmaot_vmctx_layout *layout,
                           const aot_progress *progress, wasm_error *err) {
  return lower_module_part(m, target, llctx, NULL, layout, progress, err);
}
