/* Input object for test_elf_link: compiled by clang-19 with the same code
 * model the AOT compiler uses (-fPIC, hidden visibility, no unwind tables),
 * so the linker sees the relocation kinds LLVM really emits. Each function
 * exercises one of them; the test calls them through the linked artifact.
 *
 * EXPORT marks what lands in .dynsym; everything else stays local to the
 * artifact but still gets a .symtab name. */
#include <stddef.h> /* clang's own: no C library headers, so the fixture
                       builds for any --target */

float floorf(float);
void *memmove(void *, const void *, size_t);

#define EXPORT __attribute__((visibility("default")))

/* Plain arithmetic: no relocations at all. */
EXPORT int fx_add(int a, int b) {
  return a * 3 + b;
}

/* A hidden helper kept out of line so the caller needs a PC-relative call
 * (R_X86_64_PLT32 to a local symbol). */
__attribute__((noinline)) static int fx_square_plus(int x, int k) {
  return x * x + k;
}

EXPORT int fx_call_local(int x) {
  return fx_square_plus(x, 7) + 1;
}

/* Hidden but global: only in .dynsym when the test lists it in
 * elf_link_input.exported_symbols. */
int fx_hidden_helper(int x) {
  return x - 1000;
}

/* Dense enough for a jump table in .rodata; each case does different work
 * so LLVM cannot turn it into a table of constants. */
EXPORT int fx_jump(int op, int a, int b) {
  switch (op) {
  case 0:
    return a + b;
  case 1:
    return a - b;
  case 2:
    return a * b;
  case 3:
    return b ? a / b : 0;
  case 4:
    return a << (b & 31);
  case 5:
    return a >> (b & 31);
  case 6:
    return a & b;
  case 7:
    return a | b;
  case 8:
    return a ^ b;
  default:
    return -1;
  }
}

/* LLVM turns this one into a lookup table of constants in .rodata. */
EXPORT int fx_switch(int x) {
  switch (x) {
  case 0:
    return 11;
  case 1:
    return 23;
  case 2:
    return 37;
  case 3:
    return 41;
  case 4:
    return 59;
  case 5:
    return 67;
  case 6:
    return 73;
  case 7:
    return 89;
  case 8:
    return 97;
  default:
    return -1;
  }
}

/* A float constant that comes from .rodata.cst4. */
EXPORT float fx_scale(float x) {
  return x * 1.37f + 0.25f;
}

/* LLVM recognises these loops as memset/memcpy: undefined symbols reached
 * through the GOT/PLT. */
EXPORT void fx_fill(unsigned char *dst, size_t n, int v) {
  for (size_t i = 0; i < n; i++)
    dst[i] = (unsigned char)v;
}

EXPORT void fx_copy(int *restrict dst, const int *restrict src, size_t n) {
  for (size_t i = 0; i < n; i++)
    dst[i] = src[i];
}

/* Without SSE4.1 (plain -march=x86-64) floorf is a libcall. */
EXPORT float fx_floor(float x) {
  return floorf(x);
}

/* A static const table read via a PC-relative address. */
static const unsigned fx_primes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31};

EXPORT unsigned fx_prime(unsigned i) {
  return i < sizeof fx_primes / sizeof fx_primes[0] ? fx_primes[i] : 0;
}

/* Writable state: .data and .bss, reached PC-relatively. */
static int fx_counter_start = 100;
static int fx_calls;

EXPORT int fx_count(void) {
  return fx_counter_start + ++fx_calls;
}
EXPORT void fx_set_start(int v) {
  fx_counter_start = v;
}

/* A default-visibility variable could be interposed, so clang loads its
 * address from the GOT (R_X86_64_REX_GOTPCRELX); the linker relaxes that
 * load into a lea. */
EXPORT int fx_global = 42;
EXPORT int fx_read_global(void) {
  return fx_global;
}

/* Taking an import's address needs a real GOT slot. */
typedef void *(*fx_memmove_fn)(void *, const void *, size_t);
EXPORT fx_memmove_fn fx_memmove_address(void) {
  return memmove;
}

/* A pointer table needs load-time relocation (.data.rel.ro with
 * R_X86_64_64 to local symbols → R_X86_64_RELATIVE). */
typedef int (*fx_binop)(int, int);
static int fx_sub(int a, int b) {
  return a - b;
}
static int fx_mul(int a, int b) {
  return a * b;
}
static fx_binop const fx_ops[] = {fx_sub, fx_mul, fx_add};

EXPORT int fx_apply(unsigned op, int a, int b) {
  return op < 3 ? fx_ops[op](a, b) : 0;
}
