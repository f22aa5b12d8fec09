/* ttrpc, the RPC protocol containerd speaks with its shims: over a unix
 * socket, frames of a 10-byte header (payload length and stream id as
 * big-endian 32-bit numbers, a message type, flags) and a protobuf
 * payload, ttrpc.Request from the client (service, method, payload) and
 * ttrpc.Response back (a google.rpc.Status and a payload). Streams are
 * independent: containerd sends Wait and, while it blocks, Start on the
 * same connection, so the server answers each request on its own thread. */
#ifndef WASMAOT_SHIM_TTRPC_H
#define WASMAOT_SHIM_TTRPC_H

#include <stddef.h>
#include <stdint.h>

#include "shim_proto.h"

/* google.rpc codes the shim answers with. */
enum {
  TTRPC_OK = 0,
  TTRPC_UNKNOWN = 2,
  TTRPC_INVALID_ARGUMENT = 3,
  TTRPC_NOT_FOUND = 5,
  TTRPC_ALREADY_EXISTS = 6,
  TTRPC_FAILED_PRECONDITION = 9,
  TTRPC_UNIMPLEMENTED = 12,
  TTRPC_INTERNAL = 13,
};

/* What a handler reports besides its payload. */
typedef struct ttrpc_result {
  int code; /* TTRPC_OK or an error code */
  char message[2048];
  /* Called once the response has been written and the other requests
   * in flight have been answered (or after 2 s): Shutdown exits there. */
  void (*after)(void *ctx);
} ttrpc_result;

typedef void (*ttrpc_handler)(void *ctx, const char *service,
                              const char *method, const uint8_t *payload,
                              size_t len, pb_buf *out, ttrpc_result *res);

/* Accepts connections on `listen_fd` forever, dispatching every request
 * to `handler` on a thread of its own. Returns only if accept fails. */
int ttrpc_serve(int listen_fd, ttrpc_handler handler, void *ctx);

/* A client connection (the shim's to containerd, for events). */
typedef struct ttrpc_client {
  int fd;
  uint32_t next_stream; /* odd, as clients number their streams */
} ttrpc_client;

/* Connects to a unix socket path (a "unix://" prefix is accepted). */
int ttrpc_client_connect(ttrpc_client *c, const char *address);
/* One call, waiting for its response. 0, or -1 with a reason in err (an
 * error status from the server included). `md_key`/`md_value`: one
 * metadata pair, or NULL. */
int ttrpc_client_call(ttrpc_client *c, const char *service, const char *method,
                      const pb_buf *payload, const char *md_key,
                      const char *md_value, char *err, size_t errlen);
void ttrpc_client_close(ttrpc_client *c);

#endif
