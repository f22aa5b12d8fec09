/* The compiler as a plug-in: `wasmaot` itself links only the loader, so
 * running a precompiled artifact never maps libLLVM; `aot-compile` (and
 * `run` of a .wasm) load libwasmaot-compiler.so on demand and reach the
 * compiler through this one table. */
#ifndef WASMAOT_COMPILER_PLUGIN_H
#define WASMAOT_COMPILER_PLUGIN_H

#include "aot_compile.h"

/* Bumped whenever aot_options, aot_output or the table change, so a
 * mismatched plug-in is refused instead of called wrongly. */
#define WASMAOT_COMPILER_PLUGIN_ABI 7u
#define WASMAOT_COMPILER_PLUGIN_SYMBOL "wasmaot_compiler_entry"

typedef struct wasmaot_compiler_plugin {
  unsigned abi_version;
  const char *version; /* wasmaot version the plug-in was built from */
  bool (*compile)(const uint8_t *wasm, size_t size, const aot_options *opts,
                  aot_output *out, char *errbuf, size_t errlen);
} wasmaot_compiler_plugin;

#endif
