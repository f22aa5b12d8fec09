#include "shim_events.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void shim_events_init(shim_events *ev, const char *address, const char *ns,
                      const oci_log *log) {
  pthread_mutex_init(&ev->lock, NULL);
  ev->client = (ttrpc_client){.fd = -1};
  ev->address = address;
  ev->ns = ns;
  ev->log = log;
}

/* containerd.services.events.ttrpc.v1.ForwardRequest { Envelope {
 * timestamp, namespace, topic, Any event } }; the type URL is the
 * message's full name, as containerd registers its event types. */
static void encode_forward(pb_buf *out, const char *ns, const char *topic,
                           const char *name, const pb_buf *event) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  char type_url[128];
  snprintf(type_url, sizeof type_url, "containerd.events.%s", name);
  pb_buf any = {0}, envelope = {0};
  pb_put_str(&any, 1, type_url);
  pb_put_bytes(&any, 2, event->data, event->len);
  pb_put_timestamp(&envelope, 1, (int64_t)now.tv_sec, (int32_t)now.tv_nsec);
  pb_put_str(&envelope, 2, ns);
  pb_put_str(&envelope, 3, topic);
  pb_put_msg(&envelope, 4, &any);
  pb_put_msg(out, 1, &envelope);
  pb_buf_free(&any);
  pb_buf_free(&envelope);
}

void shim_publish(shim_events *ev, const char *topic, const char *name,
                  const pb_buf *event) {
  if (!ev->address || !*ev->address)
    return;
  pb_buf req = {0};
  encode_forward(&req, ev->ns, topic, name, event);
  char err[512];
  pthread_mutex_lock(&ev->lock);
  int rc = -1;
  /* Connected on first use; once more if containerd closed it. */
  for (int attempt = 0; attempt < 2 && rc != 0; attempt++) {
    if (ev->client.fd < 0 &&
        ttrpc_client_connect(&ev->client, ev->address) != 0) {
      snprintf(err, sizeof err, "cannot connect to %s: %s", ev->address,
               strerror(errno));
      break;
    }
    rc = ttrpc_client_call(&ev->client,
                           "containerd.services.events.ttrpc.v1."
                           "Events",
                           "Forward", &req, "containerd-namespace-ttrpc",
                           ev->ns, err, sizeof err);
    if (rc != 0 && !strncmp(err, "status", 6))
      break; /* containerd answered: sending again would not help */
    if (rc != 0)
      ttrpc_client_close(&ev->client);
  }
  pthread_mutex_unlock(&ev->lock);
  if (rc != 0)
    oci_warn(ev->log, "event %s not published: %s", topic, err);
  pb_buf_free(&req);
}

void shim_events_close(shim_events *ev) {
  ttrpc_client_close(&ev->client);
  pthread_mutex_destroy(&ev->lock);
}
