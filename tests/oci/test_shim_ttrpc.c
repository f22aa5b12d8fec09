/* Unit tests of the shim's wire layers without containerd: the protobuf
 * reader and writer (varints, strings, nested messages, malformed
 * input), and the ttrpc server and client over a real unix socket: a
 * payload's round trip, an error status, and a request answered while
 * another blocks on the same connection (containerd's Wait before
 * Start). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "shim_proto.h"
#include "shim_ttrpc.h"

static void test_proto_round_trip(void **state) {
  (void)state;
  pb_buf inner = {0}, b = {0};
  pb_put_str(&inner, 1, "nested");
  pb_put_uint(&b, 1, 300);
  pb_put_str(&b, 2, "hello");
  pb_put_str(&b, 3, ""); /* proto3 default: not written */
  pb_put_msg(&b, 4, &inner);
  pb_put_uint(&b, 5, UINT64_MAX);
  assert_false(b.failed);
  /* 300 as a varint is ac 02. */
  assert_memory_equal(b.data, "\x08\xac\x02", 3);
  pb_reader r = pb_reader_of(b.data, b.len);
  pb_field f;
  assert_int_equal(pb_next(&r, &f), 1);
  assert_int_equal(f.number, 1);
  assert_int_equal(f.value, 300);
  assert_int_equal(pb_next(&r, &f), 1);
  assert_int_equal(f.number, 2);
  char *s = pb_strdup(&f);
  assert_string_equal(s, "hello");
  free(s);
  assert_int_equal(pb_next(&r, &f), 1);
  assert_int_equal(f.number, 4);
  pb_reader n = pb_reader_of(f.ptr, f.len);
  pb_field g;
  assert_int_equal(pb_next(&n, &g), 1);
  assert_int_equal(g.len, 6);
  assert_memory_equal(g.ptr, "nested", 6);
  assert_int_equal(pb_next(&r, &f), 1);
  assert_true(f.value == UINT64_MAX);
  assert_int_equal(pb_next(&r, &f), 0);
  pb_buf_free(&inner);
  pb_buf_free(&b);
}

static void test_proto_malformed(void **state) {
  (void)state;
  pb_field f;
  /* A length past the end (5 bytes announced, 2 there). */
  pb_reader r = pb_reader_of("\x12\x05"
                             "ab",
                             4);
  assert_int_equal(pb_next(&r, &f), -1);
  /* A varint that never ends. */
  pb_reader v = pb_reader_of("\x08\xff\xff", 3);
  assert_int_equal(pb_next(&v, &f), -1);
  /* Field number 0. */
  pb_reader z = pb_reader_of("\x00\x01", 2);
  assert_int_equal(pb_next(&z, &f), -1);
  /* A wire type that does not exist. */
  pb_reader w = pb_reader_of("\x0f", 1);
  assert_int_equal(pb_next(&w, &f), -1);
}

/* ---- ttrpc over a unix socket ---------------------------------------------
 */

typedef struct server {
  char path[108];
  int fd;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int released; /* Release was called */
} server;

static server srv;

/* Echo: the payload back. Block: waits until Release. Fail: an error. */
static void handle(void *ctx, const char *service, const char *method,
                   const uint8_t *payload, size_t len, pb_buf *out,
                   ttrpc_result *res) {
  server *s = ctx;
  assert_string_equal(service, "test.Service");
  if (!strcmp(method, "Echo")) {
    pb_put_raw(out, payload, len);
  } else if (!strcmp(method, "Block")) {
    pthread_mutex_lock(&s->lock);
    while (!s->released)
      pthread_cond_wait(&s->cond, &s->lock);
    pthread_mutex_unlock(&s->lock);
    pb_put_str(out, 1, "unblocked");
  } else if (!strcmp(method, "Release")) {
    pthread_mutex_lock(&s->lock);
    s->released = 1;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
  } else {
    res->code = TTRPC_NOT_FOUND;
    snprintf(res->message, sizeof res->message, "no method %s", method);
  }
}

static void *serve(void *arg) {
  server *s = arg;
  ttrpc_serve(s->fd, handle, s);
  return NULL;
}

static int start_server(void **state) {
  (void)state;
  snprintf(srv.path, sizeof srv.path, "/tmp/shim-ttrpc-test.%d.sock",
           (int)getpid());
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy(addr.sun_path, srv.path);
  unlink(srv.path);
  srv.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (srv.fd < 0 || bind(srv.fd, (struct sockaddr *)&addr, sizeof addr) ||
      listen(srv.fd, 8))
    return -1;
  pthread_mutex_init(&srv.lock, NULL);
  pthread_cond_init(&srv.cond, NULL);
  pthread_t t;
  if (pthread_create(&t, NULL, serve, &srv))
    return -1;
  pthread_detach(t);
  return 0;
}

static int stop_server(void **state) {
  (void)state;
  unlink(srv.path);
  return 0;
}

static void test_ttrpc_echo_and_error(void **state) {
  (void)state;
  ttrpc_client c;
  assert_int_equal(ttrpc_client_connect(&c, srv.path), 0);
  pb_buf payload = {0};
  pb_put_str(&payload, 1, "ping");
  char err[256];
  assert_int_equal(ttrpc_client_call(&c, "test.Service", "Echo", &payload, NULL,
                                     NULL, err, sizeof err),
                   0);
  assert_int_equal(ttrpc_client_call(&c, "test.Service", "Nope", &payload, "k",
                                     "v", err, sizeof err),
                   -1);
  assert_string_equal(err, "status 5: no method Nope");
  pb_buf_free(&payload);
  ttrpc_client_close(&c);
}

static void send_request(int fd, uint32_t stream, const char *method) {
  pb_buf req = {0};
  pb_put_str(&req, 1, "test.Service");
  pb_put_str(&req, 2, method);
  uint8_t header[10] = {0, 0, 0, (uint8_t)req.len, 0, 0, 0, (uint8_t)stream,
                        1, 0};
  assert_int_equal(write(fd, header, 10), 10);
  assert_int_equal(write(fd, req.data, req.len), (ssize_t)req.len);
  pb_buf_free(&req);
}

static void read_full(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (uint8_t *)buf + got, n - got);
    assert_true(r > 0);
    got += (size_t)r;
  }
}

/* Two requests in flight on one connection: Block (stream 1) returns
 * only once Release (stream 3) has been served, which the server must
 * do while Block is still pending. Both responses come back, in either
 * order. */
static void test_ttrpc_concurrent_streams(void **state) {
  (void)state;
  ttrpc_client c;
  assert_int_equal(ttrpc_client_connect(&c, srv.path), 0);
  send_request(c.fd, 1, "Block");
  send_request(c.fd, 3, "Release");
  bool seen[4] = {false};
  for (int k = 0; k < 2; k++) {
    uint8_t h[10];
    read_full(c.fd, h, 10);
    assert_int_equal(h[8], 2); /* a response */
    assert_true(h[7] == 1 || h[7] == 3);
    seen[h[7]] = true;
    uint32_t len = (uint32_t)h[0] << 24 | h[1] << 16 | h[2] << 8 | h[3];
    uint8_t *body = malloc(len + 1);
    read_full(c.fd, body, len);
    if (h[7] == 1)
      assert_non_null(memmem(body, len, "unblocked", 9));
    free(body);
  }
  assert_true(seen[1] && seen[3]);
  ttrpc_client_close(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_proto_round_trip),
      cmocka_unit_test(test_proto_malformed),
      cmocka_unit_test(test_ttrpc_echo_and_error),
      cmocka_unit_test(test_ttrpc_concurrent_streams),
  };
  return cmocka_run_group_tests(tests, start_server, stop_server);
}
