#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "compiler_load.h"

bool executable_dir(char *buf, size_t size) {
  ssize_t n = readlink("/proc/self/exe", buf, size - 1);
  if (n <= 0 || (size_t)n >= size - 1)
    return false;
  buf[n] = 0;
  char *slash = strrchr(buf, '/');
  if (!slash)
    return false;
  slash[1] = 0;
  return true;
}
