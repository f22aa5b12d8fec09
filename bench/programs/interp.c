/* Integer, branchy code: a small stack-based bytecode interpreter with
 * a switch dispatch loop. The bytecode program runs a Collatz-length
 * search over 1..n, assembled at start-up. Prints the results. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum op {
  OP_PUSH,  /* push imm */
  OP_LOAD,  /* push reg[imm] */
  OP_STORE, /* reg[imm] = pop */
  OP_ADD,
  OP_SUB,
  OP_MUL,
  OP_AND,
  OP_XOR,
  OP_SHR, /* a >> b (logical) */
  OP_SHL,
  OP_LT, /* push a < b (unsigned) */
  OP_EQ,
  OP_DUP,
  OP_DROP,
  OP_JMP, /* pc = imm */
  OP_JZ,  /* if pop == 0: pc = imm */
  OP_JNZ,
  OP_INC, /* reg[imm]++ */
  OP_HALT,
};

struct insn {
  uint8_t op;
  int32_t imm;
};

static uint64_t run(const struct insn *code, uint64_t *reg) {
  uint64_t stack[64];
  int sp = 0;
  int pc = 0;
  uint64_t steps = 0;
  for (;;) {
    const struct insn *in = &code[pc++];
    steps++;
    switch (in->op) {
    case OP_PUSH:
      stack[sp++] = (uint64_t)(int64_t)in->imm;
      break;
    case OP_LOAD:
      stack[sp++] = reg[in->imm];
      break;
    case OP_STORE:
      reg[in->imm] = stack[--sp];
      break;
    case OP_ADD:
      sp--;
      stack[sp - 1] += stack[sp];
      break;
    case OP_SUB:
      sp--;
      stack[sp - 1] -= stack[sp];
      break;
    case OP_MUL:
      sp--;
      stack[sp - 1] *= stack[sp];
      break;
    case OP_AND:
      sp--;
      stack[sp - 1] &= stack[sp];
      break;
    case OP_XOR:
      sp--;
      stack[sp - 1] ^= stack[sp];
      break;
    case OP_SHR:
      sp--;
      stack[sp - 1] >>= (stack[sp] & 63);
      break;
    case OP_SHL:
      sp--;
      stack[sp - 1] <<= (stack[sp] & 63);
      break;
    case OP_LT:
      sp--;
      stack[sp - 1] = stack[sp - 1] < stack[sp];
      break;
    case OP_EQ:
      sp--;
      stack[sp - 1] = stack[sp - 1] == stack[sp];
      break;
    case OP_DUP:
      stack[sp] = stack[sp - 1];
      sp++;
      break;
    case OP_DROP:
      sp--;
      break;
    case OP_JMP:
      pc = in->imm;
      break;
    case OP_JZ:
      if (stack[--sp] == 0)
        pc = in->imm;
      break;
    case OP_JNZ:
      if (stack[--sp] != 0)
        pc = in->imm;
      break;
    case OP_INC:
      reg[in->imm]++;
      break;
    case OP_HALT:
      return steps;
    default:
      fprintf(stderr, "interp: bad opcode %d\n", in->op);
      exit(1);
    }
  }
}

/* Registers of the bytecode program. */
enum { R_I, R_N, R_X, R_LEN, R_BEST, R_BESTI, R_HASH, NREG };

static struct insn code[128];
static int ncode;

static int emit(enum op op, int32_t imm) {
  code[ncode] = (struct insn){(uint8_t)op, imm};
  return ncode++;
}

static void patch(int at) {
  code[at].imm = ncode;
}

/* for i in 1..n-1: len = collatz steps of i; hash = (hash ^ len) +
 * ((hash ^ len) << 13); track the longest. */
static void assemble(void) {
  emit(OP_PUSH, 1);
  emit(OP_STORE, R_I);
  int outer = ncode;
  emit(OP_LOAD, R_I);
  emit(OP_LOAD, R_N);
  emit(OP_LT, 0);
  int jexit = emit(OP_JZ, -1);
  emit(OP_LOAD, R_I);
  emit(OP_STORE, R_X);
  emit(OP_PUSH, 0);
  emit(OP_STORE, R_LEN);
  int inner = ncode;
  emit(OP_LOAD, R_X);
  emit(OP_PUSH, 1);
  emit(OP_EQ, 0);
  int jdone = emit(OP_JNZ, -1);
  emit(OP_INC, R_LEN);
  emit(OP_LOAD, R_X);
  emit(OP_PUSH, 1);
  emit(OP_AND, 0);
  int jeven = emit(OP_JZ, -1);
  emit(OP_LOAD, R_X); /* odd: x = 3x + 1 */
  emit(OP_PUSH, 3);
  emit(OP_MUL, 0);
  emit(OP_PUSH, 1);
  emit(OP_ADD, 0);
  emit(OP_STORE, R_X);
  emit(OP_JMP, inner);
  patch(jeven); /* even: x >>= 1 */
  emit(OP_LOAD, R_X);
  emit(OP_PUSH, 1);
  emit(OP_SHR, 0);
  emit(OP_STORE, R_X);
  emit(OP_JMP, inner);
  patch(jdone);
  emit(OP_LOAD, R_HASH);
  emit(OP_LOAD, R_LEN);
  emit(OP_XOR, 0);
  emit(OP_DUP, 0);
  emit(OP_PUSH, 13);
  emit(OP_SHL, 0);
  emit(OP_ADD, 0);
  emit(OP_STORE, R_HASH);
  emit(OP_LOAD, R_BEST);
  emit(OP_LOAD, R_LEN);
  emit(OP_LT, 0);
  int jkeep = emit(OP_JZ, -1);
  emit(OP_LOAD, R_LEN);
  emit(OP_STORE, R_BEST);
  emit(OP_LOAD, R_I);
  emit(OP_STORE, R_BESTI);
  patch(jkeep);
  emit(OP_INC, R_I);
  emit(OP_JMP, outer);
  patch(jexit);
  emit(OP_HALT, 0);
}

int main(int argc, char **argv) {
  uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 300000;
  assemble();
  uint64_t reg[NREG] = {0};
  reg[R_N] = n;
  uint64_t steps = run(code, reg);
  printf("interp n=%llu steps=%llu best=%llu at=%llu hash=%016llx\n",
         (unsigned long long)n, (unsigned long long)steps,
         (unsigned long long)reg[R_BEST], (unsigned long long)reg[R_BESTI],
         (unsigned long long)reg[R_HASH]);
  return 0;
}
