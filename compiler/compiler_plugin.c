/* The one symbol libwasmaot-compiler.so exports. */
#include "compiler_plugin.h"

#ifndef WASMAOT_VERSION
#define WASMAOT_VERSION "unknown"
#endif

__attribute__((visibility("default")))
const wasmaot_compiler_plugin wasmaot_compiler_entry = {
    .abi_version = WASMAOT_COMPILER_PLUGIN_ABI,
    .version = WASMAOT_VERSION,
    .compile = aot_compile,
};
