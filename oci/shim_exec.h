/* Exec: more Wasm processes in a shim's running task (`ctr task exec`),
 * started the way `wasmaot-oci exec` starts them: the task's rootfs,
 * mounts, cgroup, network namespace and memory limit, the process's own
 * module, args and env, ended when the init ends. */
#ifndef WASMAOT_SHIM_EXEC_H
#define WASMAOT_SHIM_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shim_task.h"
#include "shim_ttrpc.h"

/* Exec (ExecProcessRequest): records the process, created, in task `t`
 * (NULL: there is none). Called with the service's lock held. */
void shim_exec_add(shim_service *s, shim_task *t, const uint8_t *payload,
                   size_t len, ttrpc_result *res);

/* Start of an exec: loads its module and launches it. False with the
 * reason. Called with the service's lock held. */
bool shim_exec_start(shim_service *s, shim_proc *p, char *err, size_t errlen);

#endif
