/* `wasmaot inspect FILE`: what an artifact, a bundle or a .wasm holds —
 * targets, CPU features, source hash, compiler version, imports, exports,
 * sizes — and whether it can run here. Reads; never maps or runs code,
 * so it works on artifacts for any architecture. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact_info.h"
#include "bundle_read.h"
#include "cli.h"
#include "file_kind.h"
#include "file_read.h"
#include "runtime.h"
#include "sha256.h"
#include "wasm_features.h"
#include "wasm_module.h"

static int inspect_usage(FILE *out) {
  fprintf(out,
          "Usage: wasmaot inspect FILE\n"
          "\n"
          "Prints what FILE holds. For an artifact (.so): its target, CPU\n"
          "and features, compiler version and options, source module\n"
          "hash, sizes, imports and exports, and whether it runs here.\n"
          "For a bundle (.wasmaot): all but imports and exports for every\n"
          "entry (each one decompressed and its checksums verified), the\n"
          "embedded .wasm, the entry `run` would take here, and the\n"
          "module's imports and exports once. For a .wasm: its hash,\n"
          "imports and exports.\n"
          "Exit status: 0 when FILE is sound, 1 when it is damaged or not\n"
          "one of these.\n");
  return out == stdout ? 0 : 2;
}

static void print_hex(const uint8_t *bytes, size_t n) {
  for (size_t i = 0; i < n; i++)
    printf("%02x", bytes[i]);
}

/* ---- The module interface ------------------------------------------------
 */

/* Every value type, typed references included ("(ref null 3)"). */
static void print_type(const char *before, wasm_type t) {
  char name[48];
  printf("%s%s", before, wasm_type_format(t, name, sizeof name));
}

static void print_functype(const wasm_functype *t) {
  printf("func (");
  for (uint32_t i = 0; i < t->param_count; i++)
    print_type(i ? ", " : "", wasm_functype_params(t)[i]);
  printf(") -> (");
  for (uint32_t i = 0; i < t->result_count; i++)
    print_type(i ? ", " : "", wasm_functype_results(t)[i]);
  printf(")");
}

static void print_limits(const wasm_limits *l) {
  printf("min %" PRIu64, l->min);
  if (l->has_max)
    printf(" max %" PRIu64, l->max);
}

/* The type of extern `index` of `kind` in module m. */
static void print_extern(const wasm_module *m, wasm_extern_kind kind,
                         uint32_t index) {
  switch (kind) {
  case WASM_EXTERN_FUNC:
    if (index < m->func_count)
      print_functype(wasm_func_type(m, index));
    break;
  case WASM_EXTERN_TABLE:
    if (index < m->table_count) {
      print_type("table ", m->tables[index].elem_type);
      printf(" ");
      print_limits(&m->tables[index].limits);
    }
    break;
  case WASM_EXTERN_MEMORY:
    if (index < m->memory_count) {
      printf("memory ");
      print_limits(&m->memories[index].limits);
      printf(" pages%s", m->memories[index].shared ? " shared" : "");
    }
    break;
  case WASM_EXTERN_GLOBAL:
    if (index < m->global_count)
      print_type(m->globals[index].type.is_mutable ? "global mut " : "global ",
                 m->globals[index].type.type);
    break;
  case WASM_EXTERN_TAG:
    if (index < m->tag_count && m->tag_types[index] < m->type_count) {
      printf("tag ");
      print_functype(&m->types[m->tag_types[index]]);
    }
    break;
  }
}

/* The features beyond 2.0 a module binary uses (wasm_features.h), then
 * its imports and exports. An artifact's skeleton has no function
 * bodies, so for it only what the declarations show is known. */
static bool print_interface(const uint8_t *wasm, size_t size, bool skeleton) {
  wasm_error err = {0};
  wasm_module *m = wasm_module_decode(wasm, size, &err);
  if (!m) {
    fprintf(stderr, "module: cannot decode: 0x%zx: %s\n", err.offset,
            err.message);
    return false;
  }
  char names[256];
  wasm_features_format(wasm_module_features(m, NULL) | m->features_used, names,
                       sizeof names);
  printf("  wasm features:%s %s\n", skeleton ? " (declarations)" : "",
         names[0] ? names : "none beyond WebAssembly 2.0");
  printf("  imports (%u):\n", m->import_count);
  uint32_t seen[WASM_EXTERN_TAG + 1] = {0};
  for (uint32_t i = 0; i < m->import_count; i++) {
    const wasm_import *im = &m->imports[i];
    printf("    %.*s.%.*s: ", (int)im->module.len, im->module.data,
           (int)im->field.len, im->field.data);
    if (im->kind == WASM_EXTERN_FUNC)
      print_functype(&m->types[im->desc.func_type]);
    else
      print_extern(m, im->kind, seen[im->kind]);
    seen[im->kind]++;
    printf("\n");
  }
  printf("  exports (%u):\n", m->export_count);
  for (uint32_t i = 0; i < m->export_count; i++) {
    const wasm_export *ex = &m->exports[i];
    printf("    %.*s: ", (int)ex->name.len, ex->name.data);
    print_extern(m, ex->kind, ex->index);
    printf("\n");
  }
  wasm_module_free(m);
  return true;
}

/* ---- Artifacts -----------------------------------------------------------
 */

/* The "+" features only, wrapped; "-" ones say what the code avoids. */
static void print_features(const char *indent, const char *features) {
  size_t col = 0, count = 0;
  printf("%scpu features:", indent);
  for (const char *p = features; *p;) {
    size_t len = strcspn(p, ",");
    if (p[0] != '-' && len > 0) {
      const char *name = p + (p[0] == '+');
      size_t n = len - (size_t)(name - p);
      if (col + n > 60) {
        printf("\n%s%13s", indent, ""); /* under the first name */
        col = 0;
      }
      printf(" %.*s", (int)n, name);
      col += n + 1;
      count++;
    }
    p += len + (p[len] == ',');
  }
  printf("%s\n", count ? "" : " (the CPU's own)");
}

static void print_runs_here(const char *indent, bool runs, const char *why) {
  printf("%sruns here:    %s%s\n", indent,
         runs ? "yes" : "no: ", runs ? "" : why);
}

/* The artifact's description; false if it is not sound. */
static bool describe_artifact(const char *what, const char *indent,
                              const uint8_t *image, size_t size,
                              bool with_interface) {
  artifact_info info;
  char err[512];
  if (!artifact_info_read(image, size, &info, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", what, err);
    return false;
  }
  const wasmaot_meta_header *h = info.meta;
  char machine[32];
  printf("%starget:       %s (ELF %s)\n", indent, h->target_triple,
         artifact_machine_name(info.machine, machine, sizeof machine));
  printf("%scpu:          %s\n", indent, h->cpu_name);
  print_features(indent, info.cpu_features);
  if (h->tier == WASMAOT_TIER_FAST)
    printf("%scompiler:     wasmaot %s, format %u, --fast\n", indent,
           h->compiler_version, h->format_version);
  else
    printf("%scompiler:     wasmaot %s, format %u, -O%u%s\n", indent,
           h->compiler_version, h->format_version, h->opt_level,
           h->tier == WASMAOT_TIER_PROFILED ? ", where a profile found it hot"
           : h->tier == WASMAOT_TIER_ESTIMATED
               ? ", where a static estimate ranks it hot"
               : "");
  printf("%ssource:       sha256 ", indent);
  print_hex(h->wasm_sha256, 32);
  printf("\n%ssizes:        %zu bytes: code %" PRIu64 ", metadata %zu "
         "(module skeleton %zu)\n",
         indent, size, info.code_size, info.meta_size, info.skeleton_size);
  printf("%sfunctions:    %u defined, %u types\n", indent,
         h->defined_func_count, h->type_count);
  printf("%schecksum:     %s\n", indent,
         info.checksum_ok ? "ok" : "MISMATCH (damaged file)");
  if (!info.checksum_ok)
    fprintf(stderr, "%s: artifact checksum mismatch: the file is corrupt\n",
            what);
  bool runs = rt_module_check_target(h, info.meta_size, err, sizeof err);
  print_runs_here(indent, runs, err);
  if (with_interface)
    print_interface(info.skeleton, info.skeleton_size, true);
  return info.checksum_ok;
}

static bool inspect_artifact(const char *file, const uint8_t *bytes,
                             size_t size) {
  printf("%s: wasmaot artifact\n", file);
  return describe_artifact(file, "  ", bytes, size, true);
}

/* ---- Bundles -------------------------------------------------------------
 */

static void print_blob(const char *indent, const wasmaot_bundle_blob *b) {
  printf("%sstored:       %" PRIu64 " bytes zstd of %" PRIu64 " (sha256 ",
         indent, b->stored_size, b->size);
  print_hex(b->sha256, 32);
  printf(")\n");
}

static bool inspect_entry(const char *file, const bundle *b, uint32_t i,
                          void **first_artifact, size_t *first_size) {
  const wasmaot_bundle_entry *e = bundle_entry(b, i);
  printf("  entry %u: %s, cpu %s\n", i + 1, e->target_triple, e->cpu_name);
  print_blob("    ", &e->artifact);
  char what[32], err[512];
  snprintf(what, sizeof what, "entry %u", i + 1);
  void *data;
  size_t size;
  if (!bundle_read_blob(b, &e->artifact, what, &data, &size, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", file, err);
    return false;
  }
  char label[600];
  snprintf(label, sizeof label, "%s: %s", file, what);
  bool ok = describe_artifact(label, "    ", data, size, false);
  if (ok && !*first_artifact) {
    *first_artifact = data;
    *first_size = size;
  } else {
    free(data);
  }
  return ok;
}

static bool inspect_bundle(const char *file) {
  char err[512];
  bundle *b = bundle_open(file, err, sizeof err);
  if (!b) {
    fprintf(stderr, "%s: %s\n", file, err);
    return false;
  }
  const wasmaot_bundle_header *h = bundle_header(b);
  printf("%s: wasmaot bundle, format %u, %u entr%s\n", file, h->format_version,
         h->entry_count, h->entry_count == 1 ? "y" : "ies");
  printf("  source:       sha256 ");
  print_hex(h->wasm_sha256, 32);
  printf("\n");
  bool ok = true;
  if (h->wasm.stored_size) {
    printf("  embedded wasm:\n");
    print_blob("    ", &h->wasm);
    void *wasm;
    size_t size;
    if (!bundle_read_blob(b, &h->wasm, "embedded wasm", &wasm, &size, err,
                          sizeof err)) {
      fprintf(stderr, "%s: %s\n", file, err);
      ok = false;
    } else {
      free(wasm);
    }
  } else {
    printf("  embedded wasm: none\n");
  }
  void *first = NULL;
  size_t first_size = 0;
  for (uint32_t i = 0; i < h->entry_count; i++)
    ok = inspect_entry(file, b, i, &first, &first_size) && ok;
  int sel = bundle_select(b);
  if (sel >= 0)
    printf("  for this machine: entry %d\n", sel + 1);
  else
    printf("  for this machine: no entry%s\n",
           h->wasm.stored_size ? " (run compiles the embedded wasm)" : "");
  if (first) {
    artifact_info info;
    if (artifact_info_read(first, first_size, &info, err, sizeof err))
      print_interface(info.skeleton, info.skeleton_size, true);
    free(first);
  }
  bundle_close(b);
  return ok;
}

/* ---- .wasm ----------------------------------------------------------------
 */

static bool inspect_wasm(const char *file, const uint8_t *bytes, size_t size) {
  uint8_t digest[32];
  sha256(bytes, size, digest);
  printf("%s: WebAssembly module, %zu bytes\n  source:       sha256 ", file,
         size);
  print_hex(digest, 32);
  printf("\n");
  return print_interface(bytes, size, false);
}

int cli_inspect(int argc, char **argv) {
  if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
    return inspect_usage(stdout);
  if (argc != 2 || argv[1][0] == '-')
    return inspect_usage(stderr);
  const char *file = argv[1];
  size_t size;
  uint8_t *bytes = file_read_all(file, &size);
  if (!bytes) {
    fprintf(stderr, "%s: cannot read: %s\n", file, strerror(errno));
    return 1;
  }
  bool ok;
  switch (file_kind_of(bytes, size)) {
  case FILE_KIND_WASM:
    ok = inspect_wasm(file, bytes, size);
    break;
  case FILE_KIND_ARTIFACT:
    ok = inspect_artifact(file, bytes, size);
    break;
  case FILE_KIND_BUNDLE:
    ok = inspect_bundle(file);
    break;
  default:
    fprintf(stderr, "%s: not a .wasm, an artifact or a bundle\n", file);
    ok = false;
  }
  free(bytes);
  return ok ? 0 : 1;
}
