#include "compile_progress.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 30
#define REDRAW_NS 150000000L

/* Where each phase starts on the bar and how much of it it takes, from
 * measurements of -O2 compiles: lowering 1-3 %, the optimiser and code
 * generation about half each, linking well under 1 %. */
static const double phase_start[] = {0.00, 0.03, 0.50, 0.98, 0.00};
static const double phase_share[] = {0.03, 0.47, 0.48, 0.02, 0.98};
static const char *const phase_name[] = {"lowering", "optimising",
                                         "generating code", "linking",
                                         "compiling functions"};

/* The optimiser takes about this many times as long as lowering did. */
#define OPTIMIZE_PER_LOWER 35.0
#define MIN_EXPECTED_S 0.2

struct compile_progress {
  FILE *out;
  char label[64];
  pthread_t ticker;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  bool stop;
  /* Under lock: */
  aot_phase phase;
  uint32_t done, total;
  struct timespec phase_began;
  double lower_s, optimize_s;
  int drawn_percent; /* -1: nothing drawn yet */
  aot_phase drawn_phase;
  uint32_t drawn_done;
};

static double seconds_since(const struct timespec *t) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t->tv_sec) +
         (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Within a phase that reports nothing until it ends: linear to 80 % at
 * the expected time, then creeping towards 95 % (halfway there after
 * twice the expected time; no libm in the loader). */
static double estimate(double elapsed, double expected) {
  if (expected < MIN_EXPECTED_S)
    expected = MIN_EXPECTED_S;
  if (elapsed < expected)
    return 0.8 * elapsed / expected;
  double over = (elapsed - expected) / expected;
  return 0.8 + 0.15 * over / (1.0 + over);
}

double compile_progress_fraction(aot_phase phase, uint32_t done, uint32_t total,
                                 double phase_s, double lower_s,
                                 double optimize_s) {
  if ((unsigned)phase > AOT_PHASE_FUNCTIONS)
    return 1.0;
  double within;
  if (total == 0 || done >= total)
    within = 1.0;
  else if (phase == AOT_PHASE_OPTIMIZE)
    within = estimate(phase_s, lower_s * OPTIMIZE_PER_LOWER);
  else if (phase == AOT_PHASE_CODEGEN)
    within = estimate(phase_s, optimize_s);
  else
    within = (double)done / total;
  return phase_start[phase] + phase_share[phase] * within;
}

/* Redraws the line if the percentage or phase changed. Under lock. */
static void draw(compile_progress *p) {
  double f = compile_progress_fraction(p->phase, p->done, p->total,
                                       seconds_since(&p->phase_began),
                                       p->lower_s, p->optimize_s);
  int percent = (int)(f * 100.0);
  if (percent == p->drawn_percent && p->phase == p->drawn_phase &&
      p->done == p->drawn_done)
    return;
  char bar[BAR_WIDTH + 1];
  int filled = (int)(f * BAR_WIDTH);
  for (int i = 0; i < BAR_WIDTH; i++)
    bar[i] = i < filled ? '#' : '.';
  bar[BAR_WIDTH] = '\0';
  fprintf(p->out, "\r\033[Kcompiling %s [%s] %3d%% %s", p->label, bar, percent,
          phase_name[p->phase]);
  if (p->phase == AOT_PHASE_FUNCTIONS) {
    /* Pieces finish in any order and the heaviest go first, so the rate
     * so far is, if anything, pessimistic. */
    fprintf(p->out, " %u/%u", p->done, p->total);
    double spent = seconds_since(&p->phase_began);
    if (p->done > 0 && p->done < p->total)
      fprintf(p->out, ", ETA %.0f s",
              spent * (double)(p->total - p->done) / (double)p->done);
  }
  fflush(p->out);
  p->drawn_percent = percent;
  p->drawn_phase = p->phase;
  p->drawn_done = p->done;
}

static void *tick(void *arg) {
  compile_progress *p = arg;
  pthread_mutex_lock(&p->lock);
  while (!p->stop) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += REDRAW_NS;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&p->wake, &p->lock, &until);
    if (!p->stop)
      draw(p);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

bool compile_progress_wanted(FILE *out, size_t wasm_size) {
  const char *term = getenv("TERM");
  return wasm_size >= COMPILE_PROGRESS_MIN_WASM_BYTES && isatty(fileno(out)) &&
         !(term && strcmp(term, "dumb") == 0);
}

compile_progress *compile_progress_start(FILE *out, const char *label) {
  compile_progress *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  p->out = out;
  const char *base = strrchr(label, '/');
  snprintf(p->label, sizeof p->label, "%s", base ? base + 1 : label);
  p->drawn_percent = -1;
  clock_gettime(CLOCK_MONOTONIC, &p->phase_began);
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->wake, NULL);
  if (pthread_create(&p->ticker, NULL, tick, p) != 0) {
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
    return NULL;
  }
  return p;
}

void compile_progress_report(void *ctx, aot_phase phase, uint32_t done,
                             uint32_t total) {
  compile_progress *p = ctx;
  pthread_mutex_lock(&p->lock);
  if (phase != p->phase) {
    double spent = seconds_since(&p->phase_began);
    if (p->phase == AOT_PHASE_LOWER)
      p->lower_s = spent;
    else if (p->phase == AOT_PHASE_OPTIMIZE)
      p->optimize_s = spent;
    clock_gettime(CLOCK_MONOTONIC, &p->phase_began);
  }
  p->phase = phase;
  p->done = done;
  p->total = total;
  draw(p);
  pthread_mutex_unlock(&p->lock);
}

void compile_progress_finish(compile_progress *p) {
  if (!p)
    return;
  pthread_mutex_lock(&p->lock);
  p->stop = true;
  pthread_cond_signal(&p->wake);
  pthread_mutex_unlock(&p->lock);
  pthread_join(p->ticker, NULL);
  if (p->drawn_percent >= 0) {
    fputs("\r\033[K", p->out);
    fflush(p->out);
  }
  pthread_cond_destroy(&p->wake);
  pthread_mutex_destroy(&p->lock);
  free(p);
}
