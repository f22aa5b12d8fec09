/* proc_exit, proc_raise and how `wasmaot run` reports the end of a
 * guest. argv[1] picks the case:
 *   exit N      exit(N) after printing without a newline (stdio flushed)
 *   rawexit N   proc_exit(N) directly
 *   return N    main returns N
 *   raise       proc_raise's error cases, then SIGTERM (status 143)
 *   trap        an unreachable instruction (status 134)
 * Exports `quit` (proc_exit(7)) and `add` for --invoke. */
#include <stdlib.h>

#include "wasi_test.h"

__attribute__((export_name("quit"))) void quit(void) {
  raw_proc_exit(7);
}

__attribute__((export_name("add"))) int add(int a, int b) {
  return a + b;
}

static int check_raise(void) {
  CHECK_OK(raw_proc_raise(0));
  CHECK_OK(raw_proc_raise(27));            /* SIGWINCH: ignored by default */
  CHECK_OK(raw_proc_raise(16));            /* SIGCHLD */
  CHECK_ERR(raw_proc_raise(18), E_NOTSUP); /* SIGSTOP */
  CHECK_ERR(raw_proc_raise(31), E_INVAL);
  CHECK_ERR(raw_proc_raise(-1), E_INVAL);
  test_finish("proc");
  raw_proc_raise(15); /* SIGTERM: the guest ends here */
  printf("still running after SIGTERM\n");
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 100;
  const char *mode = argv[1];
  int n = argc > 2 ? atoi(argv[2]) : 0;
  if (!strcmp(mode, "exit")) {
    printf("bye");
    exit(n);
  }
  if (!strcmp(mode, "rawexit"))
    raw_proc_exit(n);
  if (!strcmp(mode, "return"))
    return n;
  if (!strcmp(mode, "raise"))
    return check_raise();
  if (!strcmp(mode, "trap"))
    __builtin_trap();
  return 100;
}
