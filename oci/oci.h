/* wasmaot-oci: a runc-compatible OCI runtime that runs WebAssembly
 * containers with wasmaot. Each subcommand takes the global options and
 * its own argv (starting at its name) and returns the exit status. */
#ifndef WASMAOT_OCI_H
#define WASMAOT_OCI_H

#include <stdbool.h>

#include "oci_log.h"

typedef struct oci_globals {
  const char *root; /* --root: the state directory */
  oci_log log;      /* --log, --log-format */
  bool systemd_cgroup;
} oci_globals;

int oci_cmd_create(const oci_globals *g, int argc, char **argv);
int oci_cmd_run(const oci_globals *g, int argc, char **argv);
int oci_cmd_start(const oci_globals *g, int argc, char **argv);
int oci_cmd_state(const oci_globals *g, int argc, char **argv);
int oci_cmd_kill(const oci_globals *g, int argc, char **argv);
int oci_cmd_delete(const oci_globals *g, int argc, char **argv);
int oci_cmd_ps(const oci_globals *g, int argc, char **argv);
int oci_cmd_exec(const oci_globals *g, int argc, char **argv);
int oci_cmd_list(const oci_globals *g, int argc, char **argv);
int oci_cmd_features(const oci_globals *g, int argc, char **argv);

struct oci_state;
/* Loads container `id`'s state; logs "does not exist" (or why it cannot
 * be read) and returns false when there is none. */
bool oci_load_container(const oci_globals *g, const char *id,
                        struct oci_state *st);

/* Command-line parsing shared by the subcommands: "--name value",
 * "--name=value" and runc's single-dash spellings ("-name value"). */
typedef struct oci_opt {
  const char *name; /* without dashes */
  bool takes_value;
  const char **value; /* set to the value, or to "" for a flag */
} oci_opt;

/* Parses options up to the first positional argument; returns the index
 * of that argument, or -1 after logging an unknown option. */
int oci_parse_opts(const oci_globals *g, int argc, char **argv,
                   const oci_opt *opts);

/* Signal names ("TERM", "SIGTERM", "sigkill") and numbers; -1 if none. */
int oci_parse_signal(const char *s);

#endif
