#include "oci_launch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci_state.h"

/* ---- The child's side ---------------------------------------------------- */

/* One "W text" line per line of `msg`. */
static void report(int sync, char kind, const char *msg) {
  while (*msg) {
    size_t len = strcspn(msg, "\n");
    dprintf(sync, "%c %.*s\n", kind, (int)len, msg);
    msg += len + (msg[len] == '\n');
  }
}

__attribute__((format(printf, 2, 3))) _Noreturn static void
child_fail(int sync, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  for (char *p = msg; *p; p++)
    if (*p == '\n')
      *p = ' ';
  report(sync, 'E', msg);
  _exit(1);
}

/* Default dispositions and an empty mask: the runtime's callers may have
 * blocked or ignored signals, and the guest must die of SIGTERM like any
 * process. SIGPIPE is the exception: the guest sees EPIPE, as under
 * `wasmaot run`. */
static void reset_signals(void) {
  struct sigaction dfl = {.sa_handler = SIG_DFL};
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      sigaction(sig, &dfl, NULL);
  signal(SIGPIPE, SIG_IGN);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

static void close_other_fds(int keep, int preserve) {
  DIR *d = opendir("/proc/self/fd");
  if (!d)
    return;
  int self = dirfd(d);
  struct dirent *e;
  int fds[1024];
  size_t n = 0;
  while ((e = readdir(d)) && n < 1024) {
    int fd = atoi(e->d_name);
    if (e->d_name[0] == '.' || fd <= 2 || fd == keep || fd == self ||
        fd < 3 + preserve)
      continue;
    fds[n++] = fd;
  }
  closedir(d);
  for (size_t i = 0; i < n; i++)
    close(fds[i]);
}

/* A pseudo-terminal whose master goes to the console socket (containerd
 * reads and writes it) and whose slave becomes stdio and the controlling
 * terminal. */
static void setup_console(int sync, const char *socket_path) {
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  char name[128];
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 ||
      ptsname_r(master, name, sizeof name) != 0)
    child_fail(sync, "cannot create a pseudo-terminal: %s", strerror(errno));
  int slave = open(name, O_RDWR | O_NOCTTY);
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(socket_path) >= sizeof addr.sun_path)
    child_fail(sync, "console socket path too long: %s", socket_path);
  strcpy(addr.sun_path, socket_path);
  if (slave < 0 || sock < 0 ||
      connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0)
    child_fail(sync, "console socket %s: %s", socket_path, strerror(errno));
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  memset(&control, 0, sizeof control);
  struct iovec iov = {.iov_base = name, .iov_len = strlen(name)};
  struct msghdr msg = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf};
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &master, sizeof(int));
  if (sendmsg(sock, &msg, 0) < 0)
    child_fail(sync, "cannot send the console to %s: %s", socket_path,
               strerror(errno));
  close(sock);
  close(master);
  for (int fd = 0; fd < 3; fd++)
    dup2(slave, fd);
  if (slave > 2)
    close(slave);
  ioctl(0, TIOCSCTTY, 0);
}

static void bring_up_loopback(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
    ifr.ifr_flags |= IFF_UP;
    ioctl(s, SIOCSIFFLAGS, &ifr);
  }
  close(s);
}

/* "/proc/PID/ns/net" into path. */
static void netns_path_of(pid_t pid, char path[64]) {
  snprintf(path, 64, "/proc/%d/ns/net", (int)pid);
}

static bool same_netns_as_ours(const char *ns_path) {
  struct stat theirs, ours;
  return stat(ns_path, &theirs) == 0 && stat("/proc/self/ns/net", &ours) == 0 &&
         theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}

static void join_netns(int sync, const char *ns_path) {
  int fd = open(ns_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0)
    child_fail(sync, "cannot join the network namespace %s: %s", ns_path,
               strerror(errno));
  close(fd);
}

/* The network namespace decides where listening sockets live: the spec's
 * path, or the init's for an exec'd process, or a new one (with loopback
 * up, as runc leaves it). No namespace asked for: the host's. A new one
 * is made only for a process with listening sockets: a WASI preview1
 * guest cannot create a socket, so for one without, an empty namespace
 * would isolate nothing, and making and tearing one down is about a tenth
 * of a container start's CPU time. An exec'd process whose init made none
 * is treated the same way. */
static void setup_network(int sync, const oci_launch *l) {
  const oci_spec *spec = l->spec;
  bool new_ns = spec->network_namespace && !spec->netns_path;
  char init_ns[64];
  if (l->netns_of > 0)
    netns_path_of(l->netns_of, init_ns);
  if (l->netns_of > 0 && !(new_ns && same_netns_as_ours(init_ns))) {
    join_netns(sync, init_ns);
    return;
  }
  if (!spec->network_namespace)
    return;
  if (spec->netns_path) {
    join_netns(sync, spec->netns_path);
    return;
  }
  if (!oci_guest_tcp_listen(spec, l->process))
    return;
  if (unshare(CLONE_NEWNET) != 0)
    child_fail(sync, "cannot create a network namespace: %s", strerror(errno));
  bring_up_loopback();
}

static void apply_rlimits(int sync, const oci_process *p) {
  for (size_t i = 0; i < p->rlimit_count; i++) {
    struct rlimit r = {
        .rlim_cur = p->rlimits[i].soft == UINT64_MAX ? RLIM_INFINITY
                                                     : p->rlimits[i].soft,
        .rlim_max = p->rlimits[i].hard == UINT64_MAX ? RLIM_INFINITY
                                                     : p->rlimits[i].hard};
    if (setrlimit(p->rlimits[i].resource, &r) != 0)
      child_fail(sync, "cannot set rlimit %d: %s", p->rlimits[i].resource,
                 strerror(errno));
  }
}

static void set_oom_score_adj(int sync, const oci_process *p) {
  if (!p->has_oom_score_adj)
    return;
  int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || dprintf(fd, "%d", p->oom_score_adj) < 0)
    child_fail(sync, "cannot set oom_score_adj: %s", strerror(errno));
  close(fd);
}

/* Last, once everything needing privileges is done. */
static void switch_user(int sync, const oci_process *p) {
  bool same = getuid() == p->uid && geteuid() == p->uid && getgid() == p->gid &&
              getegid() == p->gid;
  if (same && p->additional_gid_count == 0)
    return;
  gid_t groups[64];
  size_t n = p->additional_gid_count < 64 ? p->additional_gid_count : 64;
  for (size_t i = 0; i < n; i++)
    groups[i] = p->additional_gids[i];
  if (setgroups(n, groups) != 0 && !(same && errno == EPERM))
    child_fail(sync, "setgroups: %s", strerror(errno));
  if (setresgid(p->gid, p->gid, p->gid) != 0)
    child_fail(sync, "setgid %u: %s", p->gid, strerror(errno));
  if (setresuid(p->uid, p->uid, p->uid) != 0)
    child_fail(sync, "setuid %u: %s", p->uid, strerror(errno));
}

/* Blocks until `start` opens the fifo for reading. `fifo` is an O_PATH
 * fd opened before the user changed (the state directory may not be
 * reachable by the container's user); reopening it through /proc checks
 * only the fifo's own mode. */
static void wait_for_start(int fifo) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fifo);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  close(fifo);
  if (fd < 0)
    _exit(1);
  ssize_t n = write(fd, "0", 1);
  close(fd);
  if (n != 1)
    _exit(1);
}

/* ---- Following the init ----------------------------------------------------
 */

typedef struct init_watch {
  int pidfd;
} init_watch;

static void *watch_init(void *arg) {
  init_watch *w = arg;
  struct pollfd p = {.fd = w->pidfd, .events = POLLIN};
  while (poll(&p, 1, -1) < 0 && errno == EINTR)
    ;
  kill(getpid(), SIGKILL);
  return NULL;
}

/* Without a PID namespace nothing ends an exec'd process when the init
 * goes, and containerd's shim (seeing a private PID namespace in the
 * spec) leaves that to the kernel. A thread waits on a pidfd of the init
 * and ends this process the way the kernel would. */
static void follow_init(int sync, pid_t init, uint64_t start_time) {
  /* The thread's, for the rest of the process's life. */
  init_watch *watch = malloc(sizeof *watch);
  if (!watch)
    child_fail(sync, "out of memory");
  watch->pidfd = (int)syscall(SYS_pidfd_open, init, 0);
  if (watch->pidfd < 0 && errno == ESRCH)
    child_fail(sync, "the container's init process has exited");
  if (watch->pidfd < 0) {
    report(sync, 'W', "no pidfd: this process will outlive the init");
    return;
  }
  /* The pidfd names whatever has the pid now: check it is the init. */
  if (!oci_pid_alive(init, start_time))
    child_fail(sync, "the container's init process has exited");
  pthread_t thread;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&thread, &attr, watch_init, watch) != 0)
    child_fail(sync, "cannot start the init watcher: %s", strerror(errno));
  pthread_attr_destroy(&attr);
}

_Noreturn static void child_main(const oci_launch *l, int sync) {
  reset_signals();
  if (l->stdio)
    for (int fd = 0; fd < 3; fd++)
      if (dup2(l->stdio[fd], fd) < 0)
        child_fail(sync, "stdio: %s", strerror(errno));
  close_other_fds(sync, l->preserve_fds);
  /* Its own session, so no terminal signal of the caller's reaches it. */
  setsid();
  if (l->process->terminal) {
    if (!l->console_socket)
      child_fail(sync, "process.terminal is set but no --console-socket "
                       "was given");
    setup_console(sync, l->console_socket);
  }
  char msg[2048];
  oci_cgroup_join_self(l->cgroup, msg, sizeof msg);
  if (msg[0])
    report(sync, 'W', msg);
  setup_network(sync, l);
  if (!oci_guest_prepare(l->guest, l->spec, l->process, msg, sizeof msg))
    child_fail(sync, "%s", msg);
  int fifo = -1;
  if (l->exec_fifo && (fifo = open(l->exec_fifo, O_PATH | O_CLOEXEC)) < 0)
    child_fail(sync, "%s: %s", l->exec_fifo, strerror(errno));
  apply_rlimits(sync, l->process);
  set_oom_score_adj(sync, l->process);
  if (l->process->unknown_caps[0])
    dprintf(sync, "W unknown capabilities skipped: %s\n",
            l->process->unknown_caps);
  if (!oci_caps_prepare(&l->process->caps, msg, sizeof msg))
    child_fail(sync, "%s", msg);
  switch_user(sync, l->process);
  if (!oci_caps_apply(&l->process->caps, msg, sizeof msg))
    child_fail(sync, "%s", msg);
  if (l->process->no_new_privileges &&
      prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    child_fail(sync, "no_new_privs: %s", strerror(errno));
  if (l->init_pid > 0)
    follow_init(sync, l->init_pid, l->init_start_time);
  dprintf(sync, "R\n");
  close(sync);
  if (fifo >= 0)
    wait_for_start(fifo);
  int status = oci_guest_run(l->guest);
  if (l->skip_atexit) {
    fflush(NULL);
    _exit(status);
  }
  exit(status);
}

/* ---- The runtime's side -------------------------------------------------- */

int oci_wait_status(pid_t pid) {
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return 255;
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

pid_t oci_launch_process(const oci_launch *l, char *err, size_t errlen) {
  int sync[2];
  if (pipe2(sync, O_CLOEXEC) != 0) {
    snprintf(err, errlen, "pipe: %s", strerror(errno));
    return -1;
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(err, errlen, "fork: %s", strerror(errno));
    close(sync[0]);
    close(sync[1]);
    return -1;
  }
  if (pid == 0) {
    close(sync[0]);
    child_main(l, sync[1]);
  }
  close(sync[1]);
  FILE *in = fdopen(sync[0], "r");
  char line[2048];
  bool ready = false;
  err[0] = 0;
  while (in && !ready && fgets(line, sizeof line, in)) {
    line[strcspn(line, "\n")] = 0;
    if (line[0] == 'R')
      ready = true;
    else if (line[0] == 'W')
      oci_warn(l->log, "%s", line + 2);
    else if (line[0] == 'E')
      snprintf(err, errlen, "%s", line + 2);
  }
  if (in)
    fclose(in);
  else
    close(sync[0]);
  if (ready)
    return pid;
  int status = oci_wait_status(pid);
  if (!err[0])
    snprintf(err, errlen,
             "the container process ended (status %d) before it was ready",
             status);
  return -1;
}
