/* Whether an artifact's metadata says it can run in this process: the
 * format this runtime reads, the compiler that matches it, and code for
 * this machine. Each refusal names what differs, so a user knows to
 * recompile rather than seeing a crash or SIGILL later. */
#include <string.h>
#include <sys/utsname.h>

#include "host_arch.h"
#include "runtime.h"

#ifndef WASMAOT_VERSION
#error "build with -DWASMAOT_VERSION=\"x.y.z\" (the compiler's version)"
#endif

#define HOST_ARCH WASMAOT_HOST_ARCH

const char *wasmaot_version(void) {
  return WASMAOT_VERSION;
}

/* A fixed-size string field must hold its NUL. */
static bool field_terminated(const char *s, size_t size) {
  return memchr(s, '\0', size) != NULL;
}

/* "x86_64-unknown-linux-gnu": the architecture is the first component;
 * arm64 is LLVM's other spelling of aarch64. */
static bool triple_arch_is_host(const char *triple) {
  size_t n = strcspn(triple, "-");
  if (n == strlen(HOST_ARCH) && strncmp(triple, HOST_ARCH, n) == 0)
    return true;
#if defined(__aarch64__)
  if (n == 5 && strncmp(triple, "arm64", 5) == 0)
    return true;
#endif
  return false;
}

bool rt_check_triple(const char *triple, char *err, size_t errlen) {
  if (!triple_arch_is_host(triple))
    return rt_fail(err, errlen,
                   "artifact is compiled for %s, this machine is %s: "
                   "compile it with --target %s",
                   triple, HOST_ARCH, HOST_ARCH);
  if (!strstr(triple, "-linux"))
    return rt_fail(err, errlen,
                   "artifact is compiled for %s, this runtime runs on Linux",
                   triple);
  return true;
}

static bool check_terminated(const wasmaot_meta_header *h, char *err,
                             size_t errlen) {
  if (!field_terminated(h->compiler_version, sizeof h->compiler_version) ||
      !field_terminated(h->target_triple, sizeof h->target_triple) ||
      !field_terminated(h->cpu_name, sizeof h->cpu_name))
    return rt_fail(err, errlen, "artifact metadata is corrupt");
  return true;
}

static bool check_compiler_version(const wasmaot_meta_header *h, char *err,
                                   size_t errlen) {
  if (strcmp(h->compiler_version, WASMAOT_VERSION) != 0)
    return rt_fail(err, errlen,
                   "artifact was compiled by wasmaot %s, this is wasmaot %s: "
                   "compile it again",
                   h->compiler_version, WASMAOT_VERSION);
  return true;
}

/* The variable parts the header points to lie inside the metadata. */
static bool check_ranges(const wasmaot_meta_header *h, size_t size, char *err,
                         size_t errlen) {
  uint64_t features_end =
      (uint64_t)h->cpu_features_offset + h->cpu_features_size;
  uint64_t skeleton_end = (uint64_t)h->skeleton_offset + h->skeleton_size;
  if (features_end > size || skeleton_end > size || h->cpu_features_size == 0 ||
      ((const char *)h)[features_end - 1] != '\0')
    return rt_fail(err, errlen, "artifact metadata is corrupt (sizes)");
  return true;
}

bool rt_module_check_format(const wasmaot_meta_header *h, size_t size,
                            char *err, size_t errlen) {
  if (size < sizeof h->magic + sizeof h->format_version ||
      memcmp(h->magic, WASMAOT_META_MAGIC, sizeof h->magic) != 0)
    return rt_fail(err, errlen, "not a wasmaot artifact (bad metadata magic)");
  if (h->format_version != WASMAOT_FORMAT_VERSION)
    return rt_fail(err, errlen,
                   "artifact format version %u, this runtime reads version "
                   "%u: compile it again",
                   h->format_version, WASMAOT_FORMAT_VERSION);
  if (size < sizeof *h || h->header_size != sizeof *h)
    return rt_fail(err, errlen, "artifact metadata is corrupt (header size)");
  return true;
}

bool rt_module_check_fields(const wasmaot_meta_header *h, size_t size,
                            char *err, size_t errlen) {
  return check_terminated(h, err, errlen) && check_ranges(h, size, err, errlen);
}

bool rt_module_check_target(const wasmaot_meta_header *h, size_t size,
                            char *err, size_t errlen) {
  if (!rt_module_check_fields(h, size, err, errlen) ||
      !check_compiler_version(h, err, errlen) ||
      !rt_check_triple(h->target_triple, err, errlen))
    return false;
  const char *features = (const char *)h + h->cpu_features_offset;
  return rt_check_cpu(h->cpu_name, features, err, errlen);
}
