/* spec_compile.h with the AOT compiler linked in. */
#include "spec_compile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot_compile.h"
#include "spec_file.h"

spec_compile_result spec_compile_module(const char *triple, const char *cpu,
                                        const char *wasm_path,
                                        const char *so_path, char *why,
                                        size_t why_size) {
  size_t size;
  uint8_t *wasm = spec_read_file(wasm_path, &size);
  if (!wasm) {
    snprintf(why, why_size, "cannot read %s: %s", wasm_path, strerror(errno));
    return SPEC_COMPILE_IO;
  }
  /* -O2 as the product compiles by default, with the IR verifier on: it
   * catches code generator bugs at their source. WASMAOT_SPEC_TIER runs
   * the suite through the other code generation paths: "pieces" compiles
   * every function in a piece of its own, as a large module's are
   * (function pipeline, FastISel, calls across pieces); "fast" is
   * aot-compile --fast. */
  const char *tier = getenv("WASMAOT_SPEC_TIER");
  bool pieces = tier && strcmp(tier, "pieces") == 0;
  bool fast = tier && strcmp(tier, "fast") == 0;
  const aot_options options = {
      .target = {.triple = triple,
                 .cpu = cpu,
                 .opt_level = 2,
                 .fast_tier = fast},
      .verify_ir = true,
      .piece_bytes = pieces ? 1 : 0,
  };
  aot_output artifact;
  bool ok = aot_compile(wasm, size, &options, &artifact, why, why_size);
  free(wasm);
  if (!ok)
    return SPEC_COMPILE_REFUSED;
  ok = spec_write_file(so_path, artifact.data, artifact.size);
  if (!ok)
    snprintf(why, why_size, "cannot write %s: %s", so_path, strerror(errno));
  free(artifact.data);
  return ok ? SPEC_COMPILED : SPEC_COMPILE_IO;
}
