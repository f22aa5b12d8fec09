/* Task events for containerd (/tasks/create, /tasks/start, /tasks/exit,
 * /tasks/delete): forwarded over ttrpc to containerd's events service at
 * TTRPC_ADDRESS, which is how Docker and other clients that watch events
 * rather than call Wait learn that a task ended. */
#ifndef WASMAOT_SHIM_EVENTS_H
#define WASMAOT_SHIM_EVENTS_H

#include <pthread.h>

#include "oci_log.h"
#include "shim_proto.h"
#include "shim_ttrpc.h"

typedef struct shim_events {
  pthread_mutex_t lock; /* one event at a time on the connection */
  ttrpc_client client;
  const char *address; /* containerd's ttrpc socket */
  const char *ns;      /* the namespace every event carries */
  const oci_log *log;
} shim_events;

void shim_events_init(shim_events *ev, const char *address, const char *ns,
                      const oci_log *log);

/* Sends `event`, an encoded containerd.events.NAME message, under
 * `topic`. A failure is logged: the task goes on. */
void shim_publish(shim_events *ev, const char *topic, const char *name,
                  const pb_buf *event);

void shim_events_close(shim_events *ev);

#endif
