#include "spec_spectest.h"

#include <stdint.h>
#include <string.h>

/* The print functions print nothing: their output would only bury the
 * failure reports, and no assertion can observe it. */
static void print_nothing(void *env) {
  (void)env;
}
static void print_i32(void *env, int32_t a) {
  (void)env, (void)a;
}
static void print_i64(void *env, int64_t a) {
  (void)env, (void)a;
}
static void print_f32(void *env, float a) {
  (void)env, (void)a;
}
static void print_f64(void *env, double a) {
  (void)env, (void)a;
}
static void print_i32_f32(void *env, int32_t a, float b) {
  (void)env, (void)a, (void)b;
}
static void print_f64_f64(void *env, double a, double b) {
  (void)env, (void)a, (void)b;
}

typedef struct host_func_spec {
  const char *name;
  void *code;
  uint32_t param_count;
  wasmaot_valkind params[2];
} host_func_spec;

static const host_func_spec host_funcs[] = {
    {"print", (void *)print_nothing, 0, {0}},
    {"print_i32", (void *)print_i32, 1, {WASMAOT_I32}},
    {"print_i64", (void *)print_i64, 1, {WASMAOT_I64}},
    {"print_f32", (void *)print_f32, 1, {WASMAOT_F32}},
    {"print_f64", (void *)print_f64, 1, {WASMAOT_F64}},
    {"print_i32_f32", (void *)print_i32_f32, 2, {WASMAOT_I32, WASMAOT_F32}},
    {"print_f64_f64", (void *)print_f64_f64, 2, {WASMAOT_F64, WASMAOT_F64}},
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static bool add(spec_spectest *st, const char *name, wasmaot_extern_kind kind,
                void *object) {
  if (!object)
    return false;
  spec_spectest_export *e = &st->exports[st->count++];
  e->name = name;
  e->value.kind = kind;
  switch (kind) {
  case WASMAOT_EXTERN_FUNC:
    e->value.of.func = object;
    break;
  case WASMAOT_EXTERN_TABLE:
    e->value.of.table = object;
    break;
  case WASMAOT_EXTERN_MEMORY:
    e->value.of.memory = object;
    break;
  case WASMAOT_EXTERN_GLOBAL:
    e->value.of.global = object;
    break;
  case WASMAOT_EXTERN_TAG:
    e->value.of.tag = object;
    break;
  }
  return true;
}

static bool add_functions(spec_spectest *st, wasmaot_engine *engine) {
  for (size_t i = 0; i < COUNT_OF(host_funcs); i++) {
    const host_func_spec *f = &host_funcs[i];
    wasmaot_func *func = wasmaot_func_new(engine, f->params, f->param_count,
                                          NULL, 0, f->code, NULL);
    if (!add(st, f->name, WASMAOT_EXTERN_FUNC, func))
      return false;
  }
  return true;
}

static bool add_global(spec_spectest *st, wasmaot_engine *engine,
                       const char *name, wasmaot_val value) {
  wasmaot_global *g = wasmaot_global_new(engine, false, &value);
  return add(st, name, WASMAOT_EXTERN_GLOBAL, g);
}

static bool add_globals(spec_spectest *st, wasmaot_engine *engine) {
  return add_global(st, engine, "global_i32",
                    (wasmaot_val){.kind = WASMAOT_I32, .of.i32 = 666}) &&
         add_global(st, engine, "global_i64",
                    (wasmaot_val){.kind = WASMAOT_I64, .of.i64 = 666}) &&
         add_global(st, engine, "global_f32",
                    (wasmaot_val){.kind = WASMAOT_F32, .of.f32 = 666.6f}) &&
         add_global(st, engine, "global_f64",
                    (wasmaot_val){.kind = WASMAOT_F64, .of.f64 = 666.6});
}

bool spec_spectest_init(spec_spectest *st, wasmaot_engine *engine) {
  memset(st, 0, sizeof *st);
  return add_functions(st, engine) && add_globals(st, engine) &&
         add(st, "table", WASMAOT_EXTERN_TABLE,
             wasmaot_table_new(engine, WASMAOT_FUNCREF, 10, true, 20)) &&
         add(st, "table64", WASMAOT_EXTERN_TABLE,
             wasmaot_table_new64(engine, WASMAOT_FUNCREF, 10, true, 20)) &&
         add(st, "memory", WASMAOT_EXTERN_MEMORY,
             wasmaot_memory_new(engine, 1, true, 2)) &&
         add(st, "shared_memory", WASMAOT_EXTERN_MEMORY,
             wasmaot_memory_new_shared(engine, 1, 2));
}

void spec_spectest_free(spec_spectest *st) {
  for (size_t i = 0; i < st->count; i++) {
    const wasmaot_extern *v = &st->exports[i].value;
    switch (v->kind) {
    case WASMAOT_EXTERN_FUNC:
      wasmaot_func_free(v->of.func);
      break;
    case WASMAOT_EXTERN_TABLE:
      wasmaot_table_free(v->of.table);
      break;
    case WASMAOT_EXTERN_MEMORY:
      wasmaot_memory_free(v->of.memory);
      break;
    case WASMAOT_EXTERN_GLOBAL:
      wasmaot_global_free(v->of.global);
      break;
    case WASMAOT_EXTERN_TAG: /* spectest defines none */
      break;
    }
  }
  st->count = 0;
}

bool spec_spectest_lookup(const spec_spectest *st, const char *name,
                          size_t name_len, wasmaot_extern *out) {
  for (size_t i = 0; i < st->count; i++) {
    const char *n = st->exports[i].name;
    if (strlen(n) == name_len && memcmp(n, name, name_len) == 0) {
      *out = st->exports[i].value;
      return true;
    }
  }
  return false;
}
