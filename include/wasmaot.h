/* wasmaot: the embedding API of the runtime (the loader library).
 *
 * Load an artifact produced by `wasmaot aot-compile`, instantiate it with
 * imports the host resolves, and call its exports. The runtime never links
 * LLVM.
 *
 * Objects and lifetimes:
 *   wasmaot_engine    the shared context: canonical signatures (so
 *                     call_indirect works across instances), the code and
 *                     memory ranges the trap handler consults. Everything
 *                     below belongs to one engine; objects of two engines
 *                     never link. Free it last.
 *   wasmaot_module    a loaded artifact. Freeing it drops the caller's
 *                     reference; the mapping stays while instances use it.
 *   wasmaot_instance  an instantiated module. Freeing it drops the caller's
 *                     reference; it stays alive while other instances
 *                     import its functions or globals.
 *   wasmaot_func, wasmaot_memory, wasmaot_table, wasmaot_global
 *                     extern values. Those created by the host (`_new`)
 *                     are reference-counted: `_free` drops the host's
 *                     reference, instances that import one keep it alive.
 *                     Those returned by wasmaot_instance_export() are
 *                     borrowed from the instance.
 *   A function reference stored into a table of another instance is not
 *   tracked: keep its instance alive as long as the table may be used.
 *
 * Threads: different instances may run on different threads at the same
 * time. One instance, and the instances it imports from, must be used by
 * one thread at a time (their stack limit is the running thread's).
 *
 * Traps: a trap unwinds (siglongjmp) to the innermost wasmaot_call() or
 * wasmaot_instantiate() on the thread, which returns it in a wasmaot_trap.
 * The process and other instances keep working. Out-of-bounds memory
 * accesses are caught by a SIGSEGV/SIGBUS handler installed on the first
 * call into Wasm; faults that are not Wasm traps go to the handler that
 * was installed before it (or the default action). A host that installs
 * its own SIGSEGV/SIGBUS handler later must chain to the previous one.
 * Under AddressSanitizer nothing needs setting: ASan's handler is in place
 * before ours and receives the faults that are not traps. */
#ifndef WASMAOT_H
#define WASMAOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmaot_trap.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wasmaot_engine wasmaot_engine;
typedef struct wasmaot_module wasmaot_module;
typedef struct wasmaot_instance wasmaot_instance;
typedef struct wasmaot_func wasmaot_func;
typedef struct wasmaot_memory wasmaot_memory;
typedef struct wasmaot_table wasmaot_table;
typedef struct wasmaot_global wasmaot_global;
/* An exception tag. Its identity is the object: two tags of the same
 * type are different tags unless one module imports the other's. */
typedef struct wasmaot_tag wasmaot_tag;

/* ---- Values ------------------------------------------------------------ */

typedef enum wasmaot_valkind {
  WASMAOT_I32,
  WASMAOT_I64,
  WASMAOT_F32,
  WASMAOT_F64,
  WASMAOT_V128,
  WASMAOT_FUNCREF,
  WASMAOT_EXTERNREF,
} wasmaot_valkind;

/* A typed value. References are pointers and NULL is ref.null: a funcref
 * is the runtime's function reference (compare them for identity; see
 * wasmaot_func_ref()); an externref is whatever non-NULL pointer the host
 * passed in. */
typedef struct wasmaot_val {
  wasmaot_valkind kind;
  union {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    uint8_t v128[16];
    void *ref;
  } of;
} wasmaot_val;

/* "i32", "funcref", ... */
const char *wasmaot_valkind_name(wasmaot_valkind kind);

/* ---- Traps -------------------------------------------------------------- */

typedef struct wasmaot_trap {
  wasmaot_trap_kind kind; /* WASMAOT_TRAP_NONE when there was no trap */
  /* The Wasm function the trap happened in, from the name section or
   * "func<index>"; empty when unknown (e.g. a host function trapped). */
  char func_name[128];
  /* The spec's text for the kind ("integer divide by zero", ...), the
   * host's message for WASMAOT_TRAP_HOST, and for WASMAOT_TRAP_EXCEPTION
   * "uncaught exception" naming the tag as the module that let it escape
   * knows it (`tag "NAME"` exported, `tag "MODULE" "NAME"` imported, else
   * `tag INDEX`). */
  char message[256];
  /* WASMAOT_TRAP_EXCEPTION: the tag of the exception that left Wasm
   * uncaught (compare it with an exported or imported tag), and the
   * exception itself, for wasmaot_trap_exception_values(); NULL
   * otherwise. Valid while the tag's engine lives. */
  const struct wasmaot_tag *exception_tag;
  const void *exception;
} wasmaot_trap;

/* The payload of the exception of a WASMAOT_TRAP_EXCEPTION trap: writes
 * up to `count` values to `out` and returns how many the payload has (0
 * for any other trap). */
size_t wasmaot_trap_exception_values(const wasmaot_trap *trap, wasmaot_val *out,
                                     size_t count);

/* The spec's text for a trap kind. */
const char *wasmaot_trap_kind_message(wasmaot_trap_kind kind);

/* Called from a host function: abandons the Wasm code that called it and
 * makes the innermost wasmaot_call()/wasmaot_instantiate() of this thread
 * return a trap of kind WASMAOT_TRAP_HOST with `message`. The host
 * function's own C frames are skipped (longjmp), so release what it holds
 * first. Must not be called outside a Wasm call (aborts). */
#ifdef __cplusplus
[[noreturn]]
#else
_Noreturn
#endif
void wasmaot_trap_raise(const char *message);

/* Called from a host function: throws a Wasm exception of `tag` with the
 * payload `values` (as many as the tag's parameters, of their kinds) to
 * the Wasm code that called it, which may catch it like one thrown in
 * Wasm; uncaught, it makes the innermost wasmaot_call() return a trap of
 * kind WASMAOT_TRAP_EXCEPTION. As with wasmaot_trap_raise(), the host
 * function's own frames are skipped. A payload that does not match is a
 * WASMAOT_TRAP_HOST trap saying so. */
#ifdef __cplusplus
[[noreturn]]
#else
_Noreturn
#endif
void wasmaot_throw(wasmaot_tag *tag, const wasmaot_val *values,
                   size_t count);

/* ---- Engine ------------------------------------------------------------ */

/* The runtime's version. It loads only artifacts written by the compiler
 * of the same version. */
const char *wasmaot_version(void);

wasmaot_engine *wasmaot_engine_new(void);
/* Caps the linear memory all of the engine's memories may hold together
 * at `bytes` (UINT64_MAX, the default, for no cap): memory.grow past it
 * returns -1, as for a memory at its maximum, and a module whose initial
 * memories do not fit fails to instantiate. Memories that exist keep
 * what they hold. Set it before creating memories; not thread-safe with
 * respect to concurrent growth. */
void wasmaot_engine_set_memory_limit(wasmaot_engine *engine, uint64_t bytes);
/* The linear-memory bytes the engine's memories hold now. */
uint64_t wasmaot_engine_memory_used(const wasmaot_engine *engine);

/* Frees the engine. Every module, instance and host object of it must be
 * freed first, except instances kept alive by failed instantiations (a
 * trapping instantiation may have written references to its functions into
 * shared tables), which go with the engine. */
void wasmaot_engine_free(wasmaot_engine *engine);

/* ---- Modules ----------------------------------------------------------- */

/* Maps the artifact at `path` and checks it can run here: the checksum,
 * metadata magic and format version, compiler version, target triple and
 * the CPU features it needs. NULL with a one-line reason in err. */
wasmaot_module *wasmaot_module_load(wasmaot_engine *engine, const char *path,
                                    char *err, size_t errlen);
void wasmaot_module_free(wasmaot_module *module);

/* Profiles. An artifact compiled to count (`aot-compile --fast --count`)
 * adds up each function's entries and loop iterations, and a compile
 * given those counts (`aot-compile --profile`) optimises only the
 * functions that ran hot. */

/* Keeps the module's counts in the profile file at `path`, created if
 * missing, or added to if it holds a profile of the same module (several
 * processes may count into one file at once). Before the module's first
 * instantiation. False with the reason (the artifact counts nothing, the
 * file is of another module) in err. */
bool wasmaot_module_count_into(wasmaot_module *module, const char *path,
                               char *err, size_t errlen);
/* Reads the profile at `path`: *counts (malloc'ed, one per defined
 * function) and *count. With `wasm_sha256` not NULL, refuses a profile
 * of a module whose .wasm has another SHA-256. */
bool wasmaot_profile_read(const char *path, const uint8_t *wasm_sha256,
                          uint64_t **counts, uint32_t *count, char *err,
                          size_t errlen);

/* ---- Extern values ------------------------------------------------------ */

typedef enum wasmaot_extern_kind {
  WASMAOT_EXTERN_FUNC = 0, /* the binary format's import/export kinds */
  WASMAOT_EXTERN_TABLE = 1,
  WASMAOT_EXTERN_MEMORY = 2,
  WASMAOT_EXTERN_GLOBAL = 3,
  WASMAOT_EXTERN_TAG = 4, /* exceptions */
} wasmaot_extern_kind;

typedef struct wasmaot_extern {
  wasmaot_extern_kind kind;
  union {
    wasmaot_func *func;
    wasmaot_table *table;
    wasmaot_memory *memory;
    wasmaot_global *global;
    wasmaot_tag *tag;
  } of;
} wasmaot_extern;

/* ---- Instances --------------------------------------------------------- */

/* One import of the module being instantiated. Names are UTF-8 and not
 * NUL-terminated (they may contain NUL). */
typedef struct wasmaot_import_ref {
  const char *module;
  size_t module_len;
  const char *name;
  size_t name_len;
  wasmaot_extern_kind kind;
  /* For a memory import, its declared type (in 64 KiB pages), so a host
   * can create the memory the module asks for (wasi-threads modules
   * import theirs, shared). */
  uint32_t memory_min, memory_max; /* memory_max meaningful if has_max */
  bool memory_has_max, memory_shared;
  /* memory64: the memory has i64 addresses (wasmaot_memory_new64); its
   * limits above are then cut to 32 bits. */
  bool memory_is64;
} wasmaot_import_ref;

/* Supplies the value of one import; false if the host has none. The
 * runtime checks the kind and type itself. */
typedef bool (*wasmaot_resolver)(void *ctx, const wasmaot_import_ref *import,
                                 wasmaot_extern *out);

/* Instantiates `module`: resolves and type-checks the imports, initialises
 * globals, tables and memories, applies the active element and data
 * segments, runs the start function.
 *   - Link error (unknown import "m"."f", incompatible import type for
 *     "m"."f") or a resource failure: NULL, reason in err,
 *     trap->kind == WASMAOT_TRAP_NONE.
 *   - A trap (segment out of bounds, or in the start function): NULL,
 *     trap->kind set, err holds the trap message. Writes made before the
 *     trap stay visible in imported tables and memories, as the spec says.
 * `trap` may be NULL. */
wasmaot_instance *wasmaot_instantiate(wasmaot_module *module,
                                      wasmaot_resolver resolver, void *ctx,
                                      wasmaot_trap *trap, char *err,
                                      size_t errlen);
void wasmaot_instance_free(wasmaot_instance *instance);

/* Looks up an export by name. The object is borrowed from the instance.
 * Passing it to another instance's resolver shares it (not a copy). */
bool wasmaot_instance_export(wasmaot_instance *instance, const char *name,
                             size_t name_len, wasmaot_extern *out);

/* ---- Functions --------------------------------------------------------- */

/* A host function. Compiled code calls it with the C calling convention as
 *     result code(void *env, param0, param1, ...)
 * with i32 -> int32_t, i64 -> int64_t, f32 -> float, f64 -> double,
 * references -> void *. At most one result (C cannot return the runtime's
 * multi-value aggregates); v128 is not supported. NULL if the signature
 * cannot be expressed. */
wasmaot_func *wasmaot_func_new(wasmaot_engine *engine,
                               const wasmaot_valkind *params,
                               uint32_t param_count,
                               const wasmaot_valkind *results,
                               uint32_t result_count, void *code, void *env);
void wasmaot_func_free(wasmaot_func *func);

/* The signature: pointers into the engine, valid while it lives. */
void wasmaot_func_signature(const wasmaot_func *func,
                            const wasmaot_valkind **params,
                            uint32_t *param_count,
                            const wasmaot_valkind **results,
                            uint32_t *result_count);

/* Calls `func` (an export of an instance, or an import re-exported) with
 * typed arguments. True on success with the results written; false on a
 * trap (described in *trap) or when the arguments do not match the
 * signature (trap->kind NONE, message says why). Host functions created
 * with wasmaot_func_new() cannot be called through here: call them
 * directly. */
bool wasmaot_call(wasmaot_func *func, const wasmaot_val *args, size_t nargs,
                  wasmaot_val *results, size_t nresults, wasmaot_trap *trap);

/* The function reference (a funcref value) of `func`. */
void *wasmaot_func_ref(const wasmaot_func *func);

/* ---- Exception tags ---------------------------------------------------- */

/* A new tag whose exceptions carry `params` (for a module's tag import,
 * or wasmaot_throw()); a tag is its own identity, different from every
 * other tag of the same type. NULL on failure. */
wasmaot_tag *wasmaot_tag_new(wasmaot_engine *engine,
                             const wasmaot_valkind *params,
                             uint32_t param_count);
/* Drops the host's reference; instances that imported it keep theirs. */
void wasmaot_tag_free(wasmaot_tag *tag);

/* ---- Memories ---------------------------------------------------------- */

/* A linear memory of `min_pages` 64 KiB pages that may grow to
 * `max_pages` (has_max) or 65536. Its address space is reserved up front,
 * so wasmaot_memory_data() never changes. */
wasmaot_memory *wasmaot_memory_new(wasmaot_engine *engine, uint32_t min_pages,
                                   bool has_max, uint32_t max_pages);
/* A shared memory (threads): several instances, on several threads, may
 * import it; it needs a maximum, and its base never moves either. */
wasmaot_memory *wasmaot_memory_new_shared(wasmaot_engine *engine,
                                          uint32_t min_pages,
                                          uint32_t max_pages);
/* A 64-bit memory (memory64: i64 addresses), which may grow past 4 GiB:
 * it reserves its maximum, or 64 GiB when it has none or a larger one
 * (less where the host refuses that much address space), and grows up to
 * that. */
wasmaot_memory *wasmaot_memory_new64(wasmaot_engine *engine, uint64_t min_pages,
                                     bool has_max, uint64_t max_pages);
bool wasmaot_memory_is64(const wasmaot_memory *memory);
bool wasmaot_memory_is_shared(const wasmaot_memory *memory);
void wasmaot_memory_free(wasmaot_memory *memory);
uint8_t *wasmaot_memory_data(const wasmaot_memory *memory);
/* Current size in bytes. */
uint64_t wasmaot_memory_size(const wasmaot_memory *memory);
/* Grows by `delta_pages`; returns the old size in pages, or -1 (beyond the
 * maximum or out of memory). */
int64_t wasmaot_memory_grow(wasmaot_memory *memory, uint32_t delta_pages);

/* ---- Tables ------------------------------------------------------------ */

/* A table of WASMAOT_FUNCREF or WASMAOT_EXTERNREF elements, initially
 * NULL. */
wasmaot_table *wasmaot_table_new(wasmaot_engine *engine,
                                 wasmaot_valkind elem_kind, uint32_t min,
                                 bool has_max, uint32_t max);
/* A 64-bit table (memory64: i64 indices); its size stays within the
 * runtime's limit on any table. */
wasmaot_table *wasmaot_table_new64(wasmaot_engine *engine,
                                   wasmaot_valkind elem_kind, uint64_t min,
                                   bool has_max, uint64_t max);
void wasmaot_table_free(wasmaot_table *table);
uint32_t wasmaot_table_size(const wasmaot_table *table);
/* False when index is out of bounds (or the value kind is wrong). */
bool wasmaot_table_get(const wasmaot_table *table, uint32_t index,
                       wasmaot_val *out);
bool wasmaot_table_set(wasmaot_table *table, uint32_t index,
                       const wasmaot_val *value);

/* ---- Globals ----------------------------------------------------------- */

wasmaot_global *wasmaot_global_new(wasmaot_engine *engine, bool is_mutable,
                                   const wasmaot_val *init);
void wasmaot_global_free(wasmaot_global *global);
void wasmaot_global_get(const wasmaot_global *global, wasmaot_val *out);
/* False if the global is immutable or the kind differs. */
bool wasmaot_global_set(wasmaot_global *global, const wasmaot_val *value);

#ifdef __cplusplus
}
#endif

#endif
