/* Unit tests for the spec runner's JSON reader, value parser and command
 * parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "json.h"
#include "spec_command.h"
#include "spec_skip_list.h"
#include "spec_value.h"

static json_document *parse_text(const char *text) {
  json_error err;
  return json_parse(text, strlen(text), &err);
}

static void assert_rejected(const char *text) {
  json_error err;
  json_document *doc = json_parse(text, strlen(text), &err);
  if (doc) {
    json_document_free(doc);
    fail_msg("accepted: %s", text);
  }
  assert_true(err.message[0] != '\0');
}

/* ---- json ----------------------------------------------------------- */

static void test_command_document(void **state) {
  (void)state;
  json_document *doc = parse_text(
      "{\"source_filename\": \"x.wast\",\n \"commands\": [\n"
      "  {\"type\": \"module\", \"line\": 3, \"filename\": \"x.0.wasm\"},\n"
      "  {\"type\": \"assert_return\", \"line\": 37, \"action\": {\"type\": "
      "\"invoke\", \"field\": \"add\", \"args\": [{\"type\": \"i32\", "
      "\"value\": \"1\"}]}, \"expected\": []}]}");
  assert_non_null(doc);
  const json_value *root = json_document_root(doc);
  const json_value *commands = json_object_get(root, "commands");
  assert_int_equal(json_array_length(commands), 2);
  const json_value *second = json_array_at(commands, 1);
  uint64_t line;
  assert_true(json_as_uint64(json_object_get(second, "line"), &line));
  assert_int_equal(line, 37);
  const json_value *action = json_object_get(second, "action");
  assert_true(json_string_equals(json_object_get(action, "field"), "add"));
  assert_int_equal(json_array_length(json_object_get(second, "expected")), 0);
  assert_null(json_array_at(commands, 2));
  assert_null(json_object_get(commands, "type"));
  assert_null(json_object_get(root, "missing"));
  json_document_free(doc);
}

static void test_string_escapes(void **state) {
  (void)state;
  json_document *doc = parse_text(
      "[\"a\\n\\t\\\"\\\\\\/\", \"x\\u0000y\", \"\\u00e9\\ud83d\\ude00\", "
      "\"\xc3\xa9\"]");
  assert_non_null(doc);
  const json_value *root = json_document_root(doc);
  assert_true(json_string_equals(json_array_at(root, 0), "a\n\t\"\\/"));
  const json_value *with_nul = json_array_at(root, 1);
  assert_int_equal(with_nul->as.string.len, 3);
  assert_memory_equal(with_nul->as.string.data, "x\0y", 3);
  assert_true(
      json_string_equals(json_array_at(root, 2), "\xc3\xa9\xf0\x9f\x98\x80"));
  assert_true(json_string_equals(json_array_at(root, 3), "\xc3\xa9"));
  json_document_free(doc);
}

static void test_scalars(void **state) {
  (void)state;
  json_document *doc =
      parse_text(" [true, false, null, 0, -1, 1.5, 2e3, 9007199254740992] ");
  assert_non_null(doc);
  const json_value *root = json_document_root(doc);
  assert_int_equal(json_array_at(root, 0)->kind, JSON_BOOL);
  assert_true(json_array_at(root, 0)->as.boolean);
  assert_false(json_array_at(root, 1)->as.boolean);
  assert_int_equal(json_array_at(root, 2)->kind, JSON_NULL);
  uint64_t n;
  assert_true(json_as_uint64(json_array_at(root, 3), &n));
  assert_int_equal(n, 0);
  assert_false(json_as_uint64(json_array_at(root, 4), &n));
  assert_false(json_as_uint64(json_array_at(root, 5), &n));
  assert_true(json_as_uint64(json_array_at(root, 6), &n));
  assert_int_equal(n, 2000);
  assert_false(json_as_uint64(json_array_at(root, 7), &n));
  json_document_free(doc);
}

static void test_empty_containers(void **state) {
  (void)state;
  json_document *doc = parse_text("{\"a\": [], \"b\": {}, \"c\": [[]]}");
  assert_non_null(doc);
  const json_value *root = json_document_root(doc);
  assert_int_equal(json_array_length(json_object_get(root, "a")), 0);
  assert_int_equal(json_object_get(root, "b")->kind, JSON_OBJECT);
  assert_int_equal(json_object_get(root, "b")->as.object.count, 0);
  assert_int_equal(json_array_length(json_object_get(root, "c")), 1);
  json_document_free(doc);
}

static void test_malformed(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",
      "{",
      "[1,]",
      "{\"a\" 1}",
      "{\"a\":1,}",
      "01",
      "1.",
      "1e",
      "-",
      "+1",
      "\"abc",
      "\"\\x\"",
      "\"\\ud800\"",
      "\"\\udc00\"",
      "\"\\u12\"",
      "tru",
      "nul",
      "[1] x",
      "\"a\nb\"",
      "{1: 2}",
      "[1 2]",
      "\"\\",
      "\"\\ud800\\u0041\"",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_rejected(bad[i]);
}

static void test_error_position(void **state) {
  (void)state;
  const char *text = "{\n  \"a\": 1,\n  \"b\": ?\n}";
  json_error err;
  assert_null(json_parse(text, strlen(text), &err));
  assert_int_equal(err.line, 3);
  assert_int_equal(err.offset, (size_t)(strchr(text, '?') - text));
}

static char *nested_arrays(size_t depth) {
  char *text = malloc(2 * depth + 1);
  memset(text, '[', depth);
  memset(text + depth, ']', depth);
  text[2 * depth] = '\0';
  return text;
}

static void test_depth_cap(void **state) {
  (void)state;
  char *ok = nested_arrays(JSON_MAX_DEPTH);
  json_document *doc = parse_text(ok);
  assert_non_null(doc);
  json_document_free(doc);
  free(ok);
  char *deep = nested_arrays(JSON_MAX_DEPTH + 1);
  assert_rejected(deep);
  free(deep);
  char *huge = nested_arrays(1000000);
  assert_rejected(huge);
  free(huge);
}

static void test_length_bounds_input(void **state) {
  (void)state;
  /* Only the first 5 bytes are the document; the rest must be ignored. */
  const char text[] = "[1,2]garbage";
  json_error err;
  json_document *doc = json_parse(text, 5, &err);
  assert_non_null(doc);
  assert_int_equal(json_array_length(json_document_root(doc)), 2);
  json_document_free(doc);
  /* A string cut off by the length is unterminated. */
  assert_null(json_parse("\"abc\"", 4, &err));
}

static void test_many_values(void **state) {
  (void)state;
  /* Enough items to span several arena blocks and scratch regrowths. */
  size_t n = 100000;
  char *text = malloc(n * 12 + 3);
  size_t len = 0;
  text[len++] = '[';
  for (size_t i = 0; i < n; i++)
    len += (size_t)sprintf(text + len, "%s\"v%zu\"", i ? "," : "", i);
  text[len++] = ']';
  json_error err;
  json_document *doc = json_parse(text, len, &err);
  free(text);
  assert_non_null(doc);
  const json_value *root = json_document_root(doc);
  assert_int_equal(json_array_length(root), n);
  assert_true(json_string_equals(json_array_at(root, n - 1), "v99999"));
  json_document_free(doc);
}

/* ---- values --------------------------------------------------------- */

static bool parse_value_text(const char *text, spec_value *out) {
  json_document *doc = parse_text(text);
  assert_non_null(doc);
  char why[128];
  bool ok = spec_value_parse(json_document_root(doc), out, why, sizeof why);
  json_document_free(doc);
  return ok;
}

static void test_scalar_values(void **state) {
  (void)state;
  spec_value v;
  assert_true(
      parse_value_text("{\"type\":\"i32\",\"value\":\"4294967295\"}", &v));
  assert_int_equal(v.type, SPEC_VALUE_I32);
  assert_int_equal(v.of.i32, UINT32_MAX);
  assert_false(
      parse_value_text("{\"type\":\"i32\",\"value\":\"4294967296\"}", &v));
  assert_false(parse_value_text("{\"type\":\"i32\",\"value\":\"-1\"}", &v));
  assert_true(parse_value_text(
      "{\"type\":\"i64\",\"value\":\"18446744073709551615\"}", &v));
  assert_true(v.of.i64 == UINT64_MAX);
  assert_true(
      parse_value_text("{\"type\":\"f32\",\"value\":\"nan:canonical\"}", &v));
  assert_int_equal(v.pattern[0], SPEC_NAN_CANONICAL);
  assert_true(spec_value_is_pattern(&v));
  assert_true(
      parse_value_text("{\"type\":\"externref\",\"value\":\"null\"}", &v));
  assert_true(v.of.ref.is_null);
  assert_true(parse_value_text("{\"type\":\"externref\",\"value\":\"7\"}", &v));
  assert_false(v.of.ref.is_null);
  assert_int_equal(v.of.ref.host_id, 7);
  assert_true(parse_value_text("{\"type\":\"i32\"}", &v));
  assert_true(v.type_only);
  assert_false(parse_value_text("{\"type\":\"i31\",\"value\":\"1\"}", &v));
}

static void test_v128_values(void **state) {
  (void)state;
  spec_value v;
  assert_true(
      parse_value_text("{\"type\":\"v128\",\"lane_type\":\"i16\",\"value\":"
                       "[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"65535\"]}",
                       &v));
  assert_int_equal(v.of.v128[0], 1);
  assert_int_equal(v.of.v128[1], 0);
  assert_int_equal(v.of.v128[14], 0xff);
  assert_int_equal(v.of.v128[15], 0xff);
  assert_false(parse_value_text(
      "{\"type\":\"v128\",\"lane_type\":\"i32\",\"value\":[\"1\"]}", &v));
  assert_false(parse_value_text(
      "{\"type\":\"v128\",\"lane_type\":\"i8\",\"value\":[\"256\","
      "\"0\",\"0\",\"0\",\"0\",\"0\",\"0\",\"0\",\"0\",\"0\",\"0\",\"0\","
      "\"0\",\"0\",\"0\",\"0\"]}",
      &v));
  assert_true(parse_value_text(
      "{\"type\":\"v128\",\"lane_type\":\"f32\",\"value\":"
      "[\"nan:arithmetic\",\"1065353216\",\"0\",\"nan:canonical\"]}",
      &v));
  assert_int_equal(v.pattern[0], SPEC_NAN_ARITHMETIC);
  assert_int_equal(v.pattern[1], SPEC_FLOAT_EXACT);
  assert_int_equal(v.pattern[3], SPEC_NAN_CANONICAL);
  assert_int_equal(v.of.v128[7], 0x3f);
}

static spec_value f32_bits(uint32_t bits) {
  spec_value v = {.type = SPEC_VALUE_F32};
  v.of.f32_bits = bits;
  return v;
}

static void test_nan_matching(void **state) {
  (void)state;
  spec_value canonical = {.type = SPEC_VALUE_F32,
                          .pattern = {SPEC_NAN_CANONICAL}};
  spec_value arithmetic = {.type = SPEC_VALUE_F32,
                           .pattern = {SPEC_NAN_ARITHMETIC}};
  spec_value a = f32_bits(0x7fc00000), b = f32_bits(0xffc00000),
             c = f32_bits(0x7fc00001), d = f32_bits(0x7f800001);
  assert_true(spec_value_matches(&canonical, &a));
  assert_true(spec_value_matches(&canonical, &b));
  assert_false(spec_value_matches(&canonical, &c));
  assert_true(spec_value_matches(&arithmetic, &c));
  assert_false(spec_value_matches(&arithmetic, &d));
  spec_value exact = f32_bits(0x7f800001);
  assert_true(spec_value_matches(&exact, &d));
  assert_false(spec_value_matches(&exact, &a));
}

/* ---- commands ------------------------------------------------------- */

static void test_command_parse(void **state) {
  (void)state;
  json_document *doc = parse_text(
      "[{\"type\": \"module\", \"line\": 3, \"filename\": \"x.0.wasm\", "
      "\"name\": \"$M\"},"
      " {\"type\": \"assert_malformed\", \"line\": 5, \"filename\": "
      "\"x.1.wat\", \"text\": \"unknown operator\", \"module_type\": "
      "\"text\"},"
      " {\"type\": \"assert_return\", \"line\": 9, \"action\": {\"type\": "
      "\"invoke\", \"module\": \"$M\", \"field\": \"f\", \"args\": "
      "[{\"type\": \"i64\", \"value\": \"5\"}]}, \"expected\": [{\"type\": "
      "\"f64\", \"value\": \"nan:arithmetic\"}]},"
      " {\"type\": \"module\", \"line\": 1, \"filename\": \"../x.wasm\"},"
      " {\"type\": \"assert_return\", \"line\": 1, \"action\": {\"type\": "
      "\"invoke\", \"field\": \"f\", \"args\": [{\"type\": \"f32\", "
      "\"value\": \"nan:canonical\"}]}, \"expected\": []},"
      " {\"type\": \"assert_nothing\", \"line\": 1}]");
  assert_non_null(doc);
  const json_value *root = json_document_root(doc);
  spec_command cmd;
  char why[128];
  assert_true(
      spec_command_parse(json_array_at(root, 0), &cmd, why, sizeof why));
  assert_int_equal(cmd.kind, SPEC_CMD_MODULE);
  assert_int_equal(cmd.format, SPEC_MODULE_BINARY);
  assert_string_equal(cmd.name, "$M");
  spec_command_free(&cmd);
  assert_true(
      spec_command_parse(json_array_at(root, 1), &cmd, why, sizeof why));
  assert_int_equal(cmd.format, SPEC_MODULE_TEXT);
  assert_string_equal(cmd.text, "unknown operator");
  spec_command_free(&cmd);
  assert_true(
      spec_command_parse(json_array_at(root, 2), &cmd, why, sizeof why));
  assert_int_equal(cmd.line, 9);
  assert_string_equal(cmd.action.module, "$M");
  assert_int_equal(cmd.action.arg_count, 1);
  assert_true(cmd.action.args[0].of.i64 == 5);
  assert_int_equal(cmd.expected_count, 1);
  assert_int_equal(cmd.expected[0].pattern[0], SPEC_NAN_ARITHMETIC);
  spec_command_free(&cmd);
  for (size_t i = 3; i < 6; i++)
    assert_false(
        spec_command_parse(json_array_at(root, i), &cmd, why, sizeof why));
  json_document_free(doc);
}

/* ---- 3.0 result patterns (wast_to_json.mjs) -------------------------- */

static spec_value ref_value(spec_value_type type, bool is_null, uint64_t id) {
  spec_value v = {.type = type};
  v.of.ref.is_null = is_null;
  v.of.ref.host_id = id;
  return v;
}

static void test_either(void **state) {
  (void)state;
  spec_value v;
  assert_true(parse_value_text(
      "{\"type\": \"either\", \"values\": [{\"type\": \"i32\", \"value\": "
      "\"1\"}, {\"type\": \"i32\", \"value\": \"2\"}]}",
      &v));
  assert_int_equal(v.type, SPEC_VALUE_EITHER);
  assert_int_equal(v.of.either.count, 2);
  assert_true(spec_value_is_pattern(&v));
  spec_value one = {.type = SPEC_VALUE_I32, .of.i32 = 1};
  spec_value two = {.type = SPEC_VALUE_I32, .of.i32 = 2};
  spec_value three = {.type = SPEC_VALUE_I32, .of.i32 = 3};
  assert_true(spec_value_matches(&v, &one));
  assert_true(spec_value_matches(&v, &two));
  assert_false(spec_value_matches(&v, &three));
  char text[160];
  spec_value_format(&v, text, sizeof text);
  assert_string_equal(text, "either:(i32:1 | i32:2)");
  spec_value_release(&v);
  assert_null(v.of.either.values);
  /* No alternatives, or an either inside an either: refused. */
  assert_false(parse_value_text("{\"type\": \"either\", \"values\": []}", &v));
  assert_false(parse_value_text(
      "{\"type\": \"either\", \"values\": [{\"type\": \"either\", "
      "\"values\": [{\"type\": \"i32\", \"value\": \"1\"}]}]}",
      &v));
}

static void test_reference_patterns(void **state) {
  (void)state;
  spec_value any_null, func, ext;
  assert_true(
      parse_value_text("{\"type\": \"ref\", \"value\": \"null\"}", &any_null));
  assert_true(parse_value_text(
      "{\"type\": \"funcref\", \"value\": \"nonnull\"}", &func));
  assert_true(parse_value_text(
      "{\"type\": \"externref\", \"value\": \"nonnull\"}", &ext));
  /* `(ref.null)` has no non-null form. */
  spec_value bad;
  assert_false(parse_value_text("{\"type\": \"ref\", \"value\": \"1\"}", &bad));

  spec_value null_func = ref_value(SPEC_VALUE_FUNCREF, true, 0);
  spec_value null_ext = ref_value(SPEC_VALUE_EXTERNREF, true, 0);
  spec_value some_func = ref_value(SPEC_VALUE_FUNCREF, false, 7);
  spec_value some_ext = ref_value(SPEC_VALUE_EXTERNREF, false, 7);
  spec_value i32 = {.type = SPEC_VALUE_I32};
  assert_true(spec_value_matches(&any_null, &null_func));
  assert_true(spec_value_matches(&any_null, &null_ext));
  assert_false(spec_value_matches(&any_null, &some_func));
  assert_false(spec_value_matches(&any_null, &i32));
  assert_true(spec_value_matches(&func, &some_func));
  assert_false(spec_value_matches(&func, &null_func));
  assert_false(spec_value_matches(&func, &some_ext));
  assert_true(spec_value_matches(&ext, &some_ext));
  assert_false(spec_value_matches(&ext, &null_ext));
  /* Patterns, never arguments. */
  assert_true(spec_value_is_pattern(&any_null));
  assert_true(spec_value_is_pattern(&func));
  assert_true(spec_value_is_pattern(&ext));
}

/* ---- the skip list ---------------------------------------------------- */

static void test_skip_list(void **state) {
  (void)state;
  char path[] = "/tmp/spec-skips-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  assert_non_null(f);
  fputs("# comment\n\ngc/*.wast  feature gc not implemented\n"
        "  ref_null.wast   GC types  \n"
        "elem.wast:87 typed function references\n",
        f);
  fclose(f);
  spec_skip_list list;
  char why[256];
  assert_true(spec_skip_list_load(path, &list, why, sizeof why));
  assert_int_equal(list.count, 3);
  assert_string_equal(spec_skip_list_reason(&list, "gc/array.wast", 5, NULL),
                      "feature gc not implemented");
  assert_string_equal(spec_skip_list_reason(&list, "ref_null.wast", 1, NULL),
                      "GC types");
  assert_string_equal(spec_skip_list_reason(&list, "elem.wast", 87, NULL),
                      "typed function references");
  assert_null(spec_skip_list_reason(&list, "elem.wast", 88, NULL));
  bool whole = false;
  spec_skip_list_reason(&list, "gc/i31.wast", 9, &whole);
  assert_true(whole);
  spec_skip_list_reason(&list, "elem.wast", 87, &whole);
  assert_false(whole);
  assert_null(spec_skip_list_reason(&list, "i32.wast", 87, NULL));
  spec_skip_list_free(&list);

  /* A line without a reason, or with a bad line number, is refused with
   * where it is. */
  f = fopen(path, "w");
  assert_non_null(f);
  fputs("ok.wast reason\nelem.wast:x8 reason\n", f);
  fclose(f);
  assert_false(spec_skip_list_load(path, &list, why, sizeof why));
  assert_non_null(strstr(why, ":2:"));
  f = fopen(path, "w");
  assert_non_null(f);
  fputs("lonely.wast\n", f);
  fclose(f);
  assert_false(spec_skip_list_load(path, &list, why, sizeof why));
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_command_document),
      cmocka_unit_test(test_string_escapes),
      cmocka_unit_test(test_scalars),
      cmocka_unit_test(test_empty_containers),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_error_position),
      cmocka_unit_test(test_depth_cap),
      cmocka_unit_test(test_length_bounds_input),
      cmocka_unit_test(test_many_values),
      cmocka_unit_test(test_scalar_values),
      cmocka_unit_test(test_v128_values),
      cmocka_unit_test(test_nan_matching),
      cmocka_unit_test(test_command_parse),
      cmocka_unit_test(test_either),
      cmocka_unit_test(test_reference_patterns),
      cmocka_unit_test(test_skip_list),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
