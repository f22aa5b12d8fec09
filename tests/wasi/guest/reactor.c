/* A WASI reactor (-mexec-model=reactor): no `_start`, an `_initialize`
 * that runs constructors, and an export that uses WASI. `wasmaot run
 * --invoke greet 21` must call `_initialize` first. */
#include <stdio.h>

static int initialized;

__attribute__((constructor)) static void init(void) {
  initialized = 1;
}

__attribute__((export_name("greet"))) int greet(int n) {
  printf("hello %d from a reactor (initialized=%d)\n", n, initialized);
  fflush(stdout);
  return n * 2;
}
