#include "shim_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci_launch.h"

bool shim_open_stdio(const shim_proc *p, int fds[3], char *err, size_t errlen) {
  const char *paths[3] = {p->stdin_path, p->stdout_path, p->stderr_path};
  for (int i = 0; i < 3; i++) {
    const char *path = paths[i] && *paths[i] ? paths[i] : "/dev/null";
    int flags = i == 0 ? O_RDONLY | O_NONBLOCK : O_RDWR;
    fds[i] = open(path, flags | O_CLOEXEC);
    if (fds[i] < 0) {
      snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
      for (int k = 0; k < i; k++)
        close(fds[k]);
      return false;
    }
    if (i == 0)
      fcntl(fds[0], F_SETFL, 0);
  }
  return true;
}

void shim_put_time(pb_buf *b, int field, const struct timespec *t) {
  pb_put_timestamp(b, (uint32_t)field, t->tv_sec, (int32_t)t->tv_nsec);
}

typedef struct waiter {
  shim_service *s;
  shim_proc *p;
} waiter;

static void publish_exit(shim_service *s, const shim_proc *p) {
  pb_buf e = {0};
  pb_put_str(&e, 1, s->task.id);
  pb_put_str(&e, 2, *p->exec_id ? p->exec_id : s->task.id);
  pb_put_uint(&e, 3, (uint64_t)p->pid);
  pb_put_uint(&e, 4, (uint64_t)p->exit_status);
  shim_put_time(&e, 5, &p->exited_at);
  shim_publish(s->events, "/tasks/exit", "TaskExit", &e);
  pb_buf_free(&e);
}

static void *wait_proc(void *arg) {
  waiter *w = arg;
  shim_service *s = w->s;
  shim_proc *p = w->p;
  siginfo_t info;
  while (waitid(P_PID, (id_t)p->pid, &info, WEXITED | WNOWAIT) != 0 &&
         errno == EINTR)
    ;
  pthread_mutex_lock(&s->lock);
  p->exit_status = oci_wait_status(p->pid);
  clock_gettime(CLOCK_REALTIME, &p->exited_at);
  p->status = SHIM_STOPPED;
  pthread_cond_broadcast(&s->changed);
  oci_log_write(s->log, "info", "task %s%s%s: pid %d exited with status %d",
                s->task.id, *p->exec_id ? " exec " : "", p->exec_id,
                (int)p->pid, p->exit_status);
  /* Under the lock: Delete may free an exec's record once it stopped. */
  publish_exit(s, p);
  pthread_mutex_unlock(&s->lock);
  free(w);
  return NULL;
}

bool shim_watch_proc(shim_service *s, shim_proc *p) {
  waiter *w = malloc(sizeof *w);
  if (!w)
    return false;
  *w = (waiter){s, p};
  pthread_t thread;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 128 * 1024);
  bool ok = pthread_create(&thread, &attr, wait_proc, w) == 0;
  pthread_attr_destroy(&attr);
  if (!ok)
    free(w);
  return ok;
}

shim_proc *shim_proc_new(const char *exec_id, const char *in, const char *out,
                         const char *err) {
  shim_proc *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  p->pid = -1;
  p->exec_id = strdup(exec_id ? exec_id : "");
  p->stdin_path = strdup(in ? in : "");
  p->stdout_path = strdup(out ? out : "");
  p->stderr_path = strdup(err ? err : "");
  if (!p->exec_id || !p->stdin_path || !p->stdout_path || !p->stderr_path) {
    shim_proc_clear(p);
    free(p);
    return NULL;
  }
  return p;
}

void shim_proc_clear(shim_proc *p) {
  free(p->exec_id);
  free(p->stdin_path);
  free(p->stdout_path);
  free(p->stderr_path);
  free(p->process_json);
  *p = (shim_proc){.pid = -1};
}
