/* Instantiation through the C API: how long wasmaot_instantiate() takes
 * for one artifact (e.g. tests/loader/bigdata.so, 16 MiB of constant data
 * segments), and what each live instance costs in resident memory.
 *
 *   bench_instantiate ARTIFACT [ROUNDS]
 *
 * Prints one line of key=value pairs: the median, minimum and maximum
 * time of instantiate (the module loaded once beforehand, the instance
 * freed after each round, outside the timing), and the resident memory
 * added per instance while 64 instances are alive, untouched. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasmaot.h"

enum { LIVE_INSTANCES = 64 };

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static long resident_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
      break;
  if (f)
    fclose(f);
  return kib;
}

static int compare_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static wasmaot_instance *instantiate(wasmaot_module *module) {
  wasmaot_trap trap;
  char err[512];
  wasmaot_instance *inst =
      wasmaot_instantiate(module, NULL, NULL, &trap, err, sizeof err);
  if (!inst) {
    fprintf(stderr, "bench_instantiate: %s\n", err);
    exit(1);
  }
  return inst;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s ARTIFACT [ROUNDS]\n", argv[0]);
    return 2;
  }
  int rounds = argc > 2 ? atoi(argv[2]) : 201;
  if (rounds < 1)
    rounds = 1;
  char err[512];
  wasmaot_engine *engine = wasmaot_engine_new();
  wasmaot_module *module =
      wasmaot_module_load(engine, argv[1], err, sizeof err);
  if (!module) {
    fprintf(stderr, "bench_instantiate: %s\n", err);
    return 1;
  }
  double *times = malloc((size_t)rounds * sizeof *times);
  wasmaot_instance_free(instantiate(module)); /* warm-up */
  for (int i = 0; i < rounds; i++) {
    double t0 = now_us();
    wasmaot_instance *inst = instantiate(module);
    times[i] = now_us() - t0;
    wasmaot_instance_free(inst);
  }
  qsort(times, (size_t)rounds, sizeof *times, compare_double);

  long before = resident_kib();
  wasmaot_instance *live[LIVE_INSTANCES];
  for (int i = 0; i < LIVE_INSTANCES; i++)
    live[i] = instantiate(module);
  long after = resident_kib();
  for (int i = 0; i < LIVE_INSTANCES; i++)
    wasmaot_instance_free(live[i]);

  printf("instantiate_median_us=%.1f instantiate_min_us=%.1f "
         "instantiate_max_us=%.1f rounds=%d rss_per_instance_kib=%.1f\n",
         times[rounds / 2], times[0], times[rounds - 1], rounds,
         (double)(after - before) / LIVE_INSTANCES);
  free(times);
  wasmaot_module_free(module);
  wasmaot_engine_free(engine);
  return 0;
}
