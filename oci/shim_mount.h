/* The container's root file system as containerd hands it to a shim: a
 * list of mounts (containerd.types.Mount: type, source, options) from the
 * snapshotter, mounted one on top of the other at BUNDLE/rootfs, and
 * unmounted when the task is deleted (or by `delete` after a lost shim). */
#ifndef WASMAOT_SHIM_MOUNT_H
#define WASMAOT_SHIM_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct shim_mount {
  char *type, *source;
  char **options;
  size_t option_count;
} shim_mount;

/* Decodes one containerd.types.Mount. False if malformed or out of memory. */
bool shim_mount_decode(const uint8_t *data, size_t len, shim_mount *m);
void shim_mount_free(shim_mount *m);

/* Mounts each of `mounts` at `target` (created if missing). On failure
 * what was mounted is undone and the reason is in err. */
bool shim_mount_rootfs(const shim_mount *mounts, size_t count,
                       const char *target, char *err, size_t errlen);

/* Unmounts everything stacked at `target`. False with the reason if
 * something stays mounted. */
bool shim_unmount_rootfs(const char *target, char *err, size_t errlen);

#endif
