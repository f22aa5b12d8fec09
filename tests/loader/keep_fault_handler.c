/* cmocka catches SIGSEGV and SIGBUS around every test by calling signal()
 * before it and again after, which would replace the runtime's fault
 * handler (installed once, with sigaction) for the duration of each test
 * and drop it afterwards. Defining signal() here interposes cmocka's
 * calls: for those two signals they change nothing, so a fault is handled
 * by the runtime exactly as in a real embedding. Other signals pass
 * through. Only the test executables link this. */
#include <signal.h>
#include <string.h>

__sighandler_t signal(int sig, __sighandler_t handler) {
  if (sig == SIGSEGV || sig == SIGBUS)
    return SIG_DFL;
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  if (sigaction(sig, &sa, &old) != 0)
    return SIG_ERR;
  return old.sa_handler;
}
