/* Dense float math: an n-body gravity simulation of 40 bodies with a
 * leapfrog (kick-drift-kick) integrator. The size is the number of
 * steps. Prints the total energy before and after. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define NB 40

struct body {
  double x, y, z, vx, vy, vz, m;
};

static struct body bodies[NB];

static double frand(unsigned *s) {
  *s = *s * 1103515245u + 12345u;
  return (double)((*s >> 8) & 0xffff) / 65536.0;
}

static void init(void) {
  unsigned s = 42;
  bodies[0] = (struct body){0, 0, 0, 0, 0, 0, 1000.0};
  for (int i = 1; i < NB; i++) {
    double r = 5.0 + 40.0 * frand(&s);
    double a = frand(&s), b = frand(&s);
    struct body *p = &bodies[i];
    p->x = r * (a - 0.5);
    p->y = r * (b - 0.5);
    p->z = 0.1 * r * (frand(&s) - 0.5);
    double d = sqrt(p->x * p->x + p->y * p->y + p->z * p->z) + 1e-3;
    double v = sqrt(1000.0 / d);
    p->vx = -v * p->y / d;
    p->vy = v * p->x / d;
    p->vz = 0.01 * (frand(&s) - 0.5);
    p->m = 0.01 + 0.5 * frand(&s);
  }
}

static double energy(void) {
  double e = 0.0;
  for (int i = 0; i < NB; i++) {
    const struct body *p = &bodies[i];
    e += 0.5 * p->m * (p->vx * p->vx + p->vy * p->vy + p->vz * p->vz);
    for (int j = i + 1; j < NB; j++) {
      const struct body *q = &bodies[j];
      double dx = p->x - q->x, dy = p->y - q->y, dz = p->z - q->z;
      e -= p->m * q->m / sqrt(dx * dx + dy * dy + dz * dz + 0.01);
    }
  }
  return e;
}

static void kick(double h) {
  for (int i = 0; i < NB; i++) {
    struct body *p = &bodies[i];
    for (int j = i + 1; j < NB; j++) {
      struct body *q = &bodies[j];
      double dx = p->x - q->x, dy = p->y - q->y, dz = p->z - q->z;
      double d2 = dx * dx + dy * dy + dz * dz + 0.01;
      double inv = h / (d2 * sqrt(d2));
      p->vx -= dx * q->m * inv;
      p->vy -= dy * q->m * inv;
      p->vz -= dz * q->m * inv;
      q->vx += dx * p->m * inv;
      q->vy += dy * p->m * inv;
      q->vz += dz * p->m * inv;
    }
  }
}

static void drift(double h) {
  for (int i = 0; i < NB; i++) {
    bodies[i].x += h * bodies[i].vx;
    bodies[i].y += h * bodies[i].vy;
    bodies[i].z += h * bodies[i].vz;
  }
}

int main(int argc, char **argv) {
  int steps = argc > 1 ? atoi(argv[1]) : 100000;
  const double h = 0.001;
  init();
  double e0 = energy();
  kick(h / 2);
  for (int s = 0; s < steps; s++) {
    drift(h);
    kick(s + 1 < steps ? h : h / 2);
  }
  double e1 = energy();
  printf("nbody steps=%d e0=%.12e e1=%.12e x1=%.9e\n", steps, e0, e1,
         bodies[1].x);
  return 0;
}
