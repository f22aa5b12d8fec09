#include "oci_log.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "oci_jsonw.h"

bool oci_log_open(oci_log *log, const char *path, const char *format) {
  log->file = NULL;
  log->json = format && !strcmp(format, "json");
  if (!path)
    return true;
  log->file = fopen(path, "ae");
  return log->file != NULL;
}

void oci_log_close(oci_log *log) {
  if (log->file)
    fclose(log->file);
  log->file = NULL;
}

static void write_line(const oci_log *log, const char *level, const char *msg) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  if (log->json) {
    fputs("{\"level\":", log->file);
    oci_jsonw_string(log->file, level);
    fputs(",\"msg\":", log->file);
    oci_jsonw_string(log->file, msg);
    fputs(",\"time\":", log->file);
    oci_jsonw_time(log->file, (long long)now.tv_sec, now.tv_nsec);
    fputs("}\n", log->file);
  } else {
    fprintf(log->file, "%s: %s\n", level, msg);
  }
  fflush(log->file);
}

static void vlog(const oci_log *log, const char *level, const char *fmt,
                 va_list ap) {
  char msg[2048];
  vsnprintf(msg, sizeof msg, fmt, ap);
  if (log && log->file)
    write_line(log, level, msg);
  /* runc prints errors on stderr as well; its callers show either.
   * Warnings go there only without a log file; "info" never does (the
   * stderr of `create` is the container's). */
  bool error = !strcmp(level, "error");
  if (error || (strcmp(level, "info") && (!log || !log->file)))
    fprintf(stderr, "wasmaot-oci: %s%s%s\n", error ? "" : level,
            error ? "" : ": ", msg);
}

void oci_log_write(const oci_log *log, const char *level, const char *fmt,
                   ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(log, level, fmt, ap);
  va_end(ap);
}

int oci_fail(const oci_log *log, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(log, "error", fmt, ap);
  va_end(ap);
  return 1;
}
