/* The wasmaot artifact format: the one contract between the compiler
 * (writer) and the loader (reader). docs/artifact-format.md explains it in
 * prose; this header is the authority.
 *
 * An artifact is an ELF ET_DYN shared object. Besides code it exports
 * three symbols (in .dynsym):
 *
 *   wasmaot_metadata     struct wasmaot_meta_header, followed by the
 *                        variable parts it points to (offsets are from
 *                        the start of the header).
 *   wasmaot_func_table   int32_t[defined function count]: the address of
 *                        each defined function relative to the table's
 *                        own address (PC-relative, so nothing to relocate).
 *   wasmaot_tramp_table  int32_t[type count]: per type index, the
 *                        host-to-Wasm trampoline, relative likewise.
 *   wasmaot_tail_table   int32_t[defined function count], only in an
 *                        artifact of a module with tail calls between
 *                        functions of different types: each function's
 *                        `tailcc` entry, relative likewise (the function
 *                        table's entries are then C-convention wrappers
 *                        of these; see wasmaot_funcref.tail_entry).
 *
 * The module description (types, imports, exports, globals, tables,
 * memories, segments, start, names) is not serialised a second time: the
 * metadata embeds a "skeleton" of the original binary — every section
 * except custom ones other than `name`, with each function body replaced
 * by an empty one — which the loader decodes with the same decoder the
 * compiler uses.
 *
 * Compiled code reaches everything through its first parameter, the
 * instance context (vmctx), whose layout the compiler chooses per module
 * and records here. */
#ifndef WASMAOT_ARTIFACT_FORMAT_H
#define WASMAOT_ARTIFACT_FORMAT_H

#include <stdint.h>

#include "wasmaot_trap.h"

#define WASMAOT_META_MAGIC "WAOTMETA"
/* Bump on any change to this header's structures or to the ABI between
 * compiled code and the runtime (vmctx, helper table, objects below). */
#define WASMAOT_FORMAT_VERSION 6u

#define WASMAOT_SYM_METADATA "wasmaot_metadata"
/* The section that holds the metadata (and nothing else), so tools can
 * find it without the dynamic symbol table. */
#define WASMAOT_META_SECTION ".wasmaot.meta"
#define WASMAOT_SYM_FUNC_TABLE "wasmaot_func_table"
#define WASMAOT_SYM_TRAMP_TABLE "wasmaot_tramp_table"
#define WASMAOT_SYM_TAIL_TABLE "wasmaot_tail_table"
/* Only in an artifact of a module that throws or catches: the start of
 * its .eh_frame (the unwind tables LLVM emits for it, ended by a zero
 * word), which the loader registers with the unwinder. */
#define WASMAOT_SYM_EH_FRAME "wasmaot_eh_frame"
/* What compiled code with landing pads names besides the helpers, resolved
 * by the loader like the libcalls: the personality routine of every Wasm
 * function with a landing pad (libgcc's, which only finds the pad: the
 * pad compares tags itself), and what a pad calls when no clause
 * matches. */
#define WASMAOT_SYM_PERSONALITY "__gcc_personality_v0"
#define WASMAOT_SYM_UNWIND_RESUME "_Unwind_Resume"
/* The data image: the bytes of every data segment, in a read-only section
 * of its own. Each segment that is a page or more and has a constant
 * offset sits at an image offset congruent to its memory offset modulo
 * WASMAOT_DATA_PAGE, with the image page-aligned in the file, so the loader
 * can map its whole pages copy-on-write into linear memory instead of
 * copying them. Absent when the module has no data bytes. */
#define WASMAOT_SYM_DATA_IMAGE "wasmaot_data"
#define WASMAOT_DATA_SECTION ".wasmaot.data"
#define WASMAOT_DATA_PAGE 4096u

/* Trap kinds (the argument of the trap helper): wasmaot_trap.h. */

/* ---- Runtime objects that compiled code reads directly ---------------- */

/* A function reference: what a funcref table slot and ref.func point to.
 * `code` is called as code(env, params...) with the C calling convention;
 * for Wasm functions env is the owning instance's vmctx, for host
 * functions whatever the host bound. type_id is the engine-wide canonical
 * signature id, so call_indirect compares one integer. tail_entry, when
 * not 0, is the offset from `code` of the same function with LLVM's
 * `tailcc` convention (callee-popped arguments), called as
 * tail(env, params...): return_call_indirect jumps there, so tail calls
 * between functions of different types run in constant stack. Host
 * functions and modules without such tail calls have 0. */
typedef struct wasmaot_funcref {
  void *code;
  void *env;
  uint32_t type_id;
  int32_t tail_entry;
} wasmaot_funcref;

/* A linear memory. `base` never moves (the whole index space plus guard is
 * reserved up front; for a 64-bit memory, the space it may grow into), so
 * compiled code may cache it. Compiled code bounds-checks a 64-bit
 * memory's accesses against size_bytes. */
typedef struct wasmaot_memory_obj {
  uint8_t *base;
  uint64_t size_bytes; /* current size, a multiple of 64 KiB */
} wasmaot_memory_obj;

/* A table: `elems` may move when the table grows. Elements are
 * wasmaot_funcref pointers (funcref) or opaque host pointers (externref);
 * NULL is ref.null. */
typedef struct wasmaot_table_obj {
  void **elems;
  uint32_t size;
  uint32_t reserved;
} wasmaot_table_obj;

/* A thrown exception, as compiled code sees it: an exnref is a pointer to
 * one, and a landing pad receives the same pointer. The first bytes are
 * the unwinder's `struct _Unwind_Exception` (32 bytes on x86_64 and
 * aarch64; the loader checks), then the tag thrown (the address of its
 * wasmaot_tag, compared with vmctx's tag slots) and the payload in 16-byte
 * slots as the trampolines use. `holds` is kept by compiled code: the
 * number of legacy catch sections holding the exception (which may
 * rethrow it), and WASMAOT_EXCEPTION_CAPTURED once a catch_ref or
 * catch_all_ref handed it out as an exnref, after which it is never
 * freed before its engine (EXCEPTION_FREE). */
#define WASMAOT_UNWIND_HEADER_SIZE 32u
/* The unwinder's exception class of Wasm exceptions ("WASMAOT\0"), the
 * header's first 8 bytes: dispatch lets any other (a C++ exception from
 * a host function) pass untouched. */
#define WASMAOT_EXCEPTION_CLASS 0x00544F414D534157ull
#define WASMAOT_EXCEPTION_CAPTURED 0x80000000u
#define WASMAOT_RELEASE_UNHELD 0u
#define WASMAOT_RELEASE_HOLD 1u
#define WASMAOT_RELEASE_HOLD_KEEP 2u
typedef struct wasmaot_exception {
  _Alignas(16) uint8_t unwind_header[WASMAOT_UNWIND_HEADER_SIZE];
  const void *tag;
  uint32_t value_count;
  uint32_t holds;
  uint64_t values[]; /* value_count 16-byte slots */
} wasmaot_exception;

/* ---- The instance context (vmctx) -------------------------------------- */

/* The fixed header at vmctx offset 0; the module-specific areas follow at
 * the offsets recorded in wasmaot_meta_header.layout. */
typedef struct wasmaot_vmctx_header {
  uint8_t *memory0_base;       /* base of memory 0, or NULL */
  wasmaot_memory_obj *memory0; /* memory 0 object, or NULL */
  uintptr_t stack_limit;       /* prologue traps below this address */
  const void *const *helpers;  /* runtime helper table, see below */
  void *instance;              /* the loader's instance object */
} wasmaot_vmctx_header;

/* Runtime helper table: compiled code calls helpers[i](vmctx, ...) with
 * the C calling convention, vmctx always first. Signatures, after vmctx
 * (all integers uint32 unless said otherwise):
 *   TRAP         (kind) -> void, never returns
 *   MEMORY_GROW  (mem, delta_pages) -> int32 old pages or -1
 *   MEMORY_FILL  (mem, dst, val, n)
 *   MEMORY_COPY  (dst_mem, src_mem, dst, src, n)
 *   MEMORY_INIT  (mem, seg, dst, src, n)
 *   DATA_DROP    (seg)
 *   TABLE_GROW   (table, void *init, delta) -> int32 old size or -1
 *   TABLE_FILL   (table, dst, void *val, n)
 *   TABLE_COPY   (dst_table, src_table, dst, src, n)
 *   TABLE_INIT   (table, seg, dst, src, n)
 *   ELEM_DROP    (seg)
 *   ATOMIC_NOTIFY (mem, uint64 addr, count) -> uint32 threads woken
 *   ATOMIC_WAIT32 (mem, uint64 addr, expected, int64 timeout_ns)
 *                 -> 0 woken, 1 value not expected, 2 timed out
 *   ATOMIC_WAIT64 (mem, uint64 addr, uint64 expected, int64 timeout_ns)
 *                 -> as ATOMIC_WAIT32
 *   FUNC_SUBTYPE (actual_type_id, expected_type_id) -> uint32 1 when the
 *                 actual type is a declared subtype of the expected one
 *                 (call_indirect of a non-final type, after the ids
 *                 differed)
 *   MEMORY_GROW64 (mem, uint64 delta_pages) -> int64 old pages or -1
 *   MEMORY_FILL64 (mem, uint64 dst, val, uint64 n)
 *   MEMORY_COPY64 (dst_mem, src_mem, uint64 dst, uint64 src, uint64 n)
 *   MEMORY_INIT64 (mem, seg, uint64 dst, uint64 src, uint64 n)
 *   TABLE_GROW64  (table, void *init, uint64 delta) -> int64 old size or -1
 *   TABLE_FILL64  (table, uint64 dst, void *val, uint64 n)
 *   TABLE_COPY64  (dst_table, src_table, uint64 dst, uint64 src, uint64 n)
 *   TABLE_INIT64  (table, seg, uint64 dst, uint64 src, uint64 n)
 *   THROW        (tag, uint64 *slots) -> never returns: throws tag index
 *                 `tag` of the instance with the payload in 16-byte slots
 *   THROW_REF    (wasmaot_exception *exn) -> never returns: throws exn
 *                 again (traps on null)
 *   EXCEPTION_FREE (wasmaot_exception *exn, mode): a handler is done with
 *                 it. Mode WASMAOT_RELEASE_UNHELD (a try_table catch
 *                 without _ref): freed unless held or captured;
 *                 WASMAOT_RELEASE_HOLD (a legacy catch section left):
 *                 one hold less, freed when none remains and not
 *                 captured; WASMAOT_RELEASE_HOLD_KEEP (a section left by
 *                 rethrow): one hold less, never freed here
 *   EXCEPTION_ESCAPED (wasmaot_exception *exn) -> never returns: the
 *                 trampoline's landing pad; the exception leaves Wasm,
 *                 which the host sees as a trap
 * The *64 variants serve memory64's memories and tables (every index
 * operand zero-extended to 64 bits; a copy between a 32- and a 64-bit
 * memory or table uses them too), so 32-bit ones keep their helpers.
 * addr is the effective address (index + offset); the atomic helpers trap
 * when it is out of bounds or unaligned, and wait traps on an unshared
 * memory. A negative timeout waits forever.
 * Libcalls LLVM may emit (memcpy, memset, memmove, floor, ...) are not
 * here: they are undefined symbols resolved through .rela.dyn. */
#define WASMAOT_HELPERS(X)                                                     \
  X(TRAP)                                                                      \
  X(MEMORY_GROW)                                                               \
  X(MEMORY_FILL)                                                               \
  X(MEMORY_COPY)                                                               \
  X(MEMORY_INIT)                                                               \
  X(DATA_DROP)                                                                 \
  X(TABLE_GROW)                                                                \
  X(TABLE_FILL)                                                                \
  X(TABLE_COPY)                                                                \
  X(TABLE_INIT)                                                                \
  X(ELEM_DROP)                                                                 \
  X(ATOMIC_NOTIFY)                                                             \
  X(ATOMIC_WAIT32)                                                             \
  X(ATOMIC_WAIT64)                                                             \
  X(FUNC_SUBTYPE)                                                              \
  X(MEMORY_GROW64)                                                             \
  X(MEMORY_FILL64)                                                             \
  X(MEMORY_COPY64)                                                             \
  X(MEMORY_INIT64)                                                             \
  X(TABLE_GROW64)                                                              \
  X(TABLE_FILL64)                                                              \
  X(TABLE_COPY64)                                                              \
  X(TABLE_INIT64)                                                              \
  X(THROW)                                                                     \
  X(THROW_REF)                                                                 \
  X(EXCEPTION_FREE)                                                            \
  X(EXCEPTION_ESCAPED)

typedef enum wasmaot_helper_index {
#define WASMAOT_HELPER_ENUM(id) WASMAOT_HELPER_##id,
  WASMAOT_HELPERS(WASMAOT_HELPER_ENUM)
#undef WASMAOT_HELPER_ENUM
      WASMAOT_HELPER_COUNT
} wasmaot_helper_index;

/* Where the module-specific parts of vmctx are, in bytes from vmctx. */
typedef struct wasmaot_vmctx_layout {
  uint32_t size;             /* total vmctx size */
  uint32_t defined_globals;  /* 16-byte cells, one per defined global */
  uint32_t imported_globals; /* pointers to the exporter's 16-byte cell */
  uint32_t imported_funcs;   /* wasmaot_funcref* per imported function */
  uint32_t defined_funcrefs; /* wasmaot_funcref per defined function */
  uint32_t tables;           /* wasmaot_table_obj* per table */
  uint32_t memories;         /* wasmaot_memory_obj* per memory */
  uint32_t type_ids;         /* uint32 canonical id per type index */
  uint32_t tags;             /* wasmaot_tag* per tag (imports first) */
  /* A uint64_t* to one counter per defined function, or 0 when the code
   * counts nothing: code compiled to count (the tiered run's fast tier)
   * adds 1 to its function's counter on every entry and every loop
   * iteration, so a later compile can optimise only what ran hot. 64
   * bits: a hot loop of fast code passes 2^32 in seconds, and a wrapped
   * count would make the hottest function look cold. */
  uint32_t entry_counts;
} wasmaot_vmctx_layout;

/* Where data segment i's bytes are: metadata holds one entry per data
 * segment (the skeleton keeps each segment's mode, memory and offset, with
 * an empty payload). */
typedef struct wasmaot_data_entry {
  uint64_t image_offset; /* from the wasmaot_data symbol */
  uint64_t size;
} wasmaot_data_entry;

/* Host-to-Wasm trampoline, one per function type:
 *   void tramp(void *code, void *env, uint64_t *args_and_results)
 * reads the parameters from 16-byte slots of args_and_results (i32/f32 in
 * the low 4 bytes, i64/f64 in 8, v128 in 16, refs as pointers), calls
 * code(env, params...) and writes the results back from slot 0. */
#define WASMAOT_VALUE_SLOT_SIZE 16

/* wasmaot_meta_header.tier (0 in artifacts older than the field). */
#define WASMAOT_TIER_OPTIMIZED 0u /* -O0..-O3 as opt_level says */
#define WASMAOT_TIER_FAST 1u      /* aot-compile --fast: unoptimised code */
/* The functions a profile found hot optimised as opt_level says, the
 * others generated as the fast tier does. */
#define WASMAOT_TIER_PROFILED 2u
/* No profile, a very large module: the functions a static estimate ranks
 * likeliest to be hot optimised, the others generated as the fast tier
 * does (compiler/codegen_estimate.h). */
#define WASMAOT_TIER_ESTIMATED 3u

typedef struct wasmaot_meta_header {
  char magic[8];                /* WASMAOT_META_MAGIC, no NUL */
  uint32_t format_version;      /* WASMAOT_FORMAT_VERSION */
  uint32_t header_size;         /* sizeof(wasmaot_meta_header) */
  char compiler_version[32];    /* NUL-terminated */
  char target_triple[64];       /* NUL-terminated */
  char cpu_name[32];            /* NUL-terminated */
  uint32_t cpu_features_offset; /* NUL-terminated "+a,+b,-c" string */
  uint32_t cpu_features_size;
  uint8_t wasm_sha256[32];  /* of the original .wasm */
  uint32_t skeleton_offset; /* the skeleton module binary */
  uint32_t skeleton_size;
  uint32_t defined_func_count;
  uint32_t type_count;
  wasmaot_vmctx_layout layout;
  uint32_t opt_level;
  uint32_t data_entries_offset; /* wasmaot_data_entry[data segment count] */
  uint32_t data_entry_count;
  uint32_t tier; /* WASMAOT_TIER_*: how the code was generated */
  /* Checksum over the whole artifact file with these 8 bytes read as
   * zero; a flipped bit anywhere is refused before anything runs. */
  uint64_t file_checksum;
} wasmaot_meta_header;

#endif
