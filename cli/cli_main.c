/* The `wasmaot` command: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef WASMAOT_VERSION
#define WASMAOT_VERSION "unknown"
#endif

static int usage(FILE *out) {
  fprintf(
      out,
      "Usage: wasmaot COMMAND [OPTIONS] [ARGS...]\n"
      "\n"
      "Commands:\n"
      "  aot-compile FILE.wasm -o FILE.so\n"
      "                          compile to a native shared object\n"
      "  aot-compile --target T1,T2 FILE.wasm -o FILE.wasmaot\n"
      "                          compile a bundle: one compressed\n"
      "                          artifact per target\n"
      "  run [--invoke NAME] FILE.wasm|FILE.so|FILE.wasmaot [ARGS...]\n"
      "                          run a module, or call one of its exports;\n"
      "                          a .wasm or bundle goes through the cache\n"
      "  inspect FILE            show what an artifact, bundle or .wasm\n"
      "                          holds\n"
      "  cache dir|list|clean    the compiled-artifact cache\n"
      "  validate FILE.wasm...   decode and validate WebAssembly modules\n"
      "  help                    show this help\n"
      "  version                 print the version\n"
      "\n"
      "Run `wasmaot COMMAND --help` for a command's options.\n");
  return out == stdout ? 0 : 2;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return usage(stderr);
  const char *cmd = argv[1];
  if (!strcmp(cmd, "validate"))
    return cli_validate(argc - 1, argv + 1);
  if (!strcmp(cmd, "aot-compile"))
    return cli_aot_compile(argc - 1, argv + 1);
  if (!strcmp(cmd, "run"))
    return cli_run(argc - 1, argv + 1);
  if (!strcmp(cmd, "inspect"))
    return cli_inspect(argc - 1, argv + 1);
  if (!strcmp(cmd, "cache"))
    return cli_cache(argc - 1, argv + 1);
  if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
    return usage(stdout);
  if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
    printf("wasmaot %s\n", WASMAOT_VERSION);
    return 0;
  }
  fprintf(stderr, "wasmaot: unknown command '%s'\n\n", cmd);
  return usage(stderr);
}
