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
   * catches code generator bugs at their source. */
  const aot_options options = {
      .target = {.triple = triple, .cpu = cpu, .opt_level = 2},
      .verify_ir = true,
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
