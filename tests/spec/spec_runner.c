/* spec_runner: converts each .wast of a directory with wast2json and runs
 * its commands: binary modules are compiled with the AOT compiler and
 * run with the runtime (see spec_options.c for the usage).
 *
 * Output: failure details, then one line per script, then the totals as
 * "N passed, M failed, K skipped" on a line of its own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_file.h"
#include "spec_options.h"
#include "spec_script.h"
#include "spec_wast2json.h"

/* The paths of one script: WAST_DIR/x.wast -> WORK_DIR/x/x.json. */
typedef struct script_paths {
  char *wast;
  char *module_dir;
  char *json;
} script_paths;

static void free_paths(script_paths *p) {
  free(p->wast);
  free(p->module_dir);
  free(p->json);
}

/* "dir/stem.ext" in a malloc'ed string. */
static char *path_with_extension(const char *dir, const char *stem,
                                 const char *ext) {
  size_t n = strlen(dir) + 1 + strlen(stem) + strlen(ext) + 1;
  char *path = malloc(n);
  if (path)
    snprintf(path, n, "%s/%s%s", dir, stem, ext);
  return path;
}

static bool make_paths(const spec_options *o, const char *name,
                       script_paths *p) {
  char *stem = strndup(name, strlen(name) - strlen(".wast"));
  p->wast = spec_path_join(o->wast_dir, name);
  p->module_dir = stem ? spec_path_join(o->work_dir, stem) : NULL;
  p->json =
      p->module_dir ? path_with_extension(p->module_dir, stem, ".json") : NULL;
  free(stem);
  return p->wast && p->module_dir && p->json;
}

static void convert_and_run(spec_script *s, const spec_converter *conv,
                            const script_paths *p) {
  char why[256];
  if (!spec_make_dirs(p->module_dir)) {
    spec_script_fail_whole(s, "cannot create %s: %s", p->module_dir,
                           strerror(errno));
    return;
  }
  if (!spec_wast2json(conv, p->wast, p->json, why, sizeof why)) {
    spec_script_fail_whole(s, "wast2json failed: %s", why);
    return;
  }
  spec_script_run(s, p->json);
}

static void run_wast_file(const spec_options *o, const spec_converter *conv,
                          const char *name, spec_tally *total) {
  script_paths paths = {0};
  spec_script s;
  spec_script_init(&s, o, name, NULL);
  if (make_paths(o, name, &paths)) {
    s.module_dir = paths.module_dir;
    convert_and_run(&s, conv, &paths);
  } else {
    spec_script_fail_whole(&s, "out of memory");
  }
  spec_tally_print_file(stdout, name, &s.tally);
  fflush(stdout);
  spec_tally_add(total, &s.tally);
  spec_script_finish(&s);
  free_paths(&paths);
}

/* Runs the selected scripts; returns how many ran. */
static size_t run_all(const spec_options *o, char **names, size_t count,
                      spec_tally *total) {
  spec_converter conv = {
      .program = o->wast2json,
      .flags = o->wast2json_flags,
      .flag_count = o->wast2json_flag_count,
  };
  size_t ran = 0;
  for (size_t i = 0; i < count; i++) {
    if (!spec_options_selects(o, names[i]))
      continue;
    run_wast_file(o, &conv, names[i], total);
    ran++;
  }
  return ran;
}

static int report(const spec_options *o, const spec_tally *total,
                  size_t scripts) {
  if (o->verbose)
    spec_tally_print_table(stdout, total);
  spec_tally_print_summary(stdout, total);
  if (scripts == 0)
    fprintf(stderr, "spec_runner: no .wast file selected in %s\n", o->wast_dir);
  else if (total->outcome[SPEC_PASS] + total->outcome[SPEC_FAIL] == 0)
    fprintf(stderr, "spec_runner: no test ran\n");
  bool ran_some = total->outcome[SPEC_PASS] + total->outcome[SPEC_FAIL] > 0;
  return ran_some && total->outcome[SPEC_FAIL] == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  spec_options o;
  switch (spec_options_parse(argc, argv, &o)) {
  case SPEC_OPTIONS_OK:
    break;
  case SPEC_OPTIONS_HELP:
    return 0;
  case SPEC_OPTIONS_ERROR:
    return 2;
  }
  size_t count;
  char **names = spec_list_dir(o.wast_dir, ".wast", &count);
  if (!names) {
    fprintf(stderr, "spec_runner: cannot list %s: %s\n", o.wast_dir,
            strerror(errno));
    spec_options_free(&o);
    return 2;
  }
  spec_tally total = {0};
  size_t scripts = run_all(&o, names, count, &total);
  int status = report(&o, &total, scripts);
  spec_free_names(names, count);
  spec_options_free(&o);
  return status;
}
