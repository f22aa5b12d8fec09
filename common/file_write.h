/* Writing a whole file so that readers see either the old file or the new
 * one, never a partial write: a temporary file in the same directory,
 * renamed over the target. Used for `aot-compile` outputs and cache
 * entries. */
#ifndef WASMAOT_FILE_WRITE_H
#define WASMAOT_FILE_WRITE_H

#include <stdbool.h>
#include <stddef.h>

/* Writes data to path (mode 0644) atomically. False with errno set; the
 * temporary file is removed. No fsync: callers whose readers verify
 * contents (the artifact checksum) need none. */
bool file_write_atomic(const char *path, const void *data, size_t size);

/* write() until done or an error (errno set; EIO for a zero write). */
bool file_write_all(int fd, const void *data, size_t size);

#endif
