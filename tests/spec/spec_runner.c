/* spec_runner: converts each .wast of a directory with wast2json and runs
 * its commands: binary modules are compiled with the AOT compiler and
 * run with the runtime (see spec_options.c for the usage). A cross run
 * splits compiling and running between two runners (spec_artifact.h).
 *
 * Output: failure details, then one line per script, then the totals as
 * "N passed, M failed, K skipped" on a line of its own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_file.h"
#include "spec_options.h"
#include "spec_precompile.h"
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

/* Converts the script with wast2json, except with --precompiled, where
 * the --compile-only pass did. False with the reason in `why`. */
static bool convert(const spec_options *o, const spec_converter *conv,
                    const script_paths *p, char *why, size_t why_size) {
  if (o->precompiled)
    return true;
  if (!spec_make_dirs(p->module_dir)) {
    snprintf(why, why_size, "cannot create %s: %s", p->module_dir,
             strerror(errno));
    return false;
  }
  char detail[256];
  if (!spec_wast2json(conv, p->wast, p->json, detail, sizeof detail)) {
    snprintf(why, why_size, "wast2json failed: %s", detail);
    return false;
  }
  return true;
}

static void run_script(const spec_options *o, const spec_converter *conv,
                       const char *name, const script_paths *paths,
                       spec_tally *total) {
  spec_script s;
  spec_script_init(&s, o, name, paths->module_dir);
  char why[512];
  if (convert(o, conv, paths, why, sizeof why))
    spec_script_run(&s, paths->json);
  else
    spec_script_fail_whole(&s, "%s", why);
  spec_tally_print_file(stdout, name, &s.tally);
  fflush(stdout);
  spec_tally_add(total, &s.tally);
  spec_script_finish(&s);
}

static void compile_script(const spec_options *o, const spec_converter *conv,
                           const char *name, const script_paths *paths,
                           spec_precompile_tally *total) {
  spec_precompile_tally t = {0};
  char why[512];
  if (convert(o, conv, paths, why, sizeof why)) {
    spec_precompile_script(o, name, paths->module_dir, paths->json, &t);
  } else {
    printf("%s: %s\n", name, why);
    t.errors++;
  }
  spec_precompile_print(stdout, name, &t);
  fflush(stdout);
  spec_precompile_add(total, &t);
}

typedef struct run_totals {
  spec_tally tally;               /* running */
  spec_precompile_tally compiled; /* --compile-only */
} run_totals;

static void run_wast_file(const spec_options *o, const spec_converter *conv,
                          const char *name, run_totals *total) {
  script_paths paths = {0};
  if (!make_paths(o, name, &paths)) {
    printf("%s: out of memory\n", name);
    spec_tally_record_script_failure(&total->tally);
    total->compiled.errors++;
  } else if (o->compile_only) {
    compile_script(o, conv, name, &paths, &total->compiled);
  } else {
    run_script(o, conv, name, &paths, &total->tally);
  }
  free_paths(&paths);
}

/* Runs the selected scripts; returns how many ran. */
static size_t run_all(const spec_options *o, char **names, size_t count,
                      run_totals *total) {
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

/* --compile-only prints no "passed, failed" line: it runs no test. */
static int report_compiled(const spec_options *o,
                           const spec_precompile_tally *total, size_t scripts) {
  char what[160];
  snprintf(what, sizeof what, "compile-only for %s",
           o->target ? o->target : "this machine");
  spec_precompile_print(stdout, what, total);
  if (scripts == 0)
    fprintf(stderr, "spec_runner: no .wast file selected in %s\n", o->wast_dir);
  return scripts > 0 && total->errors == 0 ? 0 : 1;
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
  /* A folder whose every command the skip list names (gc/) still counts
   * them all: that is its report, and not a failure. */
  bool counted = total->outcome[SPEC_PASS] + total->outcome[SPEC_FAIL] +
                     total->outcome[SPEC_SKIP_LISTED] >
                 0;
  return counted && total->outcome[SPEC_FAIL] == 0 ? 0 : 1;
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
  run_totals total = {0};
  size_t scripts = run_all(&o, names, count, &total);
  int status = o.compile_only ? report_compiled(&o, &total.compiled, scripts)
                              : report(&o, &total.tally, scripts);
  spec_free_names(names, count);
  spec_options_free(&o);
  return status;
}
