/* sock_accept, sock_recv, sock_send, sock_shutdown on a --tcplisten
 * socket (fd 3). Serves one client: reads 4 bytes, answers
 * "pong:" + them, shuts down its sending side. */
#include "wasi_test.h"

enum { LISTENER = 3 };

static void check_errors(void) {
  int32_t fd;
  uint32_t n;
  uint16_t flags;
  char buf[4];
  uint32_t iov[2] = {(uint32_t)P(buf), 4};
  /* stdout is no socket. */
  CHECK_ERR(raw_sock_recv(1, P(iov), 1, 0, P(&n), P(&flags)), E_NOTSOCK);
  CHECK_ERR(raw_sock_send(1, P(iov), 1, 0, P(&n)), E_NOTSOCK);
  CHECK_ERR(raw_sock_accept(1, 0, P(&fd)), E_NOTSOCK);
  CHECK_ERR(raw_sock_shutdown(1, __WASI_SDFLAGS_WR), E_NOTSOCK);
  CHECK_ERR(raw_sock_accept(99, 0, P(&fd)), E_BADF);
  CHECK_ERR(raw_sock_accept(LISTENER, 0x1, P(&fd)), E_INVAL);
  CHECK_ERR(raw_sock_accept(LISTENER, 0, BAD_PTR), E_FAULT);
  __wasi_fdstat_t st = {0};
  CHECK_OK(raw_fd_fdstat_get(LISTENER, P(&st)));
  CHECK(st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
  CHECK(st.fs_rights_base & __WASI_RIGHTS_SOCK_ACCEPT);
}

/* Waits for the client with poll_oneoff: a listener is readable when a
 * connection is pending. */
static void wait_for_client(void) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = 1;
  s.u.tag = __WASI_EVENTTYPE_FD_READ;
  s.u.u.fd_read.file_descriptor = LISTENER;
  __wasi_event_t ev;
  uint32_t n = 0;
  CHECK_OK(raw_poll_oneoff(P(&s), P(&ev), 1, P(&n)));
  CHECK(n == 1 && ev.userdata == 1 && ev.error == 0);
}

static void serve(int32_t conn) {
  char buf[16] = {0};
  uint32_t iov[2] = {(uint32_t)P(buf), 4}, n = 0;
  uint16_t roflags = 0xFFFF;
  CHECK_ERR(raw_sock_recv(conn, P(iov), 1, 0x4, P(&n), P(&roflags)), E_INVAL);
  CHECK_ERR(raw_sock_recv(conn, P(iov), 1, 0, BAD_PTR, P(&roflags)), E_FAULT);
  /* Peek first, then take the same bytes. */
  CHECK_OK(raw_sock_recv(conn, P(iov), 1,
                         __WASI_RIFLAGS_RECV_PEEK | __WASI_RIFLAGS_RECV_WAITALL,
                         P(&n), P(&roflags)));
  CHECK(n == 4 && roflags == 0);
  CHECK_OK(raw_sock_recv(conn, P(iov), 1, __WASI_RIFLAGS_RECV_WAITALL, P(&n),
                         P(&roflags)));
  CHECK(n == 4 && !memcmp(buf, "ping", 4));

  char reply[9] = "pong:";
  memcpy(reply + 5, buf, 4);
  uint32_t out[4] = {(uint32_t)P(reply), 5, (uint32_t)P(reply + 5), 4};
  CHECK_ERR(raw_sock_send(conn, P(out), 2, 1, P(&n)), E_INVAL);
  CHECK_ERR(raw_sock_send(conn, P(out), 2, 0, BAD_PTR), E_FAULT);
  CHECK_OK(raw_sock_send(conn, P(out), 2, 0, P(&n)));
  CHECK(n == 9);
  CHECK_ERR(raw_sock_shutdown(conn, 0), E_INVAL);
  CHECK_ERR(raw_sock_shutdown(conn, 4), E_INVAL);
  CHECK_OK(raw_sock_shutdown(conn, __WASI_SDFLAGS_WR));
  /* The client closes after reading: EOF. */
  iov[1] = sizeof buf;
  CHECK_OK(raw_sock_recv(conn, P(iov), 1, 0, P(&n), P(&roflags)));
  CHECK(n == 0);
  CHECK_OK(raw_fd_close(conn));
}

int main(void) {
  check_errors();
  wait_for_client();
  int32_t conn = -1;
  CHECK_OK(raw_sock_accept(LISTENER, 0, P(&conn)));
  CHECK(conn > LISTENER);
  __wasi_fdstat_t st = {0};
  CHECK_OK(raw_fd_fdstat_get(conn, P(&st)));
  CHECK(st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
  CHECK(!(st.fs_rights_base & __WASI_RIGHTS_SOCK_ACCEPT));
  serve(conn);
  return test_finish("sock");
}
