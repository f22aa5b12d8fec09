/* Subcommands of the `wasmaot` command line; each takes argv starting at
 * its own name and returns the process exit status. */
#ifndef WASMAOT_CLI_H
#define WASMAOT_CLI_H

#include <stddef.h>
#include <stdint.h>

int cli_validate(int argc, char **argv);
int cli_aot_compile(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_cache(int argc, char **argv);
int cli_inspect(int argc, char **argv);

#endif
