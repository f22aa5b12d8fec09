/* The engine's canonical signature registry: equal signatures share one
 * id, different ones never do, across modules and host functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "runtime.h"

static int setup_engine(void **state) {
  *state = wasmaot_engine_new();
  return *state ? 0 : -1;
}

static int teardown_engine(void **state) {
  wasmaot_engine_free(*state);
  return 0;
}

static void test_equal_signatures_share_an_id(void **state) {
  wasmaot_engine *e = *state;
  wasmaot_valkind p[] = {WASMAOT_I32, WASMAOT_F64};
  wasmaot_valkind r[] = {WASMAOT_I64};
  const rt_signature *a = rt_signature_intern(&e->signatures, p, 2, r, 1);
  const rt_signature *b = rt_signature_intern(&e->signatures, p, 2, r, 1);
  assert_non_null(a);
  assert_ptr_equal(a, b);
  assert_true(a->id != 0);

  /* A module's plain function type is the same canonical type. */
  wasm_type types[] = {WASM_TYPE_I32, WASM_TYPE_F64, WASM_TYPE_I64};
  wasm_functype ft = {.param_count = 2,
                      .result_count = 1,
                      .types = types,
                      .composite = WASM_COMPOSITE_FUNC,
                      .is_final = true,
                      .supertype = WASM_NO_SUPERTYPE,
                      .rec_size = 1};
  wasm_module w = {.type_count = 1, .types = &ft};
  const rt_signature *out[1];
  assert_true(rt_signatures_intern_module(&e->signatures, &w, out));
  assert_ptr_equal(out[0], a);
}

/* Rec groups (3.0): two modules' structurally equal groups share ids, a
 * group that differs only in its position of a type does not, and a
 * declared subtype is a subtype across modules. */
static void test_rec_groups_canonicalise(void **state) {
  wasmaot_engine *e = *state;
  /* rec { $a: func (param (ref $b)); $b: func (result (ref $a)) } */
  wasm_type a_types[] = {WASM_REF_TYPE(0, 1)};
  wasm_type b_types[] = {WASM_REF_TYPE(0, 0)};
  wasm_functype group[2] = {{.param_count = 1,
                             .types = a_types,
                             .composite = WASM_COMPOSITE_FUNC,
                             .is_final = true,
                             .supertype = WASM_NO_SUPERTYPE,
                             .rec_size = 2},
                            {.result_count = 1,
                             .types = b_types,
                             .composite = WASM_COMPOSITE_FUNC,
                             .is_final = true,
                             .supertype = WASM_NO_SUPERTYPE,
                             .rec_start = 0,
                             .rec_size = 2}};
  wasm_module w = {.type_count = 2, .types = group};
  const rt_signature *first[2], *second[2];
  assert_true(rt_signatures_intern_module(&e->signatures, &w, first));
  assert_true(rt_signatures_intern_module(&e->signatures, &w, second));
  assert_ptr_equal(first[0], second[0]);
  assert_ptr_equal(first[1], second[1]);
  assert_true(first[0]->id != first[1]->id);
  /* The canonical param type names the other member's id. */
  assert_int_equal(wasm_type_heap(first[0]->types[0]), first[1]->id);

  /* sub $base (func); sub final $derived (sub $base) (func) */
  wasm_functype chain[2] = {{.composite = WASM_COMPOSITE_FUNC,
                             .is_final = false,
                             .supertype = WASM_NO_SUPERTYPE,
                             .rec_start = 0,
                             .rec_size = 1},
                            {.composite = WASM_COMPOSITE_FUNC,
                             .is_final = true,
                             .supertype = 0,
                             .rec_start = 1,
                             .rec_size = 1}};
  wasm_module sub = {.type_count = 2, .types = chain};
  const rt_signature *ids[2];
  assert_true(rt_signatures_intern_module(&e->signatures, &sub, ids));
  assert_true(rt_signature_is_subtype(&e->signatures, ids[1]->id, ids[0]->id));
  assert_false(rt_signature_is_subtype(&e->signatures, ids[0]->id, ids[1]->id));
  /* A plain (final) [] -> [] is neither of them. */
  const rt_signature *plain =
      rt_signature_intern(&e->signatures, NULL, 0, NULL, 0);
  assert_true(plain->id != ids[0]->id && plain->id != ids[1]->id);
}

static void test_different_signatures_differ(void **state) {
  wasmaot_engine *e = *state;
  wasmaot_valkind k[] = {WASMAOT_I32, WASMAOT_I32};
  /* Same kinds, split differently between params and results. */
  const rt_signature *two_params =
      rt_signature_intern(&e->signatures, k, 2, NULL, 0);
  const rt_signature *param_result =
      rt_signature_intern(&e->signatures, k, 1, k + 1, 1);
  const rt_signature *two_results =
      rt_signature_intern(&e->signatures, NULL, 0, k, 2);
  const rt_signature *empty =
      rt_signature_intern(&e->signatures, NULL, 0, NULL, 0);
  assert_true(two_params->id != param_result->id);
  assert_true(param_result->id != two_results->id);
  assert_true(two_params->id != two_results->id);
  assert_true(empty->id != two_params->id);
  wasmaot_valkind f[] = {WASMAOT_F32};
  assert_true(rt_signature_intern(&e->signatures, f, 1, NULL, 0)->id !=
              rt_signature_intern(&e->signatures, k, 1, NULL, 0)->id);
}

/* Enough entries to rehash several times; every id stays stable. */
static void test_many_signatures(void **state) {
  wasmaot_engine *e = *state;
  enum { N = 2000 };
  static uint32_t ids[N];
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < N; i++) {
      wasmaot_valkind p[11];
      uint32_t n = 0;
      for (int v = i; n < 11; v /= 7)
        p[n++] = (wasmaot_valkind)(v % 7);
      const rt_signature *s = rt_signature_intern(&e->signatures, p, 11, p, 1);
      if (round == 0)
        ids[i] = s->id;
      else
        assert_int_equal(ids[i], s->id);
    }
  }
  for (int i = 1; i < N; i++)
    assert_true(ids[i] != ids[i - 1]);
}

static void test_host_functions_use_the_registry(void **state) {
  wasmaot_engine *e = *state;
  wasmaot_valkind p[] = {WASMAOT_I32};
  wasmaot_func *f = wasmaot_func_new(e, p, 1, p, 1, (void *)1, NULL);
  const rt_signature *s = rt_signature_intern(&e->signatures, p, 1, p, 1);
  assert_int_equal(((wasmaot_funcref *)wasmaot_func_ref(f))->type_id, s->id);
  /* What C cannot express is refused. */
  wasmaot_valkind two[] = {WASMAOT_I32, WASMAOT_I32};
  assert_null(wasmaot_func_new(e, NULL, 0, two, 2, (void *)1, NULL));
  wasmaot_valkind v[] = {WASMAOT_V128};
  assert_null(wasmaot_func_new(e, v, 1, NULL, 0, (void *)1, NULL));
  wasmaot_func_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_equal_signatures_share_an_id),
      cmocka_unit_test(test_different_signatures_differ),
      cmocka_unit_test(test_many_signatures),
      cmocka_unit_test(test_rec_groups_canonicalise),
      cmocka_unit_test(test_host_functions_use_the_registry),
  };
  return cmocka_run_group_tests(tests, setup_engine, teardown_engine);
}
