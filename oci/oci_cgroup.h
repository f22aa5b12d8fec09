/* Control groups for a container: created under every mounted hierarchy
 * (cgroup v1 controllers, the v2 unified tree, or both) at the bundle's
 * linux.cgroupsPath, with the memory and pids limits written where the
 * controller is there. What the kernel refuses (a read-only cgroupfs, a
 * controller delegated elsewhere) becomes a warning: the container still
 * runs, and the engine's own memory limit still holds. */
#ifndef WASMAOT_OCI_CGROUP_H
#define WASMAOT_OCI_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci_log.h"

typedef struct oci_cgroup {
  char **dirs; /* absolute directories, one per hierarchy */
  size_t count;
} oci_cgroup;

/* Creates the directories and writes the limits (-1: none). `path` is
 * the spec's cgroupsPath: absolute (from each hierarchy's root), relative
 * (from this process's own cgroup), or systemd's "slice:prefix:name"
 * (mapped to the path systemd would use; systemd itself is not asked). */
void oci_cgroup_setup(const char *path, int64_t memory_limit,
                      int64_t pids_limit, const oci_log *log, oci_cgroup *out);

/* systemd's "slice:prefix:name" as the cgroup path systemd would give
 * it: "a-b.slice" nests in "a.slice", the unit is "prefix-name.scope",
 * "-.slice" is the root. */
void oci_cgroup_systemd_path(const char *spec, char *buf, size_t size);

/* Moves the calling process into every directory. On a failure writes a
 * reason per directory into `warn` (one line each) and goes on. */
void oci_cgroup_join_self(const oci_cgroup *cg, char *warn, size_t warnlen);

/* The pids in the first directory's cgroup.procs (malloc'ed; 0 if none
 * can be read). */
size_t oci_cgroup_pids(char *const *dirs, size_t count, pid_t **out);

/* Removes the directories (deepest first); they must be empty. */
void oci_cgroup_remove(char *const *dirs, size_t count);

void oci_cgroup_free(oci_cgroup *cg);

#endif
