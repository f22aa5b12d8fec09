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

/* The rounding functions are written once and instantiated for double
 * (suffix "", like C's names) and float (suffix f). BIG is 2^52 (2^23):
 * from there up every value of the type is an integer, and adding it to
 * a smaller non-negative value rounds that value to an integer in the
 * current (nearest-even) mode.
 *
 * - integral_or_nan: a NaN gives a quiet NaN (as the instructions and
 *   libm do); infinities and values already integral come back as they
 *   are.
 * - abs_round_even: |x| to the nearest integer, ties to even, for
 *   |x| < BIG. The volatile keeps a compiler from folding
 *   (a + BIG) - BIG back to a.
 * - abs_trunc: |x| rounded towards zero.
 * - floor and ceil of a negative number are non-positive and of a
 *   positive one non-negative, so the sign of x is the sign of the
 *   result, -0 and +0 included.
 * - round: halfway cases away from zero. |x| - trunc(|x|) is exact (both
 *   are within a factor of two of each other, or the truncation is 0). */
#define DEFINE_ROUNDING(T, S, BIG)                                             \
  static bool integral_or_nan##S(T x, T *out) {                                \
    if (__builtin_isnan(x)) {                                                  \
      *out = x + x;                                                            \
      return true;                                                             \
    }                                                                          \
    if (__builtin_fabs##S(x) >= (BIG)) {                                       \
      *out = x;                                                                \
      return true;                                                             \
    }                                                                          \
    return false;                                                              \
  }                                                                            \
  static T abs_round_even##S(T x) {                                            \
    volatile T sum = __builtin_fabs##S(x) + (BIG);                             \
    return sum - (BIG);                                                        \
  }                                                                            \
  static T abs_trunc##S(T x) {                                                 \
    T r = abs_round_even##S(x);                                                \
    return r > __builtin_fabs##S(x) ? r - 1 : r;                               \
  }                                                                            \
  T float_roundeven##S(T x) {                                                  \
    T r;                                                                       \
    if (integral_or_nan##S(x, &r))                                             \
      return r;                                                                \
    return __builtin_copysign##S(abs_round_even##S(x), x);                     \
  }                                                                            \
  T float_trunc##S(T x) {                                                      \
    T r;                                                                       \
    if (integral_or_nan##S(x, &r))                                             \
      return r;                                                                \
    return __builtin_copysign##S(abs_trunc##S(x), x);                          \
  }                                                                            \
  T float_floor##S(T x) {                                                      \
    T r;                                                                       \
    if (integral_or_nan##S(x, &r))                                             \
      return r;                                                                \
    T t = abs_trunc##S(x);                                                     \
    if (x < 0 && t != -x)                                                      \
      t += 1;                                                                  \
    return __builtin_copysign##S(t, x);                                        \
  }                                                                            \
  T float_ceil##S(T x) {                                                       \
    T r;                                                                       \
    if (integral_or_nan##S(x, &r))                                             \
      return r;                                                                \
    T t = abs_trunc##S(x);                                                     \
    if (x > 0 && t != x)                                                       \
      t += 1;                                                                  \
    return __builtin_copysign##S(t, x);                                        \
  }                                                                            \
  T float_round##S(T x) {                                                      \
    T r;                                                                       \
    if (integral_or_nan##S(x, &r))                                             \
      return r;                                                                \
    T t = abs_trunc##S(x);                                                     \
    if (__builtin_fabs##S(x) - t >= (T)0.5)                                    \
      t += 1;                                                                  \
    return __builtin_copysign##S(t, x);                                        \
  }

DEFINE_ROUNDING(double, , 0x1p52)
DEFINE_ROUNDING(float, f, 0x1p23f)

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
#define DEFINE_MIN_MAX(T, S)                                                   \
  T float_fmin##S(T a, T b) {                                                  \
    if (__builtin_isnan(a))                                                    \
      return b;                                                                \
    if (__builtin_isnan(b) || a < b)                                           \
      return a;                                                                \
    return a == b && __builtin_signbit(a) ? a : b;                             \
  }                                                                            \
  T float_fmax##S(T a, T b) {                                                  \
    if (__builtin_isnan(a))                                                    \
      return b;                                                                \
    if (__builtin_isnan(b) || a > b)                                           \
      return a;                                                                \
    return a == b && !__builtin_signbit(a) ? a : b;                            \
  }

DEFINE_MIN_MAX(double, )
DEFINE_MIN_MAX(float, f)

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
