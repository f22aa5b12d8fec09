/* A small JSON reader, shared by the spec runner (the command files
 * wast2json writes) and the OCI runtime (a bundle's config.json).
 *
 * The whole document lives in one arena owned by the json_document, so a
 * single json_document_free() releases every value and string, and the
 * parser never has to unwind a half-built tree on error. Strings keep
 * their length because Wasm names may contain NUL (names.wast does); they
 * are NUL-terminated as well for convenience. Nesting is capped so a
 * hostile file cannot exhaust the stack. */
#ifndef WASMAOT_JSON_H
#define WASMAOT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deeper nesting is rejected; wast2json output nests at most 5 levels,
 * an OCI config.json about 6. */
#define JSON_MAX_DEPTH 64

typedef enum json_kind {
  JSON_NULL,
  JSON_BOOL,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT,
} json_kind;

typedef struct json_string {
  const char *data; /* UTF-8, NUL-terminated, may contain NUL */
  size_t len;
} json_string;

typedef struct json_value json_value;
typedef struct json_member json_member;

struct json_value {
  json_kind kind;
  union {
    bool boolean;
    double number;
    json_string string;
    struct {
      json_value *items;
      size_t count;
    } array;
    struct {
      json_member *members; /* in document order */
      size_t count;
    } object;
  } as;
};

struct json_member {
  json_string key;
  json_value value;
};

typedef struct json_error {
  size_t offset; /* byte offset in the text */
  size_t line;   /* 1-based */
  char message[128];
} json_error;

typedef struct json_document json_document;

/* Parses `len` bytes of `text` (which need not be NUL-terminated). Returns
 * NULL and fills *err on malformed input or allocation failure. */
json_document *json_parse(const char *text, size_t len, json_error *err);
void json_document_free(json_document *doc);
const json_value *json_document_root(const json_document *doc);

/* Lookups return NULL when `v` is not of the right kind or the member or
 * item is missing, so chained lookups need a single check at the end. */
const json_value *json_object_get(const json_value *obj, const char *key);
const json_value *json_array_at(const json_value *arr, size_t index);
size_t json_array_length(const json_value *arr); /* 0 for non-arrays */

/* The string's bytes, or NULL when `v` is not a string. */
const char *json_as_cstring(const json_value *v);
bool json_string_equals(const json_value *v, const char *s);

/* A number that is a non-negative integer below 2^53, where doubles are
 * exact (line numbers, counts). */
bool json_as_uint64(const json_value *v, uint64_t *out);

#endif
