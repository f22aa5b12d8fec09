/* The float functions LLVM calls by name from compiled code when the CPU
 * lacks an instruction for them (x86-64 without SSE4.1 has no roundsd).
 *
 * They are written here instead of taken from libm so that `wasmaot`
 * needs no shared library but libc's: loading libm costs a cold start
 * about 65 us (docs/benchmarks.md), more than everything else the loader
 * does for a small program.
 *
 * Wasm code only ever runs in round-to-nearest-even mode, and compiled
 * code ignores the FP exception flags, so rint, nearbyint and roundeven
 * are one function here. Every result is exact: these are integral
 * roundings of the argument, computed with one rounding step of the
 * hardware's own addition. */
#include "float_libcalls.h"

#include <string.h>

/* 2^52 (2^23 for float): from here up every double (float) is an
 * integer, and adding it to a smaller non-negative value rounds that
 * value to an integer in the current (nearest-even) mode. */
#define DOUBLE_INTEGRAL_FROM 0x1p52
#define FLOAT_INTEGRAL_FROM 0x1p23f

/* NaN in, quiet NaN out (as the instructions and libm do); infinities
 * and values already integral come back unchanged. */
static bool double_is_integral_or_nan(double x, double *out) {
  if (__builtin_isnan(x)) {
    *out = x + x;
    return true;
  }
  if (__builtin_fabs(x) >= DOUBLE_INTEGRAL_FROM) {
    *out = x;
    return true;
  }
  return false;
}

static bool float_is_integral_or_nan(float x, float *out) {
  if (__builtin_isnan(x)) {
    *out = x + x;
    return true;
  }
  if (__builtin_fabsf(x) >= FLOAT_INTEGRAL_FROM) {
    *out = x;
    return true;
  }
  return false;
}

/* |x| rounded to the nearest integer, ties to even, for |x| < 2^52. The
 * volatile keeps a compiler from folding (a + 2^52) - 2^52 back to a. */
static double abs_round_even(double x) {
  volatile double sum = __builtin_fabs(x) + DOUBLE_INTEGRAL_FROM;
  return sum - DOUBLE_INTEGRAL_FROM;
}

static float abs_round_even_f(float x) {
  volatile float sum = __builtin_fabsf(x) + FLOAT_INTEGRAL_FROM;
  return sum - FLOAT_INTEGRAL_FROM;
}

/* ---- double ---------------------------------------------------------- */

double float_roundeven(double x) {
  double r;
  if (double_is_integral_or_nan(x, &r))
    return r;
  return __builtin_copysign(abs_round_even(x), x);
}

/* The rounding of |x| towards zero. */
static double abs_trunc(double x) {
  double a = __builtin_fabs(x);
  double r = abs_round_even(x);
  return r > a ? r - 1.0 : r;
}

double float_trunc(double x) {
  double r;
  if (double_is_integral_or_nan(x, &r))
    return r;
  return __builtin_copysign(abs_trunc(x), x);
}

/* floor and ceil of a negative number are non-positive and of a positive
 * one non-negative, so the sign of x is the sign of the result, -0 and +0
 * included. */
double float_floor(double x) {
  double r;
  if (double_is_integral_or_nan(x, &r))
    return r;
  double t = abs_trunc(x);
  if (x < 0 && t != -x)
    t += 1.0;
  return __builtin_copysign(t, x);
}

double float_ceil(double x) {
  double r;
  if (double_is_integral_or_nan(x, &r))
    return r;
  double t = abs_trunc(x);
  if (x > 0 && t != x)
    t += 1.0;
  return __builtin_copysign(t, x);
}

/* Halfway cases away from zero. |x| - trunc(|x|) is exact (both are
 * within a factor of two of each other, or the truncation is 0). */
double float_round(double x) {
  double r;
  if (double_is_integral_or_nan(x, &r))
    return r;
  double t = abs_trunc(x);
  if (__builtin_fabs(x) - t >= 0.5)
    t += 1.0;
  return __builtin_copysign(t, x);
}

/* ---- float ----------------------------------------------------------- */

float float_roundevenf(float x) {
  float r;
  if (float_is_integral_or_nan(x, &r))
    return r;
  return __builtin_copysignf(abs_round_even_f(x), x);
}

static float abs_truncf(float x) {
  float a = __builtin_fabsf(x);
  float r = abs_round_even_f(x);
  return r > a ? r - 1.0f : r;
}

float float_truncf(float x) {
  float r;
  if (float_is_integral_or_nan(x, &r))
    return r;
  return __builtin_copysignf(abs_truncf(x), x);
}

float float_floorf(float x) {
  float r;
  if (float_is_integral_or_nan(x, &r))
    return r;
  float t = abs_truncf(x);
  if (x < 0 && t != -x)
    t += 1.0f;
  return __builtin_copysignf(t, x);
}

float float_ceilf(float x) {
  float r;
  if (float_is_integral_or_nan(x, &r))
    return r;
  float t = abs_truncf(x);
  if (x > 0 && t != x)
    t += 1.0f;
  return __builtin_copysignf(t, x);
}

float float_roundf(float x) {
  float r;
  if (float_is_integral_or_nan(x, &r))
    return r;
  float t = abs_truncf(x);
  if (__builtin_fabsf(x) - t >= 0.5f)
    t += 1.0f;
  return __builtin_copysignf(t, x);
}

/* ---- sqrt, min, max, abs, copysign ------------------------------------ */

/* The instruction itself: __builtin_sqrt may call libm's sqrt to set
 * errno for negative arguments. */
double float_sqrt(double x) {
#if defined(__x86_64__)
  __asm__("sqrtsd %1, %0" : "=x"(x) : "x"(x));
#elif defined(__aarch64__)
  __asm__("fsqrt %d0, %d1" : "=w"(x) : "w"(x));
#else
#error "float_sqrt: no square root instruction known for this architecture"
#endif
  return x;
}

float float_sqrtf(float x) {
#if defined(__x86_64__)
  __asm__("sqrtss %1, %0" : "=x"(x) : "x"(x));
#elif defined(__aarch64__)
  __asm__("fsqrt %s0, %s1" : "=w"(x) : "w"(x));
#endif
  return x;
}

/* C's fmin and fmax: a NaN operand is ignored, and -0 < +0. */
double float_fmin(double a, double b) {
  if (__builtin_isnan(a))
    return b;
  if (__builtin_isnan(b) || a < b)
    return a;
  if (a == b && __builtin_signbit(a))
    return a;
  return b;
}

double float_fmax(double a, double b) {
  if (__builtin_isnan(a))
    return b;
  if (__builtin_isnan(b) || a > b)
    return a;
  if (a == b && !__builtin_signbit(a))
    return a;
  return b;
}

float float_fminf(float a, float b) {
  if (__builtin_isnan(a))
    return b;
  if (__builtin_isnan(b) || a < b)
    return a;
  if (a == b && __builtin_signbit(a))
    return a;
  return b;
}

float float_fmaxf(float a, float b) {
  if (__builtin_isnan(a))
    return b;
  if (__builtin_isnan(b) || a > b)
    return a;
  if (a == b && !__builtin_signbit(a))
    return a;
  return b;
}

double float_fabs(double x) {
  return __builtin_fabs(x);
}
float float_fabsf(float x) {
  return __builtin_fabsf(x);
}
double float_copysign(double x, double y) {
  return __builtin_copysign(x, y);
}
float float_copysignf(float x, float y) {
  return __builtin_copysignf(x, y);
}

/* ---- By name ---------------------------------------------------------- */

void *float_libcall_address(const char *name) {
  static const struct {
    const char *name;
    void *addr;
  } libcalls[] = {
      {"floor", (void *)float_floor},
      {"floorf", (void *)float_floorf},
      {"ceil", (void *)float_ceil},
      {"ceilf", (void *)float_ceilf},
      {"trunc", (void *)float_trunc},
      {"truncf", (void *)float_truncf},
      {"round", (void *)float_round},
      {"roundf", (void *)float_roundf},
      {"nearbyint", (void *)float_roundeven},
      {"nearbyintf", (void *)float_roundevenf},
      {"rint", (void *)float_roundeven},
      {"rintf", (void *)float_roundevenf},
      {"roundeven", (void *)float_roundeven},
      {"roundevenf", (void *)float_roundevenf},
      {"sqrt", (void *)float_sqrt},
      {"sqrtf", (void *)float_sqrtf},
      {"fmin", (void *)float_fmin},
      {"fminf", (void *)float_fminf},
      {"fmax", (void *)float_fmax},
      {"fmaxf", (void *)float_fmaxf},
      {"fabs", (void *)float_fabs},
      {"fabsf", (void *)float_fabsf},
      {"copysign", (void *)float_copysign},
      {"copysignf", (void *)float_copysignf},
  };
  for (size_t i = 0; i < sizeof libcalls / sizeof *libcalls; i++)
    if (!strcmp(libcalls[i].name, name))
      return libcalls[i].addr;
  return NULL;
}
