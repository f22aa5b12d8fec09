/* `wasmaot aot-compile`: .wasm in, native shared object out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../loader/compiler_load.h"
#include "cli.h"

static int aot_usage(FILE *out) {
  fprintf(
      out,
      "Usage: wasmaot aot-compile [OPTIONS] FILE.wasm -o OUT.so\n"
      "\n"
      "Compiles a WebAssembly module ahead of time to a native ELF shared\n"
      "object that `wasmaot run` maps and runs without a compiler.\n"
      "\n"
      "Options:\n"
      "  -o FILE            output file (required)\n"
      "  -O0 | -O1 | -O2 | -O3\n"
      "                     optimisation level (default -O2)\n"
      "  --target TRIPLE    target, e.g. x86_64-linux-gnu, aarch64-linux-gnu\n"
      "                     (default: this machine)\n"
      "  --cpu NAME         CPU to tune for and whose features the code may\n"
      "                     use (default: this machine's CPU for a native\n"
      "                     target, a portable baseline for another one)\n"
      "  --features LIST    extra features, e.g. +avx2,-avx512f\n"
      "  --verify-ir        check the generated LLVM IR (for debugging)\n"
      "  -h, --help         show this help\n");
  return out == stdout ? 0 : 2;
}

/* Writes through a temporary file renamed into place, so a reader never
 * sees half an artifact. */
static bool write_file_atomically(const char *path, const void *data,
                                  size_t size) {
  size_t n = strlen(path) + 16;
  char *tmp = malloc(n);
  if (!tmp)
    return false;
  snprintf(tmp, n, "%s.tmpXXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    free(tmp);
    return false;
  }
  const char *p = data;
  size_t left = size;
  bool ok = true;
  while (ok && left > 0) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno == EINTR)
      continue;
    ok = w > 0;
    if (ok) {
      p += w;
      left -= (size_t)w;
    }
  }
  ok = ok && fchmod(fd, 0644) == 0;
  ok = close(fd) == 0 && ok;
  ok = ok && rename(tmp, path) == 0;
  if (!ok) {
    int e = errno;
    unlink(tmp);
    errno = e;
  }
  free(tmp);
  return ok;
}

typedef struct aot_cli_args {
  const char *input, *output;
  aot_options opts;
} aot_cli_args;

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, aot_cli_args *a) {
  a->opts.target.opt_level = 2;
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    const char *next = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(s, "-h") || !strcmp(s, "--help"))
      return aot_usage(stdout);
    if (!strcmp(s, "-o") && next) {
      a->output = argv[++i];
    } else if (s[0] == '-' && s[1] == 'O' && s[2] >= '0' && s[2] <= '3' &&
               !s[3]) {
      a->opts.target.opt_level = (unsigned)(s[2] - '0');
    } else if (!strcmp(s, "--target") && next) {
      a->opts.target.triple = argv[++i];
    } else if (!strcmp(s, "--cpu") && next) {
      a->opts.target.cpu = argv[++i];
    } else if (!strcmp(s, "--features") && next) {
      a->opts.target.features = argv[++i];
    } else if (!strcmp(s, "--verify-ir")) {
      a->opts.verify_ir = true;
    } else if (s[0] == '-' && s[1]) {
      fprintf(stderr,
              "wasmaot aot-compile: unknown or incomplete option '%s'\n", s);
      return aot_usage(stderr);
    } else if (!a->input) {
      a->input = s;
    } else {
      fprintf(stderr, "wasmaot aot-compile: more than one input file\n");
      return 2;
    }
  }
  if (!a->input || !a->output) {
    fprintf(stderr, "wasmaot aot-compile: need an input file and -o OUTPUT\n");
    return aot_usage(stderr);
  }
  return -1;
}

int cli_aot_compile(int argc, char **argv) {
  aot_cli_args a = {0};
  int status = parse_args(argc, argv, &a);
  if (status >= 0)
    return status;
  size_t size;
  uint8_t *wasm = cli_read_file(a.input, &size);
  if (!wasm) {
    fprintf(stderr, "%s: cannot read: %s\n", a.input, strerror(errno));
    return 1;
  }
  char err[512];
  const wasmaot_compiler_plugin *compiler = compiler_load(err, sizeof err);
  if (!compiler) {
    free(wasm);
    fprintf(stderr, "wasmaot aot-compile: %s\n", err);
    return 1;
  }
  aot_output out;
  bool ok = compiler->compile(wasm, size, &a.opts, &out, err, sizeof err);
  free(wasm);
  if (!ok) {
    fprintf(stderr, "%s:%s\n", a.input, err);
    return 1;
  }
  ok = write_file_atomically(a.output, out.data, out.size);
  if (!ok)
    fprintf(stderr, "%s: cannot write: %s\n", a.output, strerror(errno));
  free(out.data);
  return ok ? 0 : 1;
}
