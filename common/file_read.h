/* Reading a whole file into memory: the commands' input modules, the spec
 * runner's binaries, the OCI runtime's module inside a rootfs. */
#ifndef WASMAOT_FILE_READ_H
#define WASMAOT_FILE_READ_H

#include <stddef.h>
#include <stdint.h>

/* The whole file in a malloc'd buffer (free it), its size in *size_out.
 * NULL with errno set on failure. */
uint8_t *file_read_all(const char *path, size_t *size_out);

#endif
