/* Traps: activations, the unwinding trap path and the fault handler.
 *
 * Every host-to-Wasm entry (call.c) pushes an activation holding a
 * sigjmp_buf; a trap — an explicit check in compiled code calling the TRAP
 * helper, a runtime helper's bounds check, a host function calling
 * wasmaot_trap_raise(), or a fault the handler below claims — records its
 * kind and longjmps to the innermost activation. Compiled code holds no
 * resources, so skipping its frames is all the unwinding there is.
 *
 * Process-wide state, and why it cannot hang off an engine:
 *   - the previous SIGSEGV/SIGBUS actions, saved once when our handler is
 *     installed (signal dispositions are per process);
 *   - a pthread key whose destructor frees a thread's alternate signal
 *     stack when the thread exits.
 * Thread-local state (`thread`): the innermost activation — the handler
 * runs on the faulting thread and must find it without locks — plus the
 * thread's stack bounds and the alternate stack we gave it. It is touched
 * before any Wasm code runs, so the handler never triggers a lazy TLS
 * allocation. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <unistd.h>

#include "runtime.h"

typedef struct thread_state {
  rt_activation *top;
  bool prepared;
  uintptr_t stack_lo, stack_hi;
  void *altstack; /* ours, or NULL when the thread already had one */
  size_t altstack_size;
} thread_state;

static _Thread_local thread_state thread;

static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static bool handlers_installed;
static struct sigaction previous_segv, previous_bus;
static pthread_key_t altstack_key;

/* Room Wasm code leaves for host functions and the trap path. */
#define STACK_MARGIN (256u * 1024u)
/* How far below the stack a prologue's fault can land: Linux keeps a
 * 1 MiB gap below the main stack, glibc a guard below thread stacks. */
#define STACK_GUARD_REACH (1u << 20)

/* ---- Messages -------------------------------------------------------------
 */

const char *wasmaot_trap_kind_message(wasmaot_trap_kind kind) {
  static const char *const texts[] = {
#define WASMAOT_TRAP_TEXT(id, text) text,
      WASMAOT_TRAP_KINDS(WASMAOT_TRAP_TEXT)
#undef WASMAOT_TRAP_TEXT
  };
  return (unsigned)kind < WASMAOT_TRAP_COUNT ? texts[kind] : "unknown trap";
}

void rt_trap_clear(wasmaot_trap *out) {
  if (out)
    memset(out, 0, sizeof *out);
}

void rt_trap_describe(const rt_activation *a, wasmaot_trap *out) {
  if (!out)
    return;
  rt_trap_clear(out);
  out->kind = a->kind;
  if ((a->kind == WASMAOT_TRAP_HOST || a->kind == WASMAOT_TRAP_EXCEPTION) &&
      a->message[0])
    snprintf(out->message, sizeof out->message, "%s", a->message);
  else
    snprintf(out->message, sizeof out->message, "%s",
             wasmaot_trap_kind_message(a->kind));
  if (a->kind == WASMAOT_TRAP_EXCEPTION && a->exception) {
    out->exception_tag = rt_exception_tag(a->exception);
    out->exception = a->exception;
  }
  addr_range code;
  if (a->trap_pc && addr_range_set_find(&a->engine->code, a->trap_pc, &code))
    rt_module_function_name(code.owner, a->trap_pc, out->func_name,
                            sizeof out->func_name);
}

/* ---- Activations -------------------------------------------------------- */

void rt_activation_push(rt_activation *a, wasmaot_engine *e) {
  a->prev = thread.top;
  a->engine = e;
  a->kind = WASMAOT_TRAP_NONE;
  a->trap_pc = 0;
  a->message[0] = '\0';
  a->exception = NULL;
  thread.top = a;
}

void rt_activation_pop(rt_activation *a) {
  thread.top = a->prev;
}

_Noreturn void rt_trap_raise(wasmaot_trap_kind kind, uintptr_t pc) {
  rt_activation *a = thread.top;
  if (!a) {
    fprintf(stderr, "wasmaot: trap \"%s\" outside any Wasm call\n",
            wasmaot_trap_kind_message(kind));
    abort();
  }
  a->kind = kind;
  a->trap_pc = pc;
  siglongjmp(a->jmp, 1);
}

_Noreturn void rt_trap_raise_exception(wasmaot_exception *exn, uintptr_t pc,
                                       const char *message) {
  rt_activation *a = thread.top;
  if (a) {
    a->exception = exn;
    snprintf(a->message, sizeof a->message, "%s", message);
  }
  rt_trap_raise(WASMAOT_TRAP_EXCEPTION, pc);
}

_Noreturn void wasmaot_trap_raise(const char *message) {
  rt_activation *a = thread.top;
  if (a)
    snprintf(a->message, sizeof a->message, "%s",
             message ? message : "host function failed");
  rt_trap_raise(WASMAOT_TRAP_HOST, 0);
}

/* ---- The fault handler -------------------------------------------------- */

static uintptr_t fault_pc(const void *context) {
  const ucontext_t *uc = context;
#if defined(__x86_64__)
  return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
  return (uintptr_t)uc->uc_mcontext.pc;
#else
#error "fault_pc: unsupported architecture"
#endif
}

/* What a fault at `addr` by compiled code means, or NONE if it is not a
 * Wasm trap. */
static wasmaot_trap_kind classify_fault(const rt_activation *a,
                                        uintptr_t addr) {
  addr_range r;
  if (addr_range_set_find(&a->engine->reservations, addr, &r))
    return WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS;
  if (addr < thread.stack_lo + 4096 &&
      addr + STACK_GUARD_REACH >= thread.stack_lo)
    return WASMAOT_TRAP_STACK_EXHAUSTED;
  return WASMAOT_TRAP_NONE;
}

/* Hands a fault that is not ours to whoever handled it before us. For
 * the default action, restore it and let the instruction fault again (or
 * re-send a signal that came from kill()). */
static void forward_fault(int sig, siginfo_t *info, void *context) {
  const struct sigaction *prev = sig == SIGBUS ? &previous_bus : &previous_segv;
  if (prev->sa_flags & SA_SIGINFO) {
    prev->sa_sigaction(sig, info, context);
    return;
  }
  if (prev->sa_handler == SIG_DFL || prev->sa_handler == SIG_IGN) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    if (info->si_code <= 0)
      raise(sig);
    return;
  }
  prev->sa_handler(sig);
}

static void handle_fault(int sig, siginfo_t *info, void *context) {
  rt_activation *a = thread.top;
  uintptr_t pc = fault_pc(context);
  addr_range code;
  if (a && addr_range_set_find(&a->engine->code, pc, &code)) {
    wasmaot_trap_kind kind = classify_fault(a, (uintptr_t)info->si_addr);
    if (kind != WASMAOT_TRAP_NONE) {
      /* Activations save no signal mask (that would cost a syscall per
       * call), so leave the handler's mask here. */
      sigprocmask(SIG_SETMASK, &((ucontext_t *)context)->uc_sigmask, NULL);
      a->kind = kind;
      a->trap_pc = pc;
      siglongjmp(a->jmp, 1);
    }
  }
  forward_fault(sig, info, context);
}

static void free_altstack(void *p) {
  stack_t ss;
  memset(&ss, 0, sizeof ss);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
  munmap(p, thread.altstack_size);
  thread.altstack = NULL;
}

static void install_handlers(void) {
  if (pthread_key_create(&altstack_key, free_altstack) != 0)
    return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handle_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSEGV, &sa, &previous_segv) != 0)
    return;
  if (sigaction(SIGBUS, &sa, &previous_bus) != 0) {
    sigaction(SIGSEGV, &previous_segv, NULL);
    return;
  }
  handlers_installed = true;
}

/* ---- Per-thread preparation -------------------------------------------- */

static size_t altstack_size(void) {
  long min = sysconf(_SC_SIGSTKSZ);
  size_t size = 64 * 1024;
  if (min > 0 && (size_t)min * 4 > size)
    size = (size_t)min * 4;
  return size;
}

/* The handler needs a stack of its own to report stack exhaustion. A
 * thread that already has one (a language runtime's, a sanitizer's)
 * keeps it. */
static bool ensure_altstack(char *err, size_t errlen) {
  stack_t old;
  if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE) &&
      old.ss_size >= altstack_size())
    return true;
  size_t size = altstack_size();
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (p == MAP_FAILED)
    return rt_fail(err, errlen, "cannot allocate a signal stack");
  stack_t ss = {.ss_sp = p, .ss_size = size, .ss_flags = 0};
  if (sigaltstack(&ss, NULL) != 0) {
    munmap(p, size);
    return rt_fail(err, errlen, "cannot install a signal stack");
  }
  thread.altstack = p;
  thread.altstack_size = size;
  pthread_setspecific(altstack_key, p);
  return true;
}

/* The largest main-thread stack assumed when RLIMIT_STACK is higher or
 * unlimited: Linux leaves at least this much free below the stack for it
 * to grow into (its mmap_base gap). */
#define MAIN_STACK_CAP (128u << 20)

/* The main thread's stack without asking /proc: glibc's
 * pthread_getattr_np reads and parses /proc/self/maps for it, about 30 us
 * or a tenth of a small program's cold start. Linux copies the program's
 * file name (AT_EXECFN) to the very top of the initial stack, one pointer
 * below its end, and the stack may grow to RLIMIT_STACK below that end:
 * the same bounds glibc computes. Returns false when the layout is not
 * what this expects, for the general path to answer. */
static bool find_main_stack_bounds(void) {
  if (gettid() != getpid())
    return false;
  const char *execfn = (const char *)getauxval(AT_EXECFN);
  struct rlimit rl;
  if (!execfn || getrlimit(RLIMIT_STACK, &rl) != 0)
    return false;
  size_t limit = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > MAIN_STACK_CAP
                     ? MAIN_STACK_CAP
                     : (size_t)rl.rlim_cur;
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0)
    return false;
  uintptr_t end = (uintptr_t)execfn + strlen(execfn) + 1 + sizeof(void *);
  uintptr_t hi = (end + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  /* This frame must lie within the stack so computed. */
  if (here >= hi || hi - here >= limit)
    return false;
  thread.stack_lo = (hi - limit) & ~((uintptr_t)page - 1);
  thread.stack_hi = hi;
  return true;
}

static bool find_stack_bounds(char *err, size_t errlen) {
  if (find_main_stack_bounds())
    return true;
  pthread_attr_t attr;
  void *addr = NULL;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) != 0)
    return rt_fail(err, errlen, "cannot find this thread's stack");
  int rc = pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0 || size == 0)
    return rt_fail(err, errlen, "cannot find this thread's stack");
  thread.stack_lo = (uintptr_t)addr;
  thread.stack_hi = (uintptr_t)addr + size;
  return true;
}

bool rt_thread_prepare(char *err, size_t errlen) {
  if (thread.prepared)
    return true;
  pthread_once(&install_once, install_handlers);
  if (!handlers_installed)
    return rt_fail(err, errlen, "cannot install the trap signal handler");
  if (!find_stack_bounds(err, errlen) || !ensure_altstack(err, errlen))
    return false;
  thread.prepared = true;
  return true;
}

uintptr_t rt_thread_stack_limit(void) {
  size_t size = thread.stack_hi - thread.stack_lo;
  size_t margin = size >= 2 * STACK_MARGIN ? STACK_MARGIN : size / 2;
  return thread.stack_lo + margin;
}
