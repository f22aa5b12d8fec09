/* String processing: generates n KiB of JSON-like text (nested objects
 * and arrays, strings with escapes, integers and decimals, keywords),
 * then tokenizes and parses it with a recursive-descent parser written
 * here, several times, checking that the input is well formed. Prints
 * token and value counts and a hash of the decoded strings. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- generator ---- */

struct gen {
  char *buf;
  size_t len, cap;
  uint32_t rng;
};

static uint32_t rnd(struct gen *g) {
  g->rng ^= g->rng << 13;
  g->rng ^= g->rng >> 17;
  g->rng ^= g->rng << 5;
  return g->rng;
}

static void put(struct gen *g, const char *s, size_t n) {
  if (g->len + n + 1 > g->cap) {
    while (g->len + n + 1 > g->cap)
      g->cap *= 2;
    g->buf = realloc(g->buf, g->cap);
    if (!g->buf) {
      fprintf(stderr, "tokenizer: out of memory\n");
      exit(1);
    }
  }
  memcpy(g->buf + g->len, s, n);
  g->len += n;
  g->buf[g->len] = 0;
}

static void puts_(struct gen *g, const char *s) {
  put(g, s, strlen(s));
}

static const char *const names[] = {"id",    "name",  "type", "value",
                                    "items", "owner", "tags", "size",
                                    "flags", "text",  "ref",  "offset"};

static void gen_string(struct gen *g) {
  char tmp[48];
  size_t n = 0;
  tmp[n++] = '"';
  int len = 3 + (int)(rnd(g) % 20);
  for (int i = 0; i < len; i++) {
    uint32_t r = rnd(g) % 40;
    if (r == 0) {
      tmp[n++] = '\\';
      tmp[n++] = 'n';
    } else if (r == 1) {
      tmp[n++] = '\\';
      tmp[n++] = '"';
    } else if (r < 6) {
      tmp[n++] = ' ';
    } else {
      tmp[n++] = (char)('a' + r % 26);
    }
  }
  tmp[n++] = '"';
  put(g, tmp, n);
}

static void gen_value(struct gen *g, int depth) {
  uint32_t r = rnd(g) % 10;
  char num[32];
  if (depth < 6 && r < 2) {
    int count = (int)(rnd(g) % 6);
    puts_(g, "{");
    for (int i = 0; i < count; i++) {
      if (i)
        puts_(g, ", ");
      puts_(g, "\"");
      puts_(g, names[rnd(g) % 12]);
      puts_(g, "\": ");
      gen_value(g, depth + 1);
    }
    puts_(g, "}");
  } else if (depth < 6 && r < 3) {
    int count = (int)(rnd(g) % 8);
    puts_(g, "[");
    for (int i = 0; i < count; i++) {
      if (i)
        puts_(g, ",");
      gen_value(g, depth + 1);
    }
    puts_(g, "]");
  } else if (r < 5) {
    gen_string(g);
  } else if (r < 7) {
    snprintf(num, sizeof num, "%d", (int)(rnd(g) % 200000) - 100000);
    puts_(g, num);
  } else if (r < 8) {
    snprintf(num, sizeof num, "%u.%03u", rnd(g) % 1000, rnd(g) % 1000);
    puts_(g, num);
  } else {
    static const char *const kw[] = {"true", "false", "null"};
    puts_(g, kw[rnd(g) % 3]);
  }
}

/* ---- tokenizer ---- */

enum tok {
  T_EOF,
  T_LBRACE,
  T_RBRACE,
  T_LBRACK,
  T_RBRACK,
  T_COLON,
  T_COMMA,
  T_STRING,
  T_INT,
  T_DEC,
  T_TRUE,
  T_FALSE,
  T_NULL
};

struct lexer {
  const char *p;
  enum tok tok;
  int64_t ival;  /* T_INT; T_DEC: value * 1000 */
  char str[128]; /* T_STRING, decoded */
  size_t slen;
  uint64_t tokens;
};

static void fail(const char *what) {
  fprintf(stderr, "tokenizer: parse error: %s\n", what);
  exit(1);
}

static void next(struct lexer *lx) {
  const char *p = lx->p;
  while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
    p++;
  lx->tokens++;
  switch (*p) {
  case 0:
    lx->tok = T_EOF;
    break;
  case '{':
    lx->tok = T_LBRACE;
    p++;
    break;
  case '}':
    lx->tok = T_RBRACE;
    p++;
    break;
  case '[':
    lx->tok = T_LBRACK;
    p++;
    break;
  case ']':
    lx->tok = T_RBRACK;
    p++;
    break;
  case ':':
    lx->tok = T_COLON;
    p++;
    break;
  case ',':
    lx->tok = T_COMMA;
    p++;
    break;
  case '"': {
    p++;
    size_t n = 0;
    while (*p != '"') {
      char c = *p++;
      if (c == 0)
        fail("unterminated string");
      if (c == '\\') {
        c = *p++;
        c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
      }
      if (n + 1 < sizeof lx->str)
        lx->str[n++] = c;
    }
    p++;
    lx->str[n] = 0;
    lx->slen = n;
    lx->tok = T_STRING;
    break;
  }
  default:
    if (*p == '-' || isdigit((unsigned char)*p)) {
      int neg = *p == '-';
      if (neg)
        p++;
      int64_t v = 0;
      while (isdigit((unsigned char)*p))
        v = v * 10 + (*p++ - '0');
      lx->tok = T_INT;
      if (*p == '.') {
        p++;
        int digits = 0;
        while (isdigit((unsigned char)*p)) {
          if (digits++ < 3)
            v = v * 10 + (*p - '0');
          p++;
        }
        for (; digits < 3; digits++)
          v *= 10;
        lx->tok = T_DEC;
      }
      lx->ival = neg ? -v : v;
    } else if (strncmp(p, "true", 4) == 0) {
      lx->tok = T_TRUE;
      p += 4;
    } else if (strncmp(p, "false", 5) == 0) {
      lx->tok = T_FALSE;
      p += 5;
    } else if (strncmp(p, "null", 4) == 0) {
      lx->tok = T_NULL;
      p += 4;
    } else {
      fail("unexpected character");
    }
  }
  lx->p = p;
}

/* ---- parser ---- */

struct stats {
  uint64_t objects, arrays, strings, numbers, keywords;
  int64_t intsum;
  uint64_t strhash;
};

static uint64_t fnv(uint64_t h, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

static void parse_value(struct lexer *lx, struct stats *st);

static void expect(struct lexer *lx, enum tok t, const char *what) {
  if (lx->tok != t)
    fail(what);
  next(lx);
}

static void parse_value(struct lexer *lx, struct stats *st) {
  switch (lx->tok) {
  case T_LBRACE:
    st->objects++;
    next(lx);
    if (lx->tok != T_RBRACE) {
      for (;;) {
        if (lx->tok != T_STRING)
          fail("key expected");
        st->strhash = fnv(st->strhash, lx->str, lx->slen);
        next(lx);
        expect(lx, T_COLON, "':' expected");
        parse_value(lx, st);
        if (lx->tok != T_COMMA)
          break;
        next(lx);
      }
    }
    expect(lx, T_RBRACE, "'}' expected");
    break;
  case T_LBRACK:
    st->arrays++;
    next(lx);
    if (lx->tok != T_RBRACK) {
      for (;;) {
        parse_value(lx, st);
        if (lx->tok != T_COMMA)
          break;
        next(lx);
      }
    }
    expect(lx, T_RBRACK, "']' expected");
    break;
  case T_STRING:
    st->strings++;
    st->strhash = fnv(st->strhash ^ 0x55, lx->str, lx->slen);
    next(lx);
    break;
  case T_INT:
  case T_DEC:
    st->numbers++;
    st->intsum += lx->ival;
    next(lx);
    break;
  case T_TRUE:
  case T_FALSE:
  case T_NULL:
    st->keywords++;
    st->intsum += lx->tok;
    next(lx);
    break;
  default:
    fail("value expected");
  }
}

int main(int argc, char **argv) {
  size_t kib = argc > 1 ? strtoul(argv[1], NULL, 10) : 12288;
  struct gen g = {malloc(1024), 0, 1024, 2463534242u};
  if (!g.buf)
    return 1;
  g.buf[0] = 0;
  puts_(&g, "[");
  int first = 1;
  while (g.len < kib * 1024) {
    if (!first)
      puts_(&g, ",\n");
    first = 0;
    gen_value(&g, 0);
  }
  puts_(&g, "]\n");
  struct stats st = {0};
  st.strhash = 1469598103934665603ull;
  uint64_t tokens = 0;
  for (int pass = 0; pass < 12; pass++) {
    struct lexer lx = {.p = g.buf};
    next(&lx);
    parse_value(&lx, &st);
    if (lx.tok != T_EOF)
      fail("trailing input");
    tokens += lx.tokens;
  }
  printf("tokenizer bytes=%zu tokens=%llu objects=%llu arrays=%llu "
         "strings=%llu numbers=%llu keywords=%llu sum=%lld hash=%016llx\n",
         g.len, (unsigned long long)tokens, (unsigned long long)st.objects,
         (unsigned long long)st.arrays, (unsigned long long)st.strings,
         (unsigned long long)st.numbers, (unsigned long long)st.keywords,
         (long long)st.intsum, (unsigned long long)st.strhash);
  free(g.buf);
  return 0;
}
