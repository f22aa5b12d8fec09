#include "oci_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct hierarchy {
  char mountpoint[512];
  char options[256]; /* super options: controllers for v1 */
  bool v2;
} hierarchy;

/* The cgroup hierarchies mounted in this mount namespace. */
static size_t find_hierarchies(hierarchy *out, size_t max) {
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f)
    return 0;
  size_t n = 0;
  char line[2048];
  while (n < max && fgets(line, sizeof line, f)) {
    /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - TYPE SRC SUPER */
    char *fields[6] = {0};
    char *save = NULL, *tok = strtok_r(line, " \n", &save);
    for (int i = 0; tok && i < 6; i++, tok = strtok_r(NULL, " \n", &save))
      fields[i] = tok;
    while (tok && strcmp(tok, "-"))
      tok = strtok_r(NULL, " \n", &save);
    char *type = tok ? strtok_r(NULL, " \n", &save) : NULL;
    char *src = type ? strtok_r(NULL, " \n", &save) : NULL;
    char *super = src ? strtok_r(NULL, " \n", &save) : NULL;
    if (!fields[4] || !type || !super)
      continue;
    bool v1 = !strcmp(type, "cgroup"), v2 = !strcmp(type, "cgroup2");
    if (!v1 && !v2)
      continue;
    snprintf(out[n].mountpoint, sizeof out[n].mountpoint, "%s", fields[4]);
    snprintf(out[n].options, sizeof out[n].options, "%s", super);
    out[n].v2 = v2;
    n++;
  }
  fclose(f);
  return n;
}

static bool has_token(const char *list, const char *token) {
  size_t k = strlen(token);
  for (const char *p = list; p && *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == k && !strncmp(p, token, k))
      return true;
    p = end ? end + 1 : NULL;
  }
  return false;
}

/* This process's cgroup in hierarchy `h`, from /proc/self/cgroup. */
static bool own_cgroup(const hierarchy *h, char *buf, size_t size) {
  FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f)
    return false;
  char line[1024];
  bool found = false;
  while (!found && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2)
      continue;
    *c2 = 0;
    const char *controllers = c1 + 1;
    bool match = false;
    if (h->v2)
      match = controllers[0] == 0;
    else
      for (const char *p = controllers; *p && !match;) {
        const char *end = strchr(p, ',');
        char tok[64];
        snprintf(tok, sizeof tok, "%.*s", end ? (int)(end - p) : (int)strlen(p),
                 p);
        match = tok[0] && has_token(h->options, tok);
        p = end ? end + 1 : p + strlen(p);
      }
    if (match) {
      snprintf(buf, size, "%s", c2 + 1);
      found = true;
    }
  }
  fclose(f);
  return found;
}

void oci_cgroup_systemd_path(const char *spec, char *buf, size_t size) {
  char slice[256], prefix[256], name[256];
  if (sscanf(spec, "%255[^:]:%255[^:]:%255s", slice, prefix, name) != 3) {
    snprintf(buf, size, "/%s", spec);
    return;
  }
  size_t n = 0;
  buf[0] = 0;
  if (strcmp(slice, "-.slice") != 0) {
    const char *base = slice;
    size_t stem = strlen(slice) - (strstr(slice, ".slice") ? 6 : 0);
    for (size_t i = 0; i <= stem; i++)
      if (i == stem || slice[i] == '-')
        n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "/%.*s.slice",
                              (int)i, base);
  }
  snprintf(buf + n, n < size ? size - n : 0, "/%s-%s.scope", prefix, name);
}

static bool write_file(const char *dir, const char *file, const char *value) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ssize_t n = write(fd, value, strlen(value));
  int saved = errno;
  close(fd);
  errno = saved;
  return n == (ssize_t)strlen(value);
}

static bool read_file_line(const char *dir, const char *file, char *buf,
                           size_t size) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE *f = fopen(path, "re");
  if (!f)
    return false;
  bool ok = fgets(buf, (int)size, f) != NULL;
  fclose(f);
  if (ok)
    buf[strcspn(buf, "\n")] = 0;
  return ok;
}

/* A new v1 cpuset cgroup has no CPUs or memory nodes and takes no task
 * until they are copied from its parent. */
static void init_cpuset(const char *dir) {
  char parent[1024], value[512];
  snprintf(parent, sizeof parent, "%s", dir);
  char *slash = strrchr(parent, '/');
  if (!slash)
    return;
  *slash = 0;
  static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
  for (size_t i = 0; i < 2; i++) {
    char cur[512];
    if (read_file_line(dir, files[i], cur, sizeof cur) && cur[0])
      continue;
    if (read_file_line(parent, files[i], value, sizeof value))
      write_file(dir, files[i], value);
  }
}

/* mkdir -p below the mount point, initialising new levels. */
static bool make_dirs(const hierarchy *h, const char *dir) {
  char path[1024];
  size_t base = strlen(h->mountpoint);
  snprintf(path, sizeof path, "%s", dir);
  for (char *p = path + base + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = 0;
    /* Only a failed mkdir sets errno: a new level leaves a stale one. */
    if (mkdir(path, 0755) == 0) {
      if (has_token(h->options, "cpuset"))
        init_cpuset(path);
    } else if (errno != EEXIST) {
      *p = '/';
      return false;
    }
    *p = '/';
  }
  if (mkdir(path, 0755) != 0 && errno != EEXIST)
    return false;
  if (has_token(h->options, "cpuset"))
    init_cpuset(path);
  return true;
}

/* v2 controllers must be enabled in every ancestor's subtree_control. */
static void enable_v2_controllers(const hierarchy *h, const char *dir) {
  char path[1024];
  snprintf(path, sizeof path, "%s", dir);
  size_t base = strlen(h->mountpoint);
  for (char *p = path + base; p && *p;) {
    *p = 0;
    write_file(path[0] ? path : "/", "cgroup.subtree_control", "+memory");
    write_file(path[0] ? path : "/", "cgroup.subtree_control", "+pids");
    *p = '/';
    p = strchr(p + 1, '/');
  }
}

static void set_limits(const hierarchy *h, const char *dir, int64_t memory,
                       int64_t pids, const oci_log *log) {
  char value[32];
  if (memory > 0) {
    snprintf(value, sizeof value, "%lld", (long long)memory);
    const char *file = h->v2 ? "memory.max" : "memory.limit_in_bytes";
    if ((h->v2 || has_token(h->options, "memory")) &&
        !write_file(dir, file, value) && (!h->v2 || errno != ENOENT))
      oci_warn(log, "cannot set %s/%s: %s", dir, file, strerror(errno));
  }
  if (pids > 0) {
    snprintf(value, sizeof value, "%lld", (long long)pids);
    if ((h->v2 || has_token(h->options, "pids")) &&
        !write_file(dir, "pids.max", value) && (!h->v2 || errno != ENOENT))
      oci_warn(log, "cannot set %s/pids.max: %s", dir, strerror(errno));
  }
}

void oci_cgroup_setup(const char *spec_path, int64_t memory_limit,
                      int64_t pids_limit, const oci_log *log, oci_cgroup *out) {
  out->dirs = NULL;
  out->count = 0;
  if (!spec_path || !spec_path[0])
    return;
  hierarchy hs[32];
  size_t n = find_hierarchies(hs, 32);
  out->dirs = calloc(n + 1, sizeof *out->dirs);
  if (!out->dirs)
    return;
  char rel[1024];
  if (spec_path[0] != '/' && strchr(spec_path, ':'))
    oci_cgroup_systemd_path(spec_path, rel, sizeof rel);
  else
    snprintf(rel, sizeof rel, "%s", spec_path);
  for (size_t i = 0; i < n; i++) {
    char own[512] = "", dir[2048];
    if (rel[0] != '/' && own_cgroup(&hs[i], own, sizeof own) &&
        !strcmp(own, "/"))
      own[0] = 0;
    snprintf(dir, sizeof dir, "%s%s%s%s", hs[i].mountpoint, own,
             rel[0] == '/' ? "" : "/", rel);
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
      dir[--len] = 0;
    if (!make_dirs(&hs[i], dir)) {
      oci_warn(log, "cannot create cgroup %s: %s", dir, strerror(errno));
      continue;
    }
    if (hs[i].v2)
      enable_v2_controllers(&hs[i], dir);
    set_limits(&hs[i], dir, memory_limit, pids_limit, log);
    out->dirs[out->count] = strdup(dir);
    if (out->dirs[out->count])
      out->count++;
  }
}

void oci_cgroup_join_self(const oci_cgroup *cg, char *warn, size_t warnlen) {
  size_t used = 0;
  if (warnlen)
    warn[0] = 0;
  for (size_t i = 0; i < cg->count; i++) {
    if (write_file(cg->dirs[i], "cgroup.procs", "0"))
      continue;
    int n = snprintf(warn + used, used < warnlen ? warnlen - used : 0,
                     "%scannot join cgroup %s: %s", used ? "\n" : "",
                     cg->dirs[i], strerror(errno));
    if (n > 0)
      used += (size_t)n;
  }
}

size_t oci_cgroup_pids(char *const *dirs, size_t count, pid_t **out) {
  *out = NULL;
  if (count == 0)
    return 0;
  char path[2048];
  snprintf(path, sizeof path, "%s/cgroup.procs", dirs[0]);
  FILE *f = fopen(path, "re");
  if (!f)
    return 0;
  size_t n = 0, cap = 0;
  long pid;
  while (fscanf(f, "%ld", &pid) == 1) {
    if (n == cap) {
      cap = cap ? 2 * cap : 16;
      pid_t *p = realloc(*out, cap * sizeof *p);
      if (!p)
        break;
      *out = p;
    }
    (*out)[n++] = (pid_t)pid;
  }
  fclose(f);
  return n;
}

void oci_cgroup_remove(char *const *dirs, size_t count) {
  for (size_t i = 0; i < count; i++) {
    /* A process that just exited may still be leaving the cgroup. */
    for (int tries = 0; tries < 50 && rmdir(dirs[i]) != 0 && errno == EBUSY;
         tries++)
      usleep(10000);
  }
}

void oci_cgroup_free(oci_cgroup *cg) {
  for (size_t i = 0; i < cg->count; i++)
    free(cg->dirs[i]);
  free(cg->dirs);
  cg->dirs = NULL;
  cg->count = 0;
}
