#include "shim_ttrpc.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define FRAME_HEADER 10
#define FRAME_REQUEST 1
#define FRAME_RESPONSE 2
/* ttrpc's own limit on a message. */
#define FRAME_MAX (4u << 20)

static bool read_full(int fd, void *buf, size_t n) {
  uint8_t *p = buf;
  while (n) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    p += r;
    n -= (size_t)r;
  }
  return true;
}

static bool write_full(int fd, const void *buf, size_t n) {
  const uint8_t *p = buf;
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    p += w;
    n -= (size_t)w;
  }
  return true;
}

static void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static bool write_frame(int fd, uint32_t stream, uint8_t type,
                        const pb_buf *msg) {
  uint8_t header[FRAME_HEADER];
  put_be32(header, (uint32_t)msg->len);
  put_be32(header + 4, stream);
  header[8] = type;
  header[9] = 0;
  return write_full(fd, header, sizeof header) &&
         write_full(fd, msg->data, msg->len);
}

/* Reads one frame; its payload is malloc'ed into *data. */
static bool read_frame(int fd, uint32_t *stream, uint8_t *type, uint8_t **data,
                       size_t *len) {
  uint8_t header[FRAME_HEADER];
  if (!read_full(fd, header, sizeof header))
    return false;
  *len = get_be32(header);
  *stream = get_be32(header + 4);
  *type = header[8];
  if (*len > FRAME_MAX)
    return false;
  *data = malloc(*len ? *len : 1);
  if (!*data || !read_full(fd, *data, *len)) {
    free(*data);
    return false;
  }
  return true;
}

/* ---- Server ---------------------------------------------------------------
 */

/* What the connections of one ttrpc_serve share. */
typedef struct server {
  ttrpc_handler handler;
  void *ctx;
  pthread_mutex_t lock;
  pthread_cond_t idle; /* in_flight went down */
  int in_flight;       /* requests read and not yet answered */
} server;

typedef struct connection {
  int fd;
  pthread_mutex_t write_lock; /* one frame at a time */
  pthread_mutex_t ref_lock;
  int refs; /* the reader plus requests in flight */
  server *srv;
} connection;

/* An `after` hook (Shutdown: the process exits) must not cut off the
 * responses other threads are about to write, such as a Wait that the
 * same Delete released: it waits until no other request is in flight,
 * or at most this long for requests that block for good. */
#define DRAIN_MS 2000

static void request_done(server *srv) {
  pthread_mutex_lock(&srv->lock);
  srv->in_flight--;
  pthread_cond_broadcast(&srv->idle);
  pthread_mutex_unlock(&srv->lock);
}

static void drain(server *srv) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += DRAIN_MS / 1000;
  until.tv_nsec += (long)(DRAIN_MS % 1000) * 1000000;
  if (until.tv_nsec >= 1000000000) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000;
  }
  pthread_mutex_lock(&srv->lock);
  while (srv->in_flight > 0)
    if (pthread_cond_timedwait(&srv->idle, &srv->lock, &until) != 0)
      break;
  pthread_mutex_unlock(&srv->lock);
}

static void connection_put(connection *c) {
  pthread_mutex_lock(&c->ref_lock);
  int left = --c->refs;
  pthread_mutex_unlock(&c->ref_lock);
  if (left)
    return;
  close(c->fd);
  pthread_mutex_destroy(&c->write_lock);
  pthread_mutex_destroy(&c->ref_lock);
  free(c);
}

typedef struct request {
  connection *conn;
  uint32_t stream;
  uint8_t *data;
  size_t len;
} request;

static void respond(request *rq, const ttrpc_result *res, const pb_buf *out) {
  pb_buf status = {0}, resp = {0};
  if (res->code != TTRPC_OK) {
    pb_put_uint(&status, 1, (uint64_t)res->code);
    pb_put_str(&status, 2, res->message);
    pb_put_msg(&resp, 1, &status);
  } else {
    pb_put_bytes(&resp, 2, out->data, out->len);
  }
  pthread_mutex_lock(&rq->conn->write_lock);
  write_frame(rq->conn->fd, rq->stream, FRAME_RESPONSE, &resp);
  pthread_mutex_unlock(&rq->conn->write_lock);
  pb_buf_free(&status);
  pb_buf_free(&resp);
}

static void *serve_request(void *arg) {
  request *rq = arg;
  char *service = NULL, *method = NULL;
  const uint8_t *payload = NULL;
  size_t payload_len = 0;
  pb_reader r = pb_reader_of(rq->data, rq->len);
  pb_field f;
  int more;
  while ((more = pb_next(&r, &f)) > 0) {
    if (f.wire != 2)
      continue;
    if (f.number == 1 && !service)
      service = pb_strdup(&f);
    else if (f.number == 2 && !method)
      method = pb_strdup(&f);
    else if (f.number == 3) {
      payload = f.ptr;
      payload_len = f.len;
    }
  }
  ttrpc_result res = {.code = TTRPC_OK};
  pb_buf out = {0};
  if (more < 0 || !service || !method) {
    res.code = TTRPC_INVALID_ARGUMENT;
    snprintf(res.message, sizeof res.message, "malformed ttrpc request");
  } else {
    rq->conn->srv->handler(rq->conn->srv->ctx, service, method, payload,
                           payload_len, &out, &res);
  }
  if (out.failed && res.code == TTRPC_OK) {
    res.code = TTRPC_INTERNAL;
    snprintf(res.message, sizeof res.message, "out of memory");
  }
  respond(rq, &res, &out);
  server *srv = rq->conn->srv;
  request_done(srv);
  if (res.after) {
    drain(srv);
    res.after(srv->ctx);
  }
  pb_buf_free(&out);
  free(service);
  free(method);
  free(rq->data);
  connection_put(rq->conn);
  free(rq);
  return NULL;
}

static bool start_detached(void *(*fn)(void *), void *arg) {
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  int rc = pthread_create(&t, &attr, fn, arg);
  pthread_attr_destroy(&attr);
  return rc == 0;
}

static void *read_requests(void *arg) {
  connection *c = arg;
  uint32_t stream;
  uint8_t type;
  uint8_t *data;
  size_t len;
  while (read_frame(c->fd, &stream, &type, &data, &len)) {
    if (type != FRAME_REQUEST) {
      free(data);
      continue;
    }
    request *rq = malloc(sizeof *rq);
    if (!rq) {
      free(data);
      break;
    }
    *rq = (request){.conn = c, .stream = stream, .data = data, .len = len};
    pthread_mutex_lock(&c->ref_lock);
    c->refs++;
    pthread_mutex_unlock(&c->ref_lock);
    pthread_mutex_lock(&c->srv->lock);
    c->srv->in_flight++;
    pthread_mutex_unlock(&c->srv->lock);
    if (!start_detached(serve_request, rq)) {
      /* No thread: answer on this one rather than drop the request. */
      serve_request(rq);
    }
  }
  shutdown(c->fd, SHUT_RDWR);
  connection_put(c);
  return NULL;
}

int ttrpc_serve(int listen_fd, ttrpc_handler handler, void *ctx) {
  /* On this stack for as long as connections may use it: the loop ends
   * only when accept fails, and then the process exits. */
  server srv = {.handler = handler, .ctx = ctx};
  pthread_mutex_init(&srv.lock, NULL);
  pthread_cond_init(&srv.idle, NULL);
  for (;;) {
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      return -1; /* the caller exits: connections may still use srv */
    }
    connection *c = calloc(1, sizeof *c);
    if (!c) {
      close(fd);
      continue;
    }
    c->fd = fd;
    c->refs = 1;
    c->srv = &srv;
    pthread_mutex_init(&c->write_lock, NULL);
    pthread_mutex_init(&c->ref_lock, NULL);
    if (!start_detached(read_requests, c))
      connection_put(c);
  }
}

/* ---- Client ---------------------------------------------------------------
 */

int ttrpc_client_connect(ttrpc_client *c, const char *address) {
  if (!strncmp(address, "unix://", 7))
    address += 7;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  c->fd = -1;
  c->next_stream = 1;
  if (strlen(address) >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(addr.sun_path, address);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  c->fd = fd;
  return 0;
}

/* The status in a ttrpc.Response: 0 for OK, or the code with its message. */
static int response_status(const uint8_t *data, size_t len, char *err,
                           size_t errlen) {
  pb_reader r = pb_reader_of(data, len);
  pb_field f;
  while (pb_next(&r, &f) > 0) {
    if (f.number != 1 || f.wire != 2)
      continue;
    pb_reader s = pb_reader_of(f.ptr, f.len);
    pb_field g;
    int code = 0;
    const uint8_t *msg = NULL;
    size_t msg_len = 0;
    while (pb_next(&s, &g) > 0) {
      if (g.number == 1 && g.wire == 0)
        code = (int)g.value;
      else if (g.number == 2 && g.wire == 2) {
        msg = g.ptr;
        msg_len = g.len;
      }
    }
    if (code) {
      snprintf(err, errlen, "status %d: %.*s", code, (int)msg_len,
               msg ? (const char *)msg : "");
      return -1;
    }
  }
  return 0;
}

int ttrpc_client_call(ttrpc_client *c, const char *service, const char *method,
                      const pb_buf *payload, const char *md_key,
                      const char *md_value, char *err, size_t errlen) {
  pb_buf req = {0};
  pb_put_str(&req, 1, service);
  pb_put_str(&req, 2, method);
  pb_put_bytes(&req, 3, payload->data, payload->len);
  if (md_key) {
    pb_buf kv = {0};
    pb_put_str(&kv, 1, md_key);
    pb_put_str(&kv, 2, md_value);
    pb_put_msg(&req, 5, &kv);
    pb_buf_free(&kv);
  }
  uint32_t stream = c->next_stream;
  c->next_stream += 2;
  bool sent = !req.failed && write_frame(c->fd, stream, FRAME_REQUEST, &req);
  pb_buf_free(&req);
  if (!sent) {
    snprintf(err, errlen, "cannot send: %s", strerror(errno));
    return -1;
  }
  for (;;) {
    uint32_t got;
    uint8_t type;
    uint8_t *data;
    size_t len;
    if (!read_frame(c->fd, &got, &type, &data, &len)) {
      snprintf(err, errlen, "connection closed");
      return -1;
    }
    if (got != stream || type != FRAME_RESPONSE) {
      free(data);
      continue;
    }
    int rc = response_status(data, len, err, errlen);
    free(data);
    return rc;
  }
}

void ttrpc_client_close(ttrpc_client *c) {
  if (c->fd >= 0)
    close(c->fd);
  c->fd = -1;
}
