/* `exec`: another Wasm process in a running container: the same rootfs,
 * mounts, cgroup, network namespace and memory limit; its own module,
 * args and env (from --process FILE, a runtime-spec process object, or
 * the container's process with ARGS after the id). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "oci_cgroup.h"
#include "oci_guest.h"
#include "oci_launch.h"
#include "oci_spec.h"
#include "oci_state.h"

typedef struct exec_opts {
  const char *process_file, *detach, *pid_file, *console_socket, *preserve_fds,
      *tty;
} exec_opts;

/* The process to run: --process FILE, or the container's own with its
 * args replaced. `doc` keeps the file's strings alive. */
static bool exec_process(const oci_globals *g, const exec_opts *o,
                         const oci_spec *spec, int argc, char **argv,
                         oci_process *p, json_document **doc) {
  char err[1024];
  *doc = NULL;
  if (!o->process_file) {
    if (argc == 0) {
      oci_fail(&g->log, "exec: give --process FILE or the arguments");
      return false;
    }
    *p = spec->process;
    p->args = (const char **)argv;
    p->arg_count = (size_t)argc;
    p->terminal = o->tty != NULL;
    return true;
  }
  size_t len;
  char *text = oci_read_file(o->process_file, &len);
  if (!text) {
    oci_fail(&g->log, "%s: %s", o->process_file, strerror(errno));
    return false;
  }
  json_error jerr;
  *doc = json_parse(text, len, &jerr);
  free(text);
  if (!*doc) {
    oci_fail(&g->log, "%s:%zu: %s", o->process_file, jerr.line, jerr.message);
    return false;
  }
  if (!oci_process_parse(json_document_root(*doc), p, err, sizeof err)) {
    oci_process_free(p);
    oci_fail(&g->log, "%s: %s", o->process_file, err);
    return false;
  }
  return true;
}

int oci_cmd_exec(const oci_globals *g, int argc, char **argv) {
  exec_opts o = {0};
  const char *ignored;
  const oci_opt opts[] = {
      {"process", true, &o.process_file},
      {"p", true, &o.process_file},
      {"detach", false, &o.detach},
      {"d", false, &o.detach},
      {"pid-file", true, &o.pid_file},
      {"console-socket", true, &o.console_socket},
      {"preserve-fds", true, &o.preserve_fds},
      {"tty", false, &o.tty},
      {"t", false, &o.tty},
      {"cwd", true, &ignored},
      {"env", true, &ignored},
      {"e", true, &ignored},
      {"user", true, &ignored},
      {"u", true, &ignored},
      {"no-new-privs", false, &ignored},
      {NULL, false, NULL},
  };
  int i = oci_parse_opts(g, argc, argv, opts);
  if (i < 0)
    return 1;
  if (i >= argc)
    return oci_fail(&g->log, "exec: expected a container id");
  char err[2048];
  oci_state st;
  int r = oci_state_load(g->root, argv[i], &st, err, sizeof err);
  if (r <= 0)
    return r == 0 ? oci_fail(&g->log, "container %s does not exist", argv[i])
                  : oci_fail(&g->log, "%s", err);
  if (oci_state_status(&st) != OCI_STATUS_RUNNING) {
    oci_state_free(&st);
    return oci_fail(&g->log, "cannot exec in a container that is not "
                             "running");
  }
  oci_spec spec;
  oci_process proc = {0};
  json_document *doc = NULL;
  oci_guest guest = {0};
  int status = 1;
  bool own_process = o.process_file != NULL;
  if (!oci_spec_load(st.bundle, &spec, err, sizeof err)) {
    oci_fail(&g->log, "%s", err);
  } else if (exec_process(g, &o, &spec, argc - i - 1, argv + i + 1, &proc,
                          &doc)) {
    if (!oci_guest_load(&guest, &spec, &proc, &g->log, err, sizeof err)) {
      oci_fail(&g->log, "%s", err);
    } else {
      oci_cgroup cg = {.dirs = st.cgroups, .count = st.cgroup_count};
      oci_launch launch = {
          .spec = &spec,
          .process = &proc,
          .guest = &guest,
          .cgroup = &cg,
          .console_socket = o.console_socket,
          .netns_of = st.pid,
          .init_pid = st.pid,
          .init_start_time = st.start_time,
          .preserve_fds = o.preserve_fds ? atoi(o.preserve_fds) : 0,
          .log = &g->log,
      };
      pid_t pid = oci_launch_process(&launch, err, sizeof err);
      if (pid < 0) {
        oci_fail(&g->log, "%s", err);
      } else {
        oci_state_add_exec(&st, pid);
        status = 0;
        if (o.pid_file && !oci_write_pid_file(o.pid_file, pid))
          status = oci_fail(&g->log, "cannot write the pid file %s: %s",
                            o.pid_file, strerror(errno));
        if (!o.detach)
          status = oci_wait_status(pid);
      }
    }
  }
  oci_guest_free(&guest);
  if (own_process)
    oci_process_free(&proc);
  json_document_free(doc);
  oci_spec_free(&spec);
  oci_state_free(&st);
  return status;
}
