/* CPU time of the calling thread, for the per-phase figures of
 * `aot-compile --stats` (aot_stats): on a shared machine it says what a
 * phase cost where wall time would also count the neighbours. */
#ifndef WASMAOT_CPU_CLOCK_H
#define WASMAOT_CPU_CLOCK_H

#include <time.h>

static inline double cpu_clock_thread_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#endif
