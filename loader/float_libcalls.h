/* Float functions compiled code may call by name (LLVM's libcalls for
 * float rounding on CPUs without the instructions), implemented without
 * libm. Each matches the C library function of the same name in
 * round-to-nearest mode, NaN payloads aside (a NaN argument gives a quiet
 * NaN). */
#ifndef WASMAOT_FLOAT_LIBCALLS_H
#define WASMAOT_FLOAT_LIBCALLS_H

#include <stdbool.h>

double float_floor(double x);
double float_ceil(double x);
double float_trunc(double x);
double float_round(double x);     /* halfway cases away from zero */
double float_roundeven(double x); /* also rint and nearbyint */
double float_sqrt(double x);
double float_fmin(double a, double b);
double float_fmax(double a, double b);
double float_fabs(double x);
double float_copysign(double x, double y);

float float_floorf(float x);
float float_ceilf(float x);
float float_truncf(float x);
float float_roundf(float x);
float float_roundevenf(float x);
float float_sqrtf(float x);
float float_fminf(float a, float b);
float float_fmaxf(float a, float b);
float float_fabsf(float x);
float float_copysignf(float x, float y);

/* The function for libcall `name` ("floor", "rintf", ...), or NULL when
 * it is not one of these. */
void *float_libcall_address(const char *name);

#endif
