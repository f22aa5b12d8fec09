#include "oci_state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "oci_cgroup.h"
#include "oci_jsonw.h"
#include "oci_spec.h"

bool oci_id_valid(const char *id) {
  if (!id[0] || !strcmp(id, ".") || !strcmp(id, "..") || strlen(id) > 1024)
    return false;
  for (const char *p = id; *p; p++) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-' ||
              c == '.';
    if (!ok)
      return false;
  }
  return true;
}

char *oci_state_dir(const char *root, const char *id) {
  char *dir;
  return asprintf(&dir, "%s/%s", root, id) < 0 ? NULL : dir;
}

static bool mkdir_p(const char *path, mode_t mode) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = 0;
    if (mkdir(buf, mode) != 0 && errno != EEXIST)
      return false;
    *p = '/';
  }
  return mkdir(buf, mode) == 0 || errno == EEXIST;
}

bool oci_state_create_dir(const char *root, const char *id, char *err,
                          size_t errlen) {
  if (!mkdir_p(root, 0711)) {
    snprintf(err, errlen, "cannot create the state root %s: %s", root,
             strerror(errno));
    return false;
  }
  char *dir = oci_state_dir(root, id);
  if (!dir) {
    snprintf(err, errlen, "out of memory");
    return false;
  }
  bool ok = false;
  if (mkdir(dir, 0711) != 0) {
    if (errno == EEXIST)
      snprintf(err, errlen, "container with id %s already exists", id);
    else
      snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
  } else {
    char fifo[4200];
    snprintf(fifo, sizeof fifo, "%s/exec.fifo", dir);
    /* Writable by the container's user, whoever that is; only `start`
     * (root) reads it. */
    ok = mkfifo(fifo, 0622) == 0 && chmod(fifo, 0622) == 0;
    if (!ok) {
      snprintf(err, errlen, "cannot create %s: %s", fifo, strerror(errno));
      rmdir(dir);
    }
  }
  free(dir);
  return ok;
}

bool oci_state_save(const oci_state *st, char *err, size_t errlen) {
  char tmp[4200], path[4200];
  snprintf(tmp, sizeof tmp, "%s/state.json.tmp", st->dir);
  snprintf(path, sizeof path, "%s/state.json", st->dir);
  FILE *f = fopen(tmp, "we");
  if (!f) {
    snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
    return false;
  }
  fputs("{\"id\":", f);
  oci_jsonw_string(f, st->id);
  fprintf(f, ",\"pid\":%d,\"start_time\":%llu", (int)st->pid,
          (unsigned long long)st->start_time);
  fputs(",\"bundle\":", f);
  oci_jsonw_string(f, st->bundle);
  fputs(",\"rootfs\":", f);
  oci_jsonw_string(f, st->rootfs);
  fprintf(f, ",\"created_sec\":%lld,\"created_nsec\":%ld,\"cgroups\":[",
          st->created_sec, st->created_nsec);
  for (size_t i = 0; i < st->cgroup_count; i++) {
    if (i)
      fputc(',', f);
    oci_jsonw_string(f, st->cgroups[i]);
  }
  fputs("]}\n", f);
  bool ok = fflush(f) == 0 && !ferror(f);
  ok = fclose(f) == 0 && ok;
  if (!ok || rename(tmp, path) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    unlink(tmp);
    return false;
  }
  return true;
}

static char *dup_member(const json_value *obj, const char *key) {
  const char *s = json_as_cstring(json_object_get(obj, key));
  return strdup(s ? s : "");
}

int oci_state_load(const char *root, const char *id, oci_state *st, char *err,
                   size_t errlen) {
  memset(st, 0, sizeof *st);
  if (!oci_id_valid(id)) {
    snprintf(err, errlen, "invalid container id \"%s\"", id);
    return -1;
  }
  st->dir = oci_state_dir(root, id);
  char path[4200];
  snprintf(path, sizeof path, "%s/state.json", st->dir ? st->dir : "");
  size_t len;
  char *text = st->dir ? oci_read_file(path, &len) : NULL;
  if (!text) {
    int e = errno;
    struct stat sb;
    /* A directory without state.json is a `create` that never finished. */
    bool exists = st->dir && stat(st->dir, &sb) == 0;
    if (e == ENOENT && !exists) {
      oci_state_free(st);
      return 0;
    }
    snprintf(err, errlen, "container %s: cannot read %s: %s", id, path,
             strerror(e));
    return -1;
  }
  json_error jerr;
  json_document *doc = json_parse(text, len, &jerr);
  free(text);
  const json_value *v = json_document_root(doc);
  uint64_t pid = 0, start = 0, sec = 0, nsec = 0;
  if (!doc || !json_as_uint64(json_object_get(v, "pid"), &pid) ||
      !json_as_uint64(json_object_get(v, "start_time"), &start)) {
    json_document_free(doc);
    snprintf(err, errlen, "container %s: %s is damaged", id, path);
    return -1;
  }
  json_as_uint64(json_object_get(v, "created_sec"), &sec);
  json_as_uint64(json_object_get(v, "created_nsec"), &nsec);
  st->id = strdup(id);
  st->pid = (pid_t)pid;
  st->start_time = start;
  st->bundle = dup_member(v, "bundle");
  st->rootfs = dup_member(v, "rootfs");
  st->created_sec = (long long)sec;
  st->created_nsec = (long)nsec;
  const json_value *cg = json_object_get(v, "cgroups");
  size_t n = json_array_length(cg);
  st->cgroups = calloc(n + 1, sizeof *st->cgroups);
  for (size_t i = 0; st->cgroups && i < n; i++) {
    const char *s = json_as_cstring(json_array_at(cg, i));
    if (s && (st->cgroups[st->cgroup_count] = strdup(s)))
      st->cgroup_count++;
  }
  json_document_free(doc);
  return 1;
}

void oci_state_free(oci_state *st) {
  free(st->dir);
  free(st->id);
  free(st->bundle);
  free(st->rootfs);
  for (size_t i = 0; i < st->cgroup_count; i++)
    free(st->cgroups[i]);
  free(st->cgroups);
  memset(st, 0, sizeof *st);
}

void oci_state_remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
        continue;
      unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
  }
  rmdir(dir);
}

/* Field 3 (state) and field 22 (start time) of /proc/PID/stat. */
static bool read_stat(pid_t pid, char *state, uint64_t *start) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return false;
  buf[n] = 0;
  /* The command name (field 2) may hold spaces and ')'. */
  char *p = strrchr(buf, ')');
  if (!p || p[1] != ' ')
    return false;
  p += 2;
  *state = *p;
  for (int field = 3; field < 22; field++) {
    p = strchr(p, ' ');
    if (!p)
      return false;
    p++;
  }
  *start = strtoull(p, NULL, 10);
  return true;
}

bool oci_pid_start_time(pid_t pid, uint64_t *start_time) {
  char state;
  return read_stat(pid, &state, start_time);
}

bool oci_pid_alive(pid_t pid, uint64_t start_time) {
  char state;
  uint64_t start;
  if (pid <= 0 || !read_stat(pid, &state, &start))
    return false;
  return start == start_time && state != 'Z' && state != 'X';
}

oci_status oci_state_status(const oci_state *st) {
  if (!oci_pid_alive(st->pid, st->start_time))
    return OCI_STATUS_STOPPED;
  char fifo[4200];
  snprintf(fifo, sizeof fifo, "%s/exec.fifo", st->dir);
  return access(fifo, F_OK) == 0 ? OCI_STATUS_CREATED : OCI_STATUS_RUNNING;
}

const char *oci_status_name(oci_status s) {
  switch (s) {
  case OCI_STATUS_CREATED:
    return "created";
  case OCI_STATUS_RUNNING:
    return "running";
  case OCI_STATUS_STOPPED:
    break;
  }
  return "stopped";
}

bool oci_state_add_exec(const oci_state *st, pid_t pid) {
  uint64_t start;
  if (!oci_pid_start_time(pid, &start))
    return false;
  char path[4200];
  snprintf(path, sizeof path, "%s/execs", st->dir);
  FILE *f = fopen(path, "ae");
  if (!f)
    return false;
  fprintf(f, "%d %llu\n", (int)pid, (unsigned long long)start);
  return fclose(f) == 0;
}

static bool push_pid(pid_t **out, size_t *n, size_t *cap, pid_t pid) {
  if (*n == *cap) {
    *cap = *cap ? 2 * *cap : 8;
    pid_t *p = realloc(*out, *cap * sizeof *p);
    if (!p)
      return false;
    *out = p;
  }
  (*out)[(*n)++] = pid;
  return true;
}

/* Alive and not a zombie waiting for its parent. */
static bool running(pid_t pid) {
  char state;
  uint64_t start;
  return read_stat(pid, &state, &start) && state != 'Z' && state != 'X';
}

size_t oci_state_pids(const oci_state *st, pid_t **out) {
  size_t n = oci_cgroup_pids(st->cgroups, st->cgroup_count, out), live = 0;
  for (size_t i = 0; i < n; i++)
    if (running((*out)[i]))
      (*out)[live++] = (*out)[i];
  if (live > 0)
    return live;
  n = 0;
  free(*out);
  *out = NULL;
  size_t cap = 0;
  if (oci_pid_alive(st->pid, st->start_time))
    push_pid(out, &n, &cap, st->pid);
  char path[4200];
  snprintf(path, sizeof path, "%s/execs", st->dir);
  FILE *f = fopen(path, "re");
  if (!f)
    return n;
  int pid;
  unsigned long long start;
  while (fscanf(f, "%d %llu", &pid, &start) == 2)
    if (oci_pid_alive(pid, start))
      push_pid(out, &n, &cap, pid);
  fclose(f);
  return n;
}

bool oci_write_pid_file(const char *path, pid_t pid) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid());
  FILE *f = fopen(tmp, "we");
  if (!f)
    return false;
  fprintf(f, "%d", (int)pid);
  bool ok = fclose(f) == 0;
  if (ok && rename(tmp, path) == 0)
    return true;
  unlink(tmp);
  return false;
}
