#include "compiler_load.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef WASMAOT_NO_COMPILER
/* The static loader (`wasmaot-static`, for images built FROM scratch) has
 * no dynamic loader to bring in LLVM: it runs precompiled artifacts only. */
const wasmaot_compiler_plugin *compiler_load(char *errbuf, size_t errlen) {
  snprintf(errbuf, errlen,
           "this static build of wasmaot runs precompiled artifacts only; "
           "compile the module with `wasmaot aot-compile` first");
  return NULL;
}
#else

#define PLUGIN_FILE "libwasmaot-compiler.so"

static const wasmaot_compiler_plugin *try_open(const char *path, char *errbuf,
                                               size_t errlen) {
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return NULL;
  const wasmaot_compiler_plugin *p = dlsym(h, WASMAOT_COMPILER_PLUGIN_SYMBOL);
  if (!p || p->abi_version != WASMAOT_COMPILER_PLUGIN_ABI) {
    snprintf(errbuf, errlen, "%s: not a compatible wasmaot compiler plug-in",
             path);
    dlclose(h);
    return NULL;
  }
  return p;
}

const wasmaot_compiler_plugin *compiler_load(char *errbuf, size_t errlen) {
  errbuf[0] = 0;
  const char *env = getenv("WASMAOT_COMPILER");
  if (env && *env) {
    const wasmaot_compiler_plugin *p = try_open(env, errbuf, errlen);
    if (!p && !errbuf[0])
      snprintf(errbuf, errlen, "WASMAOT_COMPILER=%s: %s", env, dlerror());
    return p;
  }
  char dir[PATH_MAX];
  if (!executable_dir(dir, sizeof dir)) {
    snprintf(errbuf, errlen, "cannot find the wasmaot executable's directory");
    return NULL;
  }
  static const char *const relative[] = {PLUGIN_FILE, "compiler/" PLUGIN_FILE,
                                         "../lib/wasmaot/" PLUGIN_FILE};
  for (size_t i = 0; i < sizeof relative / sizeof *relative; i++) {
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s%s", dir, relative[i]);
    if (access(path, R_OK) != 0)
      continue;
    const wasmaot_compiler_plugin *p = try_open(path, errbuf, errlen);
    if (p)
      return p;
    if (!errbuf[0])
      snprintf(errbuf, errlen, "%s: %s", path, dlerror());
    return NULL;
  }
  snprintf(errbuf, errlen,
           "the compiler is not installed (%s not found beside %s, in "
           "compiler/ or ../lib/wasmaot/; set WASMAOT_COMPILER to its path)",
           PLUGIN_FILE, dir);
  return NULL;
}
#endif
