/* The runtime's internal objects, shared by the loader's files:
 *
 *   engine.c           engine: signatures, code and memory ranges, orphans
 *   signature.c        canonical signature registry, value kind helpers
 *   module.c           loading an artifact; module_check.c what may run here
 *   memory.c table.c global.c func.c   extern objects
 *   instance.c         instance lifetime, vmctx, exports
 *   instance_link.c    import resolution and type checks
 *   instance_init.c    globals, element and data segments, start
 *   trap.c             activations, the trap helper, the fault handler
 *   call.c             host-to-Wasm calls, stack limits
 *   runtime_helpers.c  the helper table compiled code calls
 *   atomic_wait.c      memory.atomic.wait/notify and their wait queues
 *
 * Nothing here is process-global except what trap.c documents: state
 * hangs off engine, module and instance objects. */
#ifndef WASMAOT_RUNTIME_H
#define WASMAOT_RUNTIME_H

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr_ranges.h"
#include "artifact_format.h"
#include "wasm_module.h"
#include "wasmaot.h"

/* void tramp(void *code, void *env, uint64_t *slots): artifact_format.h */
typedef void (*rt_trampoline)(void *code, void *env, uint64_t *slots);

/* ---- Signatures (signature.c) ------------------------------------------ */

/* A canonical defined type (3.0: a position in a canonical rec group);
 * one per distinct type per engine, never freed before the engine, so
 * pointers to it stay valid. Function types from modules and host
 * functions alike: a host signature is a rec group of one final function
 * type. Two modules' structurally equal rec groups get the same ids. */
typedef struct rt_signature {
  uint32_t id; /* the funcref type_id; 0 is never used */
  uint32_t param_count, result_count;
  wasmaot_valkind *kinds; /* params, then results (function types) */
  /* The same types with every defined heap type an id (canonical
   * types: wasm_types.h's encoding with ids for type indices). */
  wasm_type *types;
  uint32_t super_id; /* declared supertype, 0 when none */
  uint8_t composite; /* wasm_composite_kind */
  bool is_final;
  uint32_t group_id, group_size; /* first id and size of its rec group */
  uint64_t hash;                 /* of the group */
  uint64_t *key;                 /* the group's key, first member only */
  size_t key_len;
} rt_signature;

typedef struct rt_signature_registry {
  pthread_mutex_t lock;
  rt_signature **by_id; /* [id - 1] */
  size_t count, cap;
  uint32_t *buckets; /* open addressing by group; 0 = empty, else an id */
  size_t bucket_count, group_count;
} rt_signature_registry;

bool rt_signatures_init(rt_signature_registry *r);
void rt_signatures_destroy(rt_signature_registry *r);
/* The canonical entry for a host signature, created on first use; NULL
 * when out of memory. */
const rt_signature *rt_signature_intern(rt_signature_registry *r,
                                        const wasmaot_valkind *params,
                                        uint32_t param_count,
                                        const wasmaot_valkind *results,
                                        uint32_t result_count);
/* Canonical entries for all of a module's types, rec group by rec group,
 * into out[type index]. False when out of memory. */
bool rt_signatures_intern_module(rt_signature_registry *r, const wasm_module *w,
                                 const rt_signature **out);
/* Is canonical type `sub` a subtype of `super` (the same, or super on
 * sub's declared supertype chain)? */
bool rt_signature_is_subtype(rt_signature_registry *r, uint32_t sub_id,
                             uint32_t super_id);
/* A module's value type as a canonical type (defined heap types as ids). */
wasm_type rt_canonical_type(const wasmaot_module *m, wasm_type t);
/* Subtyping of canonical value types. */
bool rt_canonical_type_matches(rt_signature_registry *r, wasm_type sub,
                               wasm_type super);

bool rt_valkind_from_wasm(wasm_type t, wasmaot_valkind *out);
wasm_type rt_valkind_to_wasm(wasmaot_valkind k);

/* ---- Engine (engine.c) ------------------------------------------------- */

struct wasmaot_engine {
  rt_signature_registry signatures;
  addr_range_set code;         /* owner: wasmaot_module */
  addr_range_set reservations; /* owner: wasmaot_memory */
  pthread_mutex_t orphans_lock;
  wasmaot_instance **orphans; /* see wasmaot_engine_free() */
  size_t orphan_count, orphan_cap;
  /* wasmaot_engine_set_memory_limit(): the most linear-memory bytes all
   * the engine's memories may hold together (UINT64_MAX: no limit), and
   * what they hold now. */
  uint64_t memory_limit;
  _Atomic uint64_t memory_committed;
  /* Live exceptions (exception.c), freed with the engine. */
  pthread_mutex_t exceptions_lock;
  struct rt_exception *exceptions;
};

/* Takes `bytes` from the engine's linear-memory budget; false (nothing
 * taken) when the limit would be exceeded. */
bool rt_engine_memory_charge(wasmaot_engine *e, uint64_t bytes);
void rt_engine_memory_uncharge(wasmaot_engine *e, uint64_t bytes);

/* Keeps a failed instance until the engine goes (its functions may sit in
 * shared tables). */
void rt_engine_adopt_orphan(wasmaot_engine *e, wasmaot_instance *inst);

/* ---- Modules (module.c, module_check.c) --------------------------------- */

typedef struct rt_code_symbol {
  uintptr_t addr;
  uint32_t func_index; /* index space; UINT32_MAX for a trampoline */
} rt_code_symbol;

struct artifact_map;

struct wasmaot_module {
  atomic_int refs;
  wasmaot_engine *engine;
  struct artifact_map *map;
  const wasmaot_meta_header *meta;
  wasm_module *wasm;     /* the decoded skeleton */
  void **func_code;      /* per defined function */
  void **func_tail_code; /* per defined function, or NULL: tailcc entries */
  rt_trampoline *trampolines;      /* per type index */
  const rt_signature **signatures; /* per type index */
  rt_code_symbol *symbols;         /* sorted by addr, for naming trap sites */
  size_t symbol_count;
  uintptr_t text_lo, text_hi;
  size_t meta_size; /* bytes of metadata the artifact holds */
  void *eh_frame;   /* registered unwind tables, or NULL (exceptions) */

  /* The data image (data_image.c): every data segment's bytes. */
  const uint8_t *data_image;
  size_t data_image_size;
  const wasmaot_data_entry *data_entries; /* per data segment */
  int data_fd;               /* the artifact, open for mapping; -1 if not */
  uint64_t data_file_offset; /* of data_image in that file */

  /* Code compiled to count (layout.entry_counts): its counters, one per
   * defined function, shared by all instances; in memory, or in a
   * profile file mapped at counts_map (profile.c). */
  uint64_t *entry_counts;
  void *counts_map;
  size_t counts_map_size;
};

void rt_module_retain(wasmaot_module *m);
/* The counters of code that counts (profile.c): allocated at load,
 * freed or unmapped with the module. */
bool rt_module_init_counts(wasmaot_module *m, char *err, size_t errlen);
void rt_module_free_counts(wasmaot_module *m);
void rt_module_release(wasmaot_module *m);
/* Writes the name of the function containing `pc` ("" if none). */
void rt_module_function_name(const wasmaot_module *m, uintptr_t pc, char *buf,
                             size_t size);

/* Checks a metadata header in two steps (`size` is how many bytes of
 * metadata the artifact holds): the format — magic, format version,
 * header size — which must hold before the checksum field can be found;
 * then, once the checksum passed, the target — compiler version, target
 * triple and CPU against this runtime and host. */
bool rt_module_check_format(const wasmaot_meta_header *h, size_t size,
                            char *err, size_t errlen);
bool rt_module_check_target(const wasmaot_meta_header *h, size_t size,
                            char *err, size_t errlen);
/* The part of the target check that needs no host: strings terminated,
 * the feature string and skeleton inside the metadata. For readers of
 * artifacts built for any machine (`inspect`, bundles). */
bool rt_module_check_fields(const wasmaot_meta_header *h, size_t size,
                            char *err, size_t errlen);
/* Whether code for `triple` ("x86_64-unknown-linux-gnu") runs on this
 * machine and OS; the refusal says which target to compile for. */
bool rt_check_triple(const char *triple, char *err, size_t errlen);
/* Checks a "+a,-b" LLVM feature string and CPU name against the host. */
bool rt_check_cpu(const char *cpu_name, const char *features, char *err,
                  size_t errlen);

/* ---- The data image (data_image.c) ------------------------------------ */

/* At load, once the metadata and skeleton passed their checks: checks
 * every data entry against the image (module.c found it, and kept the
 * file open as data_fd when the image can be mapped from it). */
bool rt_data_image_check(wasmaot_module *m, char *err, size_t errlen);
/* Closes data_fd. */
void rt_data_image_detach(wasmaot_module *m);

/* Copies data segment `seg` of the instance's module into memory `mem` at
 * `dst` (an active segment at instantiation), mapping its whole pages
 * copy-on-write from the artifact where it can instead of copying them. */
wasmaot_trap_kind rt_data_segment_apply(wasmaot_instance *inst, uint32_t mem,
                                        uint32_t seg, uint64_t dst);

/* ---- Extern objects ---------------------------------------------------- */

/* A thread in memory.atomic.wait (atomic_wait.c): a node on its stack. */
typedef struct rt_waiter {
  struct rt_waiter *next, *prev;
  uint64_t addr; /* effective address waited on */
  pthread_cond_t cond;
  bool woken; /* set by notify, under the queue's lock */
} rt_waiter;

/* The waiters on one memory, oldest first. */
typedef struct rt_wait_queue {
  pthread_mutex_t lock;
  rt_waiter *head, *tail;
} rt_wait_queue;

bool rt_wait_queue_init(rt_wait_queue *q);
void rt_wait_queue_destroy(rt_wait_queue *q);

struct wasmaot_memory {
  wasmaot_memory_obj obj; /* first: compiled code points here */
  atomic_int refs;
  wasmaot_engine *engine;
  uint8_t *reservation;
  size_t reservation_size;
  uint64_t max_pages;    /* what it may grow to */
  uint64_t declared_max; /* with has_max: the maximum, for import matching */
  bool has_max;
  bool shared; /* threads: may be imported by several threads */
  bool is64;   /* memory64: i64 addresses, bounds checked by compiled code */
  pthread_mutex_t grow_lock;
  rt_wait_queue waiters; /* memory.atomic.wait (atomic_wait.c) */
};

/* Creates a memory of `type` (refs = 1). NULL with a reason when the
 * limits are beyond the address type's (4 GiB, 2^64 bytes) or the address
 * space cannot be reserved. A shared memory must have a maximum. */
wasmaot_memory *rt_memory_create(wasmaot_engine *e, const wasm_memtype *type,
                                 char *err, size_t errlen);
void rt_memory_retain(wasmaot_memory *m);
void rt_memory_release(wasmaot_memory *m);
static inline uint64_t rt_memory_pages(const wasmaot_memory *m) {
  return m->obj.size_bytes >> 16;
}
/* memory.grow: the old size in pages, or -1. */
int64_t rt_memory_grow(wasmaot_memory *m, uint64_t delta_pages);

/* Tables grow by reallocating, so this caps them well below 2^32. */
#define RT_TABLE_MAX_ELEMS 10000000u

struct wasmaot_table {
  wasmaot_table_obj obj; /* first: compiled code points here */
  atomic_int refs;
  wasmaot_engine *engine;
  wasm_type elem_type;
  bool has_max;
  bool is64;    /* memory64: i64 indices */
  uint64_t max; /* the declared maximum, or the address type's */
};

wasmaot_table *rt_table_create(wasmaot_engine *e, wasm_type elem_type,
                               bool is64, uint64_t min, bool has_max,
                               uint64_t max, char *err, size_t errlen);
void rt_table_retain(wasmaot_table *t);
void rt_table_release(wasmaot_table *t);
/* table.grow: the old size, or -1. */
int64_t rt_table_grow(wasmaot_table *t, uint64_t delta, void *init);

struct wasmaot_global {
  atomic_int refs;         /* host globals only */
  wasmaot_instance *owner; /* NULL for host globals */
  void *cell;              /* 16-byte value cell */
  wasm_type type;
  bool is_mutable;
  _Alignas(16) uint8_t storage[16]; /* the cell of a host global */
};

void rt_global_retain(wasmaot_global *g);
void rt_global_release(wasmaot_global *g);
/* Reads and writes a 16-byte cell (layout: artifact_format.h slots). */
void rt_cell_read(const void *cell, wasm_type t, wasmaot_val *out);
void rt_cell_write(void *cell, const wasmaot_val *v);

struct wasmaot_func {
  atomic_int refs;         /* host functions only */
  wasmaot_instance *owner; /* NULL for host functions */
  wasmaot_funcref *ref;    /* what compiled code calls */
  const rt_signature *signature;
  rt_trampoline trampoline; /* NULL for host functions */
  wasmaot_funcref host_ref; /* the funcref of a host function */
};

void rt_func_retain(wasmaot_func *f);
void rt_func_release(wasmaot_func *f);

/* tag.c: an exception tag, shared by the instance that defines it and
 * every importer (so it may outlive its instance); compared by address.
 * Its signature is engine-owned (canonical), the payload's types. */
struct wasmaot_tag {
  atomic_int refs;
  wasmaot_engine *engine; /* where its exceptions live */
  const rt_signature *signature;
};

wasmaot_tag *rt_tag_new(wasmaot_engine *engine, const rt_signature *signature);

/* exception.c: exception objects and throwing (the helpers of
 * artifact_format.h). */
typedef struct rt_exception rt_exception;
void rt_engine_free_exceptions(wasmaot_engine *e);
_Noreturn void rt_helper_throw(void *vmctx, uint32_t tag_index,
                               const uint64_t *slots);
_Noreturn void rt_helper_throw_ref(void *vmctx, wasmaot_exception *exn);
void rt_helper_exception_free(void *vmctx, wasmaot_exception *exn,
                              uint32_t mode);
_Noreturn void rt_helper_exception_escaped(void *vmctx, wasmaot_exception *exn);
const wasmaot_tag *rt_exception_tag(const wasmaot_exception *exn);
void rt_tag_retain(wasmaot_tag *t);
void rt_tag_release(wasmaot_tag *t);

/* ---- Instances (instance*.c) -------------------------------------------- */

typedef struct rt_data_segment {
  const uint8_t *bytes; /* into the data image; size 0 once dropped */
  uint32_t size;
} rt_data_segment;

typedef struct rt_elem_segment {
  void **items; /* evaluated references; count 0 once dropped */
  uint32_t count;
} rt_elem_segment;

typedef struct rt_export {
  wasmaot_extern value;
  wasmaot_func func;     /* backing object of a function export */
  wasmaot_global global; /* backing object of a defined global export */
} rt_export;

struct wasmaot_instance {
  atomic_int refs;
  wasmaot_module *module;
  wasmaot_engine *engine;
  const wasm_module *wasm;
  uint8_t *vmctx;

  /* Index spaces (imports first); every entry holds a reference. */
  wasmaot_func **imported_funcs;
  wasmaot_global **imported_globals;
  wasmaot_memory **memories;
  wasmaot_table **tables;
  wasmaot_tag **tags;

  rt_data_segment *data;
  rt_elem_segment *elems;
  rt_export *exports; /* parallel to wasm->exports */

  /* Instances whose code this one calls through its imports, transitively;
   * calls set their stack limit too. Kept alive by the imports. */
  wasmaot_instance **linked;
  size_t linked_count;
};

static inline wasmaot_vmctx_header *rt_vmctx_header(wasmaot_instance *inst) {
  return (wasmaot_vmctx_header *)inst->vmctx;
}
static inline wasmaot_instance *rt_instance_of_vmctx(void *vmctx) {
  return ((wasmaot_vmctx_header *)vmctx)->instance;
}
void *rt_instance_global_cell(wasmaot_instance *inst, uint32_t index);
wasmaot_funcref *rt_instance_funcref(wasmaot_instance *inst, uint32_t index);
void rt_instance_retain(wasmaot_instance *inst);
void rt_instance_release(wasmaot_instance *inst);

/* instance_link.c: resolves every import into the instance's index spaces
 * and vmctx. */
bool rt_instance_link(wasmaot_instance *inst, wasmaot_resolver resolver,
                      void *ctx, char *err, size_t errlen);

/* instance_init.c */
/* Global initialisers may read imported globals and take ref.func. */
void rt_instance_init_globals(wasmaot_instance *inst);
bool rt_instance_prepare_segments(wasmaot_instance *inst, char *err,
                                  size_t errlen);
/* Active segments, then start. A trap is reported in *trap. */
bool rt_instance_run_initialisers(wasmaot_instance *inst, wasmaot_trap *trap);

/* ---- Traps and calls (trap.c, call.c) ---------------------------------- */

/* One host-to-Wasm entry on this thread's stack. A trap longjmps to the
 * innermost one. */
typedef struct rt_activation {
  struct rt_activation *prev;
  wasmaot_engine *engine;
  sigjmp_buf jmp;
  volatile wasmaot_trap_kind kind;
  volatile uintptr_t trap_pc;
  char message[256];
  wasmaot_exception *volatile exception; /* kind EXCEPTION: what escaped */
} rt_activation;

/* Prepares this thread to run Wasm code: installs the fault handler once
 * per process, an alternate signal stack once per thread. */
bool rt_thread_prepare(char *err, size_t errlen);
/* The lowest address Wasm code may use as stack on this thread. */
uintptr_t rt_thread_stack_limit(void);

void rt_activation_push(rt_activation *a, wasmaot_engine *e);
void rt_activation_pop(rt_activation *a);
/* Unwinds to the innermost activation with `kind`; pc is the address in
 * compiled code it happened at (0 if unknown). */
_Noreturn void rt_trap_raise(wasmaot_trap_kind kind, uintptr_t pc);
/* The trap of an exception no Wasm handler took (exception.c). */
_Noreturn void rt_trap_raise_exception(wasmaot_exception *exn, uintptr_t pc,
                                       const char *message);
/* Fills *out from an activation that caught a trap. */
void rt_trap_describe(const rt_activation *a, wasmaot_trap *out);
void rt_trap_clear(wasmaot_trap *out);

/* Calls code(env, ...) through `tramp` with 16-byte slots inside an
 * activation, after setting the stack limit of `inst` and its linked
 * instances. True on return, false on a trap (in *trap). */
bool rt_invoke(wasmaot_engine *e, wasmaot_instance *inst, rt_trampoline tramp,
               void *code, void *env, uint64_t *slots, wasmaot_trap *trap);

/* ---- Runtime helpers (runtime_helpers.c) -------------------------------- */

extern const void *const rt_helper_table[WASMAOT_HELPER_COUNT];

/* The checked bulk operations behind the helpers, shared with segment
 * initialisation; they return the trap kind (NONE on success) instead of
 * trapping, so instantiation can report it. */
wasmaot_trap_kind rt_table_init(wasmaot_instance *inst, uint32_t table,
                                uint32_t seg, uint64_t dst, uint64_t src,
                                uint64_t n);
wasmaot_trap_kind rt_memory_init(wasmaot_instance *inst, uint32_t mem,
                                 uint32_t seg, uint64_t dst, uint64_t src,
                                 uint64_t n);

/* atomic_wait.c: the helpers behind memory.atomic.notify/wait32/wait64
 * (signatures in artifact_format.h), and notify for the host. */
uint32_t rt_helper_atomic_notify(void *vmctx, uint32_t mem, uint64_t addr,
                                 uint32_t count);
uint32_t rt_helper_atomic_wait32(void *vmctx, uint32_t mem, uint64_t addr,
                                 uint32_t expected, int64_t timeout_ns);
uint32_t rt_helper_atomic_wait64(void *vmctx, uint32_t mem, uint64_t addr,
                                 uint64_t expected, int64_t timeout_ns);
/* Wakes up to `count` waiters on `addr`, oldest first; how many woke. */
uint32_t rt_atomic_notify(wasmaot_memory *m, uint64_t addr, uint32_t count);

/* ---- Small shared helpers ---------------------------------------------- */

/* snprintf into err when it is not NULL; returns false. */
bool rt_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
