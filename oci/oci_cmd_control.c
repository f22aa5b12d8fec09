/* `start`, `kill`, `delete`: changing a container's state. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"
#include "oci_cgroup.h"
#include "oci_state.h"

/* The id is the only positional argument (plus `extra` optional ones). */
static int one_id(const oci_globals *g, int argc, char **argv, int i,
                  int extra) {
  if (i < 0)
    return -1;
  if (i >= argc || argc - i > 1 + extra) {
    oci_fail(&g->log, "%s: expected a container id", argv[0]);
    return -1;
  }
  return i;
}

int oci_cmd_start(const oci_globals *g, int argc, char **argv) {
  const oci_opt opts[] = {{NULL, false, NULL}};
  int i = one_id(g, argc, argv, oci_parse_opts(g, argc, argv, opts), 0);
  oci_state st;
  if (i < 0 || !oci_load_container(g, argv[i], &st))
    return 1;
  int status = 0;
  oci_status s = oci_state_status(&st);
  if (s != OCI_STATUS_CREATED) {
    status =
        oci_fail(&g->log,
                 s == OCI_STATUS_RUNNING ? "container %s is already running"
                                         : "cannot start container %s: it has "
                                           "stopped",
                 st.id);
    oci_state_free(&st);
    return status;
  }
  char fifo[4200];
  snprintf(fifo, sizeof fifo, "%s/exec.fifo", st.dir);
  /* Non-blocking, so a dead init cannot hang us; the init's blocked
   * open for writing completes now and it writes one byte. */
  int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    status = oci_fail(&g->log, "cannot start container %s: %s", st.id,
                      strerror(errno));
  } else {
    char byte;
    bool started = false;
    while (!started) {
      struct pollfd p = {.fd = fd, .events = POLLIN};
      int r = poll(&p, 1, 50);
      if (r > 0 && read(fd, &byte, 1) == 1)
        started = true;
      else if (!oci_pid_alive(st.pid, st.start_time))
        break;
    }
    close(fd);
    if (started)
      unlink(fifo);
    else
      status = oci_fail(
          &g->log, "cannot start container %s: its process is gone", st.id);
  }
  oci_state_free(&st);
  return status;
}

int oci_cmd_kill(const oci_globals *g, int argc, char **argv) {
  const char *all = NULL;
  const oci_opt opts[] = {
      {"all", false, &all}, {"a", false, &all}, {NULL, false, NULL}};
  int i = one_id(g, argc, argv, oci_parse_opts(g, argc, argv, opts), 1);
  if (i < 0)
    return 1;
  int sig = i + 1 < argc ? oci_parse_signal(argv[i + 1]) : SIGTERM;
  if (sig < 0)
    return oci_fail(&g->log, "unknown signal \"%s\"", argv[i + 1]);
  oci_state st;
  if (!oci_load_container(g, argv[i], &st))
    return 1;
  int status = 0;
  if (oci_state_status(&st) == OCI_STATUS_STOPPED) {
    /* containerd recognises these words as "already finished". */
    status = oci_fail(&g->log, "container %s not running", st.id);
  } else if (all) {
    pid_t *pids;
    size_t n = oci_state_pids(&st, &pids);
    for (size_t k = 0; k < n; k++)
      kill(pids[k], sig);
    free(pids);
  } else if (kill(st.pid, sig) != 0) {
    status = oci_fail(&g->log, "kill container %s: %s", st.id, strerror(errno));
  }
  oci_state_free(&st);
  return status;
}

/* SIGKILL to every process, then wait (at most ~10 s) for them to go. */
static void kill_all_and_wait(const oci_state *st) {
  for (int tries = 0; tries < 1000; tries++) {
    pid_t *pids;
    size_t n = oci_state_pids(st, &pids);
    for (size_t k = 0; k < n; k++)
      kill(pids[k], SIGKILL);
    free(pids);
    if (n == 0)
      return;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

int oci_cmd_delete(const oci_globals *g, int argc, char **argv) {
  const char *force = NULL;
  const oci_opt opts[] = {
      {"force", false, &force}, {"f", false, &force}, {NULL, false, NULL}};
  int i = one_id(g, argc, argv, oci_parse_opts(g, argc, argv, opts), 0);
  if (i < 0)
    return 1;
  char err[1024];
  oci_state st;
  int r = oci_state_load(g->root, argv[i], &st, err, sizeof err);
  if (r == 0)
    return 0; /* already gone: nothing to do */
  if (r < 0) {
    /* A create that died half-way leaves a directory without state. */
    if (force && oci_id_valid(argv[i])) {
      char *dir = oci_state_dir(g->root, argv[i]);
      oci_state_remove_dir(dir);
      free(dir);
      return 0;
    }
    return oci_fail(&g->log, "%s", err);
  }
  oci_status s = oci_state_status(&st);
  if (s == OCI_STATUS_RUNNING && !force) {
    int status = oci_fail(&g->log,
                          "cannot delete container %s that is not stopped: "
                          "running",
                          st.id);
    oci_state_free(&st);
    return status;
  }
  /* A created container never ran; runc deletes it without --force. */
  if (s != OCI_STATUS_STOPPED)
    kill_all_and_wait(&st);
  oci_cgroup_remove(st.cgroups, st.cgroup_count);
  oci_state_remove_dir(st.dir);
  oci_state_free(&st);
  return 0;
}
