/* Finding the native code for a container's module.
 *
 * Convention: an image ships app.wasm and, beside it, precompiled
 * artifacts named after the machine (`uname -m`): app.x86_64.so,
 * app.aarch64.so. The one for this machine is used when the loader
 * accepts it (same compiler version, a CPU with the features it needs);
 * next, a bundle app.wasmaot with an entry for this machine; otherwise
 * the .wasm is compiled through the artifact cache. process.args[0] may
 * also name an artifact (.so) or a bundle (.wasmaot) directly. Paths are
 * resolved inside the rootfs, as the guest would: symbolic links cannot lead
 * out of it. */
#ifndef WASMAOT_OCI_ARTIFACT_H
#define WASMAOT_OCI_ARTIFACT_H

#include <stdbool.h>
#include <stddef.h>

#include "oci_log.h"
#include "wasmaot.h"

/* How the module was found, for the log and for timing. */
typedef enum oci_artifact_source {
  OCI_ARTIFACT_GIVEN,       /* args[0] is an artifact */
  OCI_ARTIFACT_PRECOMPILED, /* app.<machine>.so or app.wasmaot */
  OCI_ARTIFACT_COMPILED,    /* compiled now */
} oci_artifact_source;

/* Loads the module `guest_path` (absolute, or relative to `cwd`) names in
 * `rootfs`. NULL with a reason. */
wasmaot_module *oci_module_load(wasmaot_engine *engine, const char *rootfs,
                                const char *cwd, const char *guest_path,
                                const oci_log *log, oci_artifact_source *source,
                                char *err, size_t errlen);

/* Loads the .wasm or bundle open at `fd` the way `wasmaot run` does:
 * through the artifact cache ($XDG_CACHE_HOME/wasmaot, ~/.cache/wasmaot,
 * or /var/cache/wasmaot without a home), compiling on a miss. NULL with a
 * reason. */
wasmaot_module *oci_load_through_cache(wasmaot_engine *engine, int fd,
                                       const char *name, char *err,
                                       size_t errlen);

/* Opens `path` (absolute or relative, inside the tree) beneath `root`
 * with openat2(RESOLVE_IN_ROOT): "..", absolute symbolic links and the
 * like stay inside `root`. -1 with errno. */
int oci_open_in_root(const char *root, const char *path, int flags);

#endif
