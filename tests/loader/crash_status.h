/* How a test child that hit a fault no one may claim ends: killed by
 * SIGSEGV, or — under AddressSanitizer, whose handler was installed before
 * the runtime's and so is the one the runtime passes such faults on to —
 * with ASan's report and then either a failing exit status or, when
 * ASAN_OPTIONS has abort_on_error=1 (as scripts/test.sh sets), SIGABRT. */
#ifndef WASMAOT_TEST_CRASH_STATUS_H
#define WASMAOT_TEST_CRASH_STATUS_H

#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static inline bool crashed_with_segv(int status) {
#ifdef UNDER_ASAN
  return (WIFEXITED(status) && WEXITSTATUS(status) != 0) ||
         (WIFSIGNALED(status) &&
          (WTERMSIG(status) == SIGABRT || WTERMSIG(status) == SIGSEGV));
#else
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
#endif
}

#endif
