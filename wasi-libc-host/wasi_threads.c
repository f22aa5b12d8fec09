/* wasi-threads: `wasi`.`thread-spawn` and the threads it starts.
 *
 * The proposal's model: a module that imports a shared memory is
 * instantiated once per thread, every instance importing the same memory,
 * and thread-spawn(start_arg) starts a host thread that calls the new
 * instance's export wasi_thread_start(tid, start_arg). So a spawn here
 *   1. instantiates the context's module again, on the calling thread and
 *      under spawn_lock (the resolver creates host functions lazily, and
 *      the module's start function — wasm-ld's __wasm_init_memory, which
 *      finds the memory already initialised — may run), with the same
 *      preview1 functions, this thread-spawn and the same memory;
 *   2. starts a detached pthread with an 8 MiB stack that calls
 *      wasi_thread_start. The runtime prepares every thread on its first
 *      call into Wasm (trap.c: the signal stack, the stack bounds; call.c
 *      sets the instance's stack limit for this thread), and each thread's
 *      activations are thread-local, so traps unwind on the thread that
 *      raised them.
 * A failed spawn returns -EAGAIN (as preview1 numbers it); wasi-libc's
 * pthread_create reports that as EAGAIN.
 *
 * Ending: proc_exit or a trap in a spawned thread ends the whole process
 * with that status (the trap's message printed like the main thread's):
 * the thread calls the embedder's on_exit, which for `wasmaot run` is
 * _exit — the other threads may be blocked in a host call or spinning in
 * Wasm, and nothing could stop them more cleanly. A thread whose
 * wasi_thread_start returns just ends, and its instance is freed. When the
 * main thread's _start returns or exits, the embedder ends the process
 * (wasi_ctx_threads_spawned() tells it that other threads may still run).
 *
 * The memory a wasi-threads module imports (usually `env`.`memory`,
 * shared) comes from wasi_ctx_resolve_threads: created on the first
 * instantiation from the import's own declared type and handed to every
 * later instance. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "wasi_internal.h"

#define THREAD_STACK_SIZE (8u << 20)
/* The proposal's thread ids are 1 .. 2^29 - 1. */
#define MAX_TID 0x1FFFFFFF

static const char SPAWN_MODULE[] = "wasi";
static const char SPAWN_NAME[] = "thread-spawn";
static const char START_EXPORT[] = "wasi_thread_start";

struct wasi_threads {
  wasmaot_module *module; /* instantiated again for every thread */
  wasmaot_memory *memory; /* the imported memory, once created */
  wasmaot_func *spawn;    /* the thread-spawn host function */
  pthread_mutex_t lock;   /* instantiation, memory creation */
  atomic_int next_tid;    /* the last id handed out */
  atomic_bool spawned;    /* any thread started */
  wasi_exit_fn on_exit;
  void *exit_arg;
};

typedef struct thread_start {
  wasi_ctx *ctx;
  wasmaot_instance *instance;
  wasmaot_func *entry;
  int32_t tid, start_arg;
} thread_start;

static bool name_is(const char *expected, const char *name, size_t len) {
  return strlen(expected) == len && memcmp(expected, name, len) == 0;
}

/* ---- The new thread ------------------------------------------------------ */

static void *thread_main(void *arg) {
  thread_start *t = arg;
  wasi_ctx *ctx = t->ctx;
  wasmaot_val args[2] = {{.kind = WASMAOT_I32, .of.i32 = t->tid},
                         {.kind = WASMAOT_I32, .of.i32 = t->start_arg}};
  wasmaot_trap trap;
  if (!wasmaot_call(t->entry, args, 2, NULL, 0, &trap)) {
    /* proc_exit(code) or a trap on this thread: the process ends. */
    ctx->threads->on_exit(ctx->threads->exit_arg,
                          wasi_ctx_command_status(ctx, &trap));
  }
  wasmaot_instance_free(t->instance);
  free(t);
  return NULL;
}

/* ---- thread-spawn ----------------------------------------------------------
 */

static wasmaot_func *start_export(wasmaot_instance *inst) {
  wasmaot_extern ext;
  if (!wasmaot_instance_export(inst, START_EXPORT, strlen(START_EXPORT),
                               &ext) ||
      ext.kind != WASMAOT_EXTERN_FUNC)
    return NULL;
  const wasmaot_valkind *params, *results;
  uint32_t np, nr;
  wasmaot_func_signature(ext.of.func, &params, &np, &results, &nr);
  if (np != 2 || nr != 0 || params[0] != WASMAOT_I32 ||
      params[1] != WASMAOT_I32)
    return NULL;
  return ext.of.func;
}

static int32_t next_tid(struct wasi_threads *th) {
  int tid = atomic_fetch_add(&th->next_tid, 1) + 1;
  return tid > 0 && tid <= MAX_TID ? tid : -1;
}

static bool start_thread(thread_start *t) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0)
    return false;
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, THREAD_STACK_SIZE);
  pthread_t thread;
  int rc = pthread_create(&thread, &attr, thread_main, t);
  pthread_attr_destroy(&attr);
  return rc == 0;
}

static int32_t thread_spawn(void *env, int32_t start_arg) {
  wasi_ctx *ctx = env;
  struct wasi_threads *th = ctx->threads;
  /* A thread shares its spawner's memory only through the import: a
   * module that defines its memory would give each thread one of its
   * own, which is not what the program means. */
  if (!th->memory) {
    fprintf(stderr, "wasmaot: thread-spawn: the module must import its "
                    "memory (wasi-threads)\n");
    return -WASI_EAGAIN;
  }
  int32_t tid = next_tid(th);
  if (tid < 0)
    return -WASI_EAGAIN;
  thread_start *t = calloc(1, sizeof *t);
  if (!t)
    return -WASI_EAGAIN;
  char err[256];
  wasmaot_trap trap;
  pthread_mutex_lock(&th->lock);
  t->instance = wasmaot_instantiate(th->module, wasi_ctx_resolve_threads, ctx,
                                    &trap, err, sizeof err);
  pthread_mutex_unlock(&th->lock);
  if (!t->instance) {
    fprintf(stderr, "wasmaot: thread-spawn: %s\n", err);
    free(t);
    return -WASI_EAGAIN;
  }
  t->ctx = ctx;
  t->entry = start_export(t->instance);
  t->tid = tid;
  t->start_arg = start_arg;
  if (!t->entry) {
    fprintf(stderr,
            "wasmaot: thread-spawn: the module exports no %s(i32, "
            "i32)\n",
            START_EXPORT);
  } else if (start_thread(t)) {
    atomic_store(&th->spawned, true);
    return tid;
  }
  wasmaot_instance_free(t->instance);
  free(t);
  return -WASI_EAGAIN;
}

/* ---- Set-up and resolution ---------------------------------------------- */

bool wasi_ctx_enable_threads(wasi_ctx *ctx, wasmaot_module *module,
                             wasi_exit_fn on_exit, void *exit_arg) {
  if (ctx->threads || !on_exit)
    return false;
  struct wasi_threads *th = calloc(1, sizeof *th);
  if (!th || pthread_mutex_init(&th->lock, NULL) != 0) {
    free(th);
    return false;
  }
  const wasmaot_valkind i32 = WASMAOT_I32;
  th->spawn = wasmaot_func_new(ctx->engine, &i32, 1, &i32, 1,
                               (void *)thread_spawn, ctx);
  if (!th->spawn) {
    pthread_mutex_destroy(&th->lock);
    free(th);
    return false;
  }
  th->module = module;
  th->on_exit = on_exit;
  th->exit_arg = exit_arg;
  ctx->threads = th;
  return true;
}

void wasi_threads_free(struct wasi_threads *th) {
  if (!th)
    return;
  wasmaot_func_free(th->spawn);
  if (th->memory)
    wasmaot_memory_free(th->memory);
  pthread_mutex_destroy(&th->lock);
  free(th);
}

bool wasi_ctx_threads_spawned(const wasi_ctx *ctx) {
  return ctx->threads && atomic_load(&ctx->threads->spawned);
}

wasmaot_memory *wasi_ctx_imported_memory(const wasi_ctx *ctx) {
  return ctx->threads ? ctx->threads->memory : NULL;
}

/* The memory the module imports, made from the import's declared type the
 * first time and shared by every instance after. */
static wasmaot_memory *imported_memory(wasi_ctx *ctx,
                                       const wasmaot_import_ref *import) {
  struct wasi_threads *th = ctx->threads;
  if (!th->memory) {
    if (import->memory_shared)
      th->memory = wasmaot_memory_new_shared(ctx->engine, import->memory_min,
                                             import->memory_max);
    else
      th->memory =
          wasmaot_memory_new(ctx->engine, import->memory_min,
                             import->memory_has_max, import->memory_max);
  }
  return th->memory;
}

bool wasi_ctx_resolve_threads(void *ctx_, const wasmaot_import_ref *import,
                              wasmaot_extern *out) {
  wasi_ctx *ctx = ctx_;
  if (!ctx->threads)
    return wasi_ctx_resolve(ctx, import, out);
  if (import->kind == WASMAOT_EXTERN_FUNC &&
      name_is(SPAWN_MODULE, import->module, import->module_len) &&
      name_is(SPAWN_NAME, import->name, import->name_len)) {
    out->kind = WASMAOT_EXTERN_FUNC;
    out->of.func = ctx->threads->spawn;
    return true;
  }
  if (import->kind == WASMAOT_EXTERN_MEMORY) {
    wasmaot_memory *m = imported_memory(ctx, import);
    if (!m)
      return false;
    out->kind = WASMAOT_EXTERN_MEMORY;
    out->of.memory = m;
    return true;
  }
  return wasi_ctx_resolve(ctx, import, out);
}
