/* spec_compile.h in a runner built without the compiler: every module
 * must have been compiled beforehand (--precompiled). */
#include "spec_compile.h"

#include <stdio.h>

spec_compile_result spec_compile_module(const char *triple, const char *cpu,
                                        const char *wasm_path,
                                        const char *so_path, char *why,
                                        size_t why_size) {
  (void)triple;
  (void)cpu;
  (void)so_path;
  snprintf(why, why_size,
           "%s: this spec_runner is built without the compiler: prepare the "
           "modules with a native `spec_runner --compile-only --target "
           "TRIPLE` and run this one with --precompiled",
           wasm_path);
  return SPEC_COMPILE_IO;
}
