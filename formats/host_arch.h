/* The architecture this runtime runs on, as the first component of a
 * target triple spells it. One definition for the target checks, the
 * cache layout and bundle entry selection. */
#ifndef WASMAOT_HOST_ARCH_H
#define WASMAOT_HOST_ARCH_H

#if defined(__x86_64__)
#define WASMAOT_HOST_ARCH "x86_64"
#elif defined(__aarch64__)
#define WASMAOT_HOST_ARCH "aarch64"
#else
#error "unsupported host architecture"
#endif

#endif
