/* Sockets: preview1 can only use sockets it was given (`--tcplisten`
 * listeners and what sock_accept returns from them): sock_accept,
 * sock_recv, sock_send, sock_shutdown, plus opening the listeners. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wasi_funcs.h"
#include "wasi_internal.h"

static bool is_socket(const wasi_fd_entry *e) {
  return e->filetype == WASI_FILETYPE_SOCKET_STREAM ||
         e->filetype == WASI_FILETYPE_SOCKET_DGRAM;
}

/* A socket fd holding `rights`: EBADF, ENOTSOCK or ENOTCAPABLE, in that
 * order (what is not a socket has no socket rights to miss). */
static int32_t lookup_socket(wasi_ctx *ctx, int32_t fd, uint64_t rights,
                             wasi_fd_entry **e) {
  int32_t err = wasi_fd_lookup(ctx, fd, 0, e);
  if (!err && !is_socket(*e))
    err = WASI_ENOTSOCK;
  if (!err)
    err = wasi_fd_lookup(ctx, fd, rights, e);
  return err;
}

int32_t wasi_sock_accept(void *env, int32_t fd, int32_t flags, int32_t fd_out) {
  wasi_ctx *ctx = env;
  wasi_fd_entry *e;
  int32_t err = lookup_socket(ctx, fd, WASI_RIGHT_SOCK_ACCEPT, &e);
  if (err)
    return err;
  if ((uint32_t)flags & ~(uint32_t)WASI_FDFLAG_NONBLOCK)
    return WASI_EINVAL;
  if (wasi_check_out(ctx, (uint32_t)fd_out, 4))
    return WASI_EFAULT;
  int type = SOCK_CLOEXEC | (flags & WASI_FDFLAG_NONBLOCK ? SOCK_NONBLOCK : 0);
  int conn;
  do
    conn = accept4(e->host_fd, NULL, NULL, type);
  while (conn < 0 && errno == EINTR);
  if (conn < 0)
    return wasi_errno_last();
  wasi_fd_entry c = wasi_fd_entry_for(conn);
  c.rights_base &= ~WASI_RIGHT_SOCK_ACCEPT; /* a connection, not a listener */
  c.rights_inheriting = 0;
  uint32_t guest_fd;
  err = wasi_fd_insert(ctx, &c, &guest_fd);
  if (err)
    return err;
  return wasi_store_u32(ctx, (uint32_t)fd_out, guest_fd);
}

int32_t wasi_sock_recv(void *env, int32_t fd, int32_t ri_data,
                       int32_t ri_data_len, int32_t ri_flags,
                       int32_t ro_datalen_out, int32_t ro_flags_out) {
  wasi_ctx *ctx = env;
  wasi_fd_entry *e;
  int32_t err = lookup_socket(ctx, fd, WASI_RIGHT_FD_READ, &e);
  if (err)
    return err;
  uint32_t in_flags = (uint32_t)ri_flags;
  if (in_flags & ~(uint32_t)(WASI_RIFLAG_PEEK | WASI_RIFLAG_WAITALL))
    return WASI_EINVAL;
  if (wasi_check_out(ctx, (uint32_t)ro_datalen_out, 4) ||
      wasi_check_out(ctx, (uint32_t)ro_flags_out, 2))
    return WASI_EFAULT;
  struct iovec iov[WASI_IOV_MAX];
  int n;
  err =
      wasi_load_iovecs(ctx, (uint32_t)ri_data, (uint32_t)ri_data_len, iov, &n);
  if (err)
    return err;
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
  int host_flags = (in_flags & WASI_RIFLAG_PEEK ? MSG_PEEK : 0) |
                   (in_flags & WASI_RIFLAG_WAITALL ? MSG_WAITALL : 0);
  ssize_t got;
  do
    got = recvmsg(e->host_fd, &msg, host_flags);
  while (got < 0 && errno == EINTR);
  if (got < 0)
    return wasi_errno_last();
  uint16_t out_flags =
      msg.msg_flags & MSG_TRUNC ? WASI_ROFLAG_DATA_TRUNCATED : 0;
  wasi_put_u16(wasi_guest_bytes(ctx, (uint32_t)ro_flags_out, 2), out_flags);
  return wasi_store_u32(ctx, (uint32_t)ro_datalen_out, (uint32_t)got);
}

int32_t wasi_sock_send(void *env, int32_t fd, int32_t si_data,
                       int32_t si_data_len, int32_t si_flags,
                       int32_t so_datalen_out) {
  wasi_ctx *ctx = env;
  wasi_fd_entry *e;
  int32_t err = lookup_socket(ctx, fd, WASI_RIGHT_FD_WRITE, &e);
  if (err)
    return err;
  if (si_flags != 0) /* preview1 defines none */
    return WASI_EINVAL;
  if (wasi_check_out(ctx, (uint32_t)so_datalen_out, 4))
    return WASI_EFAULT;
  struct iovec iov[WASI_IOV_MAX];
  int n;
  err =
      wasi_load_iovecs(ctx, (uint32_t)si_data, (uint32_t)si_data_len, iov, &n);
  if (err)
    return err;
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
  ssize_t sent;
  do /* EPIPE instead of a SIGPIPE that would end the host */
    sent = sendmsg(e->host_fd, &msg, MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  if (sent < 0)
    return wasi_errno_last();
  return wasi_store_u32(ctx, (uint32_t)so_datalen_out, (uint32_t)sent);
}

int32_t wasi_sock_shutdown(void *env, int32_t fd, int32_t how) {
  wasi_fd_entry *e;
  int32_t err = lookup_socket(env, fd, WASI_RIGHT_SOCK_SHUTDOWN, &e);
  if (err)
    return err;
  int host_how;
  switch (how) {
  case WASI_SDFLAG_RD:
    host_how = SHUT_RD;
    break;
  case WASI_SDFLAG_WR:
    host_how = SHUT_WR;
    break;
  case WASI_SDFLAG_RD | WASI_SDFLAG_WR:
    host_how = SHUT_RDWR;
    break;
  default:
    return WASI_EINVAL;
  }
  return shutdown(e->host_fd, host_how) == 0 ? 0 : wasi_errno_last();
}

/* ---- Listeners --------------------------------------------------------- */

/* Splits "HOST:PORT" / "[V6]:PORT" in place; false if malformed. */
static bool split_address(char *s, char **host, char **port) {
  char *colon = strrchr(s, ':');
  if (!colon || !colon[1])
    return false;
  *colon = 0;
  *port = colon + 1;
  *host = s;
  size_t len = strlen(s);
  if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
    s[len - 1] = 0;
    *host = s + 1;
  }
  return true;
}

static int bind_and_listen(const struct addrinfo *ai) {
  int fd =
      socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
  if (fd < 0)
    return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
      listen(fd, SOMAXCONN) != 0) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

int wasi_listen_tcp(const char *address, char *err, size_t errlen) {
  char *copy = strdup(address), *host, *port;
  if (!copy || !split_address(copy, &host, &port)) {
    snprintf(err, errlen, "--tcplisten %s: expected HOST:PORT", address);
    free(copy);
    return -1;
  }
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                           .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
  struct addrinfo *list = NULL;
  int gai = getaddrinfo(*host ? host : NULL, port, &hints, &list);
  free(copy);
  if (gai != 0) {
    snprintf(err, errlen, "--tcplisten %s: %s", address, gai_strerror(gai));
    return -1;
  }
  int fd = -1, last_errno = 0;
  for (struct addrinfo *ai = list; ai && fd < 0; ai = ai->ai_next) {
    fd = bind_and_listen(ai);
    if (fd < 0)
      last_errno = errno;
  }
  freeaddrinfo(list);
  if (fd < 0)
    snprintf(err, errlen, "--tcplisten %s: %s", address, strerror(last_errno));
  return fd;
}
