/* The kinds of trap a Wasm program can hit. Compiled code passes the
 * number to the runtime's trap helper, so the numbering is part of the
 * artifact format; a host sees it in wasmaot_trap. One definition for the
 * compiler, the runtime and the public API (installed beside wasmaot.h,
 * hence self-contained). */
#ifndef WASMAOT_TRAP_H
#define WASMAOT_TRAP_H

#define WASMAOT_TRAP_KINDS(X)                                                  \
  X(NONE, "no trap")                                                           \
  X(UNREACHABLE, "unreachable")                                                \
  X(MEMORY_OUT_OF_BOUNDS, "out of bounds memory access")                       \
  X(TABLE_OUT_OF_BOUNDS, "out of bounds table access")                         \
  X(INT_DIV_BY_ZERO, "integer divide by zero")                                 \
  X(INT_OVERFLOW, "integer overflow")                                          \
  X(INVALID_CONVERSION, "invalid conversion to integer")                       \
  X(INDIRECT_CALL_TYPE, "indirect call type mismatch")                         \
  X(UNDEFINED_ELEMENT, "undefined element")                                    \
  X(UNINITIALIZED_ELEMENT, "uninitialized element")                            \
  X(STACK_EXHAUSTED, "call stack exhausted")                                   \
  X(HOST, "host function failed")                                              \
  X(UNALIGNED_ATOMIC, "unaligned atomic")                                      \
  X(EXPECTED_SHARED_MEMORY, "expected shared memory")                          \
  X(NULL_FUNC_REF, "null function reference")                                  \
  X(NULL_REFERENCE, "null reference")                                          \
  X(EXCEPTION, "uncaught exception")                                           \
  X(NULL_EXCEPTION_REFERENCE, "null exception reference")

typedef enum wasmaot_trap_kind {
#define WASMAOT_TRAP_ENUM(id, text) WASMAOT_TRAP_##id,
  WASMAOT_TRAP_KINDS(WASMAOT_TRAP_ENUM)
#undef WASMAOT_TRAP_ENUM
      WASMAOT_TRAP_COUNT
} wasmaot_trap_kind;

#endif
