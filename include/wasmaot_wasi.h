/* wasi-libc-host: the WASI preview1 host (`wasi_snapshot_preview1`) for
 * wasmaot instances, over POSIX.
 *
 * Use:
 *     wasi_ctx *wasi = wasi_ctx_new(engine, &config, err, sizeof err);
 *     inst = wasmaot_instantiate(module, wasi_ctx_resolve, wasi, ...);
 *     wasi_ctx_bind_instance(wasi, inst, err, sizeof err);
 *     ... call `_start`; on a WASMAOT_TRAP_HOST trap ask
 *     wasi_ctx_exit_status() whether the guest exited ...
 *     wasmaot_instance_free(inst);
 *     wasi_ctx_free(wasi);
 *
 * Capabilities: the guest reaches the host file system only through the
 * preopened directories, and no path resolves outside the preopen it
 * starts from (`..`, absolute paths, symbolic links, however chained, all
 * stay beneath it). A path that would leave returns ENOTCAPABLE (76); an
 * absolute symbolic-link target given to path_symlink returns EPERM (63).
 * Every guest pointer and length is checked against the current memory
 * size; a bad one returns EFAULT (21), never a host fault.
 *
 * Signals: sock_send never raises SIGPIPE; fd_write on a pipe or socket
 * whose reader is gone does unless the embedder ignores SIGPIPE (the
 * `wasmaot` command does, so the guest sees EPIPE).
 *
 * One context serves one instance (it holds that instance's fd table and
 * memory) and one thread at a time; with wasi-threads (below), the
 * instances of every thread of one program, which share its memory. */
#ifndef WASMAOT_WASI_H
#define WASMAOT_WASI_H

#include <stdbool.h>
#include <stddef.h>

#include "wasmaot.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wasi_ctx wasi_ctx;

/* A host directory the guest may use, seen by the guest as `guest_path`
 * (its fd_prestat_dir_name). A read-only one holds, and hands out to what
 * is opened beneath it, no right that changes anything (fd_write,
 * path_create_*, path_unlink_file, ..., set size or times): creating,
 * truncating, renaming or removing fails with ENOTCAPABLE, and a file
 * opened for writing (wasi-libc asks only for the rights the directory
 * can give) cannot be written. */
typedef struct wasi_preopen_dir {
  const char *host_path;
  const char *guest_path;
  bool read_only;
} wasi_preopen_dir;

typedef struct wasi_config {
  /* argv as the guest sees it; args[0] is conventionally the program's
   * name. */
  const char *const *args;
  size_t arg_count;
  /* "KEY=VALUE" strings, passed through as given. */
  const char *const *env;
  size_t env_count;
  /* Guest fds 3, 4, ... in this order. */
  const wasi_preopen_dir *dirs;
  size_t dir_count;
  /* "HOST:PORT" ("[V6ADDR]:PORT" for IPv6) listening TCP sockets, opened
   * by wasi_ctx_new and handed to the guest as the fds after the
   * preopened directories. */
  const char *const *tcp_listen;
  size_t tcp_listen_count;
  /* Host fds behind guest fds 0, 1, 2 (each is duplicated; -1 leaves the
   * guest fd closed). NULL means the host's own 0, 1, 2. */
  const int *stdio_fds;
} wasi_config;

/* Opens the preopened directories and listening sockets and builds the
 * guest's fd table. NULL with a one-line reason in err (a directory that
 * cannot be opened, an address that cannot be bound, ...). */
wasi_ctx *wasi_ctx_new(wasmaot_engine *engine, const wasi_config *config,
                       char *err, size_t errlen);

/* Closes every guest fd and drops the host functions. Instances that
 * imported them must be freed first. */
void wasi_ctx_free(wasi_ctx *ctx);

/* A wasmaot_resolver (`ctx` is the wasi_ctx): supplies the functions of
 * module "wasi_snapshot_preview1"; false for anything else, so a caller
 * can chain other resolvers after it. */
bool wasi_ctx_resolve(void *ctx, const wasmaot_import_ref *import,
                      wasmaot_extern *out);

/* Gives the host functions the guest memory they read and write: the
 * instance's exported "memory". False (reason in err) when the instance
 * exports none. Until a memory is bound every pointer argument is a
 * fault. */
bool wasi_ctx_bind_instance(wasi_ctx *ctx, wasmaot_instance *instance,
                            char *err, size_t errlen);
/* The same for a memory the embedder owns (e.g. one the module imports). */
void wasi_ctx_bind_memory(wasi_ctx *ctx, wasmaot_memory *memory);

/* True once the guest ended itself: proc_exit(code) gives `code`;
 * proc_raise of a signal whose default action terminates gives
 * 128 + the host's number for that signal, as a shell reports it. Either one
 * unwound the guest with a WASMAOT_TRAP_HOST trap. */
bool wasi_ctx_exit_status(const wasi_ctx *ctx, int *status);

/* The exit status of a WASI command whose call did not return, as
 * `wasmaot run` and the OCI runtime report it: the guest's own status
 * after proc_exit / proc_raise; WASI_EXIT_TRAP after a trap, whose kind
 * and function are printed on stderr; 1 when the call could not be made
 * (e.g. the wrong arguments), with the reason on stderr. */
enum { WASI_EXIT_TRAP = 134 };
int wasi_ctx_command_status(const wasi_ctx *ctx, const wasmaot_trap *trap);

/* ---- wasi-threads (wasi_threads.c) ---------------------------------------
 *
 * For a module that imports `wasi`.`thread-spawn`: every spawned thread
 * gets a new instance of `module` (which must outlive the context),
 * importing the same memory, and runs its wasi_thread_start(tid, arg) on a
 * host thread. proc_exit or a trap in a spawned thread ends the whole
 * program: on_exit(exit_arg, status) is called on that thread and must not
 * return (`wasmaot run` calls _exit). Instantiate with
 * wasi_ctx_resolve_threads. */
typedef void (*wasi_exit_fn)(void *arg, int status);
bool wasi_ctx_enable_threads(wasi_ctx *ctx, wasmaot_module *module,
                             wasi_exit_fn on_exit, void *exit_arg);
/* A wasmaot_resolver: thread-spawn, the module's imported memory (created
 * from the import's own type on first use, then shared by every thread's
 * instance), then whatever wasi_ctx_resolve supplies. Without
 * wasi_ctx_enable_threads it is wasi_ctx_resolve. */
bool wasi_ctx_resolve_threads(void *ctx, const wasmaot_import_ref *import,
                              wasmaot_extern *out);
/* True once a thread was spawned: other threads may still be running, so
 * when the main thread is done the process must end without freeing what
 * they use. */
bool wasi_ctx_threads_spawned(const wasi_ctx *ctx);
/* The memory wasi_ctx_resolve_threads created, or NULL. */
wasmaot_memory *wasi_ctx_imported_memory(const wasi_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif
