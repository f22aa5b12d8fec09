/* The loader's own float libcalls (loader/float_libcalls.c) against the C
 * library's libm, looked up by the names compiled code uses: bit-exact
 * results on edge cases (signed zeros, halfway cases, the last
 * fractional values below 2^52 / 2^23, infinities, subnormals) and on a
 * million pseudo-random arguments of every exponent. A NaN result must be
 * a NaN, quiet where libm's is (fabs keeps a signalling NaN's bits). */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "float_libcalls.h"

typedef double (*unary_d)(double);
typedef float (*unary_f)(float);
typedef double (*binary_d)(double, double);
typedef float (*binary_f)(float, float);

static uint64_t bits_d(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

static uint32_t bits_f(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

static double from_bits_d(uint64_t u) {
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

static float from_bits_f(uint32_t u) {
  float x;
  memcpy(&x, &u, sizeof x);
  return x;
}

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t next_random(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static const double edge_d[] = {
    0.0,
    0.5,
    1.0,
    1.5,
    2.5,
    3.5,
    0.49999999999999994,
    0.5000000000000001,
    0.7,
    1e-300,
    4.9e-324,
    DBL_MIN,
    123456.5,
    0x1p52 - 0.5,
    0x1p52 - 1.5,
    0x1p52,
    0x1p52 + 1,
    0x1p53,
    0x1p53 + 2,
    1e300,
    DBL_MAX,
    INFINITY,
    0x1p51 + 0.5,
    0x1p51 + 0.25,
    4503599627370495.5,
    0.25,
    0.75,
    1e15 + 0.5,
};

static const float edge_f[] = {
    0.0f,
    0.5f,
    1.0f,
    1.5f,
    2.5f,
    3.5f,
    0.49999997f,
    0.50000006f,
    0.7f,
    1e-30f,
    1e-45f,
    FLT_MIN,
    1234.5f,
    0x1p23f - 0.5f,
    0x1p23f - 1.5f,
    0x1p23f,
    0x1p23f + 1,
    0x1p24f,
    1e30f,
    FLT_MAX,
    INFINITY,
    0x1p22f + 0.5f,
    0x1p22f + 0.25f,
};

/* Compares one unary function on x (and -x). */
static void check_unary_d(const char *name, unary_d ours, unary_d libm,
                          double x) {
  for (int sign = 0; sign < 2; sign++, x = -x) {
    double got = ours(x), want = libm(x);
    if (isnan(want)) {
      if (!isnan(got) || (bits_d(got) ^ bits_d(want)) & (1ull << 51))
        fail_msg("%s(%a) = %a, not a NaN as quiet as libm's", name, x, got);
    } else if (bits_d(got) != bits_d(want)) {
      fail_msg("%s(%a) = %a, libm says %a", name, x, got, want);
    }
  }
}

static void check_unary_f(const char *name, unary_f ours, unary_f libm,
                          float x) {
  for (int sign = 0; sign < 2; sign++, x = -x) {
    float got = ours(x), want = libm(x);
    if (isnan(want)) {
      if (!isnan(got) || (bits_f(got) ^ bits_f(want)) & (1u << 22))
        fail_msg("%s(%a) = %a, not a NaN as quiet as libm's", name, (double)x,
                 (double)got);
    } else if (bits_f(got) != bits_f(want)) {
      fail_msg("%s(%a) = %a, libm says %a", name, (double)x, (double)got,
               (double)want);
    }
  }
}

static const struct {
  const char *name;
  unary_d libm;
} unary_double[] = {
    {"floor", floor}, {"ceil", ceil},           {"trunc", trunc},
    {"round", round}, {"nearbyint", nearbyint}, {"rint", rint},
    {"sqrt", sqrt},   {"fabs", fabs},           {"roundeven", roundeven},
};

static const struct {
  const char *name;
  unary_f libm;
} unary_float[] = {
    {"floorf", floorf}, {"ceilf", ceilf},           {"truncf", truncf},
    {"roundf", roundf}, {"nearbyintf", nearbyintf}, {"rintf", rintf},
    {"sqrtf", sqrtf},   {"fabsf", fabsf},           {"roundevenf", roundevenf},
};

static void test_unary_double_matches_libm(void **state) {
  (void)state;
  for (size_t f = 0; f < sizeof unary_double / sizeof *unary_double; f++) {
    const char *name = unary_double[f].name;
    unary_d ours = (unary_d)float_libcall_address(name);
    assert_non_null(ours);
    for (size_t i = 0; i < sizeof edge_d / sizeof *edge_d; i++)
      check_unary_d(name, ours, unary_double[f].libm, edge_d[i]);
    check_unary_d(name, ours, unary_double[f].libm, NAN);
    /* Signalling NaN: the payload's top bit clear. */
    check_unary_d(name, ours, unary_double[f].libm,
                  from_bits_d(0x7ff0000000000001ull));
    for (int i = 0; i < 1000000; i++) {
      /* Every exponent, and the interesting range [2^-2, 2^53] often. */
      uint64_t r = next_random();
      double x = i % 2 ? from_bits_d(r)
                       : (double)(int64_t)(r >> 11) / (double)(1u << (r & 31));
      check_unary_d(name, ours, unary_double[f].libm, x);
    }
  }
}

static void test_unary_float_matches_libm(void **state) {
  (void)state;
  for (size_t f = 0; f < sizeof unary_float / sizeof *unary_float; f++) {
    const char *name = unary_float[f].name;
    unary_f ours = (unary_f)float_libcall_address(name);
    assert_non_null(ours);
    for (size_t i = 0; i < sizeof edge_f / sizeof *edge_f; i++)
      check_unary_f(name, ours, unary_float[f].libm, edge_f[i]);
    check_unary_f(name, ours, unary_float[f].libm, NAN);
    check_unary_f(name, ours, unary_float[f].libm, from_bits_f(0x7f800001u));
    for (int i = 0; i < 1000000; i++) {
      uint64_t r = next_random();
      float x = i % 2 ? from_bits_f((uint32_t)r)
                      : (float)(int32_t)(r >> 40) / (float)(1u << (r & 15));
      check_unary_f(name, ours, unary_float[f].libm, x);
    }
  }
}

/* fmin/fmax/copysign: C leaves the sign of fmin(-0, +0) open; ours orders
 * -0 below +0, as Wasm's min and max do. Float results come here widened
 * to double, which is exact and keeps signs and NaN-ness. */
static void check_binary(const char *name, double a, double b, double got,
                         double want) {
  if (a == 0 && b == 0 && strncmp(name, "copysign", 8) != 0) {
    bool min = strncmp(name, "fmin", 4) == 0;
    bool either_neg = signbit(a) || signbit(b);
    bool both_neg = signbit(a) && signbit(b);
    assert_int_equal(!!signbit(got), min ? either_neg : both_neg);
    return;
  }
  if (isnan(want))
    assert_true(isnan(got));
  else if (bits_d(got) != bits_d(want))
    fail_msg("%s(%a, %a) = %a, libm says %a", name, a, b, got, want);
}

static void test_binary_matches_libm(void **state) {
  (void)state;
  static const struct {
    const char *name;
    binary_d libm;
  } binary_double[] = {{"fmin", fmin}, {"fmax", fmax}, {"copysign", copysign}};
  static const struct {
    const char *name;
    binary_f libm;
  } binary_float[] = {
      {"fminf", fminf}, {"fmaxf", fmaxf}, {"copysignf", copysignf}};
  static const double values[] = {0.0, -0.0,    1.0,      -1.0,
                                  0.5, -2.5,    INFINITY, -INFINITY,
                                  NAN, DBL_MAX, 4.9e-324};
  const size_t n = sizeof values / sizeof *values;
  for (size_t f = 0; f < 3; f++) {
    binary_d od = (binary_d)float_libcall_address(binary_double[f].name);
    binary_f of = (binary_f)float_libcall_address(binary_float[f].name);
    assert_non_null(od);
    assert_non_null(of);
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < n; j++) {
        double a = values[i], b = values[j];
        float af = (float)a, bf = (float)b;
        check_binary(binary_double[f].name, a, b, od(a, b),
                     binary_double[f].libm(a, b));
        check_binary(binary_float[f].name, af, bf, of(af, bf),
                     binary_float[f].libm(af, bf));
      }
  }
}

/* Only LLVM's libcall names resolve: anything else an artifact asks for
 * is refused by the loader. */
static void test_unknown_names_are_not_resolved(void **state) {
  (void)state;
  assert_null(float_libcall_address("exp"));
  assert_null(float_libcall_address("fma"));
  assert_null(float_libcall_address("floo"));
  assert_null(float_libcall_address(""));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unary_double_matches_libm),
      cmocka_unit_test(test_unary_float_matches_libm),
      cmocka_unit_test(test_binary_matches_libm),
      cmocka_unit_test(test_unknown_names_are_not_resolved),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
