/* The x86-64 baseline generator: loads, stores and the memory
 * instructions of memory 0. */

#include <stddef.h>

#include "baseline_x86_64.h"

/* rax <- the popped address plus the offset; returns the operand for
 * memory 0 (r12 is its base). The guard region behind a 32-bit memory
 * covers every address plus offset, so nothing is checked. */
static x_mem memory_operand(bl_func *f, uint64_t offset) {
  bl_pop_into(f, X_RAX); /* a 32-bit load clears the upper half */
  int32_t disp = 0;
  if (offset <= INT32_MAX) {
    disp = (int32_t)offset;
  } else {
    x_mov_imm(f->code, X_RCX, offset);
    x_alu_rr(f->code, XA_ADD, true, X_RAX, X_RCX);
  }
  return (x_mem){X_R12, X_RAX, 1, disp};
}

void bl_lower_load(bl_func *f, const wasm_instr *in) {
  x_mem m = memory_operand(f, in->memarg.offset);
  bytebuf *c = f->code;
  bool w = true;
  if (in->op == WASM_OP_F32_LOAD || in->op == WASM_OP_F64_LOAD) {
    bool f64 = in->op == WASM_OP_F64_LOAD;
    int r = bl_alloc_reg(f, true);
    x_sse_rm(c, scalar_prefix(f64), false, 0x10, r - XREG, m);
    bl_push_xmm(f, r - XREG, f64);
    return;
  }
  int dst = bl_alloc_reg(f, false);
  switch (in->op) {
  case WASM_OP_I32_LOAD:
    x_load(c, dst, m, 4);
    w = false;
    break;
  case WASM_OP_I64_LOAD:
    x_load(c, dst, m, 8);
    break;
  case WASM_OP_I32_LOAD8_S:
  case WASM_OP_I64_LOAD8_S:
    x_load_signed(c, true, dst, m, 1);
    w = in->op == WASM_OP_I64_LOAD8_S;
    break;
  case WASM_OP_I32_LOAD8_U:
  case WASM_OP_I64_LOAD8_U:
    x_load(c, dst, m, 1);
    w = in->op == WASM_OP_I64_LOAD8_U;
    break;
  case WASM_OP_I32_LOAD16_S:
  case WASM_OP_I64_LOAD16_S:
    x_load_signed(c, true, dst, m, 2);
    w = in->op == WASM_OP_I64_LOAD16_S;
    break;
  case WASM_OP_I32_LOAD16_U:
  case WASM_OP_I64_LOAD16_U:
    x_load(c, dst, m, 2);
    w = in->op == WASM_OP_I64_LOAD16_U;
    break;
  case WASM_OP_I64_LOAD32_S:
    x_load_signed(c, true, dst, m, 4);
    break;
  default: /* I64_LOAD32_U */
    x_load(c, dst, m, 4);
    break;
  }
  bl_push_reg(f, dst, w);
}

void bl_lower_store(bl_func *f, const wasm_instr *in) {
  int src = value_reg(f, f->sp - 1);
  bool is_float = in->op == WASM_OP_F32_STORE || in->op == WASM_OP_F64_STORE;
  if (is_float && src >= XREG) {
    f->sp--;
    x_mem m = memory_operand(f, in->memarg.offset);
    x_sse_rm(f->code, scalar_prefix(in->op == WASM_OP_F64_STORE), false, 0x11,
             src - XREG, m);
    return;
  }
  bl_pop_into(f, X_RCX);
  x_mem m = memory_operand(f, in->memarg.offset);
  unsigned bytes;
  switch (in->op) {
  case WASM_OP_I32_STORE8:
  case WASM_OP_I64_STORE8:
    bytes = 1;
    break;
  case WASM_OP_I32_STORE16:
  case WASM_OP_I64_STORE16:
    bytes = 2;
    break;
  case WASM_OP_I64_STORE:
  case WASM_OP_F64_STORE:
    bytes = 8;
    break;
  default: /* I32_STORE, F32_STORE, I64_STORE32 */
    bytes = 4;
    break;
  }
  x_store(f->code, m, X_RCX, bytes);
}

void bl_lower_memory_misc(bl_func *f, wasm_opcode op) {
  bytebuf *c = f->code;
  if (op == WASM_OP_MEMORY_SIZE) {
    x_load(c, X_RAX, x_at(X_RBX, offsetof(wasmaot_vmctx_header, memory0)), 8);
    x_load(c, X_RAX, x_at(X_RAX, offsetof(wasmaot_memory_obj, size_bytes)), 8);
    x_shift_imm(c, XS_SHR, true, X_RAX, 16);
    bl_push_reg(f, X_RAX, false);
    return;
  }
  if (op == WASM_OP_MEMORY_GROW) {
    bl_call_helper(f, WASMAOT_HELPER_MEMORY_GROW, 1, 1);
    bl_push_reg(f, X_RAX, false);
  } else if (op == WASM_OP_MEMORY_FILL) {
    bl_call_helper(f, WASMAOT_HELPER_MEMORY_FILL, 1, 3);
  } else {
    bl_call_helper(f, WASMAOT_HELPER_MEMORY_COPY, 2, 3);
  }
}
