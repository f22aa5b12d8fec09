/* `state`, `ps`, `list`, `features`: reading, never changing. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oci.h"
#include "oci_jsonw.h"
#include "oci_spec.h"
#include "oci_state.h"

#ifndef WASMAOT_VERSION
#define WASMAOT_VERSION "unknown"
#endif

bool oci_load_container(const oci_globals *g, const char *id, oci_state *st) {
  char err[1024];
  int r = oci_state_load(g->root, id, st, err, sizeof err);
  if (r == 0)
    oci_fail(&g->log, "container %s does not exist", id);
  else if (r < 0)
    oci_fail(&g->log, "%s", err);
  return r > 0;
}

/* The runtime spec's state object, with runc's extra "rootfs", "created"
 * and "owner", which containerd reads. */
static void print_state(const oci_state *st, FILE *out) {
  oci_status s = oci_state_status(st);
  fputs("{\n  \"ociVersion\": \"1.0.2\",\n  \"id\": ", out);
  oci_jsonw_string(out, st->id);
  fprintf(out, ",\n  \"pid\": %d,\n  \"status\": \"%s\",\n  \"bundle\": ",
          s == OCI_STATUS_STOPPED ? 0 : (int)st->pid, oci_status_name(s));
  oci_jsonw_string(out, st->bundle);
  fputs(",\n  \"rootfs\": ", out);
  oci_jsonw_string(out, st->rootfs);
  fputs(",\n  \"created\": ", out);
  oci_jsonw_time(out, st->created_sec, st->created_nsec);
  fputs(",\n  \"owner\": \"\"", out);
  oci_spec spec;
  char err[256];
  if (oci_spec_load(st->bundle, &spec, err, sizeof err) && spec.annotations) {
    fputs(",\n  \"annotations\": {", out);
    const json_value *a = spec.annotations;
    for (size_t i = 0; i < a->as.object.count; i++) {
      const json_member *m = &a->as.object.members[i];
      const char *v = json_as_cstring(&m->value);
      fputs(i ? ", " : "", out);
      oci_jsonw_string(out, m->key.data);
      fputs(": ", out);
      oci_jsonw_string(out, v ? v : "");
    }
    fputs("}", out);
  }
  oci_spec_free(&spec);
  fputs("\n}\n", out);
}

int oci_cmd_state(const oci_globals *g, int argc, char **argv) {
  const oci_opt opts[] = {{NULL, false, NULL}};
  int i = oci_parse_opts(g, argc, argv, opts);
  if (i < 0 || i != argc - 1)
    return i < 0 ? 1 : oci_fail(&g->log, "state: expected a container id");
  oci_state st;
  if (!oci_load_container(g, argv[i], &st))
    return 1;
  print_state(&st, stdout);
  oci_state_free(&st);
  return 0;
}

int oci_cmd_ps(const oci_globals *g, int argc, char **argv) {
  const char *format = "table";
  const oci_opt opts[] = {
      {"format", true, &format}, {"f", true, &format}, {NULL, false, NULL}};
  int i = oci_parse_opts(g, argc, argv, opts);
  if (i < 0 || i >= argc)
    return i < 0 ? 1 : oci_fail(&g->log, "ps: expected a container id");
  oci_state st;
  if (!oci_load_container(g, argv[i], &st))
    return 1;
  pid_t *pids;
  size_t n = oci_state_pids(&st, &pids);
  if (!strcmp(format, "json")) {
    putchar('[');
    for (size_t k = 0; k < n; k++)
      printf("%s%d", k ? "," : "", (int)pids[k]);
    puts("]");
  } else {
    puts("PID");
    for (size_t k = 0; k < n; k++)
      printf("%d\n", (int)pids[k]);
  }
  free(pids);
  oci_state_free(&st);
  return 0;
}

int oci_cmd_list(const oci_globals *g, int argc, char **argv) {
  const char *format = "table", *quiet = NULL;
  const oci_opt opts[] = {{"format", true, &format},
                          {"f", true, &format},
                          {"quiet", false, &quiet},
                          {"q", false, &quiet},
                          {NULL, false, NULL}};
  if (oci_parse_opts(g, argc, argv, opts) < 0)
    return 1;
  bool json = !strcmp(format, "json");
  DIR *d = opendir(g->root);
  if (json)
    putchar('[');
  else if (!quiet)
    printf("%-24s %-8s %-8s %s\n", "ID", "PID", "STATUS", "BUNDLE");
  struct dirent *e;
  size_t count = 0;
  while (d && (e = readdir(d))) {
    oci_state st;
    char err[256];
    if (!oci_id_valid(e->d_name) ||
        oci_state_load(g->root, e->d_name, &st, err, sizeof err) <= 0)
      continue;
    if (json) {
      fputs(count++ ? "," : "", stdout);
      print_state(&st, stdout);
    } else if (quiet) {
      puts(st.id);
    } else {
      oci_status s = oci_state_status(&st);
      printf("%-24s %-8d %-8s %s\n", st.id,
             s == OCI_STATUS_STOPPED ? 0 : (int)st.pid, oci_status_name(s),
             st.bundle);
    }
    oci_state_free(&st);
  }
  if (d)
    closedir(d);
  if (json)
    puts("]");
  return 0;
}

/* runc's `features` document: what this runtime understands. */
int oci_cmd_features(const oci_globals *g, int argc, char **argv) {
  (void)g;
  (void)argc;
  (void)argv;
  printf("{\n"
         "  \"ociVersionMin\": \"1.0.0\",\n"
         "  \"ociVersionMax\": \"1.0.2\",\n"
         "  \"hooks\": [],\n"
         "  \"mountOptions\": [\"bind\", \"rbind\", \"ro\", \"rw\"],\n"
         "  \"linux\": {\n"
         "    \"namespaces\": [\"network\"],\n"
         "    \"capabilities\": [],\n"
         "    \"cgroup\": {\"v1\": true, \"v2\": true, \"systemd\": false, "
         "\"systemdUser\": false},\n"
         "    \"seccomp\": {\"enabled\": false},\n"
         "    \"apparmor\": {\"enabled\": false},\n"
         "    \"selinux\": {\"enabled\": false}\n"
         "  },\n"
         "  \"annotations\": {\n"
         "    \"org.wasmaot.version\": \"%s\",\n"
         "    \"org.wasmaot.wasi\": \"preview1\"\n"
         "  }\n"
         "}\n",
         WASMAOT_VERSION);
  return 0;
}
