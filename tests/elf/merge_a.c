/* One half of the elf_merge fixture (see test_elf_merge.c): calls into
 * merge_b.c and is called from it, and has locals named like b's. */
#define API __attribute__((visibility("default")))

int mb_scale(int x);               /* merge_b.c, hidden */
extern int mb_table_size;          /* merge_b.c */
extern int (*const mb_ops[])(int); /* merge_b.c */

static int counter; /* merge_b.c has its own */

__attribute__((noinline)) static int local_twist(int x) {
  return x * 3 + 1;
}

__attribute__((noinline)) int ma_inc(int x) {
  return x + 1;
}

API int ma_entry(int x) {
  return mb_scale(local_twist(x)) + mb_table_size;
}

API int ma_count(void) {
  return ++counter;
}

API int ma_apply(int op, int x) {
  return mb_ops[op](x);
}

static const double weights[] = {0.5, 1.5, 2.5, 3.5};

API double ma_weight(int i) {
  return weights[i & 3] * 2.0;
}
