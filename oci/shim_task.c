#include "shim_task.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci_guest.h"
#include "oci_launch.h"
#include "oci_spec.h"
#include "oci_state.h"
#include "shim_exec.h"
#include "shim_mount.h"
#include "shim_proc.h"

#ifndef WASMAOT_VERSION
#define WASMAOT_VERSION "unknown"
#endif

void shim_service_init(shim_service *s, shim_events *events, const oci_log *log,
                       const char *socket_path) {
  *s = (shim_service){.events = events, .log = log, .socket_path = socket_path};
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->changed, NULL);
}

__attribute__((format(printf, 3, 4))) static void
fail(ttrpc_result *res, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(res->message, sizeof res->message, fmt, ap);
  va_end(ap);
  res->code = code;
}

/* The fields of a request whose fields are all strings or numbers (every
 * one but Create): field N's string in s[N], its number in u[N]. */
#define FLAT_FIELDS 12
typedef struct flat_msg {
  char *s[FLAT_FIELDS];
  uint64_t u[FLAT_FIELDS];
} flat_msg;

static bool flat_decode(const uint8_t *p, size_t len, flat_msg *m) {
  *m = (flat_msg){0};
  pb_reader r = pb_reader_of(p, len);
  pb_field f;
  int more;
  while ((more = pb_next(&r, &f)) > 0) {
    if (f.number >= FLAT_FIELDS)
      continue;
    if (f.wire == 2 && !m->s[f.number])
      m->s[f.number] = pb_strdup(&f);
    else if (f.wire == 0)
      m->u[f.number] = f.value;
  }
  return more == 0;
}

static void flat_free(flat_msg *m) {
  for (int i = 0; i < FLAT_FIELDS; i++)
    free(m->s[i]);
}

static const char *str_or_empty(const char *s) {
  return s ? s : "";
}

/* The task named in a request (field 1), or NULL after failing it. */
static shim_task *find_task(shim_service *s, const flat_msg *m,
                            ttrpc_result *res) {
  const char *id = str_or_empty(m->s[1]);
  if (!s->has_task || s->task.deleted || strcmp(id, s->task.id)) {
    fail(res, TTRPC_NOT_FOUND, "task %s not found", id);
    return NULL;
  }
  return &s->task;
}

/* The exec named `exec_id` in the task, or NULL. */
static shim_proc *find_exec(shim_task *t, const char *exec_id, size_t *index) {
  for (size_t i = 0; i < t->exec_count; i++)
    if (!strcmp(t->execs[i]->exec_id, exec_id)) {
      if (index)
        *index = i;
      return t->execs[i];
    }
  return NULL;
}

/* The process a request names (id 1, exec_id 2: empty for the init), or
 * NULL after failing the request. */
static shim_proc *find_proc(shim_service *s, const flat_msg *m,
                            ttrpc_result *res) {
  shim_task *t = find_task(s, m, res);
  if (!t)
    return NULL;
  const char *exec_id = str_or_empty(m->s[2]);
  if (!*exec_id)
    return &t->init;
  shim_proc *p = find_exec(t, exec_id, NULL);
  if (!p)
    fail(res, TTRPC_NOT_FOUND, "exec %s not found in task %s", exec_id, t->id);
  return p;
}

/* ---- Events --------------------------------------------------------------
 */

static void publish_create(shim_service *s, const shim_task *t) {
  pb_buf e = {0}, io = {0};
  pb_put_str(&e, 1, t->id);
  pb_put_str(&e, 2, t->bundle);
  pb_put_str(&io, 1, t->init.stdin_path);
  pb_put_str(&io, 2, t->init.stdout_path);
  pb_put_str(&io, 3, t->init.stderr_path);
  pb_put_msg(&e, 4, &io);
  pb_put_uint(&e, 6, (uint64_t)t->init.pid);
  shim_publish(s->events, "/tasks/create", "TaskCreate", &e);
  pb_buf_free(&io);
  pb_buf_free(&e);
}

static void publish_start(shim_service *s, const shim_task *t) {
  pb_buf e = {0};
  pb_put_str(&e, 1, t->id);
  pb_put_uint(&e, 2, (uint64_t)t->init.pid);
  shim_publish(s->events, "/tasks/start", "TaskStart", &e);
  pb_buf_free(&e);
}

/* ---- Create --------------------------------------------------------------
 */

typedef struct create_request {
  flat_msg f; /* id 1, bundle 2, terminal 4, stdin 5, stdout 6, stderr 7 */
  shim_mount *rootfs;
  size_t rootfs_count;
} create_request;

static bool create_decode(const uint8_t *p, size_t len, create_request *c) {
  *c = (create_request){0};
  if (!flat_decode(p, len, &c->f))
    return false;
  pb_reader r = pb_reader_of(p, len);
  pb_field f;
  while (pb_next(&r, &f) > 0) {
    if (f.number != 3 || f.wire != 2)
      continue;
    shim_mount *m = realloc(c->rootfs, (c->rootfs_count + 1) * sizeof *m);
    if (!m)
      return false;
    c->rootfs = m;
    if (!shim_mount_decode(f.ptr, f.len, &m[c->rootfs_count++]))
      return false;
  }
  return true;
}

static void create_free(create_request *c) {
  flat_free(&c->f);
  for (size_t i = 0; i < c->rootfs_count; i++)
    shim_mount_free(&c->rootfs[i]);
  free(c->rootfs);
}

static void write_pid_file(const shim_task *t) {
  char path[4200];
  snprintf(path, sizeof path, "%s/" SHIM_PID_FILE, t->bundle);
  FILE *f = fopen(path, "we");
  if (f) {
    fprintf(f, "%d %llu\n", (int)t->init.pid,
            (unsigned long long)t->init_start_time);
    fclose(f);
  }
}

/* Spec, module, cgroup, stdio and the init process, as wasmaot-oci's
 * `create` does. False with the reason; nothing is left behind then
 * but what the caller undoes (the rootfs mount). */
static bool launch_init(shim_service *s, shim_task *t, char *err,
                        size_t errlen) {
  oci_spec spec;
  if (!oci_spec_load(t->bundle, &spec, err, errlen)) {
    oci_spec_free(&spec);
    return false;
  }
  oci_guest guest;
  bool ok = false;
  if (!oci_guest_load(&guest, &spec, &spec.process, s->log, err, errlen))
    goto free_guest;
  int stdio[3];
  if (!shim_open_stdio(&t->init, stdio, err, errlen))
    goto free_guest;
  snprintf(t->start_fifo, sizeof t->start_fifo, "%s/start.fifo", t->bundle);
  unlink(t->start_fifo);
  if (mkfifo(t->start_fifo, 0600) != 0) {
    snprintf(err, errlen, "cannot create %.1024s: %s", t->start_fifo,
             strerror(errno));
    goto close_stdio;
  }
  oci_cgroup_setup(spec.cgroups_path, spec.memory_limit, spec.pids_limit,
                   s->log, &t->cgroup);
  oci_launch launch = {
      .spec = &spec,
      .process = &spec.process,
      .guest = &guest,
      .cgroup = &t->cgroup,
      .exec_fifo = t->start_fifo,
      .stdio = stdio,
      .skip_atexit = true,
      .log = s->log,
  };
  pid_t pid = oci_launch_process(&launch, err, errlen);
  t->init.pid = pid;
  if (pid > 0 && (!oci_pid_start_time(pid, &t->init_start_time) ||
                  !shim_watch_proc(s, &t->init))) {
    snprintf(err, errlen, "cannot follow the init process");
    kill(pid, SIGKILL);
    oci_wait_status(pid);
    t->init.pid = -1;
  }
  ok = t->init.pid > 0;
  if (ok) {
    oci_log_write(s->log, "info", "task %s: pid %d, module %s", t->id, (int)pid,
                  spec.process.args[0]);
  } else {
    unlink(t->start_fifo);
    oci_cgroup_remove(t->cgroup.dirs, t->cgroup.count);
    oci_cgroup_free(&t->cgroup);
  }
close_stdio:
  for (int i = 0; i < 3; i++)
    close(stdio[i]);
free_guest:
  oci_guest_free(&guest);
  oci_spec_free(&spec);
  return ok;
}

static void task_free(shim_task *t) {
  free(t->id);
  free(t->bundle);
  free(t->rootfs);
  shim_proc_clear(&t->init);
  for (size_t i = 0; i < t->exec_count; i++) {
    shim_proc_clear(t->execs[i]);
    free(t->execs[i]);
  }
  free(t->execs);
  oci_cgroup_free(&t->cgroup);
  *t = (shim_task){0};
}

static void handle_create(shim_service *s, const uint8_t *p, size_t len,
                          pb_buf *out, ttrpc_result *res) {
  create_request c;
  if (!create_decode(p, len, &c)) {
    create_free(&c);
    return fail(res, TTRPC_INVALID_ARGUMENT, "malformed CreateTaskRequest");
  }
  if (s->has_task) {
    create_free(&c);
    return fail(res, TTRPC_ALREADY_EXISTS, "this shim already runs task %s",
                s->task.id);
  }
  if (c.f.u[4]) {
    create_free(&c);
    return fail(res, TTRPC_INVALID_ARGUMENT,
                "containerd-shim-wasmaot-v1: terminals are not supported "
                "(run without -t)");
  }
  shim_task *t = &s->task;
  *t = (shim_task){0};
  t->id = strdup(str_or_empty(c.f.s[1]));
  t->bundle = strdup(str_or_empty(c.f.s[2]));
  shim_proc *init = shim_proc_new("", c.f.s[5], c.f.s[6], c.f.s[7]);
  if (init) {
    t->init = *init;
    free(init);
  }
  size_t rlen = strlen(t->bundle ? t->bundle : "") + sizeof "/rootfs";
  t->rootfs = malloc(rlen);
  char err[2048];
  if (!t->id || !t->bundle || !init || !t->rootfs) {
    fail(res, TTRPC_INTERNAL, "out of memory");
    goto failed;
  }
  snprintf(t->rootfs, rlen, "%s/rootfs", t->bundle);
  if (c.rootfs_count) {
    if (!shim_mount_rootfs(c.rootfs, c.rootfs_count, t->rootfs, err,
                           sizeof err)) {
      fail(res, TTRPC_UNKNOWN, "task %s: %s", t->id, err);
      goto failed;
    }
    t->rootfs_mounted = true;
  }
  if (!launch_init(s, t, err, sizeof err)) {
    fail(res, TTRPC_UNKNOWN, "task %s: %s", t->id, err);
    if (t->rootfs_mounted && !shim_unmount_rootfs(t->rootfs, err, sizeof err))
      oci_warn(s->log, "%s", err);
    goto failed;
  }
  write_pid_file(t);
  t->init.status = SHIM_CREATED;
  s->has_task = true;
  create_free(&c);
  pb_put_uint(out, 1, (uint64_t)t->init.pid);
  publish_create(s, t);
  return;
failed:
  oci_fail(s->log, "%s", res->message);
  task_free(t);
  create_free(&c);
}

/* ---- Start, Wait, State, Pids, Connect ----------------------------------
 */

/* Releases the init from the start FIFO. The init may have died while
 * created, so the wait for its byte gives up once it has stopped. */
static bool release_init(shim_service *s, shim_task *t) {
  int fd = open(t->start_fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return false;
  bool released = false;
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    pthread_mutex_unlock(&s->lock);
    int n = poll(&p, 1, 100);
    pthread_mutex_lock(&s->lock);
    char byte;
    if (n > 0 && (p.revents & POLLIN) && read(fd, &byte, 1) == 1) {
      released = true;
      break;
    }
    if (t->init.status == SHIM_STOPPED)
      break;
  }
  close(fd);
  unlink(t->start_fifo);
  return released;
}

static void handle_start(shim_service *s, const flat_msg *m, pb_buf *out,
                         ttrpc_result *res) {
  shim_proc *p = find_proc(s, m, res);
  if (!p)
    return;
  shim_task *t = &s->task;
  if (p->status != SHIM_CREATED)
    return fail(res, TTRPC_FAILED_PRECONDITION, "%s %s is not created",
                p == &t->init ? "task" : "exec",
                p == &t->init ? t->id : p->exec_id);
  if (p != &t->init) {
    char err[2048];
    if (!shim_exec_start(s, p, err, sizeof err))
      return fail(res, TTRPC_UNKNOWN, "exec %s: %s", p->exec_id, err);
    pb_put_uint(out, 1, (uint64_t)p->pid);
    return;
  }
  if (!release_init(s, t))
    return fail(res, TTRPC_UNKNOWN, "task %s ended before it started", t->id);
  if (p->status == SHIM_CREATED)
    p->status = SHIM_RUNNING;
  pb_put_uint(out, 1, (uint64_t)p->pid);
  publish_start(s, t);
}

/* Looks the process up again after each wake-up: an exec that never
 * started can be deleted while a Wait for it blocks. */
static void handle_wait(shim_service *s, const flat_msg *m, pb_buf *out,
                        ttrpc_result *res) {
  shim_proc *p;
  while ((p = find_proc(s, m, res)) && p->status != SHIM_STOPPED)
    pthread_cond_wait(&s->changed, &s->lock);
  if (!p)
    return;
  pb_put_uint(out, 1, (uint64_t)p->exit_status);
  shim_put_time(out, 2, &p->exited_at);
}

static void handle_state(shim_service *s, const flat_msg *m, pb_buf *out,
                         ttrpc_result *res) {
  shim_proc *p = find_proc(s, m, res);
  if (!p)
    return;
  pb_put_str(out, 1, s->task.id);
  pb_put_str(out, 2, s->task.bundle);
  if (p->pid > 0)
    pb_put_uint(out, 3, (uint64_t)p->pid);
  pb_put_uint(out, 4, (uint64_t)p->status);
  pb_put_str(out, 5, p->stdin_path);
  pb_put_str(out, 6, p->stdout_path);
  pb_put_str(out, 7, p->stderr_path);
  if (p->status == SHIM_STOPPED) {
    pb_put_uint(out, 9, (uint64_t)p->exit_status);
    shim_put_time(out, 10, &p->exited_at);
  }
  pb_put_str(out, 11, p->exec_id);
}

/* The container's processes: the cgroup's when it can be read, else
 * the running ones the shim started. */
static size_t task_pids(const shim_task *t, pid_t **pids) {
  size_t n = oci_cgroup_pids(t->cgroup.dirs, t->cgroup.count, pids);
  if (n)
    return n;
  *pids = malloc((t->exec_count + 1) * sizeof **pids);
  if (!*pids)
    return 0;
  if (t->init.status != SHIM_STOPPED)
    (*pids)[n++] = t->init.pid;
  for (size_t i = 0; i < t->exec_count; i++)
    if (t->execs[i]->status == SHIM_RUNNING)
      (*pids)[n++] = t->execs[i]->pid;
  return n;
}

static void handle_pids(shim_service *s, const flat_msg *m, pb_buf *out,
                        ttrpc_result *res) {
  shim_task *t = find_task(s, m, res);
  if (!t)
    return;
  pid_t *pids = NULL;
  size_t n = task_pids(t, &pids);
  for (size_t i = 0; i < n; i++) {
    pb_buf info = {0};
    pb_put_uint(&info, 1, (uint64_t)pids[i]);
    pb_put_msg(out, 1, &info);
    pb_buf_free(&info);
  }
  free(pids);
}

static void handle_connect(shim_service *s, pb_buf *out) {
  pb_put_uint(out, 1, (uint64_t)getpid());
  if (s->has_task && s->task.init.pid > 0)
    pb_put_uint(out, 2, (uint64_t)s->task.init.pid);
  pb_put_str(out, 3, WASMAOT_VERSION);
}

/* ---- Kill, Delete, Shutdown -----------------------------------------------
 */

static void handle_kill(shim_service *s, const flat_msg *m, ttrpc_result *res) {
  shim_proc *p = find_proc(s, m, res);
  if (!p)
    return;
  int sig = m->u[3] ? (int)m->u[3] : SIGTERM;
  if (p->status == SHIM_STOPPED || p->pid <= 0)
    return fail(res, TTRPC_NOT_FOUND, "process already finished");
  /* Not yet marked stopped, so not reaped: the pid is still its own. */
  if (kill(p->pid, sig) != 0)
    return fail(res, TTRPC_UNKNOWN, "kill %d: %s", (int)p->pid,
                strerror(errno));
  if (m->u[4] && p == &s->task.init) {
    /* all: every process in the container's cgroup */
    pid_t *pids = NULL;
    size_t n =
        oci_cgroup_pids(s->task.cgroup.dirs, s->task.cgroup.count, &pids);
    for (size_t i = 0; i < n; i++)
      if (pids[i] != p->pid)
        kill(pids[i], sig);
    free(pids);
  }
}

/* Rootfs, cgroup and files of the task: what Delete leaves clean. */
static void release_resources(shim_service *s, shim_task *t) {
  char err[1024], path[4200];
  if (t->rootfs_mounted && !shim_unmount_rootfs(t->rootfs, err, sizeof err))
    oci_warn(s->log, "task %s: %s", t->id, err);
  t->rootfs_mounted = false;
  oci_cgroup_remove(t->cgroup.dirs, t->cgroup.count);
  snprintf(path, sizeof path, "%s/" SHIM_PID_FILE, t->bundle);
  unlink(path);
  unlink(t->start_fifo);
}

/* Execs that ran (an exec added and never started has no client
 * waiting for it). */
static size_t started_exec_count(const shim_task *t) {
  size_t n = 0;
  for (size_t i = 0; i < t->exec_count; i++)
    n += t->execs[i]->pid > 0;
  return n;
}

/* How long the init's Delete waits for the clients of stopped execs to
 * delete them (`ctr task exec` does right after its Wait returns): once
 * the task is deleted the shim shuts down and such a Delete would fail,
 * turning the exec's exit status into an error for its client. */
#define EXEC_COLLECT_MS 1000

/* Once the init is gone its execs end too (they watch it, see
 * oci_launch); Delete waits for that, so that their exits are recorded
 * and their Waits answered before the shim may shut down, and then, for
 * a while, for their clients to collect them. */
static void end_execs(shim_service *s, shim_task *t) {
  for (size_t i = 0; i < t->exec_count; i++)
    if (t->execs[i]->status == SHIM_RUNNING)
      kill(t->execs[i]->pid, SIGKILL);
  for (size_t i = 0; i < t->exec_count; i++)
    while (t->execs[i]->status == SHIM_RUNNING)
      pthread_cond_wait(&s->changed, &s->lock);
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_nsec += (long)EXEC_COLLECT_MS * 1000000;
  until.tv_sec += until.tv_nsec / 1000000000;
  until.tv_nsec %= 1000000000;
  while (started_exec_count(t) > 0)
    if (pthread_cond_timedwait(&s->changed, &s->lock, &until) == ETIMEDOUT)
      break;
}

static void put_delete_response(pb_buf *out, const shim_proc *p) {
  if (p->pid > 0)
    pb_put_uint(out, 1, (uint64_t)p->pid);
  pb_put_uint(out, 2, (uint64_t)p->exit_status);
  shim_put_time(out, 3, &p->exited_at);
}

static void handle_delete(shim_service *s, const flat_msg *m, pb_buf *out,
                          ttrpc_result *res) {
  shim_proc *p = find_proc(s, m, res);
  if (!p)
    return;
  shim_task *t = &s->task;
  if (p->status == SHIM_RUNNING)
    return fail(res, TTRPC_FAILED_PRECONDITION, "%s is running: kill it first",
                p == &t->init ? t->id : p->exec_id);
  if (p != &t->init) {
    /* An exec: stopped, or added and never started. */
    size_t i = 0;
    find_exec(t, p->exec_id, &i);
    put_delete_response(out, p);
    shim_proc_clear(p);
    free(p);
    t->execs[i] = t->execs[--t->exec_count];
    pthread_cond_broadcast(&s->changed); /* a Wait for it ends */
    return;
  }
  if (p->status == SHIM_CREATED) {
    kill(p->pid, SIGKILL);
    while (p->status != SHIM_STOPPED)
      pthread_cond_wait(&s->changed, &s->lock);
  }
  end_execs(s, t);
  release_resources(s, t);
  t->deleted = true;
  put_delete_response(out, p);
  pb_buf e = {0};
  pb_put_str(&e, 1, t->id);
  pb_put_uint(&e, 2, (uint64_t)p->pid);
  pb_put_uint(&e, 3, (uint64_t)p->exit_status);
  shim_put_time(&e, 4, &p->exited_at);
  shim_publish(s->events, "/tasks/delete", "TaskDelete", &e);
  pb_buf_free(&e);
}

static void exit_shim(void *ctx) {
  shim_service *s = ctx;
  unlink(s->socket_path);
  oci_log_write(s->log, "info", "shim %d exits", (int)getpid());
  _exit(0);
}

static void handle_shutdown(shim_service *s, const flat_msg *m,
                            ttrpc_result *res) {
  bool live = s->has_task && !s->task.deleted;
  if (live && !m->u[2])
    return; /* a task remains: containerd will ask again after Delete */
  if (live && s->task.init.status != SHIM_STOPPED)
    kill(s->task.init.pid, SIGKILL);
  if (live)
    release_resources(s, &s->task);
  res->after = exit_shim;
}

/* ---- Dispatch --------------------------------------------------------------
 */

void shim_task_handle(void *ctx, const char *service, const char *method,
                      const uint8_t *payload, size_t len, pb_buf *out,
                      ttrpc_result *res) {
  shim_service *s = ctx;
  if (strcmp(service, "containerd.task.v2.Task"))
    return fail(res, TTRPC_UNIMPLEMENTED, "service %s is not served here",
                service);
  pthread_mutex_lock(&s->lock);
  if (!strcmp(method, "Create")) {
    handle_create(s, payload, len, out, res);
    pthread_mutex_unlock(&s->lock);
    return;
  }
  if (!strcmp(method, "Exec")) {
    shim_task *t = s->has_task && !s->task.deleted ? &s->task : NULL;
    shim_exec_add(s, t, payload, len, res);
    pthread_mutex_unlock(&s->lock);
    return;
  }
  flat_msg m;
  if (!flat_decode(payload, len, &m)) {
    fail(res, TTRPC_INVALID_ARGUMENT, "malformed %s request", method);
  } else if (!strcmp(method, "Start")) {
    handle_start(s, &m, out, res);
  } else if (!strcmp(method, "Wait")) {
    handle_wait(s, &m, out, res);
  } else if (!strcmp(method, "State")) {
    handle_state(s, &m, out, res);
  } else if (!strcmp(method, "Kill")) {
    handle_kill(s, &m, res);
  } else if (!strcmp(method, "Delete")) {
    handle_delete(s, &m, out, res);
  } else if (!strcmp(method, "Pids")) {
    handle_pids(s, &m, out, res);
  } else if (!strcmp(method, "Connect")) {
    handle_connect(s, out);
  } else if (!strcmp(method, "Shutdown")) {
    handle_shutdown(s, &m, res);
  } else if (!strcmp(method, "CloseIO")) {
    /* stdin is the client's FIFO itself: nothing to close here. */
  } else {
    /* Pause, Resume, Checkpoint, ResizePty, Update, Stats. */
    fail(res, TTRPC_UNIMPLEMENTED,
         "%s is not implemented by containerd-shim-wasmaot-v1", method);
  }
  flat_free(&m);
  pthread_mutex_unlock(&s->lock);
}
