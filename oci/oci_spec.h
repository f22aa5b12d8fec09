/* A bundle's config.json (the OCI runtime spec), reduced to what
 * wasmaot-oci honours; docs/containers.md lists every field and what
 * happens to it. Strings point into the parsed JSON document the spec
 * keeps, so oci_spec_free() releases everything. */
#ifndef WASMAOT_OCI_SPEC_H
#define WASMAOT_OCI_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "oci_caps.h"

typedef struct oci_rlimit {
  int resource; /* RLIMIT_* */
  uint64_t soft, hard;
} oci_rlimit;

typedef struct oci_process {
  bool terminal;
  const char **args; /* NULL-terminated; args[0] names the .wasm */
  size_t arg_count;
  const char **env; /* "KEY=VALUE", NULL-terminated */
  size_t env_count;
  const char *cwd;
  uint32_t uid, gid;
  uint32_t *additional_gids;
  size_t additional_gid_count;
  oci_rlimit *rlimits;
  size_t rlimit_count;
  bool no_new_privileges;
  oci_caps caps;
  char unknown_caps[256]; /* names skipped, for a warning */
  bool has_oom_score_adj;
  int oom_score_adj;
} oci_process;

typedef struct oci_mount {
  const char *destination; /* absolute path the guest sees */
  const char *source;      /* host path (absolute after loading) */
  const char *type;        /* "bind", "proc", "tmpfs", ... or NULL */
  bool bind;               /* a bind mount: source is a host directory */
  bool read_only;          /* "ro" among the options */
  char *source_owned;      /* source made absolute, freed with the spec */
} oci_mount;

typedef struct oci_spec {
  json_document *doc;
  const char *oci_version;
  char *bundle;    /* absolute */
  char *root_path; /* absolute: bundle/root.path unless absolute */
  bool root_read_only;
  oci_process process;
  oci_mount *mounts;
  size_t mount_count;
  /* linux */
  const char *cgroups_path;      /* NULL when absent */
  int64_t memory_limit;          /* bytes; -1 when absent or unlimited */
  int64_t pids_limit;            /* -1 when absent or unlimited */
  bool network_namespace;        /* a network namespace is asked for */
  const char *netns_path;        /* ... joined at this path, or new if NULL */
  const json_value *annotations; /* object or NULL */
} oci_spec;

/* Reads BUNDLE/config.json. False with a one-line reason. */
bool oci_spec_load(const char *bundle, oci_spec *spec, char *err,
                   size_t errlen);
void oci_spec_free(oci_spec *spec);

/* Parses a process object (config.json's "process", or the file `exec
 * --process` names). Arrays are malloc'ed; strings stay in the document.
 * False with a reason. */
bool oci_process_parse(const json_value *v, oci_process *out, char *err,
                       size_t errlen);
void oci_process_free(oci_process *p);

/* The value of annotation `key`, or NULL. */
const char *oci_spec_annotation(const oci_spec *spec, const char *key);

/* The value of KEY in a process environment, or NULL. */
const char *oci_process_getenv(const oci_process *p, const char *key);

/* Reads a whole file into a malloc'ed, NUL-terminated buffer. */
char *oci_read_file(const char *path, size_t *len);

#endif
