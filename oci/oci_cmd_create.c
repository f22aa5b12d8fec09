/* `create` and `run`. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"
#include "oci_cgroup.h"
#include "oci_guest.h"
#include "oci_launch.h"
#include "oci_spec.h"
#include "oci_state.h"

typedef struct create_opts {
  const char *bundle, *pid_file, *console_socket, *preserve_fds, *detach;
  const char *id;
} create_opts;

static int parse_create(const oci_globals *g, int argc, char **argv,
                        create_opts *o) {
  const char *ignored = NULL;
  const oci_opt opts[] = {
      {"bundle", true, &o->bundle},
      {"b", true, &o->bundle},
      {"pid-file", true, &o->pid_file},
      {"console-socket", true, &o->console_socket},
      {"preserve-fds", true, &o->preserve_fds},
      {"detach", false, &o->detach},
      {"d", false, &o->detach},
      {"no-pivot", false, &ignored},
      {"no-new-keyring", false, &ignored},
      {"no-subreaper", false, &ignored},
      {"keep", false, &ignored},
      {NULL, false, NULL},
  };
  int i = oci_parse_opts(g, argc, argv, opts);
  if (i < 0)
    return -1;
  if (i != argc - 1) {
    oci_fail(&g->log, "%s: expected one container id", argv[0]);
    return -1;
  }
  o->id = argv[i];
  if (!o->bundle)
    o->bundle = ".";
  if (!oci_id_valid(o->id)) {
    oci_fail(&g->log, "invalid container id \"%s\"", o->id);
    return -1;
  }
  return 0;
}

static const char *source_name(oci_artifact_source s) {
  switch (s) {
  case OCI_ARTIFACT_GIVEN:
    return "artifact";
  case OCI_ARTIFACT_PRECOMPILED:
    return "precompiled";
  case OCI_ARTIFACT_COMPILED:
    break;
  }
  return "compiled";
}

/* Creates the container: its init process is forked, ready, and blocked
 * until `start`. 0 and *init set, or 1 after logging why. */
static int create_container(const oci_globals *g, const create_opts *o,
                            pid_t *init) {
  struct timespec created;
  clock_gettime(CLOCK_REALTIME, &created);
  char err[2048];
  oci_spec spec;
  if (!oci_spec_load(o->bundle, &spec, err, sizeof err)) {
    oci_spec_free(&spec);
    return oci_fail(&g->log, "%s", err);
  }
  oci_guest guest;
  if (!oci_guest_load(&guest, &spec, &spec.process, &g->log, err, sizeof err)) {
    oci_guest_free(&guest);
    oci_spec_free(&spec);
    return oci_fail(&g->log, "%s", err);
  }
  if (!oci_state_create_dir(g->root, o->id, err, sizeof err)) {
    oci_guest_free(&guest);
    oci_spec_free(&spec);
    return oci_fail(&g->log, "%s", err);
  }
  oci_state st = {.dir = oci_state_dir(g->root, o->id),
                  .id = (char *)o->id,
                  .bundle = spec.bundle,
                  .rootfs = spec.root_path,
                  .created_sec = (long long)created.tv_sec,
                  .created_nsec = created.tv_nsec};
  char fifo[4200];
  snprintf(fifo, sizeof fifo, "%s/exec.fifo", st.dir ? st.dir : "");
  oci_cgroup cg;
  oci_cgroup_setup(spec.cgroups_path, spec.memory_limit, spec.pids_limit,
                   &g->log, &cg);
  oci_launch launch = {
      .spec = &spec,
      .process = &spec.process,
      .guest = &guest,
      .cgroup = &cg,
      .exec_fifo = fifo,
      .console_socket = o->console_socket,
      .preserve_fds = o->preserve_fds ? atoi(o->preserve_fds) : 0,
      .log = &g->log,
  };
  pid_t pid = oci_launch_process(&launch, err, sizeof err);
  int status = 0;
  if (pid < 0) {
    status = oci_fail(&g->log, "%s", err);
  } else {
    st.pid = pid;
    st.cgroups = cg.dirs;
    st.cgroup_count = cg.count;
    if (!oci_pid_start_time(pid, &st.start_time) ||
        !oci_state_save(&st, err, sizeof err))
      status = oci_fail(&g->log, "%s", err[0] ? err : "init process lost");
    else if (o->pid_file && !oci_write_pid_file(o->pid_file, pid))
      status = oci_fail(&g->log, "cannot write the pid file %s: %s",
                        o->pid_file, strerror(errno));
    if (status)
      kill(pid, SIGKILL);
    else
      oci_log_write(&g->log, "info", "created %s: pid %d, %s module %s", o->id,
                    (int)pid, source_name(guest.source), spec.process.args[0]);
  }
  if (status) {
    oci_cgroup_remove(cg.dirs, cg.count);
    oci_state_remove_dir(st.dir);
  }
  *init = pid;
  oci_cgroup_free(&cg);
  free(st.dir);
  oci_guest_free(&guest);
  oci_spec_free(&spec);
  return status;
}

int oci_cmd_create(const oci_globals *g, int argc, char **argv) {
  create_opts o = {0};
  if (parse_create(g, argc, argv, &o) < 0)
    return 1;
  pid_t init;
  return create_container(g, &o, &init);
}

/* Start of `run`: what `start` does, with the init as our own child. */
static bool release_init(const oci_globals *g, const char *id) {
  char *argv[] = {"start", (char *)id, NULL};
  return oci_cmd_start(g, 2, argv) == 0;
}

int oci_cmd_run(const oci_globals *g, int argc, char **argv) {
  create_opts o = {0};
  if (parse_create(g, argc, argv, &o) < 0)
    return 1;
  pid_t init;
  if (create_container(g, &o, &init) != 0)
    return 1;
  if (!release_init(g, o.id))
    return 1;
  if (o.detach)
    return 0;
  /* Foreground: the container's status is ours, and it is gone after. */
  int status = oci_wait_status(init);
  char *del[] = {"delete", "--force", (char *)o.id, NULL};
  oci_cmd_delete(g, 3, del);
  return status;
}
