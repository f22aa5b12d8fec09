#include "spec_options.h"

#include "wasm_features.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_usage(FILE *out) {
  fprintf(out,
          "Usage: spec_runner [OPTIONS] WAST_DIR WORK_DIR\n"
          "\n"
          "Converts every *.wast in WAST_DIR with wast2json into\n"
          "WORK_DIR/<name>/ and runs its commands.\n"
          "\n"
          "  --filter GLOB          run only files matching GLOB "
          "(repeatable)\n"
          "  --exclude GLOB         skip files matching GLOB (repeatable)\n"
          "  --wast2json PATH       the wast2json program to use\n"
          "  --wast2json-flag FLAG  pass FLAG to wast2json (repeatable)\n"
          "  --verbose              warnings and a per-command table\n"
          "  --cpu NAME             compile for LLVM CPU NAME (e.g. x86-64,\n"
          "                         the baseline whose float rounding is\n"
          "                         done by libcalls), not this CPU\n"
          "  --skip-list FILE       commands to count as skipped, with the\n"
          "                         reason (spec_skip_list.h)\n"
          "  --suite-path DIR       WAST_DIR below the suite's root, for the\n"
          "                         skip list's patterns (default: none)\n"
          "  --wasm-features LIST   e.g. -threads,-multi-memory: features beyond 2.0\n"
          "                         that decoding and validation accept\n"
          "                         (default: all)\n"
          "\n"
          "Cross runs (the work directory is shared by two runners):\n"
          "  --compile-only         convert, and compile every module a\n"
          "                         command instantiates into x.N.so beside\n"
          "                         x.N.wasm (x.N.err if refused); run none\n"
          "  --target TRIPLE        with --compile-only: the machine to\n"
          "                         compile for (default: this one)\n"
          "  --precompiled          convert and compile nothing: run WORK_DIR\n"
          "                         as a --compile-only pass left it\n"
          "\n"
          "Exit status: 0 when tests ran and none failed, 1 otherwise,\n"
          "2 on usage errors.\n");
}

/* Matches "--name VALUE" and "--name=VALUE"; advances *i past the value. */
static bool take_value(int argc, char **argv, int *i, const char *name,
                       const char **value, bool *missing) {
  const char *arg = argv[*i];
  size_t n = strlen(name);
  if (strncmp(arg, name, n) != 0)
    return false;
  if (arg[n] == '=') {
    *value = arg + n + 1;
    return true;
  }
  if (arg[n] != '\0')
    return false;
  if (*i + 1 >= argc) {
    *missing = true;
    return true;
  }
  *value = argv[++*i];
  return true;
}

static bool parse_option(int argc, char **argv, int *i, spec_options *o) {
  const char *value = NULL;
  bool missing = false;
  if (take_value(argc, argv, i, "--filter", &value, &missing))
    o->filters[o->filter_count++] = value;
  else if (take_value(argc, argv, i, "--exclude", &value, &missing))
    o->excludes[o->exclude_count++] = value;
  else if (take_value(argc, argv, i, "--wast2json-flag", &value, &missing))
    o->wast2json_flags[o->wast2json_flag_count++] = value;
  else if (take_value(argc, argv, i, "--wast2json", &value, &missing))
    o->wast2json = value;
  else if (take_value(argc, argv, i, "--target", &value, &missing))
    o->target = value;
  else if (take_value(argc, argv, i, "--cpu", &value, &missing))
    o->cpu = value;
  else if (take_value(argc, argv, i, "--suite-path", &value, &missing))
    o->suite_path = value;
  else if (take_value(argc, argv, i, "--wasm-features", &value, &missing)) {
    char why[256];
    if (value &&
        !wasm_features_parse(value, &o->wasm_features, why, sizeof why)) {
      fprintf(stderr, "spec_runner: %s\n", why);
      return false;
    }
  } else if (take_value(argc, argv, i, "--skip-list", &value, &missing)) {
    char why[512];
    spec_skip_list_free(&o->skips);
    if (value && !spec_skip_list_load(value, &o->skips, why, sizeof why)) {
      fprintf(stderr, "spec_runner: %s\n", why);
      return false;
    }
  } else if (strcmp(argv[*i], "--verbose") == 0 || strcmp(argv[*i], "-v") == 0)
    o->verbose = true;
  else if (strcmp(argv[*i], "--compile-only") == 0)
    o->compile_only = true;
  else if (strcmp(argv[*i], "--precompiled") == 0)
    o->precompiled = true;
  else {
    fprintf(stderr, "spec_runner: unknown option %s\n", argv[*i]);
    return false;
  }
  if (missing) {
    fprintf(stderr, "spec_runner: %s needs a value\n", argv[*i]);
    return false;
  }
  return true;
}

static bool allocate_lists(int argc, spec_options *o) {
  /* No list can hold more entries than there are arguments. */
  size_t n = (size_t)argc;
  o->filters = calloc(n, sizeof *o->filters);
  o->excludes = calloc(n, sizeof *o->excludes);
  o->wast2json_flags = calloc(n, sizeof *o->wast2json_flags);
  return o->filters && o->excludes && o->wast2json_flags;
}

static bool is_help(const char *arg) {
  return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static spec_options_result parse_arguments(int argc, char **argv,
                                           spec_options *o) {
  const char *positional[2];
  int positional_count = 0;
  for (int i = 1; i < argc; i++) {
    if (is_help(argv[i])) {
      print_usage(stdout);
      return SPEC_OPTIONS_HELP;
    }
    if (argv[i][0] == '-' && argv[i][1] != '\0') {
      if (!parse_option(argc, argv, &i, o))
        return SPEC_OPTIONS_ERROR;
    } else if (positional_count < 2) {
      positional[positional_count++] = argv[i];
    } else {
      fprintf(stderr, "spec_runner: unexpected argument %s\n", argv[i]);
      return SPEC_OPTIONS_ERROR;
    }
  }
  if (positional_count != 2) {
    print_usage(stderr);
    return SPEC_OPTIONS_ERROR;
  }
  if (o->compile_only && o->precompiled) {
    fprintf(stderr, "spec_runner: --compile-only and --precompiled exclude "
                    "each other\n");
    return SPEC_OPTIONS_ERROR;
  }
  if (o->target && !o->compile_only) {
    fprintf(stderr, "spec_runner: --target needs --compile-only: code for "
                    "another machine cannot run here\n");
    return SPEC_OPTIONS_ERROR;
  }
  o->wast_dir = positional[0];
  o->work_dir = positional[1];
  return SPEC_OPTIONS_OK;
}

spec_options_result spec_options_parse(int argc, char **argv,
                                       spec_options *out) {
  memset(out, 0, sizeof *out);
  out->wast2json = "wast2json";
  out->wasm_features = WASM_FEATURES_ALL;
  if (!allocate_lists(argc, out)) {
    fprintf(stderr, "spec_runner: out of memory\n");
    spec_options_free(out);
    return SPEC_OPTIONS_ERROR;
  }
  spec_options_result result = parse_arguments(argc, argv, out);
  if (result != SPEC_OPTIONS_OK)
    spec_options_free(out);
  return result;
}

void spec_options_free(spec_options *opts) {
  free(opts->filters);
  free(opts->excludes);
  free(opts->wast2json_flags);
  spec_skip_list_free(&opts->skips);
  opts->filters = opts->excludes = opts->wast2json_flags = NULL;
  opts->filter_count = opts->exclude_count = opts->wast2json_flag_count = 0;
}

static bool matches_any(const char *const *globs, size_t count,
                        const char *name) {
  for (size_t i = 0; i < count; i++)
    if (fnmatch(globs[i], name, 0) == 0)
      return true;
  return false;
}

bool spec_options_selects(const spec_options *opts, const char *name) {
  if (opts->filter_count > 0 &&
      !matches_any(opts->filters, opts->filter_count, name))
    return false;
  return !matches_any(opts->excludes, opts->exclude_count, name);
}
