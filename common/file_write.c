#include "file_write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool file_write_all(int fd, const void *data, size_t size) {
  const char *p = data;
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n == 0)
        errno = EIO;
      return false;
    }
    p += n;
    size -= (size_t)n;
  }
  return true;
}

/* An existing device, FIFO or socket (`-o /dev/null`, `-o /dev/stdout`)
 * is written in place: renaming a temporary file over it would replace
 * the device node with a regular file. */
static bool write_in_place(const char *path, const void *data, size_t size) {
  int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0)
    return false;
  bool ok = file_write_all(fd, data, size);
  int saved = errno;
  close(fd);
  errno = saved;
  return ok;
}

bool file_write_atomic(const char *path, const void *data, size_t size) {
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
    return write_in_place(path, data, size);
  size_t n = strlen(path) + sizeof ".tmpXXXXXX";
  char *tmp = malloc(n);
  if (!tmp)
    return false;
  snprintf(tmp, n, "%s.tmpXXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    free(tmp);
    return false;
  }
  bool ok = file_write_all(fd, data, size) && fchmod(fd, 0644) == 0;
  int saved = errno;
  if (close(fd) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  /* rename() replaces atomically: a concurrent reader maps either the old
   * complete file or the new one. */
  if (ok && rename(tmp, path) != 0) {
    ok = false;
    saved = errno;
  }
  if (!ok)
    unlink(tmp);
  free(tmp);
  errno = saved;
  return ok;
}
