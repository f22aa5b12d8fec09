/* Reading config.json into an oci_spec. Unknown fields are ignored, as
 * the runtime spec asks; fields wasmaot-oci relies on are checked. */
#include "oci_spec.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

char *oci_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rbe");
  if (!f)
    return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap)
      break;
    char *bigger = realloc(buf, 2 * cap + 1);
    if (!bigger) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = bigger;
    cap *= 2;
  }
  bool bad = ferror(f);
  fclose(f);
  if (bad || !buf) {
    free(buf);
    errno = bad ? EIO : ENOMEM;
    return NULL;
  }
  buf[n] = 0;
  if (len)
    *len = n;
  return buf;
}

static bool fail(char *err, size_t errlen, const char *what) {
  snprintf(err, errlen, "%s", what);
  return false;
}

/* A non-negative integer; values at or beyond 2^64 (the spec's "no
 * limit" is 2^64-1, which a double rounds up) become UINT64_MAX. */
static bool as_u64(const json_value *v, uint64_t *out) {
  if (!v || v->kind != JSON_NUMBER || v->as.number < 0)
    return false;
  *out = v->as.number >= 18446744073709551615.0 ? UINT64_MAX
                                                : (uint64_t)v->as.number;
  return true;
}

static bool as_i64(const json_value *v, int64_t *out) {
  if (!v || v->kind != JSON_NUMBER || v->as.number < -9.2e18 ||
      v->as.number > 9.2e18)
    return false;
  *out = (int64_t)v->as.number;
  return true;
}

/* A NULL-terminated array of the strings of a JSON array (NULL when `v` is
 * absent: an empty list). */
static bool string_list(const json_value *v, const char ***out, size_t *count,
                        const char *what, char *err, size_t errlen) {
  size_t n = v ? json_array_length(v) : 0;
  if (v && v->kind != JSON_ARRAY) {
    snprintf(err, errlen, "%s must be an array of strings", what);
    return false;
  }
  const char **list = calloc(n + 1, sizeof *list);
  if (!list)
    return fail(err, errlen, "out of memory");
  for (size_t i = 0; i < n; i++) {
    list[i] = json_as_cstring(json_array_at(v, i));
    if (!list[i]) {
      free(list);
      snprintf(err, errlen, "%s[%zu] must be a string", what, i);
      return false;
    }
  }
  *out = list;
  *count = n;
  return true;
}

static const struct {
  const char *name;
  int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static bool parse_rlimits(const json_value *v, oci_process *p, char *err,
                          size_t errlen) {
  size_t n = json_array_length(v);
  if (n == 0)
    return true;
  p->rlimits = calloc(n, sizeof *p->rlimits);
  if (!p->rlimits)
    return fail(err, errlen, "out of memory");
  for (size_t i = 0; i < n; i++) {
    const json_value *r = json_array_at(v, i);
    const char *type = json_as_cstring(json_object_get(r, "type"));
    oci_rlimit *out = &p->rlimits[p->rlimit_count];
    out->resource = -1;
    for (size_t k = 0; type && k < sizeof rlimit_names / sizeof *rlimit_names;
         k++)
      if (!strcmp(type, rlimit_names[k].name))
        out->resource = rlimit_names[k].resource;
    if (out->resource < 0) {
      snprintf(err, errlen, "process.rlimits[%zu]: unknown type \"%s\"", i,
               type ? type : "");
      return false;
    }
    if (!as_u64(json_object_get(r, "soft"), &out->soft) ||
        !as_u64(json_object_get(r, "hard"), &out->hard)) {
      snprintf(err, errlen,
               "process.rlimits[%zu]: soft and hard must be "
               "non-negative integers",
               i);
      return false;
    }
    p->rlimit_count++;
  }
  return true;
}

static bool parse_user(const json_value *user, oci_process *p, char *err,
                       size_t errlen) {
  uint64_t id;
  if (as_u64(json_object_get(user, "uid"), &id))
    p->uid = (uint32_t)id;
  if (as_u64(json_object_get(user, "gid"), &id))
    p->gid = (uint32_t)id;
  const json_value *extra = json_object_get(user, "additionalGids");
  size_t n = json_array_length(extra);
  if (n == 0)
    return true;
  p->additional_gids = calloc(n, sizeof *p->additional_gids);
  if (!p->additional_gids)
    return fail(err, errlen, "out of memory");
  for (size_t i = 0; i < n; i++) {
    if (!as_u64(json_array_at(extra, i), &id) || id > UINT32_MAX)
      return fail(err, errlen, "process.user.additionalGids: not a gid");
    p->additional_gids[p->additional_gid_count++] = (uint32_t)id;
  }
  return true;
}

bool oci_process_parse(const json_value *v, oci_process *p, char *err,
                       size_t errlen) {
  memset(p, 0, sizeof *p);
  if (!v || v->kind != JSON_OBJECT)
    return fail(err, errlen, "process must be an object");
  const json_value *terminal = json_object_get(v, "terminal");
  p->terminal = terminal && terminal->kind == JSON_BOOL && terminal->as.boolean;
  const json_value *nnp = json_object_get(v, "noNewPrivileges");
  p->no_new_privileges = nnp && nnp->kind == JSON_BOOL && nnp->as.boolean;
  oci_caps_parse(json_object_get(v, "capabilities"), &p->caps, p->unknown_caps,
                 sizeof p->unknown_caps);
  int64_t adj;
  if (as_i64(json_object_get(v, "oomScoreAdj"), &adj) && adj >= -1000 &&
      adj <= 1000) {
    p->has_oom_score_adj = true;
    p->oom_score_adj = (int)adj;
  }
  p->cwd = json_as_cstring(json_object_get(v, "cwd"));
  if (!p->cwd)
    p->cwd = "/";
  if (p->cwd[0] != '/')
    return fail(err, errlen, "process.cwd must be an absolute path");
  bool ok = string_list(json_object_get(v, "args"), &p->args, &p->arg_count,
                        "process.args", err, errlen) &&
            string_list(json_object_get(v, "env"), &p->env, &p->env_count,
                        "process.env", err, errlen) &&
            parse_rlimits(json_object_get(v, "rlimits"), p, err, errlen) &&
            parse_user(json_object_get(v, "user"), p, err, errlen);
  if (ok && p->arg_count == 0)
    ok = fail(err, errlen, "process.args must name the .wasm to run");
  return ok;
}

void oci_process_free(oci_process *p) {
  free(p->args);
  free(p->env);
  free(p->rlimits);
  free(p->additional_gids);
  memset(p, 0, sizeof *p);
}

const char *oci_process_getenv(const oci_process *p, const char *key) {
  size_t k = strlen(key);
  for (size_t i = 0; i < p->env_count; i++)
    if (!strncmp(p->env[i], key, k) && p->env[i][k] == '=')
      return p->env[i] + k + 1;
  return NULL;
}

/* "BUNDLE/path" unless path is absolute. */
static char *bundle_path(const char *bundle, const char *path) {
  char *out;
  if (path[0] == '/')
    return strdup(path);
  return asprintf(&out, "%s/%s", bundle, path) < 0 ? NULL : out;
}

static bool has_option(const json_value *options, const char *name) {
  for (size_t i = 0; i < json_array_length(options); i++)
    if (json_string_equals(json_array_at(options, i), name))
      return true;
  return false;
}

static bool parse_mounts(const json_value *v, oci_spec *s, char *err,
                         size_t errlen) {
  size_t n = json_array_length(v);
  if (n == 0)
    return true;
  s->mounts = calloc(n, sizeof *s->mounts);
  if (!s->mounts)
    return fail(err, errlen, "out of memory");
  for (size_t i = 0; i < n; i++) {
    const json_value *m = json_array_at(v, i);
    oci_mount *out = &s->mounts[s->mount_count];
    out->destination = json_as_cstring(json_object_get(m, "destination"));
    out->source = json_as_cstring(json_object_get(m, "source"));
    out->type = json_as_cstring(json_object_get(m, "type"));
    if (!out->destination || out->destination[0] != '/') {
      snprintf(err, errlen, "mounts[%zu].destination must be an absolute path",
               i);
      return false;
    }
    const json_value *options = json_object_get(m, "options");
    out->read_only = has_option(options, "ro");
    out->bind = (out->type && !strcmp(out->type, "bind")) ||
                has_option(options, "bind") || has_option(options, "rbind");
    if (out->bind && !out->source) {
      snprintf(err, errlen, "mounts[%zu]: a bind mount needs a source", i);
      return false;
    }
    s->mount_count++;
  }
  return true;
}

static void parse_linux(const json_value *linux, oci_spec *s) {
  s->memory_limit = -1;
  s->pids_limit = -1;
  s->cgroups_path = json_as_cstring(json_object_get(linux, "cgroupsPath"));
  const json_value *res = json_object_get(linux, "resources");
  int64_t v;
  if (as_i64(json_object_get(json_object_get(res, "memory"), "limit"), &v) &&
      v > 0)
    s->memory_limit = v;
  if (as_i64(json_object_get(json_object_get(res, "pids"), "limit"), &v) &&
      v > 0)
    s->pids_limit = v;
  const json_value *ns = json_object_get(linux, "namespaces");
  for (size_t i = 0; i < json_array_length(ns); i++) {
    const json_value *n = json_array_at(ns, i);
    if (json_string_equals(json_object_get(n, "type"), "network")) {
      s->network_namespace = true;
      s->netns_path = json_as_cstring(json_object_get(n, "path"));
    }
  }
}

bool oci_spec_load(const char *bundle, oci_spec *s, char *err, size_t errlen) {
  memset(s, 0, sizeof *s);
  s->memory_limit = s->pids_limit = -1;
  char *abs = realpath(bundle, NULL);
  if (!abs) {
    snprintf(err, errlen, "bundle %s: %s", bundle, strerror(errno));
    return false;
  }
  s->bundle = abs;
  char *path;
  if (asprintf(&path, "%s/config.json", abs) < 0)
    return fail(err, errlen, "out of memory");
  size_t len;
  char *text = oci_read_file(path, &len);
  if (!text) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    free(path);
    return false;
  }
  json_error jerr;
  s->doc = json_parse(text, len, &jerr);
  free(text);
  if (!s->doc) {
    snprintf(err, errlen, "%s:%zu: %s", path, jerr.line, jerr.message);
    free(path);
    return false;
  }
  free(path);
  const json_value *root = json_document_root(s->doc);
  if (root->kind != JSON_OBJECT)
    return fail(err, errlen, "config.json must hold an object");
  s->oci_version = json_as_cstring(json_object_get(root, "ociVersion"));
  const json_value *r = json_object_get(root, "root");
  const char *root_path = json_as_cstring(json_object_get(r, "path"));
  if (!root_path)
    return fail(err, errlen, "config.json: root.path is required");
  const json_value *ro = json_object_get(r, "readonly");
  s->root_read_only = ro && ro->kind == JSON_BOOL && ro->as.boolean;
  s->root_path = bundle_path(abs, root_path);
  if (!s->root_path)
    return fail(err, errlen, "out of memory");
  if (!oci_process_parse(json_object_get(root, "process"), &s->process, err,
                         errlen) ||
      !parse_mounts(json_object_get(root, "mounts"), s, err, errlen))
    return false;
  for (size_t i = 0; i < s->mount_count; i++) {
    oci_mount *m = &s->mounts[i];
    if (m->bind && m->source[0] != '/') {
      /* A relative source is relative to the bundle. */
      m->source_owned = bundle_path(abs, m->source);
      if (!m->source_owned)
        return fail(err, errlen, "out of memory");
      m->source = m->source_owned;
    }
  }
  parse_linux(json_object_get(root, "linux"), s);
  const json_value *ann = json_object_get(root, "annotations");
  s->annotations = ann && ann->kind == JSON_OBJECT ? ann : NULL;
  return true;
}

void oci_spec_free(oci_spec *s) {
  oci_process_free(&s->process);
  for (size_t i = 0; i < s->mount_count; i++)
    free(s->mounts[i].source_owned);
  free(s->mounts);
  free(s->root_path);
  free(s->bundle);
  json_document_free(s->doc);
  memset(s, 0, sizeof *s);
}

const char *oci_spec_annotation(const oci_spec *s, const char *key) {
  return json_as_cstring(json_object_get(s->annotations, key));
}
