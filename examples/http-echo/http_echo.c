/* The HTTP echo server a Docker + Wasm user tries first.
 *
 * WASI preview1 cannot open sockets, so the runtime hands the program a
 * listening socket (`wasmaot run --tcplisten 127.0.0.1:8080`): it is the
 * first descriptor after the standard streams and preopened directories
 * that is a socket. Each connection carries one request:
 *   GET /        a greeting
 *   POST /echo   the request body, echoed back
 *   otherwise    404 (unknown path) or 400 (not a request we understand)
 * and is closed after the response. Requests are bounded in size so a
 * hostile client cannot exhaust memory. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_HEADER_BYTES 16384
#define MAX_BODY_BYTES (1 << 20)
/* One connection is served at a time, so a client that goes quiet must
 * not hold the server: each read waits at most this long. */
#define READ_TIMEOUT_MS 5000

static const char greeting[] = "Hello world from C running with Wasm! Send "
                               "POST data to /echo to have it echoed back to "
                               "you\n";

static int find_listen_socket(void) {
  for (int fd = 3; fd < 64; fd++) {
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
      return fd;
  }
  return -1;
}

/* recv() that gives up (returns -1) when the peer sends nothing for
 * READ_TIMEOUT_MS. */
static ssize_t recv_timed(int fd, char *buf, size_t len) {
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int ready = poll(&p, 1, READ_TIMEOUT_MS);
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0)
      return -1;
    ssize_t n = recv(fd, buf, len, 0);
    if (n < 0 && errno == EINTR)
      continue;
    return n;
  }
}

static int send_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, data, len, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

static void respond(int fd, int status, const char *reason, const char *body,
                    size_t body_len) {
  char head[256];
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 %d %s\r\n"
                   "Content-Type: text/plain\r\n"
                   "Content-Length: %zu\r\n"
                   "Connection: close\r\n\r\n",
                   status, reason, body_len);
  if (send_all(fd, head, (size_t)n) == 0)
    send_all(fd, body, body_len);
}

static void respond_text(int fd, int status, const char *reason,
                         const char *text) {
  respond(fd, status, reason, text, strlen(text));
}

/* Case-insensitive search for a header's value inside the header block. */
static const char *find_header(const char *headers, const char *name) {
  size_t len = strlen(name);
  for (const char *line = strstr(headers, "\r\n"); line;
       line = strstr(line + 2, "\r\n")) {
    if (strncasecmp(line + 2, name, len) == 0 && line[2 + len] == ':')
      return line + 3 + len;
  }
  return NULL;
}

typedef struct request {
  char method[8];
  char path[256];
  long content_length; /* -1 when absent */
} request;

/* Parses the request line and Content-Length; false for anything else. */
static int parse_request(const char *headers, request *req) {
  if (sscanf(headers, "%7s %255s HTTP/1.%*c", req->method, req->path) != 2)
    return 0;
  req->content_length = -1;
  const char *cl = find_header(headers, "Content-Length");
  if (cl) {
    char *end;
    errno = 0;
    long v = strtol(cl, &end, 10);
    if (errno || v < 0 || end == cl || (*end != '\r' && *end != ' '))
      return 0;
    req->content_length = v;
  }
  return 1;
}

/* Reads until the blank line ending the headers. Returns the header length
 * (the body's first bytes may follow in buf), or -1. */
static long read_headers(int fd, char *buf, size_t cap, size_t *filled) {
  *filled = 0;
  while (*filled < cap - 1) {
    ssize_t n = recv_timed(fd, buf + *filled, cap - 1 - *filled);
    if (n <= 0)
      return -1;
    *filled += (size_t)n;
    buf[*filled] = 0;
    char *end = strstr(buf, "\r\n\r\n");
    if (end)
      return end + 4 - buf;
  }
  return -1;
}

static void echo_body(int fd, const request *req, const char *already,
                      size_t already_len) {
  if (req->content_length < 0) {
    respond_text(fd, 411, "Length Required", "Content-Length required\n");
    return;
  }
  if (req->content_length > MAX_BODY_BYTES) {
    respond_text(fd, 413, "Payload Too Large", "body too large\n");
    return;
  }
  size_t want = (size_t)req->content_length;
  char *body = malloc(want ? want : 1);
  if (!body) {
    respond_text(fd, 500, "Internal Server Error", "out of memory\n");
    return;
  }
  size_t have = already_len < want ? already_len : want;
  memcpy(body, already, have);
  while (have < want) {
    ssize_t n = recv_timed(fd, body + have, want - have);
    if (n <= 0)
      break;
    have += (size_t)n;
  }
  if (have == want)
    respond(fd, 200, "OK", body, want);
  else
    respond_text(fd, 400, "Bad Request", "body shorter than Content-Length\n");
  free(body);
}

static void serve_connection(int fd) {
  static char buf[MAX_HEADER_BYTES];
  size_t filled;
  long header_len = read_headers(fd, buf, sizeof buf, &filled);
  request req;
  if (header_len < 0) {
    respond_text(fd, 400, "Bad Request", "malformed request\n");
    return;
  }
  char saved = buf[header_len];
  buf[header_len] = 0;
  int ok = parse_request(buf, &req);
  buf[header_len] = saved;
  if (!ok) {
    respond_text(fd, 400, "Bad Request", "malformed request\n");
  } else if (strcmp(req.path, "/") == 0 && strcmp(req.method, "GET") == 0) {
    respond_text(fd, 200, "OK", greeting);
  } else if (strcmp(req.path, "/echo") == 0 &&
             strcmp(req.method, "POST") == 0) {
    echo_body(fd, &req, buf + header_len, filled - (size_t)header_len);
  } else if (strcmp(req.path, "/") == 0 || strcmp(req.path, "/echo") == 0) {
    respond_text(fd, 405, "Method Not Allowed", "method not allowed\n");
  } else {
    respond_text(fd, 404, "Not Found", "not found\n");
  }
}

int main(void) {
  int listener = find_listen_socket();
  if (listener < 0) {
    fprintf(stderr,
            "http-echo: no listening socket; run with "
            "`wasmaot run --tcplisten 127.0.0.1:8080 http-echo.wasm`\n");
    return 1;
  }
  printf("http-echo: serving on the pre-opened socket (fd %d)\n", listener);
  fflush(stdout);
  for (;;) {
    int conn = accept(listener, NULL, NULL);
    if (conn < 0) {
      if (errno == EAGAIN) {
        /* A non-blocking listener: wait for the next connection. */
        struct pollfd p = {.fd = listener, .events = POLLIN};
        poll(&p, 1, -1);
        continue;
      }
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      perror("http-echo: accept");
      return 1;
    }
    serve_connection(conn);
    shutdown(conn, SHUT_RDWR);
    close(conn);
  }
}
