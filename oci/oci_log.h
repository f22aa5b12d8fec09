/* Where wasmaot-oci reports: the --log file runc's callers give
 * (containerd reads it when a command fails), as JSON lines
 * {"level":"error","msg":"...","time":"..."} with --log-format json or as
 * text lines otherwise; errors also go to stderr, as runc does. */
#ifndef WASMAOT_OCI_LOG_H
#define WASMAOT_OCI_LOG_H

#include <stdbool.h>
#include <stdio.h>

typedef struct oci_log {
  FILE *file; /* NULL: stderr only */
  bool json;
} oci_log;

/* Opens `path` for appending (NULL: no log file). False if it cannot be
 * opened (then errors go to stderr only). */
bool oci_log_open(oci_log *log, const char *path, const char *format);
void oci_log_close(oci_log *log);

__attribute__((format(printf, 3, 4))) void
oci_log_write(const oci_log *log, const char *level, const char *fmt, ...);

/* Logs an error and returns 1, the exit status of a failed command. */
__attribute__((format(printf, 2, 3))) int oci_fail(const oci_log *log,
                                                   const char *fmt, ...);

#define oci_warn(log, ...) oci_log_write((log), "warning", __VA_ARGS__)

#endif
