#include "cli_compile_children.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file_write.h"

typedef struct child {
  pid_t pid; /* 0: not running */
  int fd;    /* memfd the child writes its artifact to */
} child;

/* In the child: compile, hand the artifact over, and leave without
 * running exit handlers (the parent's, and the sanitizers', belong to
 * the parent). */
static _Noreturn void run_child(child_compile_fn compile, void *ctx,
                                size_t index, int fd) {
  aot_output out;
  bool ok = compile(ctx, index, &out) && file_write_all(fd, out.data, out.size);
  fflush(stderr);
  _exit(ok ? 0 : 1);
}

static bool start(child *c, child_compile_fn compile, void *ctx, size_t index,
                  const char *name) {
  c->fd = memfd_create("wasmaot-target", MFD_CLOEXEC);
  if (c->fd < 0) {
    fprintf(stderr, "%s: %s\n", name, strerror(errno));
    return false;
  }
  fflush(NULL); /* nothing buffered is written twice */
  c->pid = fork();
  if (c->pid == 0)
    run_child(compile, ctx, index, c->fd);
  if (c->pid < 0) {
    fprintf(stderr, "%s: cannot start a compile: %s\n", name, strerror(errno));
    close(c->fd);
    c->pid = 0;
    return false;
  }
  return true;
}

/* Reads what a child that exited with status 0 wrote. */
static bool collect(child *c, const char *name, aot_output *out) {
  struct stat st;
  void *data = NULL;
  bool ok = fstat(c->fd, &st) == 0 && st.st_size > 0 &&
            (data = malloc((size_t)st.st_size)) &&
            pread(c->fd, data, (size_t)st.st_size, 0) == st.st_size;
  if (!ok) {
    fprintf(stderr, "%s: cannot collect the artifact\n", name);
    free(data);
    return false;
  }
  out->data = data;
  out->size = (size_t)st.st_size;
  return true;
}

/* Waits for any child; returns its slot, with *status. */
static int reap(child *running, size_t slots, int *status) {
  for (;;) {
    pid_t pid = waitpid(-1, status, 0);
    if (pid < 0 && errno == EINTR)
      continue;
    if (pid < 0)
      return -1;
    for (size_t i = 0; i < slots; i++)
      if (running[i].pid == pid)
        return (int)i;
  }
}

bool compile_in_children(child_compile_fn compile, void *ctx,
                         const char *const *names, size_t count,
                         unsigned parallel, aot_output *outs) {
  if (parallel == 0)
    parallel = 1;
  child *running = calloc(count, sizeof *running);
  if (!running)
    return false;
  memset(outs, 0, count * sizeof *outs);
  bool ok = true;
  size_t next = 0, active = 0;
  while (next < count || active > 0) {
    if (next < count && active < parallel) {
      ok = start(&running[next], compile, ctx, next, names[next]) && ok;
      active += running[next].pid != 0;
      next++;
      continue;
    }
    int status;
    int i = reap(running, next, &status);
    if (i < 0)
      break;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
      ok = collect(&running[i], names[i], &outs[i]) && ok;
    else
      ok = false;
    if (WIFSIGNALED(status))
      fprintf(stderr, "%s: the compiler died of signal %d (%s)\n", names[i],
              WTERMSIG(status), strsignal(WTERMSIG(status)));
    close(running[i].fd);
    running[i].pid = 0;
    active--;
  }
  free(running);
  return ok;
}
