/* Loads, stores and the memory instructions.
 *
 * An access to a 32-bit memory is base + zext(address) + offset with no
 * bounds check: the loader reserves the whole 33-bit range behind each
 * memory's base, so an out-of-bounds access lands in PROT_NONE pages and
 * the fault becomes a trap. A 64-bit memory (memory64) cannot be covered
 * that way, so its accesses compare address + offset + size with the
 * current length first. The base is loaded once per function (it never
 * moves, for either kind). Bulk operations and growth go to runtime
 * helpers, which check bounds before writing anything; a 64-bit memory's
 * use the helpers' 64-bit variants, so a 32-bit module calls exactly what
 * it called before memory64. */
#include <stddef.h>
#include <string.h>

#include "lower.h"

typedef struct access_shape {
  LLVMTypeRef mem_type; /* what is read or written */
  LLVMTypeRef val_type; /* what is on the stack */
  bool sign_extend;
} access_shape;

static access_shape shape_of(lower_module_ctx *mc, wasm_opcode op) {
  switch (op) {
  case WASM_OP_I32_LOAD:
  case WASM_OP_I32_STORE:
    return (access_shape){mc->t_i32, mc->t_i32, false};
  case WASM_OP_I64_LOAD:
  case WASM_OP_I64_STORE:
    return (access_shape){mc->t_i64, mc->t_i64, false};
  case WASM_OP_F32_LOAD:
  case WASM_OP_F32_STORE:
    return (access_shape){mc->t_f32, mc->t_f32, false};
  case WASM_OP_F64_LOAD:
  case WASM_OP_F64_STORE:
    return (access_shape){mc->t_f64, mc->t_f64, false};
  case WASM_OP_I32_LOAD8_S:
    return (access_shape){mc->t_i8, mc->t_i32, true};
  case WASM_OP_I32_LOAD8_U:
  case WASM_OP_I32_STORE8:
    return (access_shape){mc->t_i8, mc->t_i32, false};
  case WASM_OP_I32_LOAD16_S:
    return (access_shape){mc->t_i16, mc->t_i32, true};
  case WASM_OP_I32_LOAD16_U:
  case WASM_OP_I32_STORE16:
    return (access_shape){mc->t_i16, mc->t_i32, false};
  case WASM_OP_I64_LOAD8_S:
    return (access_shape){mc->t_i8, mc->t_i64, true};
  case WASM_OP_I64_LOAD8_U:
  case WASM_OP_I64_STORE8:
    return (access_shape){mc->t_i8, mc->t_i64, false};
  case WASM_OP_I64_LOAD16_S:
    return (access_shape){mc->t_i16, mc->t_i64, true};
  case WASM_OP_I64_LOAD16_U:
  case WASM_OP_I64_STORE16:
    return (access_shape){mc->t_i16, mc->t_i64, false};
  case WASM_OP_I64_LOAD32_S:
    return (access_shape){mc->t_i32, mc->t_i64, true};
  case WASM_OP_I64_LOAD32_U:
  case WASM_OP_I64_STORE32:
    return (access_shape){mc->t_i32, mc->t_i64, false};
  default:
    return (access_shape){NULL, NULL, false};
  }
}

static bool is_store(wasm_opcode op) {
  return op >= WASM_OP_I32_STORE && op <= WASM_OP_I64_STORE32;
}

/* The memory object of memory `index`: memory 0's from the vmctx header,
 * the others' from the vmctx's array of memory objects. Neither moves. */
static LLVMValueRef memory_object(lower_func_ctx *f, uint32_t index) {
  lower_module_ctx *mc = f->mc;
  uint32_t offset = index == 0 ? offsetof(wasmaot_vmctx_header, memory0)
                               : mc->layout.memories + 8 * index;
  return lower_vmctx_load(f, mc->t_ptr, offset, true);
}

LLVMValueRef lower_memory_base(lower_func_ctx *f, uint32_t index) {
  /* Memory 0's base is loaded once per function, as it always was, so a
   * module with one memory compiles to the code it did before
   * multi-memory. Another memory's base is an invariant load LLVM may
   * hoist and share like that one. */
  if (index == 0)
    return f->memory0_base;
  lower_module_ctx *mc = f->mc;
  LLVMValueRef base = LLVMBuildLoad2(mc->builder, mc->t_ptr,
                                     memory_object(f, index), "memory_base");
  lower_mark_invariant(mc, base);
  return base;
}

/* TBAA for 64-bit memories: their accesses are one type and the memory
 * object's size_bytes another, so LLVM knows a store to linear memory
 * does not change the length and keeps the bounds checks' length in a
 * register across a loop instead of reloading it after every store. Only
 * calls (memory.grow) change it, and calls are not tagged. 32-bit
 * memories' accesses stay untagged, as they always were. */
typedef enum memory_tbaa { TBAA_LINEAR_MEMORY, TBAA_MEMORY_SIZE } memory_tbaa;

static void set_tbaa(lower_module_ctx *mc, LLVMValueRef inst, memory_tbaa t) {
  static const char *const names[] = {"wasm linear memory", "wasm memory size"};
  LLVMContextRef c = mc->llctx;
  LLVMMetadataRef root_name = LLVMMDStringInContext2(c, "wasmaot tbaa", 12);
  LLVMMetadataRef root = LLVMMDNodeInContext2(c, &root_name, 1);
  LLVMMetadataRef zero = LLVMValueAsMetadata(LLVMConstInt(mc->t_i64, 0, false));
  LLVMMetadataRef type_ops[3] = {
      LLVMMDStringInContext2(c, names[t], strlen(names[t])), root, zero};
  LLVMMetadataRef type = LLVMMDNodeInContext2(c, type_ops, 3);
  LLVMMetadataRef tag_ops[3] = {type, type, zero};
  LLVMSetMetadata(inst, LLVMGetMDKindIDInContext(c, "tbaa", 4),
                  LLVMMetadataAsValue(c, LLVMMDNodeInContext2(c, tag_ops, 3)));
}

void lower_memory_tag_access(lower_func_ctx *f, uint32_t memory,
                             LLVMValueRef access) {
  if (f->mc->m->memories[memory].is64)
    set_tbaa(f->mc, access, TBAA_LINEAR_MEMORY);
}

LLVMValueRef lower_memory_size_bytes(lower_func_ctx *f, uint32_t memory,
                                     LLVMAtomicOrdering shared_order) {
  lower_module_ctx *mc = f->mc;
  LLVMBuilderRef b = mc->builder;
  LLVMValueRef off =
      LLVMConstInt(mc->t_i64, offsetof(wasmaot_memory_obj, size_bytes), false);
  LLVMValueRef bytes = LLVMBuildLoad2(
      b, mc->t_i64,
      LLVMBuildInBoundsGEP2(b, mc->t_i8, memory_object(f, memory), &off, 1, ""),
      "");
  if (mc->m->memories[memory].shared) {
    LLVMSetOrdering(bytes, shared_order);
    LLVMSetAlignment(bytes, 8);
  }
  if (mc->m->memories[memory].is64)
    set_tbaa(mc, bytes, TBAA_MEMORY_SIZE);
  return bytes;
}

/* addr + offset as an i64 after checking that `size` bytes there are
 * inside the 64-bit memory: the sum is formed with its carry, so no
 * address wraps around into bounds. A constant offset + size beyond
 * 2^64 is out of bounds whatever the address. */
static LLVMValueRef checked_index64(lower_func_ctx *f, uint32_t memory,
                                    LLVMValueRef addr, uint64_t offset,
                                    uint32_t size) {
  lower_module_ctx *mc = f->mc;
  LLVMBuilderRef b = mc->builder;
  LLVMValueRef oob;
  if (offset > UINT64_MAX - size) {
    oob = LLVMConstInt(mc->t_i1, 1, false);
  } else {
    LLVMValueRef args[2] = {addr,
                            LLVMConstInt(mc->t_i64, offset + size, false)};
    LLVMTypeRef i64 = mc->t_i64;
    LLVMValueRef sum =
        lower_call_intrinsic(f, "llvm.uadd.with.overflow", &i64, 1, args, 2);
    LLVMValueRef end = LLVMBuildExtractValue(b, sum, 0, "end");
    LLVMValueRef carry = LLVMBuildExtractValue(b, sum, 1, "");
    /* Another thread's growth need not be seen at once: monotonic. */
    LLVMValueRef len =
        lower_memory_size_bytes(f, memory, LLVMAtomicOrderingMonotonic);
    oob = LLVMBuildOr(b, carry, LLVMBuildICmp(b, LLVMIntUGT, end, len, ""), "");
  }
  lower_trap_if(f, oob, WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
  if (!offset)
    return addr;
  return LLVMBuildAdd(b, addr, LLVMConstInt(mc->t_i64, offset, false), "");
}

LLVMValueRef lower_memory_index(lower_func_ctx *f, const wasm_instr *in,
                                LLVMValueRef addr) {
  lower_module_ctx *mc = f->mc;
  uint32_t memory = in->memarg.memory;
  uint64_t offset = in->memarg.offset;
  if (mc->m->memories[memory].is64)
    return checked_index64(f, memory, addr, offset,
                           1u << wasm_op_natural_align_log2(in->op));
  LLVMValueRef idx = LLVMBuildZExt(mc->builder, addr, mc->t_i64, "");
  if (offset)
    idx = LLVMBuildAdd(mc->builder, idx, LLVMConstInt(mc->t_i64, offset, false),
                       "");
  return idx;
}

LLVMValueRef lower_memory_address(lower_func_ctx *f, const wasm_instr *in,
                                  LLVMValueRef addr) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef idx = lower_memory_index(f, in, addr);
  return LLVMBuildInBoundsGEP2(mc->builder, mc->t_i8,
                               lower_memory_base(f, in->memarg.memory), &idx, 1,
                               "");
}

static void lower_load(lower_func_ctx *f, const wasm_instr *in,
                       access_shape s) {
  LLVMBuilderRef b = f->mc->builder;
  LLVMValueRef ptr = lower_memory_address(f, in, lower_pop(f));
  LLVMValueRef v = LLVMBuildLoad2(b, s.mem_type, ptr, "");
  LLVMSetAlignment(v, 1);
  lower_memory_tag_access(f, in->memarg.memory, v);
  if (s.mem_type != s.val_type)
    v = s.sign_extend ? LLVMBuildSExt(b, v, s.val_type, "")
                      : LLVMBuildZExt(b, v, s.val_type, "");
  lower_push(f, v);
}

static void lower_store(lower_func_ctx *f, const wasm_instr *in,
                        access_shape s) {
  LLVMBuilderRef b = f->mc->builder;
  LLVMValueRef value = lower_pop(f);
  LLVMValueRef ptr = lower_memory_address(f, in, lower_pop(f));
  if (s.mem_type != s.val_type)
    value = LLVMBuildTrunc(b, value, s.mem_type, "");
  LLVMValueRef st = LLVMBuildStore(b, value, ptr);
  LLVMSetAlignment(st, 1);
  lower_memory_tag_access(f, in->memarg.memory, st);
}

static void lower_memory_size(lower_func_ctx *f, uint32_t memory) {
  lower_module_ctx *mc = f->mc;
  LLVMBuilderRef b = mc->builder;
  /* Another thread may grow a shared memory: an atomic read, which LLVM
   * will not hoist out of a loop that waits for the growth. */
  LLVMValueRef bytes = lower_memory_size_bytes(
      f, memory, LLVMAtomicOrderingSequentiallyConsistent);
  LLVMValueRef pages =
      LLVMBuildLShr(b, bytes, LLVMConstInt(mc->t_i64, 16, false), "");
  if (!mc->m->memories[memory].is64)
    pages = LLVMBuildTrunc(b, pages, mc->t_i32, "");
  lower_push(f, pages);
}

static LLVMValueRef const_u32(lower_func_ctx *f, uint32_t v) {
  return LLVMConstInt(f->mc->t_i32, v, false);
}

/* Pops n operands into args[first..first+n), bottom first; `wide`
 * zero-extends each to i64, for a 64-bit helper. */
static void pop_operands(lower_func_ctx *f, LLVMValueRef *args, unsigned first,
                         unsigned n, bool wide) {
  for (unsigned i = n; i-- > 0;) {
    args[first + i] = lower_pop(f);
    if (wide && LLVMTypeOf(args[first + i]) != f->mc->t_i64)
      args[first + i] =
          LLVMBuildZExt(f->mc->builder, args[first + i], f->mc->t_i64, "");
  }
}

static bool is64(lower_func_ctx *f, uint32_t memory) {
  return f->mc->m->memories[memory].is64;
}

bool lower_memory(lower_func_ctx *f, const wasm_instr *in) {
  lower_module_ctx *mc = f->mc;
  LLVMValueRef args[5];
  switch (in->op) {
  case WASM_OP_MEMORY_SIZE:
    lower_memory_size(f, in->imm.memory);
    return true;
  case WASM_OP_MEMORY_GROW: {
    bool wide = is64(f, in->imm.memory);
    args[0] = const_u32(f, in->imm.memory);
    args[1] = lower_pop(f);
    lower_push(f, lower_call_helper(f,
                                    wide ? WASMAOT_HELPER_MEMORY_GROW64
                                         : WASMAOT_HELPER_MEMORY_GROW,
                                    wide ? mc->t_i64 : mc->t_i32, args, 2));
    return true;
  }
  case WASM_OP_MEMORY_FILL: { /* [d, val, n] */
    bool wide = is64(f, in->imm.memory);
    args[0] = const_u32(f, in->imm.memory);
    pop_operands(f, args, 1, 3, false);
    if (wide) { /* the value stays an i32 */
      args[1] = LLVMBuildZExt(mc->builder, args[1], mc->t_i64, "");
      args[3] = LLVMBuildZExt(mc->builder, args[3], mc->t_i64, "");
    }
    lower_call_helper(
        f, wide ? WASMAOT_HELPER_MEMORY_FILL64 : WASMAOT_HELPER_MEMORY_FILL,
        mc->t_void, args, 4);
    return true;
  }
  case WASM_OP_MEMORY_COPY: { /* [d, s, n] */
    bool wide =
        is64(f, in->imm.memory_copy.dst) || is64(f, in->imm.memory_copy.src);
    args[0] = const_u32(f, in->imm.memory_copy.dst);
    args[1] = const_u32(f, in->imm.memory_copy.src);
    pop_operands(f, args, 2, 3, wide);
    lower_call_helper(
        f, wide ? WASMAOT_HELPER_MEMORY_COPY64 : WASMAOT_HELPER_MEMORY_COPY,
        mc->t_void, args, 5);
    return true;
  }
  case WASM_OP_MEMORY_INIT: { /* [d, s, n] */
    bool wide = is64(f, in->imm.memory_init.memory);
    args[0] = const_u32(f, in->imm.memory_init.memory);
    args[1] = const_u32(f, in->imm.memory_init.data);
    pop_operands(f, args, 2, 3, wide);
    lower_call_helper(
        f, wide ? WASMAOT_HELPER_MEMORY_INIT64 : WASMAOT_HELPER_MEMORY_INIT,
        mc->t_void, args, 5);
    return true;
  }
  case WASM_OP_DATA_DROP:
    args[0] = const_u32(f, in->imm.data);
    lower_call_helper(f, WASMAOT_HELPER_DATA_DROP, mc->t_void, args, 1);
    return true;
  default:
    break;
  }
  access_shape s = shape_of(mc, in->op);
  if (!s.mem_type)
    return wasm_error_set(mc->err, in->offset,
                          "%s: not supported by the code generator yet",
                          wasm_op_name(in->op));
  if (is_store(in->op))
    lower_store(f, in, s);
  else
    lower_load(f, in, s);
  return true;
}

void lower_keep_dropped_load(LLVMValueRef v) {
  /* A load whose value is dropped must still trap when out of bounds, but
   * LLVM deletes unused loads: make such a load volatile. Loads from
   * allocas (locals) are left alone so mem2reg still sees them. The load
   * may sit under the casts, splats and lane inserts that widen it (the
   * extending, splat, zero and lane loads of SIMD), so look through those. */
  for (;;) {
    if (LLVMIsACastInst(v) || LLVMIsAShuffleVectorInst(v))
      v = LLVMGetOperand(v, 0);
    else if (LLVMIsAInsertElementInst(v))
      v = LLVMGetOperand(v, 1);
    else
      break;
  }
  if (LLVMIsALoadInst(v) && !LLVMIsAAllocaInst(LLVMGetOperand(v, 0)))
    LLVMSetVolatile(v, true);
}
