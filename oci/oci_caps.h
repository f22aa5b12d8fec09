/* process.capabilities: the capability sets of the container process.
 * They matter although the guest makes no system call itself: the WASI
 * host opens, creates and removes files on its behalf with the process's
 * credentials, so CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_CHOWN and the like
 * decide what a root container may touch beneath its preopens. */
#ifndef WASMAOT_OCI_CAPS_H
#define WASMAOT_OCI_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"

typedef struct oci_caps {
  bool given; /* process.capabilities present */
  uint64_t bounding, effective, permitted, inheritable, ambient;
} oci_caps;

/* Reads the five sets of names ("CAP_NET_BIND_SERVICE"). An unknown name
 * is skipped and reported in `unknown` (runc warns likewise). */
void oci_caps_parse(const json_value *caps, oci_caps *out, char *unknown,
                    size_t unknown_len);

/* Before the user changes: drops what is outside the bounding set and
 * asks the kernel to keep the permitted set across setuid. */
bool oci_caps_prepare(const oci_caps *caps, char *err, size_t errlen);

/* After the user changed: sets effective, permitted and inheritable,
 * raises the ambient ones. */
bool oci_caps_apply(const oci_caps *caps, char *err, size_t errlen);

#endif
