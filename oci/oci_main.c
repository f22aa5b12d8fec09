/* wasmaot-oci: the runc command line, for WebAssembly containers.
 *
 *   wasmaot-oci [--root DIR] [--log FILE] [--log-format text|json]
 *               [--systemd-cgroup] [--debug] COMMAND [OPTIONS] ID ...
 *
 * containerd's runc shim (io.containerd.runc.v2 with BinaryName, or `ctr
 * run --runc-binary`) drives it exactly as it drives runc. See
 * docs/containers.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "oci_state.h"

#ifndef WASMAOT_VERSION
#define WASMAOT_VERSION "unknown"
#endif

/* The runtime-spec version the runtime implements. */
#define OCI_SPEC_VERSION "1.0.2"

static int usage(FILE *out) {
  fprintf(out,
          "Usage: wasmaot-oci [GLOBAL OPTIONS] COMMAND [OPTIONS] ID ...\n"
          "\n"
          "A runc-compatible OCI runtime for WebAssembly containers:\n"
          "process.args[0] names a .wasm in the bundle's rootfs, run by\n"
          "wasmaot with WASI preview1.\n"
          "\n"
          "Commands:\n"
          "  create [--bundle DIR] [--pid-file FILE] [--console-socket S] ID\n"
          "  start ID\n"
          "  run [--bundle DIR] [--pid-file FILE] [--detach] ID\n"
          "  state ID\n"
          "  kill [--all] ID [SIGNAL]\n"
          "  delete [--force] ID\n"
          "  ps [--format table|json] ID\n"
          "  exec [--process FILE] [--detach] [--pid-file FILE] ID [ARGS...]\n"
          "  list [--format table|json]\n"
          "  features\n"
          "\n"
          "Global options:\n"
          "  --root DIR          state directory (default " OCI_DEFAULT_ROOT
          ")\n"
          "  --log FILE          where errors and warnings go\n"
          "  --log-format FMT    text (default) or json\n"
          "  --systemd-cgroup    cgroupsPath is slice:prefix:name\n"
          "  --version, --help\n");
  return out == stdout ? 0 : 2;
}

static const struct {
  const char *name;
  int (*run)(const oci_globals *, int, char **);
} commands[] = {
    {"create", oci_cmd_create}, {"run", oci_cmd_run},
    {"start", oci_cmd_start},   {"state", oci_cmd_state},
    {"kill", oci_cmd_kill},     {"delete", oci_cmd_delete},
    {"ps", oci_cmd_ps},         {"exec", oci_cmd_exec},
    {"list", oci_cmd_list},     {"features", oci_cmd_features},
};

/* "--name" / "-name" / "--name=value": the name, value set if inline. */
static const char *option_name(const char *arg, const char **inline_value,
                               char *buf, size_t size) {
  const char *p = arg + (arg[1] == '-' ? 2 : 1);
  const char *eq = strchr(p, '=');
  *inline_value = eq ? eq + 1 : NULL;
  snprintf(buf, size, "%.*s", eq ? (int)(eq - p) : (int)strlen(p), p);
  return buf;
}

int oci_parse_opts(const oci_globals *g, int argc, char **argv,
                   const oci_opt *opts) {
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    if (!strcmp(argv[i], "--")) {
      i++;
      break;
    }
    char buf[64];
    const char *value;
    const char *name = option_name(argv[i], &value, buf, sizeof buf);
    const oci_opt *o = opts;
    while (o->name && strcmp(o->name, name))
      o++;
    if (!o->name) {
      oci_fail(&g->log, "%s: unknown option %s", argv[0], argv[i]);
      return -1;
    }
    if (o->takes_value && !value) {
      if (i + 1 >= argc) {
        oci_fail(&g->log, "%s: option %s needs a value", argv[0], argv[i]);
        return -1;
      }
      value = argv[++i];
    }
    if (o->value)
      *o->value = o->takes_value ? value : "";
  }
  return i;
}

int main(int argc, char **argv) {
  oci_globals g = {.root = OCI_DEFAULT_ROOT};
  const char *log_path = NULL, *log_format = NULL, *ignored = NULL,
             *systemd = NULL, *version = NULL, *help = NULL;
  const oci_opt globals[] = {
      {"root", true, &g.root},
      {"log", true, &log_path},
      {"log-format", true, &log_format},
      {"systemd-cgroup", false, &systemd},
      {"debug", false, &ignored},
      {"criu", true, &ignored},
      {"rootless", true, &ignored},
      {"version", false, &version},
      {"v", false, &version},
      {"help", false, &help},
      {"h", false, &help},
      {NULL, false, NULL},
  };
  char *self = "wasmaot-oci";
  argv[0] = self;
  int i = oci_parse_opts(&g, argc, argv, globals);
  if (i < 0)
    return usage(stderr);
  if (!oci_log_open(&g.log, log_path, log_format))
    fprintf(stderr, "wasmaot-oci: cannot open the log %s\n", log_path);
  g.systemd_cgroup = systemd != NULL;
  int status;
  if (version) {
    printf("wasmaot-oci version %s\nspec: %s\n", WASMAOT_VERSION,
           OCI_SPEC_VERSION);
    status = 0;
  } else if (help || i >= argc) {
    status = usage(help ? stdout : stderr);
  } else {
    status = -1;
    for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
      if (!strcmp(argv[i], commands[k].name))
        status = commands[k].run(&g, argc - i, argv + i);
    if (status < 0)
      status = oci_fail(&g.log, "unknown command '%s'", argv[i]);
  }
  oci_log_close(&g.log);
  return status;
}
