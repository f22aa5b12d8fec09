/* What the init and exec'd processes of a shim's task share: opening
 * their stdio FIFOs, waiting for them to end, and the /tasks/exit event.
 * Internal to the shim (shim_task.c, shim_exec.c). */
#ifndef WASMAOT_SHIM_PROC_H
#define WASMAOT_SHIM_PROC_H

#include <stdbool.h>
#include <stddef.h>

#include "shim_task.h"

/* Opens the process's stdio FIFOs as the guest's fds 0-2 (an empty path
 * is /dev/null). Output FIFOs are opened read-write, which never blocks
 * and never fails for want of a reader (`ctr run -d` leaves none); the
 * guest holds them directly, so no copying thread sits between it and
 * the client. False with the reason. */
bool shim_open_stdio(const shim_proc *p, int fds[3], char *err, size_t errlen);

/* Starts a thread that waits for `p` to end, records its status and
 * time, wakes Wait (s->changed) and publishes /tasks/exit. It does not
 * reap the process before taking the lock, so that while the lock is
 * held a pid that has not been marked stopped is still the process's. */
bool shim_watch_proc(shim_service *s, shim_proc *p);

/* A process record from the request's stdio paths (NULL: out of memory). */
shim_proc *shim_proc_new(const char *exec_id, const char *in, const char *out,
                         const char *err);
void shim_proc_clear(shim_proc *p);

/* Encodes a google.protobuf.Timestamp field from a timespec. */
void shim_put_time(pb_buf *b, int field, const struct timespec *t);

#endif
