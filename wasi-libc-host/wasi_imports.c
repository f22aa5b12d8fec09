/* The import side: which functions "wasi_snapshot_preview1" has, their
 * Wasm signatures, and the resolver that hands them to an instance. */
#include <stdlib.h>
#include <string.h>

#include "wasi_funcs.h"
#include "wasi_internal.h"

static const char WASI_MODULE[] = "wasi_snapshot_preview1";

typedef struct wasi_import_def {
  const char *name;
  /* Parameters, one letter each: 'i' i32, 'I' i64. */
  const char *params;
  bool returns_errno; /* one i32 result; only proc_exit has none */
  void *code;
} wasi_import_def;

#define FN(name, params)                                                       \
  { #name, params, true, (void *)wasi_##name }

static const wasi_import_def imports[WASI_FUNC_COUNT] = {
    FN(args_get, "ii"),
    FN(args_sizes_get, "ii"),
    FN(environ_get, "ii"),
    FN(environ_sizes_get, "ii"),
    FN(clock_res_get, "ii"),
    FN(clock_time_get, "iIi"),
    FN(fd_advise, "iIIi"),
    FN(fd_allocate, "iII"),
    FN(fd_close, "i"),
    FN(fd_datasync, "i"),
    FN(fd_fdstat_get, "ii"),
    FN(fd_fdstat_set_flags, "ii"),
    FN(fd_fdstat_set_rights, "iII"),
    FN(fd_filestat_get, "ii"),
    FN(fd_filestat_set_size, "iI"),
    FN(fd_filestat_set_times, "iIIi"),
    FN(fd_pread, "iiiIi"),
    FN(fd_prestat_get, "ii"),
    FN(fd_prestat_dir_name, "iii"),
    FN(fd_pwrite, "iiiIi"),
    FN(fd_read, "iiii"),
    FN(fd_readdir, "iiiIi"),
    FN(fd_renumber, "ii"),
    FN(fd_seek, "iIii"),
    FN(fd_sync, "i"),
    FN(fd_tell, "ii"),
    FN(fd_write, "iiii"),
    FN(path_create_directory, "iii"),
    FN(path_filestat_get, "iiiii"),
    FN(path_filestat_set_times, "iiiiIIi"),
    FN(path_link, "iiiiiii"),
    FN(path_open, "iiiiiIIii"),
    FN(path_readlink, "iiiiii"),
    FN(path_remove_directory, "iii"),
    FN(path_rename, "iiiiii"),
    FN(path_symlink, "iiiii"),
    FN(path_unlink_file, "iii"),
    FN(poll_oneoff, "iiii"),
    {"proc_exit", "i", false, (void *)wasi_proc_exit},
    FN(proc_raise, "i"),
    FN(random_get, "ii"),
    FN(sched_yield, ""),
    FN(sock_accept, "iii"),
    FN(sock_recv, "iiiiii"),
    FN(sock_send, "iiiii"),
    FN(sock_shutdown, "ii"),
};

static bool name_is(const char *expected, const char *name, size_t len) {
  return strlen(expected) == len && memcmp(expected, name, len) == 0;
}

static int find_import(const wasmaot_import_ref *import) {
  if (import->kind != WASMAOT_EXTERN_FUNC ||
      !name_is(WASI_MODULE, import->module, import->module_len))
    return -1;
  for (int i = 0; i < WASI_FUNC_COUNT; i++)
    if (name_is(imports[i].name, import->name, import->name_len))
      return i;
  return -1;
}

static wasmaot_func *make_func(wasi_ctx *ctx, const wasi_import_def *def) {
  wasmaot_valkind params[16];
  uint32_t n = 0;
  for (const char *p = def->params; *p; p++)
    params[n++] = *p == 'I' ? WASMAOT_I64 : WASMAOT_I32;
  const wasmaot_valkind result = WASMAOT_I32;
  return wasmaot_func_new(ctx->engine, params, n, &result,
                          def->returns_errno ? 1 : 0, def->code, ctx);
}

bool wasi_ctx_resolve(void *ctx_, const wasmaot_import_ref *import,
                      wasmaot_extern *out) {
  wasi_ctx *ctx = ctx_;
  int i = find_import(import);
  if (i < 0)
    return false;
  /* One function object per name, shared by every import of it. */
  if (!ctx->funcs[i])
    ctx->funcs[i] = make_func(ctx, &imports[i]);
  if (!ctx->funcs[i])
    return false;
  out->kind = WASMAOT_EXTERN_FUNC;
  out->of.func = ctx->funcs[i];
  return true;
}
