/* What wasmaot-oci remembers about a container between commands, in
 * ROOT/ID/ (ROOT is --root, default /run/wasmaot-oci):
 *   state.json  id, init pid and its start time, bundle, rootfs, creation
 *               time, cgroup directories
 *   exec.fifo   present while the container is "created": its init
 *               process blocks opening it for writing until `start` opens
 *               it for reading
 *   execs       "PID START_TIME" per process added with `exec`
 * A pid counts as the container's only while its start time (field 22 of
 * /proc/PID/stat) matches, so a reused pid is never signalled. */
#ifndef WASMAOT_OCI_STATE_H
#define WASMAOT_OCI_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define OCI_DEFAULT_ROOT "/run/wasmaot-oci"

typedef enum oci_status {
  OCI_STATUS_CREATED,
  OCI_STATUS_RUNNING,
  OCI_STATUS_STOPPED,
} oci_status;

typedef struct oci_state {
  char *dir; /* ROOT/ID */
  char *id;
  pid_t pid;
  uint64_t start_time;
  char *bundle;
  char *rootfs;
  long long created_sec;
  long created_nsec;
  char **cgroups;
  size_t cgroup_count;
} oci_state;

/* runc's rule for ids: letters, digits, '_', '+', '-', '.'; not "." or
 * "..". Keeps ROOT/ID inside ROOT. */
bool oci_id_valid(const char *id);

/* malloc'ed "ROOT/ID". */
char *oci_state_dir(const char *root, const char *id);

/* Creates ROOT (if needed) and ROOT/ID with exec.fifo. False with the
 * reason ("container ID already exists", ...). */
bool oci_state_create_dir(const char *root, const char *id, char *err,
                          size_t errlen);

/* Writes state.json (via a temporary file and rename). */
bool oci_state_save(const oci_state *st, char *err, size_t errlen);

/* 1 loaded; 0 no such container; -1 error (reason in err). */
int oci_state_load(const char *root, const char *id, oci_state *st, char *err,
                   size_t errlen);
void oci_state_free(oci_state *st);

/* Removes ROOT/ID and everything in it. */
void oci_state_remove_dir(const char *dir);

/* Whether `pid` is alive (not a zombie) and started at `start_time`. */
bool oci_pid_alive(pid_t pid, uint64_t start_time);
/* Field 22 of /proc/PID/stat. */
bool oci_pid_start_time(pid_t pid, uint64_t *start_time);

oci_status oci_state_status(const oci_state *st);
const char *oci_status_name(oci_status s);

/* Records a process started by `exec`. */
bool oci_state_add_exec(const oci_state *st, pid_t pid);

/* The container's live processes: its cgroup's when it has one, else the
 * init process and the live exec'd ones. malloc'ed. */
size_t oci_state_pids(const oci_state *st, pid_t **out);

/* Writes the pid to `path` the way runc does (temporary file + rename). */
bool oci_write_pid_file(const char *path, pid_t pid);

#endif
