/* Lowering a validated Wasm module to LLVM IR: the state shared by the
 * lowering files, one per instruction family (WAMR's aot_emit_* split):
 *
 *   lower_module.c    LLVM module, function declarations, trampolines,
 *                     the function/trampoline tables
 *   lower_func.c      one function: locals, the operand and control
 *                     stacks, the dispatch loop over instructions
 *   lower_control.c   block/loop/if/else/end, br*, return, call*, select,
 *                     drop, unreachable
 *   lower_variable.c  local.*, global.*
 *   lower_numeric.c   constants, integer and float operators, conversions
 *   lower_memory.c    loads, stores, memory.*, data.drop
 *   lower_table.c     table.*, ref.*, elem.drop
 *   lower_simd.c      v128: every 0xFD-prefixed instruction
 *   lower_atomic.c    threads: every 0xFE-prefixed instruction
 *
 * The input has passed wasm_module_validate(), so lowering trusts types,
 * indices and stack heights and does not re-check them.
 *
 * ABI (see formats/artifact_format.h): every Wasm function is an LLVM
 * function `(ptr vmctx, params...) -> result` with the C calling
 * convention; several results are returned as a literal struct. Traps call
 * the TRAP runtime helper through vmctx->helpers, which never returns. */
#ifndef WASMAOT_LOWER_H
#define WASMAOT_LOWER_H

#include <stdbool.h>
#include <stdint.h>

#include <llvm-c/Core.h>

#include "artifact_format.h"
#include "codegen_target.h"
#include "wasm_instr.h"
#include "wasm_module.h"

typedef struct lower_module_ctx {
  const wasm_module *m;
  const codegen_target *target;
  LLVMContextRef llctx;
  LLVMModuleRef llmod;
  LLVMBuilderRef builder;

  /* Common types. */
  LLVMTypeRef t_void, t_i1, t_i8, t_i16, t_i32, t_i64, t_f32, t_f64, t_v128,
      t_ptr;

  LLVMTypeRef *func_types; /* LLVM function type per Wasm type index */
  LLVMValueRef *funcs;     /* per function index; NULL for imports and,
                              in a piece, functions not yet referenced */
  const struct lower_partition *part; /* NULL: the whole module */

  wasmaot_vmctx_layout layout;
  wasm_error *err;

  /* The module tail-calls between functions of different types
   * (lower_module_needs_tailcc): every defined function then has LLVM's
   * `tailcc` convention, which guarantees such calls as jumps, and is
   * entered from outside through a C-convention wrapper. */
  bool tail_cc;
} lower_module_ctx;

/* LLVM's `tailcc` (CallingConv::Tail), which the C API's LLVMCallConv
 * does not name. */
#define LOWER_TAIL_CALL_CONV 18u

typedef enum lower_frame_kind {
  LOWER_FRAME_FUNC,
  LOWER_FRAME_BLOCK,
  LOWER_FRAME_LOOP,
  LOWER_FRAME_IF,
  LOWER_FRAME_ELSE,
} lower_frame_kind;

/* A control frame. Branch targets carry their values in phi nodes: a
 * block's or if's results in `end_phis` at the start of `end_bb`, a loop's
 * parameters in `loop_phis` at the start of its header. */
typedef struct lower_frame {
  lower_frame_kind kind;
  uint32_t param_count, result_count;
  const wasm_type *params, *results;
  size_t stack_height;       /* operand stack height below the params */
  LLVMBasicBlockRef end_bb;  /* after the construct */
  LLVMBasicBlockRef loop_bb; /* loop header */
  LLVMBasicBlockRef else_bb; /* if: where the false edge goes */
  LLVMValueRef *end_phis;    /* result_count */
  LLVMValueRef *loop_phis;   /* param_count (loops) */
  LLVMValueRef *if_params;   /* param_count: an if's params, for its else */
  bool end_reachable;        /* something branches to / falls into end_bb */
  bool unreachable_at_entry; /* the whole construct is dead code */
} lower_frame;

typedef struct lower_func_ctx {
  lower_module_ctx *mc;
  uint32_t func_index;
  const wasm_functype *type;
  LLVMValueRef fn;
  LLVMValueRef vmctx;
  LLVMValueRef memory0_base; /* loaded once in the entry block */

  uint32_t local_count; /* params + declared locals */
  LLVMValueRef *locals; /* allocas */
  wasm_type *local_types;

  LLVMValueRef *stack; /* operand stack */
  size_t stack_size, stack_cap;

  lower_frame *frames; /* control stack */
  size_t frame_count, frame_cap;

  /* True while the current position is dead code (after br, return,
   * unreachable, ...): instructions are skipped until the enclosing
   * frame's else/end. */
  bool dead;
  /* Nesting depth of blocks opened inside dead code, which produce no
   * frames. */
  uint32_t dead_depth;

  /* One shared trap block per kind, created on first use. */
  LLVMBasicBlockRef trap_bbs[WASMAOT_TRAP_COUNT];
} lower_func_ctx;

/* The LLVM function of defined function `func_index`; in a piece, a
 * function defined elsewhere is declared on first reference, so a piece
 * costs what it holds and calls, not the size of the module. */
LLVMValueRef lower_func_decl(lower_module_ctx *mc, uint32_t func_index);

/* Lowers the body of defined function `func_index` into mc->funcs[i]. */
bool lower_function(lower_module_ctx *mc, uint32_t func_index);

/* ---- Helpers for the family files (lower_func.c) ---------------------- */

LLVMTypeRef lower_value_type(lower_module_ctx *mc, wasm_type t);
void lower_push(lower_func_ctx *f, LLVMValueRef v);
LLVMValueRef lower_pop(lower_func_ctx *f);
LLVMValueRef lower_peek(lower_func_ctx *f, size_t depth_from_top);

/* Branches to a trap of `kind` when `cond` (i1) is true; marks the branch
 * unlikely. Continues in a fresh block. */
void lower_trap_if(lower_func_ctx *f, LLVMValueRef cond,
                   wasmaot_trap_kind kind);
/* Unconditional trap; leaves the builder in an unreachable position (the
 * caller marks the rest of the block dead). */
void lower_trap(lower_func_ctx *f, wasmaot_trap_kind kind);

/* Calls runtime helper `h` with `args` (vmctx is prepended). */
LLVMValueRef lower_call_helper(lower_func_ctx *f, wasmaot_helper_index h,
                               LLVMTypeRef ret, LLVMValueRef *args,
                               unsigned nargs);

/* Calls an overloaded LLVM intrinsic, e.g. ("llvm.ctlz", {i32}, args). */
LLVMValueRef lower_call_intrinsic(lower_func_ctx *f, const char *name,
                                  LLVMTypeRef *overloads, unsigned noverloads,
                                  LLVMValueRef *args, unsigned nargs);

/* Control stack (lower_control.c owns frame contents). */
lower_frame *lower_push_frame(lower_func_ctx *f);
void lower_free_frame(lower_frame *fr);
void lower_open_function_frame(lower_func_ctx *f);

/* Tags a load as `!invariant.load`: LLVM may hoist and merge it. */
void lower_mark_invariant(lower_module_ctx *mc, LLVMValueRef load);

/* A pointer to vmctx + offset. */
LLVMValueRef lower_vmctx_field(lower_func_ctx *f, uint32_t offset);
/* Loads a value of `type` from vmctx + offset; `invariant` marks it as
 * never changing during the call (memory base, helper table). */
LLVMValueRef lower_vmctx_load(lower_func_ctx *f, LLVMTypeRef type,
                              uint32_t offset, bool invariant);

/* ---- Instruction families: each returns false on an internal error
 * (with mc->err set); the dispatcher in lower_func.c routes by opcode. --- */

bool lower_control(lower_func_ctx *f, const wasm_instr *in);
bool lower_variable(lower_func_ctx *f, const wasm_instr *in);
bool lower_numeric(lower_func_ctx *f, const wasm_instr *in);
bool lower_memory(lower_func_ctx *f, const wasm_instr *in);
bool lower_table(lower_func_ctx *f, const wasm_instr *in);
bool lower_simd(lower_func_ctx *f, const wasm_instr *in);
bool lower_atomic(lower_func_ctx *f, const wasm_instr *in);

/* index >= size (an i1) for a table index of either address type and a
 * table's i32 size (lower_table.c). */
LLVMValueRef lower_table_index_out_of_bounds(lower_func_ctx *f,
                                             LLVMValueRef index,
                                             LLVMValueRef size);

/* Makes sure a memory load whose value is dropped still happens, so an
 * out-of-bounds address still traps (lower_memory.c). */
void lower_keep_dropped_load(LLVMValueRef v);
/* The base of linear memory `index` (lower_memory.c), for addresses. */
LLVMValueRef lower_memory_base(lower_func_ctx *f, uint32_t index);
/* Memory `index`'s current length in bytes; a shared memory's is read
 * with `shared_order`. */
LLVMValueRef lower_memory_size_bytes(lower_func_ctx *f, uint32_t index,
                                     LLVMAtomicOrdering shared_order);
/* The effective address (an i64 from the base) of memarg instruction
 * `in`'s access at `addr`: zext(addr) + offset for a 32-bit memory, whose
 * guard pages catch what is out of bounds; for a 64-bit memory, addr +
 * offset after an explicit bounds check of all the bytes accessed. */
LLVMValueRef lower_memory_index(lower_func_ctx *f, const wasm_instr *in,
                                LLVMValueRef addr);
/* Tags a load or store of memory `index` for LLVM's alias analysis (a
 * 64-bit memory's: it does not alias the memory's length). */
void lower_memory_tag_access(lower_func_ctx *f, uint32_t index,
                             LLVMValueRef access);
/* base + lower_memory_index(): the pointer to access. */
LLVMValueRef lower_memory_address(lower_func_ctx *f, const wasm_instr *in,
                                  LLVMValueRef addr);

#endif
