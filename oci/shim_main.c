/* containerd-shim-wasmaot-v1: the containerd shim v2 for wasmaot, what
 * `ctr run --runtime io.containerd.wasmaot.v1` (and a CRI RuntimeClass
 * whose handler names it) runs. containerd calls it as
 *
 *   containerd-shim-wasmaot-v1 -namespace NS -address ADDR
 *       -publish-binary PATH -id ID [-debug] start|delete
 *
 * with the bundle as the working directory. `start` forks the shim
 * daemon, which serves containerd.task.v2.Task over ttrpc on a unix
 * socket, prints that socket's address and exits; `delete` cleans up
 * after a shim that died (kills the init, unmounts the rootfs) and prints
 * a DeleteResponse. See docs/containers.md. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "oci_log.h"
#include "oci_state.h"
#include "shim_events.h"
#include "shim_mount.h"
#include "shim_task.h"
#include "shim_ttrpc.h"

#ifndef WASMAOT_VERSION
#define WASMAOT_VERSION "unknown"
#endif

/* Where the shims' sockets live (one per task). */
#define SHIM_SOCKET_DIR "/run/wasmaot-shim"

typedef struct shim_args {
  const char *ns, *address, *publish_binary, *id, *bundle, *action;
  bool version;
} shim_args;

/* Go's flag syntax, which containerd uses: -name value, -name=value,
 * --name value; -debug takes no value. */
static bool parse_args(int argc, char **argv, shim_args *a) {
  *a = (shim_args){.ns = "default", .id = ""};
  static const struct {
    const char *name;
    size_t offset;
  } flags[] = {
      {"namespace", offsetof(shim_args, ns)},
      {"address", offsetof(shim_args, address)},
      {"publish-binary", offsetof(shim_args, publish_binary)},
      {"id", offsetof(shim_args, id)},
      {"bundle", offsetof(shim_args, bundle)},
  };
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (arg[0] != '-') {
      a->action = arg;
      continue;
    }
    arg += arg[1] == '-' ? 2 : 1;
    if (!strcmp(arg, "v") || !strcmp(arg, "version")) {
      a->version = true;
      continue;
    }
    if (!strcmp(arg, "debug") || !strncmp(arg, "debug=", 6))
      continue;
    size_t nlen = strcspn(arg, "=");
    size_t k;
    for (k = 0; k < sizeof flags / sizeof flags[0]; k++)
      if (strlen(flags[k].name) == nlen && !strncmp(arg, flags[k].name, nlen))
        break;
    if (k == sizeof flags / sizeof flags[0]) {
      fprintf(stderr, "containerd-shim-wasmaot-v1: unknown flag %s\n", argv[i]);
      return false;
    }
    const char *value = arg[nlen] == '=' ? arg + nlen + 1 : NULL;
    if (!value && i + 1 < argc)
      value = argv[++i];
    if (!value) {
      fprintf(stderr, "containerd-shim-wasmaot-v1: %s needs a value\n",
              argv[i]);
      return false;
    }
    *(const char **)((char *)a + flags[k].offset) = value;
  }
  return true;
}

/* A socket path unique to (containerd address, namespace, task id), so a
 * second `start` for the same task finds the running shim. */
static void socket_path(const shim_args *a, char *buf, size_t size) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  const char *parts[] = {a->address ? a->address : "", a->ns, a->id};
  for (size_t p = 0; p < 3; p++) {
    for (const char *c = parts[p]; *c; c++)
      h = (h ^ (uint8_t)*c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  }
  snprintf(buf, size, SHIM_SOCKET_DIR "/%016llx.sock", (unsigned long long)h);
}

static int listen_at(const char *path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
  mkdir(SHIM_SOCKET_DIR, 0711);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  unlink(path);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      listen(fd, 64) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  chmod(path, 0600);
  return fd;
}

/* containerd reads the shim's log from the FIFO "log" in the bundle and
 * copies it to its own output. */
static void open_shim_log(oci_log *log) {
  *log = (oci_log){0};
  int fd = open("log", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return;
  fcntl(fd, F_SETFL, 0);
  log->file = fdopen(fd, "w");
}

static void redirect_stdio(void) {
  int null = open("/dev/null", O_RDWR);
  if (null < 0)
    return;
  for (int fd = 0; fd < 3; fd++)
    dup2(null, fd);
  if (null > 2)
    close(null);
}

_Noreturn static void serve(const shim_args *a, int listen_fd,
                            const char *path) {
  setsid();
  redirect_stdio();
  signal(SIGPIPE, SIG_IGN);
  oci_log log;
  open_shim_log(&log);
  /* containerd's ttrpc socket: TTRPC_ADDRESS, else ADDRESS.ttrpc. */
  char ttrpc_address[4200] = "";
  const char *env = getenv("TTRPC_ADDRESS");
  if (env && *env)
    snprintf(ttrpc_address, sizeof ttrpc_address, "%s", env);
  else if (a->address)
    snprintf(ttrpc_address, sizeof ttrpc_address, "%s.ttrpc", a->address);
  /* On this stack for the daemon's life: serve() never returns. */
  shim_events events;
  shim_service service;
  shim_events_init(&events, ttrpc_address, a->ns, &log);
  shim_service_init(&service, &events, &log, path);
  oci_log_write(&log, "info", "shim %d serving task %s on %s", (int)getpid(),
                a->id, path);
  ttrpc_serve(listen_fd, shim_task_handle, &service);
  oci_fail(&log, "accept on %s: %s", path, strerror(errno));
  unlink(path);
  _exit(1);
}

static int cmd_start(const shim_args *a) {
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  socket_path(a, path, sizeof path);
  ttrpc_client probe;
  if (ttrpc_client_connect(&probe, path) == 0) {
    /* A shim already serves this task. */
    ttrpc_client_close(&probe);
    printf("unix://%s\n", path);
    return 0;
  }
  int fd = listen_at(path);
  if (fd < 0) {
    fprintf(stderr, "containerd-shim-wasmaot-v1: cannot listen on %s: %s\n",
            path, strerror(errno));
    return 1;
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "containerd-shim-wasmaot-v1: fork: %s\n", strerror(errno));
    unlink(path);
    return 1;
  }
  if (pid == 0)
    serve(a, fd, path);
  printf("unix://%s\n", path);
  return 0;
}

/* After a shim died: end its init and unmount the rootfs, then tell
 * containerd how the task ended (a DeleteResponse on stdout). */
static int cmd_delete(const shim_args *a) {
  if (a->bundle && chdir(a->bundle) != 0) {
    fprintf(stderr, "containerd-shim-wasmaot-v1: %s: %s\n", a->bundle,
            strerror(errno));
    return 1;
  }
  int pid = 0;
  unsigned long long start = 0;
  FILE *f = fopen(SHIM_PID_FILE, "re");
  if (f) {
    if (fscanf(f, "%d %llu", &pid, &start) != 2)
      pid = 0;
    fclose(f);
  }
  if (pid > 0 && oci_pid_alive(pid, start)) {
    kill(pid, SIGKILL);
    for (int i = 0; i < 100 && oci_pid_alive(pid, start); i++)
      usleep(10000);
  }
  unlink(SHIM_PID_FILE);
  unlink("start.fifo");
  char err[1024];
  if (!shim_unmount_rootfs("rootfs", err, sizeof err))
    fprintf(stderr, "containerd-shim-wasmaot-v1: %s\n", err);
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  socket_path(a, path, sizeof path);
  unlink(path);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  pb_buf out = {0};
  if (pid > 0)
    pb_put_uint(&out, 1, (uint64_t)pid);
  pb_put_uint(&out, 2, 128 + SIGKILL);
  pb_put_timestamp(&out, 3, now.tv_sec, (int32_t)now.tv_nsec);
  fwrite(out.data, 1, out.len, stdout);
  pb_buf_free(&out);
  return 0;
}

int main(int argc, char **argv) {
  shim_args a;
  if (!parse_args(argc, argv, &a))
    return 2;
  if (a.version) {
    printf("containerd-shim-wasmaot-v1:\n  Version: %s\n", WASMAOT_VERSION);
    return 0;
  }
  if (a.action && !strcmp(a.action, "start"))
    return cmd_start(&a);
  if (a.action && !strcmp(a.action, "delete"))
    return cmd_delete(&a);
  fprintf(stderr,
          "usage: containerd-shim-wasmaot-v1 -namespace NS -address ADDR "
          "-id ID [-publish-binary PATH] start|delete\n"
          "       containerd-shim-wasmaot-v1 -v\n");
  return 2;
}
