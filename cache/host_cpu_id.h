/* A short string that changes whenever the code the compiler would
 * generate for "the host CPU" may change: part of the cache key. It is
 * read without LLVM (a cache hit must not load the compiler), from the
 * same CPU identification LLVM derives the host CPU name and features
 * from. */
#ifndef WASMAOT_HOST_CPU_ID_H
#define WASMAOT_HOST_CPU_ID_H

#include <stddef.h>

/* E.g. "x86_64:AuthenticAMD:00a50f00:...". Never fails; on an unknown
 * machine it names only the architecture. */
void host_cpu_id(char *out, size_t size);

#endif
