/* Starting a container process: `create` (the init process, held until
 * `start`), `run`, and `exec` (an extra process, started at once).
 *
 * The runtime loads the module before forking, so a compile happens in
 * the runtime's cgroup and the child inherits the mapped code. The child
 * then sets itself up (session, console, cgroup, network namespace,
 * rlimits, the WASI context, user, no_new_privs) and reports over a pipe:
 *   "W text\n"  a warning for the runtime's log
 *   "E text\n"  a failure; the child exits
 *   "R\n"       ready
 * An init process then opens exec.fifo for writing, which blocks until
 * `start` opens it for reading, and runs the guest; its exit status is the
 * guest's, and a signal's default action ends it as it would any
 * process (SIGTERM: 143 to a waiting shell or shim, SIGKILL: 137). */
#ifndef WASMAOT_OCI_LAUNCH_H
#define WASMAOT_OCI_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci_cgroup.h"
#include "oci_guest.h"
#include "oci_log.h"
#include "oci_spec.h"

typedef struct oci_launch {
  const oci_spec *spec;
  const oci_process *process;
  oci_guest *guest;           /* loaded (oci_guest_load) */
  const oci_cgroup *cgroup;   /* to join; may be empty */
  const char *exec_fifo;      /* init: wait for `start`; NULL: run at once */
  const char *console_socket; /* process.terminal: where the pty goes */
  pid_t netns_of;             /* exec: join this process's network ns */
  /* exec: end (SIGKILL) when this process (the init, started at
   * init_start_time) ends, as the kernel ends a PID namespace's processes
   * when its init dies. 0: no watch. */
  pid_t init_pid;
  uint64_t init_start_time;
  int preserve_fds; /* fds 3..3+N-1 stay open */
  /* The child's fds 0, 1, 2 (a shim's stdio FIFOs); NULL: the caller's. */
  const int *stdio;
  /* The guest's end skips the caller's atexit handlers: a child forked
   * from one thread of a multi-threaded shim must not run the shim's
   * (a sanitizer's leak check, for one, cannot see the other threads'
   * stacks there and reports what they hold as leaked). */
  bool skip_atexit;
  const oci_log *log;
} oci_launch;

/* Forks the process and waits until it is ready. Its pid, or -1 with the
 * reason in err (the child is then gone). */
pid_t oci_launch_process(const oci_launch *l, char *err, size_t errlen);

/* Waits for `pid` (a child) and returns its status as a shell reports it:
 * the exit code, or 128 + the signal that ended it. */
int oci_wait_status(pid_t pid);

#endif
