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
 *   lower_exception.c throw, throw_ref, try_table, and the legacy try,
 *                     catch, catch_all, delegate, rethrow
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

  /* The module throws or catches (wasm_module.has_exception_code): its
   * functions may unwind (no `nounwind`, so LLVM gives them unwind
   * tables), calls inside handlers are invokes, and the trampolines catch
   * what would leave Wasm. */
  bool exceptions;
} lower_module_ctx;

/* Whether a function of type `t` returns its results in registers on
 * every target (at most two integer or reference and two float or v128
 * results: x86-64 has three and two such return registers, AArch64 eight
 * of each), never through memory. Only then may a tail call to it from a
 * function of another prototype be `musttail`. */
bool lower_results_in_registers(const wasm_functype *t);

/* LLVM's `tailcc` (CallingConv::Tail), which the C API's LLVMCallConv
 * does not name. */
#define LOWER_TAIL_CALL_CONV 18u

typedef enum lower_frame_kind {
  LOWER_FRAME_FUNC,
  LOWER_FRAME_BLOCK,
  LOWER_FRAME_LOOP,
  LOWER_FRAME_IF,
  LOWER_FRAME_ELSE,
  LOWER_FRAME_TRY_TABLE, /* branches like a block; its clauses catch */
  LOWER_FRAME_TRY,       /* legacy try, in its body */
  LOWER_FRAME_CATCH,     /* legacy try, in a catch or catch_all */
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

  /* Exceptions (lower_exception.c). Handlers are named by frame index:
   * `outer_handler` is the frame whose handler was in effect where this
   * frame opened (-1: none, the exception leaves the function). A try or
   * try_table frame, once a call in its body may throw, has a landing pad
   * (`pad_bb`) that enters `dispatch_bb` with the exception in `exn`;
   * dispatch compares tags clause by clause (a legacy try adds each catch
   * at `chain_bb`, where what no clause took is left to continue). */
  int outer_handler;
  int close_handler; /* legacy try: where its unmatched exceptions go */
  LLVMBasicBlockRef pad_bb, dispatch_bb, chain_bb;
  LLVMValueRef exn;
  wasm_catch_vec catches; /* try_table */
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

  LLVMBasicBlockRef entry_bb; /* where fixed-size allocas go */
  /* The frame whose handler catches what the current instruction throws,
   * or -1 (lower_exception.c). */
  int handler;
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

/* Like lower_call_helper for a helper that may throw (or calls that do):
 * an invoke when a handler is in effect. */
LLVMValueRef lower_call_helper_unwinding(lower_func_ctx *f,
                                         wasmaot_helper_index h,
                                         LLVMTypeRef ret, LLVMValueRef *args,
                                         unsigned nargs);

/* A call of fn (of type fnty), or, when an exception handler is in effect,
 * an invoke whose normal edge continues in a fresh block; the builder is
 * left there (lower_exception.c). */
LLVMValueRef lower_build_call(lower_func_ctx *f, LLVMTypeRef fnty,
                              LLVMValueRef fn, LLVMValueRef *args,
                              unsigned nargs);

/* The host-to-Wasm trampoline `tramp`'s call of callee(args): in a module
 * with exceptions an invoke whose landing pad ends an exception leaving
 * Wasm as a trap (EXCEPTION_ESCAPED through args[0], the callee's vmctx);
 * the builder is left after it. */
LLVMValueRef lower_trampoline_call(lower_module_ctx *mc, LLVMValueRef tramp,
                                   LLVMTypeRef fnty, LLVMValueRef callee,
                                   LLVMValueRef *args, unsigned nargs);

/* An alloca in the entry block, so the stack pointer never moves inside
 * a function body. */
LLVMValueRef lower_entry_alloca(lower_func_ctx *f, LLVMTypeRef type,
                                unsigned align);

/* Calls an overloaded LLVM intrinsic, e.g. ("llvm.ctlz", {i32}, args). */
LLVMValueRef lower_call_intrinsic(lower_func_ctx *f, const char *name,
                                  LLVMTypeRef *overloads, unsigned noverloads,
                                  LLVMValueRef *args, unsigned nargs);

/* Control stack (lower_control.c owns frame contents). */
lower_frame *lower_push_frame(lower_func_ctx *f);
void lower_free_frame(lower_frame *fr);
void lower_open_function_frame(lower_func_ctx *f);
/* For lower_exception.c: control helpers of lower_control.c. */
lower_frame *lower_open_frame(lower_func_ctx *f, lower_frame_kind kind,
                              const wasm_blocktype *bt);
void lower_fall_through_to_end(lower_func_ctx *f, lower_frame *fr);
void lower_enter_dead_code(lower_func_ctx *f);
LLVMBasicBlockRef lower_new_block(lower_func_ctx *f, const char *name);
/* Adds `vals` (the target's branch arity) as incoming from the current
 * block to the frame at index `frame`; returns the block to branch to. */
LLVMBasicBlockRef lower_branch_to_frame(lower_func_ctx *f, size_t frame,
                                        LLVMValueRef *vals);
/* `end` of the innermost frame (also what closes a delegate's try). */
void lower_end_frame(lower_func_ctx *f);

/* Tags a load as `!invariant.load`: LLVM may hoist and merge it. */
void lower_mark_invariant(lower_module_ctx *mc, LLVMValueRef load);

/* A pointer to vmctx + offset. */
LLVMValueRef lower_vmctx_field(lower_func_ctx *f, uint32_t offset);
/* Loads a value of `type` from vmctx + offset; `invariant` marks it as
 * never changing during the call (memory base, helper table). */
LLVMValueRef lower_vmctx_load(lower_func_ctx *f, LLVMTypeRef type,
                              uint32_t offset, bool invariant);

/* In code compiled to count (layout.entry_counts), adds 1 to the current
 * function's counter; nothing otherwise. At function entry and at every
 * loop header, so a function's count weighs its calls and iterations. */
void lower_count_entry(lower_func_ctx *f);

/* ---- Instruction families: each returns false on an internal error
 * (with mc->err set); the dispatcher in lower_func.c routes by opcode. --- */

bool lower_control(lower_func_ctx *f, const wasm_instr *in);
bool lower_variable(lower_func_ctx *f, const wasm_instr *in);
bool lower_numeric(lower_func_ctx *f, const wasm_instr *in);
bool lower_memory(lower_func_ctx *f, const wasm_instr *in);
bool lower_table(lower_func_ctx *f, const wasm_instr *in);
bool lower_simd(lower_func_ctx *f, const wasm_instr *in);
bool lower_atomic(lower_func_ctx *f, const wasm_instr *in);
bool lower_exception(lower_func_ctx *f, const wasm_instr *in);
/* The try frames' share of `end` (lower_exception.c), after the live
 * path fell through: unmatched exceptions move on. */
void lower_exception_close(lower_func_ctx *f, lower_frame *fr);
bool lower_is_try_kind(lower_frame_kind kind);
/* Leaving legacy catch sections frees what they caught: whether a branch
 * to frame index `target` leaves one, and the frees for it (before the
 * branch); and the same for the fall-through at a section's end. */
bool lower_exception_leaves_catch(const lower_func_ctx *f, size_t target);
void lower_exception_leave(lower_func_ctx *f, size_t target);
void lower_exception_fall_through(lower_func_ctx *f, lower_frame *fr);

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
