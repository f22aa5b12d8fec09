/* A container process as wasmaot runs it: one engine, the module
 * process.args[0] names, a WASI context built from the spec. */
#ifndef WASMAOT_OCI_GUEST_H
#define WASMAOT_OCI_GUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "oci_artifact.h"
#include "oci_log.h"
#include "oci_spec.h"
#include "wasmaot.h"
#include "wasmaot_wasi.h"

/* Listening sockets for the guest: "HOST:PORT[,HOST:PORT...]" in this
 * process environment variable or annotation (the variable wins). */
#define OCI_TCPLISTEN_ENV "WASMAOT_TCPLISTEN"
#define OCI_TCPLISTEN_ANNOTATION "org.wasmaot.tcplisten"

/* The process's listening-socket list (the variable's, else the
 * annotation's), or NULL when it has none: a guest's only way onto a
 * network, since WASI preview1 cannot create a socket. */
const char *oci_guest_tcp_listen(const oci_spec *spec,
                                 const oci_process *process);

typedef struct oci_guest {
  wasmaot_engine *engine;
  wasmaot_module *module;
  wasi_ctx *wasi;
  oci_artifact_source source;
} oci_guest;

/* In the runtime, before the container process is forked: the engine
 * (with the spec's memory limit) and the module. False with a reason. */
bool oci_guest_load(oci_guest *g, const oci_spec *spec,
                    const oci_process *process, const oci_log *log, char *err,
                    size_t errlen);

/* In the container process, once it is in its namespaces: the WASI
 * context (args, env, the rootfs as "/", bind mounts as preopens,
 * listening sockets). False with a reason. */
bool oci_guest_prepare(oci_guest *g, const oci_spec *spec,
                       const oci_process *process, char *err, size_t errlen);

/* Instantiates the module and runs `_start`. Returns the exit status:
 * the guest's proc_exit code, 0 when `_start` returns, 134 after a trap
 * (reported on stderr), 1 when the module cannot be instantiated. */
int oci_guest_run(oci_guest *g);

void oci_guest_free(oci_guest *g);

#endif
