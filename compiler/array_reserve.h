/* Growing an array in place, for the compiler's many append-only lists
 * (operand stacks, labels, fixups, symbols, relocations). */
#ifndef WASMAOT_ARRAY_RESERVE_H
#define WASMAOT_ARRAY_RESERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

/* Makes room in *arr, an array of `elem`-byte items with room for *cap,
 * for at least `need` items, doubling so that appending one at a time is
 * amortised constant. False when memory runs out: *arr and *cap are then
 * as they were. */
static inline bool array_reserve(void **arr, size_t *cap, size_t need,
                                 size_t elem) {
  if (need <= *cap)
    return true;
  size_t n = *cap ? *cap : 16;
  while (n < need)
    n *= 2;
  void *p = realloc(*arr, n * elem);
  if (!p)
    return false;
  *arr = p;
  *cap = n;
  return true;
}

#endif
