#include "oci_guest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool oci_guest_load(oci_guest *g, const oci_spec *spec,
                    const oci_process *process, const oci_log *log, char *err,
                    size_t errlen) {
  memset(g, 0, sizeof *g);
  g->engine = wasmaot_engine_new();
  if (!g->engine) {
    snprintf(err, errlen, "out of memory");
    return false;
  }
  if (spec->memory_limit > 0)
    wasmaot_engine_set_memory_limit(g->engine, (uint64_t)spec->memory_limit);
  g->module = oci_module_load(g->engine, spec->root_path, process->cwd,
                              process->args[0], log, &g->source, err, errlen);
  return g->module != NULL;
}

/* The preopens: the rootfs as "/", then each bind mount of a directory
 * at its destination. Other mounts (proc, sysfs, tmpfs, devpts, files
 * bound over /etc/hosts ...) have no WASI meaning and are skipped. */
static size_t make_preopens(const oci_spec *spec, wasi_preopen_dir *dirs) {
  size_t n = 0;
  dirs[n++] = (wasi_preopen_dir){.host_path = spec->root_path,
                                 .guest_path = "/",
                                 .read_only = spec->root_read_only};
  for (size_t i = 0; i < spec->mount_count; i++) {
    const oci_mount *m = &spec->mounts[i];
    struct stat st;
    if (!m->bind || stat(m->source, &st) != 0 || !S_ISDIR(st.st_mode))
      continue;
    dirs[n++] = (wasi_preopen_dir){.host_path = m->source,
                                   .guest_path = m->destination,
                                   .read_only = m->read_only};
  }
  return n;
}

/* Splits "a,b,c" into a NULL-terminated list (strings in `copy`). */
static size_t split_listen(char *copy, const char **out, size_t max) {
  size_t n = 0;
  char *save = NULL;
  for (char *tok = strtok_r(copy, ", ", &save); tok && n < max;
       tok = strtok_r(NULL, ", ", &save))
    out[n++] = tok;
  return n;
}

const char *oci_guest_tcp_listen(const oci_spec *spec,
                                 const oci_process *process) {
  const char *list = oci_process_getenv(process, OCI_TCPLISTEN_ENV);
  if (!list)
    list = oci_spec_annotation(spec, OCI_TCPLISTEN_ANNOTATION);
  return list && list[strspn(list, ", ")] ? list : NULL;
}

bool oci_guest_prepare(oci_guest *g, const oci_spec *spec,
                       const oci_process *process, char *err, size_t errlen) {
  wasi_preopen_dir *dirs = calloc(spec->mount_count + 1, sizeof *dirs);
  const char **env = calloc(process->env_count + 2, sizeof *env);
  const char *listen_spec = oci_guest_tcp_listen(spec, process);
  char *listen_copy = strdup(listen_spec ? listen_spec : "");
  const char *listen[16];
  char *pwd = NULL;
  bool ok = dirs && env && listen_copy;
  if (ok) {
    size_t env_count = process->env_count;
    memcpy(env, process->env, env_count * sizeof *env);
    /* WASI preview1 has no working directory; a program that wants
     * process.cwd finds it where a shell leaves it. */
    if (strcmp(process->cwd, "/") && !oci_process_getenv(process, "PWD") &&
        asprintf(&pwd, "PWD=%s", process->cwd) > 0)
      env[env_count++] = pwd;
    wasi_config config = {
        .args = process->args,
        .arg_count = process->arg_count,
        .env = env,
        .env_count = env_count,
        .dirs = dirs,
        .dir_count = make_preopens(spec, dirs),
        .tcp_listen = listen,
        .tcp_listen_count = split_listen(listen_copy, listen, 16),
    };
    g->wasi = wasi_ctx_new(g->engine, &config, err, errlen);
    ok = g->wasi != NULL;
  } else {
    snprintf(err, errlen, "out of memory");
  }
  free(pwd);
  free(listen_copy);
  free(env);
  free(dirs);
  return ok;
}

/* wasi-threads: proc_exit or a trap in a spawned thread ends the
 * container's process (wasi_threads.c), whatever the other threads do. */
static void end_process(void *arg, int status) {
  (void)arg;
  fflush(NULL);
  _exit(status);
}

int oci_guest_run(oci_guest *g) {
  char err[512];
  wasmaot_trap trap;
  if (!wasi_ctx_enable_threads(g->wasi, g->module, end_process, NULL)) {
    fprintf(stderr, "wasmaot: out of memory\n");
    return 1;
  }
  wasmaot_instance *inst = wasmaot_instantiate(
      g->module, wasi_ctx_resolve_threads, g->wasi, &trap, err, sizeof err);
  if (!inst) {
    if (trap.kind != WASMAOT_TRAP_NONE)
      return wasi_ctx_command_status(g->wasi, &trap);
    fprintf(stderr, "wasmaot: %s\n", err);
    return 1;
  }
  wasi_ctx_bind_instance(g->wasi, inst, err, sizeof err);
  wasmaot_extern ext;
  int status = 0;
  if (!wasmaot_instance_export(inst, "_start", 6, &ext) ||
      ext.kind != WASMAOT_EXTERN_FUNC) {
    fprintf(stderr, "wasmaot: the module exports no '_start' (not a WASI "
                    "command)\n");
    status = 1;
  } else if (!wasmaot_call(ext.of.func, NULL, 0, NULL, 0, &trap)) {
    status = wasi_ctx_command_status(g->wasi, &trap);
  }
  /* Spawned threads may still run in the instance's memory. */
  if (wasi_ctx_threads_spawned(g->wasi))
    end_process(NULL, status);
  wasmaot_instance_free(inst);
  return status;
}

void oci_guest_free(oci_guest *g) {
  wasi_ctx_free(g->wasi);
  wasmaot_module_free(g->module);
  wasmaot_engine_free(g->engine);
  memset(g, 0, sizeof *g);
}
