/* Finding and loading the compiler plug-in (compiler/include/compiler_plugin.h)
 * when a command needs to compile. */
#ifndef WASMAOT_COMPILER_LOAD_H
#define WASMAOT_COMPILER_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler_plugin.h"

/* Looks for libwasmaot-compiler.so in $WASMAOT_COMPILER (a file path),
 * beside the executable, in its compiler/ subdirectory (the build tree)
 * and in ../lib/wasmaot/ (an installation). Returns NULL with a message
 * naming the places searched. The library stays loaded for the process. */
const wasmaot_compiler_plugin *compiler_load(char *errbuf, size_t errlen);

/* The running executable's directory, with a trailing '/' (where the
 * plug-in, or the `wasmaot` a static program compiles with, is found). */
bool executable_dir(char *buf, size_t size);

#endif
