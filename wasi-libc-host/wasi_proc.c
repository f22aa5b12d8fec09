/* proc_exit, proc_raise, sched_yield.
 *
 * The guest never ends the host process: proc_exit records its code and
 * unwinds the guest with a host trap, and the embedder (which owns the
 * process) decides what to do with the status. proc_raise gives a
 * signal its POSIX default action within the same limits: signals that
 * terminate end the guest the same way (status 128 + the host's signal
 * number, as a shell reports a signalled child), those ignored by default do
 * nothing, and the stop signals, which the guest cannot be subjected to, are
 * ENOTSUP. */
#include <sched.h>
#include <signal.h>
#include <stdio.h>

#include "wasi_funcs.h"
#include "wasi_internal.h"

static _Noreturn void end_guest(wasi_ctx *ctx, int status,
                                const char *message) {
  ctx->exited = true;
  ctx->exit_status = status;
  wasmaot_trap_raise(message);
}

void wasi_proc_exit(void *env, int32_t code) {
  char message[64];
  snprintf(message, sizeof message, "proc_exit(%u)", (unsigned)code);
  /* Statuses are 8-bit on POSIX hosts; keep what the parent would see. */
  end_guest(env, (int)((uint32_t)code & 0xff), message);
}

static bool ignored_by_default(int32_t sig) {
  return sig == WASI_SIGCHLD || sig == WASI_SIGCONT || sig == WASI_SIGURG ||
         sig == WASI_SIGWINCH;
}

static bool stops_by_default(int32_t sig) {
  return sig == WASI_SIGSTOP || sig == WASI_SIGTSTP || sig == WASI_SIGTTIN ||
         sig == WASI_SIGTTOU;
}

/* The host's number for each preview1 signal, in preview1's order (which
 * matches POSIX only up to SIGTERM). */
static const int host_signals[WASI_SIGNAL_COUNT] = {
    0,       SIGHUP,    SIGINT,  SIGQUIT,  SIGILL,  SIGTRAP, SIGABRT, SIGBUS,
    SIGFPE,  SIGKILL,   SIGUSR1, SIGSEGV,  SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
    SIGCHLD, SIGCONT,   SIGSTOP, SIGTSTP,  SIGTTIN, SIGTTOU, SIGURG,  SIGXCPU,
    SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGPOLL, SIGPWR,  SIGSYS,
};

int32_t wasi_proc_raise(void *env, int32_t sig) {
  if (sig < 0 || sig >= WASI_SIGNAL_COUNT)
    return WASI_EINVAL;
  if (sig == WASI_SIGNONE || ignored_by_default(sig))
    return 0;
  if (stops_by_default(sig))
    return WASI_ENOTSUP;
  int host = host_signals[sig];
  char message[64];
  snprintf(message, sizeof message, "proc_raise: terminated by signal %d",
           host);
  end_guest(env, 128 + host, message);
}

int32_t wasi_sched_yield(void *env) {
  (void)env;
  if (sched_yield() != 0)
    return wasi_errno_last();
  return 0;
}
