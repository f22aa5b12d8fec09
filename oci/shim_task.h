/* The containerd.task.v2.Task service of containerd-shim-wasmaot-v1:
 * one container per shim process (containerd starts a shim per task),
 * its init process a child of the shim running the guest, so a guest
 * that crashes ends only its own container. The launch itself (spec,
 * module, cgroup, WASI context, exec FIFO) is wasmaot-oci's, shared. */
#ifndef WASMAOT_SHIM_TASK_H
#define WASMAOT_SHIM_TASK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci_cgroup.h"
#include "oci_log.h"
#include "shim_events.h"
#include "shim_ttrpc.h"

/* containerd.v1.types.Status */
typedef enum shim_status {
  SHIM_UNKNOWN = 0,
  SHIM_CREATED = 1,
  SHIM_RUNNING = 2,
  SHIM_STOPPED = 3,
} shim_status;

/* A process of the task: the init (exec_id "") or an exec'd one. */
typedef struct shim_proc {
  char *exec_id;
  char *stdin_path, *stdout_path, *stderr_path;
  pid_t pid;
  shim_status status;
  int exit_status;
  struct timespec exited_at;
  /* exec: the runtime-spec process object (JSON) until Start */
  char *process_json;
  size_t process_len;
} shim_proc;

typedef struct shim_task {
  char *id, *bundle, *rootfs;
  char start_fifo[4200]; /* the init blocks on it until Start */
  bool rootfs_mounted;
  oci_cgroup cgroup;
  uint64_t init_start_time; /* execs follow the init (oci_launch) */
  shim_proc init;
  shim_proc **execs; /* each allocated: waiters keep pointers */
  size_t exec_count;
  bool deleted;
} shim_task;

typedef struct shim_service {
  pthread_mutex_t lock;
  pthread_cond_t changed; /* the task stopped */
  bool has_task;
  shim_task task;
  shim_events *events;
  const oci_log *log;
  const char *socket_path; /* removed at Shutdown */
} shim_service;

void shim_service_init(shim_service *s, shim_events *events, const oci_log *log,
                       const char *socket_path);

/* The ttrpc handler for containerd.task.v2.Task (ctx: the service). */
void shim_task_handle(void *ctx, const char *service, const char *method,
                      const uint8_t *payload, size_t len, pb_buf *out,
                      ttrpc_result *res);

/* The bundle file holding the init's pid, for `delete` after a lost shim. */
#define SHIM_PID_FILE "init.pid"

#endif
