/* args_get, args_sizes_get, environ_get, environ_sizes_get. Run as
 *   args_env ARGV0-CHECK one "two words" ""
 * with --env FOO=bar --env EMPTY= --env "SP=a b"; prints argv[0] for the
 * driver to compare with the file name it ran. */
#include <stdlib.h>

#include "wasi_test.h"

static void check_args(int argc, char **argv) {
  CHECK(argc == 4);
  if (argc != 4)
    return;
  CHECK(!strcmp(argv[1], "one"));
  CHECK(!strcmp(argv[2], "two words"));
  CHECK(!strcmp(argv[3], ""));
  printf("argv0=%s\n", argv[0]);

  uint32_t count = 0, size = 0;
  CHECK_OK(raw_args_sizes_get(P(&count), P(&size)));
  CHECK(count == 4);
  CHECK(size == strlen(argv[0]) + 1 + 4 + 10 + 1);

  char *ptrs[4];
  char buf[256];
  CHECK_OK(raw_args_get(P(ptrs), P(buf)));
  CHECK(!strcmp(ptrs[2], "two words"));
  CHECK(ptrs[0] == buf);

  /* Every pointer out of bounds, or straddling the end of memory. */
  CHECK_ERR(raw_args_sizes_get(BAD_PTR, P(&size)), E_FAULT);
  CHECK_ERR(raw_args_sizes_get(P(&count), BAD_PTR), E_FAULT);
  CHECK_ERR(raw_args_get(BAD_PTR, P(buf)), E_FAULT);
  CHECK_ERR(raw_args_get(P(ptrs), BAD_PTR), E_FAULT);
  CHECK_ERR(raw_args_get(P(ptrs), (int32_t)(memory_bytes() - 4)), E_FAULT);
  CHECK_ERR(raw_args_get((int32_t)(memory_bytes() - 8), P(buf)), E_FAULT);
}

static void check_env(void) {
  CHECK(getenv("FOO") && !strcmp(getenv("FOO"), "bar"));
  CHECK(getenv("EMPTY") && !strcmp(getenv("EMPTY"), ""));
  CHECK(getenv("SP") && !strcmp(getenv("SP"), "a b"));
  CHECK(getenv("HOME") == NULL); /* the host's environment stays out */

  uint32_t count = 0, size = 0;
  CHECK_OK(raw_environ_sizes_get(P(&count), P(&size)));
  CHECK(count == 3);
  CHECK(size == sizeof "FOO=bar" + sizeof "EMPTY=" + sizeof "SP=a b");
  char *ptrs[3];
  char buf[64];
  CHECK_OK(raw_environ_get(P(ptrs), P(buf)));
  CHECK(!strcmp(ptrs[0], "FOO=bar"));
  CHECK(!strcmp(ptrs[2], "SP=a b"));

  CHECK_ERR(raw_environ_sizes_get(BAD_PTR, P(&size)), E_FAULT);
  CHECK_ERR(raw_environ_sizes_get(P(&count), BAD_PTR), E_FAULT);
  CHECK_ERR(raw_environ_get(BAD_PTR, P(buf)), E_FAULT);
  CHECK_ERR(raw_environ_get(P(ptrs), BAD_PTR), E_FAULT);
}

int main(int argc, char **argv) {
  check_args(argc, argv);
  check_env();
  return test_finish("args_env");
}
