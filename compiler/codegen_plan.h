/* How a module is cut into the LLVM modules its code is generated in: a
 * pure function of the module and the options, never of the number of
 * threads, so the artifact is the same bytes whatever --jobs is.
 *
 * A small module is one LLVM module optimised as a whole (default<On>,
 * inlining across functions). A large one is cut into pieces of about
 * CODEGEN_PIECE_BYTES of function bodies (contiguous index ranges), each
 * optimised with a fixed list of function passes, so the cost grows with
 * the module's size and nothing else; a function above
 * CODEGEN_HUGE_FUNCTION_BYTES gets a piece of its own and the fast tier's
 * code generation, so that one huge function cannot blow up time and
 * memory. With a profile (codegen_plan_make), only the functions that
 * ran hot are optimised; the others are generated as huge ones are.
 * Threads take the pieces heaviest first. */
#ifndef WASMAOT_CODEGEN_PLAN_H
#define WASMAOT_CODEGEN_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "wasm_module.h"

/* Modules with at most this much function body are optimised whole. */
#define CODEGEN_WHOLE_MODULE_BYTES (256u * 1024u)
/* Function body per piece of a larger module. */
#define CODEGEN_PIECE_BYTES (64u * 1024u)
/* A function this large is generated without optimisation. */
#define CODEGEN_HUGE_FUNCTION_BYTES (100u * 1024u)

typedef struct codegen_piece_plan {
  uint32_t start, count; /* its functions: plan->funcs[start..start+count) */
  uint64_t weight;       /* body bytes plus a little per function */
  bool huge;             /* one huge function: minimal pipeline, fast codegen */
  bool cold;             /* functions a profile found cold: the same */
} codegen_piece_plan;

typedef struct codegen_plan {
  bool whole; /* one LLVM module, default<On>; no pieces */
  uint32_t count;
  codegen_piece_plan *pieces; /* piece 0 holds the trampolines and tables */
  uint32_t *funcs;            /* function indices (imports count), piece
                                 after piece, ascending within each */
  uint32_t *order;            /* piece indices, heaviest first */
  uint32_t huge_functions;
  uint32_t cold_functions;
  uint64_t code_bytes;
} codegen_plan;

/* A profile's share of all counted entries that the functions it calls
 * hot must cover: the others are generated as the fast tier does. */
#define CODEGEN_HOT_COVERAGE 0.9999

/* The plan for `m`. piece_bytes 0 is CODEGEN_PIECE_BYTES; any other value
 * also forces pieces on a small module (tests use 1: a piece per
 * function). In the fast tier no function counts as huge (all are
 * generated alike). `counts`, if not NULL, is a profile: one count per
 * defined function (wasmaot_vmctx_layout's entry_counts); in a module cut
 * into pieces, the fewest functions whose counts add up to
 * CODEGEN_HOT_COVERAGE of the total are hot and get pieces of their own,
 * the rest are cold. A profile that counted nothing is no profile. False
 * only when out of memory. */
bool codegen_plan_make(const wasm_module *m, uint32_t piece_bytes,
                       bool fast_tier, const uint64_t *counts,
                       codegen_plan *plan);
void codegen_plan_free(codegen_plan *plan);

#endif
