/* The other half of the elf_merge fixture. */
#define API __attribute__((visibility("default")))

int ma_inc(int x); /* merge_a.c, hidden */

static int counter = 100; /* merge_a.c has its own */

__attribute__((noinline)) static int local_twist(int x) {
  return x - 7;
}

__attribute__((noinline)) int mb_scale(int x) {
  return local_twist(x) * 10;
}

static int twice(int x) {
  return 2 * x;
}
static int negate(int x) {
  return -x;
}

int mb_table_size = 3;
/* Pointers to functions of both objects, in relocated data. */
int (*const mb_ops[])(int) = {twice, negate, ma_inc};

API int mb_count(void) {
  return counter += 10;
}

API const char *mb_name(void) {
  return "merge_b";
}
