/* The first program a wasmaot user runs: prints a greeting and its
 * arguments through WASI. */
#include <stdio.h>

int main(int argc, char **argv) {
  printf("Hello from WebAssembly, compiled ahead of time by wasmaot!\n");
  for (int i = 1; i < argc; i++)
    printf("arg %d: %s\n", i, argv[i]);
  return 0;
}
