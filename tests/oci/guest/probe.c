/* The guest of the OCI runtime tests: runs the commands its arguments
 * spell, in order, and prints what it saw, so the test scripts can check
 * what the container gave it from the outside.
 *   args             print argc and each argument, and stop
 *   env KEY          print KEY=VALUE, or "KEY unset"
 *   cat PATH         print the file's contents
 *   write PATH TEXT  create/truncate PATH with TEXT; print ok or the error
 *   mkdir PATH       print ok or the error
 *   grow MIB         memory.grow one page at a time up to MIB MiB in all;
 *                    print the pages reached (pages are not touched)
 *   sleep            sleep until a signal ends the process
 *   exit N           exit with status N
 *   trap             execute `unreachable` */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void cat(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    printf("cat %s: %s\n", path, strerror(errno));
    return;
  }
  char buf[256];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    fwrite(buf, 1, n, stdout);
  fclose(f);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) {
    printf("write %s: %s\n", path, strerror(errno));
    return;
  }
  /* A file opened in a read-only tree holds no fd_write right. */
  int ok = fputs(text, f) >= 0;
  ok = fclose(f) == 0 && ok;
  printf("write %s: %s\n", path, ok ? "ok" : strerror(errno));
}

static void grow(long mib) {
  unsigned long target = (unsigned long)mib * 16; /* 64 KiB pages */
  while (__builtin_wasm_memory_size(0) < target &&
         __builtin_wasm_memory_grow(0, 1) != (size_t)-1)
    ;
  printf("memory pages: %lu\n", (unsigned long)__builtin_wasm_memory_size(0));
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *cmd = argv[i];
    const char *a = i + 1 < argc ? argv[i + 1] : "";
    const char *b = i + 2 < argc ? argv[i + 2] : "";
    if (!strcmp(cmd, "args")) {
      printf("argc=%d\n", argc);
      for (int k = 0; k < argc; k++)
        printf("argv[%d]=%s\n", k, argv[k]);
      return 0;
    } else if (!strcmp(cmd, "env")) {
      const char *v = getenv(a);
      if (v)
        printf("%s=%s\n", a, v);
      else
        printf("%s unset\n", a);
      i++;
    } else if (!strcmp(cmd, "cat")) {
      cat(a);
      i++;
    } else if (!strcmp(cmd, "write")) {
      write_file(a, b);
      i += 2;
    } else if (!strcmp(cmd, "mkdir")) {
      printf("mkdir %s: %s\n", a, mkdir(a, 0755) == 0 ? "ok" : strerror(errno));
      i++;
    } else if (!strcmp(cmd, "grow")) {
      grow(atol(a));
      i++;
    } else if (!strcmp(cmd, "sleep")) {
      printf("sleeping\n");
      fflush(stdout);
      for (;;)
        sleep(1000);
    } else if (!strcmp(cmd, "exit")) {
      fflush(stdout);
      exit(atoi(a));
    } else if (!strcmp(cmd, "trap")) {
      fflush(stdout);
      __builtin_trap();
    } else {
      printf("unknown command %s\n", cmd);
      return 2;
    }
    fflush(stdout);
  }
  return 0;
}
