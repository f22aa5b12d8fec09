/* Recursive-descent JSON parser over an arena.
 *
 * Containers are built without per-container growable arrays: children
 * are pushed on one scratch stack shared by all nesting levels, and when a
 * container closes its slice of the stack is copied into the arena at its
 * final size and popped. Recursion depth is bounded by JSON_MAX_DEPTH. */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ---------------------------------------------------------- */

#define ARENA_ALIGN (_Alignof(max_align_t))
#define ARENA_MIN_BLOCK ((size_t)64 * 1024)

typedef struct arena_block {
  struct arena_block *next;
  size_t used;
  size_t capacity;
} arena_block;

/* The payload starts after the header, rounded up so it stays aligned. */
static size_t arena_header_size(void) {
  return (sizeof(arena_block) + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
}

static unsigned char *arena_payload(arena_block *b) {
  return (unsigned char *)b + arena_header_size();
}

struct json_document {
  arena_block *blocks; /* newest first */
  json_value root;
};

static void *arena_alloc(json_document *doc, size_t size) {
  size = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
  if (size == 0)
    size = ARENA_ALIGN;
  arena_block *b = doc->blocks;
  if (!b || b->capacity - b->used < size) {
    size_t cap = size > ARENA_MIN_BLOCK ? size : ARENA_MIN_BLOCK;
    if (cap > SIZE_MAX - arena_header_size())
      return NULL;
    b = malloc(arena_header_size() + cap);
    if (!b)
      return NULL;
    b->used = 0;
    b->capacity = cap;
    /* An oversized block goes behind the current one so the current
     * block's free space is still used by the next small allocations. */
    if (doc->blocks && cap > ARENA_MIN_BLOCK) {
      b->next = doc->blocks->next;
      doc->blocks->next = b;
    } else {
      b->next = doc->blocks;
      doc->blocks = b;
    }
  }
  void *p = arena_payload(b) + b->used;
  b->used += size;
  return p;
}

void json_document_free(json_document *doc) {
  if (!doc)
    return;
  arena_block *b = doc->blocks;
  while (b) {
    arena_block *next = b->next;
    free(b);
    b = next;
  }
  free(doc);
}

const json_value *json_document_root(const json_document *doc) {
  return doc ? &doc->root : NULL;
}

/* ---- parser state --------------------------------------------------- */

typedef struct parser {
  const char *text;
  size_t len;
  size_t pos;
  size_t depth;
  json_document *doc;
  json_member *scratch; /* children of the containers being parsed */
  size_t scratch_len;
  size_t scratch_cap;
  json_error *err;
} parser;

static size_t line_of_offset(const char *text, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset; i++)
    line += text[i] == '\n';
  return line;
}

/* Records the error at the current position; returns false so parse
 * functions can `return parse_fail(...)`. */
__attribute__((format(printf, 2, 3))) static bool
parse_fail(parser *p, const char *fmt, ...) {
  p->err->offset = p->pos;
  p->err->line = line_of_offset(p->text, p->pos);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
  va_end(ap);
  return false;
}

static bool at_end(const parser *p) {
  return p->pos >= p->len;
}

static char peek(const parser *p) {
  return at_end(p) ? '\0' : p->text[p->pos];
}

static void skip_whitespace(parser *p) {
  while (!at_end(p)) {
    char c = p->text[p->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
      return;
    p->pos++;
  }
}

/* peek() yields '\0' at the end, which no caller expects, so comparing
 * with the wanted character also covers running out of input. */
static bool expect_char(parser *p, char c) {
  if (peek(p) != c)
    return parse_fail(p, "expected '%c'", c);
  p->pos++;
  return true;
}

static bool scratch_push(parser *p, const json_member *m) {
  if (p->scratch_len == p->scratch_cap) {
    size_t cap = p->scratch_cap ? p->scratch_cap * 2 : 64;
    json_member *grown = realloc(p->scratch, cap * sizeof *grown);
    if (!grown)
      return parse_fail(p, "out of memory");
    p->scratch = grown;
    p->scratch_cap = cap;
  }
  p->scratch[p->scratch_len++] = *m;
  return true;
}

static bool parse_value(parser *p, json_value *out);

/* ---- literals and numbers ------------------------------------------- */

static bool parse_word(parser *p, const char *word) {
  size_t n = strlen(word);
  if (p->len - p->pos < n || memcmp(p->text + p->pos, word, n) != 0)
    return parse_fail(p, "invalid literal");
  p->pos += n;
  return true;
}

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

static void skip_digits(parser *p) {
  while (is_digit(peek(p)))
    p->pos++;
}

/* Checks the JSON number grammar, which is stricter than strtod's (no
 * leading '+', no hex, no "inf", no leading zeros). */
static bool scan_number(parser *p) {
  if (peek(p) == '-')
    p->pos++;
  if (peek(p) == '0') {
    p->pos++;
  } else if (is_digit(peek(p))) {
    skip_digits(p);
  } else {
    return parse_fail(p, "invalid number");
  }
  if (peek(p) == '.') {
    p->pos++;
    if (!is_digit(peek(p)))
      return parse_fail(p, "digit expected after '.'");
    skip_digits(p);
  }
  if (peek(p) == 'e' || peek(p) == 'E') {
    p->pos++;
    if (peek(p) == '+' || peek(p) == '-')
      p->pos++;
    if (!is_digit(peek(p)))
      return parse_fail(p, "digit expected in exponent");
    skip_digits(p);
  }
  return true;
}

static bool parse_number(parser *p, json_value *out) {
  size_t start = p->pos;
  if (!scan_number(p))
    return false;
  /* strtod needs a terminated copy: the input buffer is not. */
  size_t n = p->pos - start;
  char *copy = arena_alloc(p->doc, n + 1);
  if (!copy)
    return parse_fail(p, "out of memory");
  memcpy(copy, p->text + start, n);
  copy[n] = '\0';
  out->kind = JSON_NUMBER;
  out->as.number = strtod(copy, NULL);
  return true;
}

/* ---- strings -------------------------------------------------------- */

static int hex_digit_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static bool read_hex4(parser *p, uint32_t *out) {
  if (p->len - p->pos < 4)
    return parse_fail(p, "truncated \\u escape");
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    int d = hex_digit_value(p->text[p->pos + i]);
    if (d < 0)
      return parse_fail(p, "invalid hex digit in \\u escape");
    v = v << 4 | (uint32_t)d;
  }
  p->pos += 4;
  *out = v;
  return true;
}

static size_t encode_utf8(uint32_t cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xc0 | cp >> 6);
    out[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xe0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = (char)(0xf0 | cp >> 18);
  out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
  out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
  out[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

/* Decodes the hex digits after "\u", joining a UTF-16 surrogate pair into
 * one code point; a lone surrogate has no UTF-8 form and is rejected. */
static bool read_unicode_escape(parser *p, uint32_t *cp) {
  uint32_t hi = 0;
  if (!read_hex4(p, &hi))
    return false;
  if (hi >= 0xdc00 && hi <= 0xdfff)
    return parse_fail(p, "unpaired low surrogate");
  if (hi < 0xd800 || hi > 0xdbff) {
    *cp = hi;
    return true;
  }
  if (p->len - p->pos < 2 || p->text[p->pos] != '\\' ||
      p->text[p->pos + 1] != 'u')
    return parse_fail(p, "unpaired high surrogate");
  p->pos += 2;
  uint32_t lo = 0;
  if (!read_hex4(p, &lo))
    return false;
  if (lo < 0xdc00 || lo > 0xdfff)
    return parse_fail(p, "invalid low surrogate");
  *cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
  return true;
}

static char simple_escape_value(char c) {
  switch (c) {
  case '"':
  case '\\':
  case '/':
    return c;
  case 'b':
    return '\b';
  case 'f':
    return '\f';
  case 'n':
    return '\n';
  case 'r':
    return '\r';
  case 't':
    return '\t';
  default:
    return '\0';
  }
}

/* Decodes one escape after the backslash into `out` and adds the number
 * of bytes written to *n. */
static bool decode_escape(parser *p, char *out, size_t *n) {
  char c = peek(p);
  if (c == 'u') {
    p->pos++;
    uint32_t cp = 0;
    if (!read_unicode_escape(p, &cp))
      return false;
    *n += encode_utf8(cp, out);
    return true;
  }
  char value = simple_escape_value(c);
  if (value == '\0')
    return parse_fail(p, "invalid escape");
  p->pos++;
  *out = value;
  *n += 1;
  return true;
}

/* Finds the closing quote so the decoded string can be allocated once:
 * decoding never makes a string longer than its escaped form. */
static bool find_string_end(parser *p, size_t *end) {
  for (size_t i = p->pos; i < p->len; i++) {
    if (p->text[i] == '"') {
      *end = i;
      return true;
    }
    if (p->text[i] == '\\')
      i++;
  }
  return parse_fail(p, "unterminated string");
}

static bool parse_string(parser *p, json_string *out) {
  if (!expect_char(p, '"'))
    return false;
  size_t end = 0;
  if (!find_string_end(p, &end))
    return false;
  char *buf = arena_alloc(p->doc, end - p->pos + 1);
  if (!buf)
    return parse_fail(p, "out of memory");
  size_t n = 0;
  while (p->pos < end) {
    unsigned char c = (unsigned char)p->text[p->pos];
    if (c < 0x20)
      return parse_fail(p, "control character in string");
    p->pos++;
    if (c != '\\') {
      buf[n++] = (char)c;
      continue;
    }
    if (!decode_escape(p, buf + n, &n))
      return false;
  }
  p->pos = end + 1;
  buf[n] = '\0';
  out->data = buf;
  out->len = n;
  return true;
}

/* ---- containers ----------------------------------------------------- */

static bool enter_container(parser *p) {
  if (p->depth >= JSON_MAX_DEPTH)
    return parse_fail(p, "nesting deeper than %d", JSON_MAX_DEPTH);
  p->depth++;
  p->pos++; /* the opening bracket */
  skip_whitespace(p);
  return true;
}

/* Moves the scratch entries above `base` into the arena. */
static bool take_members(parser *p, size_t base, json_member **out,
                         size_t *count) {
  *count = p->scratch_len - base;
  *out = NULL;
  if (*count > 0) {
    *out = arena_alloc(p->doc, *count * sizeof **out);
    if (!*out)
      return parse_fail(p, "out of memory");
    memcpy(*out, p->scratch + base, *count * sizeof **out);
  }
  p->scratch_len = base;
  return true;
}

static bool take_items(parser *p, size_t base, json_value **out,
                       size_t *count) {
  *count = p->scratch_len - base;
  *out = NULL;
  if (*count > 0) {
    *out = arena_alloc(p->doc, *count * sizeof **out);
    if (!*out)
      return parse_fail(p, "out of memory");
    for (size_t i = 0; i < *count; i++)
      (*out)[i] = p->scratch[base + i].value;
  }
  p->scratch_len = base;
  return true;
}

/* After an element: either ',' and another element, or the closer. */
static bool next_element(parser *p, char closer, bool *done) {
  skip_whitespace(p);
  if (peek(p) == ',') {
    p->pos++;
    skip_whitespace(p);
    *done = false;
    return true;
  }
  if (peek(p) == closer) {
    p->pos++;
    *done = true;
    return true;
  }
  return parse_fail(p, "expected ',' or '%c'", closer);
}

static bool parse_array(parser *p, json_value *out) {
  if (!enter_container(p))
    return false;
  size_t base = p->scratch_len;
  bool done = peek(p) == ']';
  if (done)
    p->pos++;
  while (!done) {
    json_member m = {0};
    if (!parse_value(p, &m.value) || !scratch_push(p, &m) ||
        !next_element(p, ']', &done))
      return false;
  }
  p->depth--;
  out->kind = JSON_ARRAY;
  return take_items(p, base, &out->as.array.items, &out->as.array.count);
}

static bool parse_member(parser *p) {
  json_member m = {0};
  if (!parse_string(p, &m.key))
    return false;
  skip_whitespace(p);
  if (!expect_char(p, ':'))
    return false;
  skip_whitespace(p);
  return parse_value(p, &m.value) && scratch_push(p, &m);
}

static bool parse_object(parser *p, json_value *out) {
  if (!enter_container(p))
    return false;
  size_t base = p->scratch_len;
  bool done = peek(p) == '}';
  if (done)
    p->pos++;
  while (!done) {
    if (!parse_member(p) || !next_element(p, '}', &done))
      return false;
  }
  p->depth--;
  out->kind = JSON_OBJECT;
  return take_members(p, base, &out->as.object.members, &out->as.object.count);
}

static bool parse_value(parser *p, json_value *out) {
  if (at_end(p))
    return parse_fail(p, "unexpected end of input");
  switch (p->text[p->pos]) {
  case '{':
    return parse_object(p, out);
  case '[':
    return parse_array(p, out);
  case '"':
    out->kind = JSON_STRING;
    return parse_string(p, &out->as.string);
  case 't':
    out->kind = JSON_BOOL;
    out->as.boolean = true;
    return parse_word(p, "true");
  case 'f':
    out->kind = JSON_BOOL;
    out->as.boolean = false;
    return parse_word(p, "false");
  case 'n':
    out->kind = JSON_NULL;
    return parse_word(p, "null");
  default:
    if (p->text[p->pos] == '-' || is_digit(p->text[p->pos]))
      return parse_number(p, out);
    return parse_fail(p, "unexpected character");
  }
}

json_document *json_parse(const char *text, size_t len, json_error *err) {
  json_error ignored;
  if (!err)
    err = &ignored;
  memset(err, 0, sizeof *err);
  json_document *doc = calloc(1, sizeof *doc);
  if (!doc) {
    snprintf(err->message, sizeof err->message, "out of memory");
    return NULL;
  }
  parser p = {.text = text, .len = len, .doc = doc, .err = err};
  skip_whitespace(&p);
  bool ok = parse_value(&p, &doc->root);
  if (ok) {
    skip_whitespace(&p);
    if (!at_end(&p))
      ok = parse_fail(&p, "trailing characters after the document");
  }
  free(p.scratch);
  if (!ok) {
    json_document_free(doc);
    return NULL;
  }
  return doc;
}

/* ---- access --------------------------------------------------------- */

const json_value *json_object_get(const json_value *obj, const char *key) {
  if (!obj || obj->kind != JSON_OBJECT)
    return NULL;
  size_t key_len = strlen(key);
  for (size_t i = 0; i < obj->as.object.count; i++) {
    const json_member *m = &obj->as.object.members[i];
    if (m->key.len == key_len && memcmp(m->key.data, key, key_len) == 0)
      return &m->value;
  }
  return NULL;
}

const json_value *json_array_at(const json_value *arr, size_t index) {
  if (!arr || arr->kind != JSON_ARRAY || index >= arr->as.array.count)
    return NULL;
  return &arr->as.array.items[index];
}

size_t json_array_length(const json_value *arr) {
  return arr && arr->kind == JSON_ARRAY ? arr->as.array.count : 0;
}

const char *json_as_cstring(const json_value *v) {
  return v && v->kind == JSON_STRING ? v->as.string.data : NULL;
}

bool json_string_equals(const json_value *v, const char *s) {
  if (!v || v->kind != JSON_STRING)
    return false;
  size_t n = strlen(s);
  return v->as.string.len == n && memcmp(v->as.string.data, s, n) == 0;
}

bool json_as_uint64(const json_value *v, uint64_t *out) {
  if (!v || v->kind != JSON_NUMBER)
    return false;
  double d = v->as.number;
  /* Below 2^53 every integer is exact; from 2^53 on, a parsed number
   * may have been rounded to the value seen here. */
  if (!(d >= 0 && d < 9007199254740992.0) || d != (double)(uint64_t)d)
    return false;
  *out = (uint64_t)d;
  return true;
}
