/* The WASI context: what a guest's process environment is made of (args,
 * env, fd table) and how it is bound to an instance. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasi_internal.h"

static bool add_stdio(wasi_ctx *ctx, const int *stdio_fds, char *err,
                      size_t errlen) {
  for (uint32_t i = 0; i < 3; i++) {
    int host = stdio_fds ? stdio_fds[i] : (int)i;
    if (host < 0)
      continue;
    /* A duplicate: the guest closing its fd 1 must not close the host's
     * stdout, which the embedder may still print to. */
    int fd = fcntl(host, F_DUPFD_CLOEXEC, 3);
    if (fd < 0) {
      if (errno == EBADF && !stdio_fds)
        continue; /* the host itself runs without this stream */
      snprintf(err, errlen, "stdio fd %d: %s", host, strerror(errno));
      return false;
    }
    wasi_fd_entry e = wasi_fd_entry_for(fd);
    if (wasi_fd_insert_at(ctx, i, &e) != 0) {
      snprintf(err, errlen, "out of memory");
      return false;
    }
  }
  return true;
}

static bool add_preopen(wasi_ctx *ctx, const wasi_preopen_dir *dir,
                        uint32_t guest_fd, char *err, size_t errlen) {
  int fd = open(dir->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, errlen, "--dir %s: %s", dir->host_path, strerror(errno));
    return false;
  }
  wasi_fd_entry e = wasi_fd_entry_for(fd);
  if (dir->read_only) {
    /* Neither held nor inherited, so nothing opened beneath it can write
     * either; the kernel never sees a write-mode open or a mutating *at()
     * call for this tree. */
    e.rights_base &= ~WASI_RIGHTS_MUTATING;
    e.rights_inheriting &= ~WASI_RIGHTS_MUTATING;
  }
  const char *name = dir->guest_path ? dir->guest_path : dir->host_path;
  e.preopen_path = strdup(name);
  if (!e.preopen_path || strlen(name) > UINT32_MAX ||
      wasi_fd_insert_at(ctx, guest_fd, &e) != 0) {
    wasi_fd_release(&e);
    snprintf(err, errlen, "out of memory");
    return false;
  }
  return true;
}

static bool add_listener(wasi_ctx *ctx, const char *address, uint32_t guest_fd,
                         char *err, size_t errlen) {
  int fd = wasi_listen_tcp(address, err, errlen);
  if (fd < 0)
    return false;
  wasi_fd_entry e = wasi_fd_entry_for(fd);
  if (wasi_fd_insert_at(ctx, guest_fd, &e) != 0) {
    snprintf(err, errlen, "out of memory");
    return false;
  }
  return true;
}

static bool build_fd_table(wasi_ctx *ctx, const wasi_config *config, char *err,
                           size_t errlen) {
  if (!add_stdio(ctx, config->stdio_fds, err, errlen))
    return false;
  uint32_t next = 3;
  for (size_t i = 0; i < config->dir_count; i++)
    if (!add_preopen(ctx, &config->dirs[i], next++, err, errlen))
      return false;
  for (size_t i = 0; i < config->tcp_listen_count; i++)
    if (!add_listener(ctx, config->tcp_listen[i], next++, err, errlen))
      return false;
  return true;
}

wasi_ctx *wasi_ctx_new(wasmaot_engine *engine, const wasi_config *config,
                       char *err, size_t errlen) {
  wasi_ctx *ctx = calloc(1, sizeof *ctx);
  if (!ctx) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  if (!wasi_fd_table_init(&ctx->fds)) {
    free(ctx);
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  ctx->engine = engine;
  if (!wasi_strings_init(&ctx->args, config->args, config->arg_count) ||
      !wasi_strings_init(&ctx->env, config->env, config->env_count)) {
    snprintf(err, errlen, "arguments or environment too large");
    wasi_ctx_free(ctx);
    return NULL;
  }
  if (!build_fd_table(ctx, config, err, errlen)) {
    wasi_ctx_free(ctx);
    return NULL;
  }
  return ctx;
}

void wasi_ctx_free(wasi_ctx *ctx) {
  if (!ctx)
    return;
  for (size_t i = 0; i < WASI_FUNC_COUNT; i++)
    wasmaot_func_free(ctx->funcs[i]);
  wasi_threads_free(ctx->threads);
  wasi_fd_table_free(&ctx->fds);
  wasi_strings_free(&ctx->args);
  wasi_strings_free(&ctx->env);
  free(ctx);
}

bool wasi_ctx_bind_instance(wasi_ctx *ctx, wasmaot_instance *instance,
                            char *err, size_t errlen) {
  wasmaot_extern ext;
  if (!wasmaot_instance_export(instance, "memory", 6, &ext) ||
      ext.kind != WASMAOT_EXTERN_MEMORY) {
    /* A wasi-threads module may import its memory without exporting it. */
    ctx->memory = wasi_ctx_imported_memory(ctx);
    if (ctx->memory)
      return true;
    snprintf(err, errlen, "the module exports no memory named \"memory\"");
    return false;
  }
  ctx->memory = ext.of.memory;
  return true;
}

void wasi_ctx_bind_memory(wasi_ctx *ctx, wasmaot_memory *memory) {
  ctx->memory = memory;
}

bool wasi_ctx_exit_status(const wasi_ctx *ctx, int *status) {
  if (ctx->exited)
    *status = ctx->exit_status;
  return ctx->exited;
}

int wasi_ctx_command_status(const wasi_ctx *ctx, const wasmaot_trap *trap) {
  int status;
  if (trap->kind == WASMAOT_TRAP_HOST && wasi_ctx_exit_status(ctx, &status))
    return status;
  if (trap->kind == WASMAOT_TRAP_NONE) {
    fprintf(stderr, "wasmaot: %s\n", trap->message);
    return 1;
  }
  if (trap->func_name[0])
    fprintf(stderr, "wasmaot: trap: %s (in %s)\n", trap->message,
            trap->func_name);
  else
    fprintf(stderr, "wasmaot: trap: %s\n", trap->message);
  return WASI_EXIT_TRAP;
}
