#include "host_cpu_id.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "host_arch.h"

#if defined(__x86_64__)
#include <cpuid.h>

/* One CPUID leaf, all four registers; zero when the leaf is beyond the
 * CPU's maximum (reading it would return another leaf's data). */
static void leaf(uint32_t n, uint32_t sub, uint32_t r[4]) {
  uint32_t max = __get_cpuid_max(n & 0x80000000u, NULL);
  r[0] = r[1] = r[2] = r[3] = 0;
  if (n <= max)
    __cpuid_count(n, sub, r[0], r[1], r[2], r[3]);
}

/* Vendor, family/model/stepping and every feature word LLVM's host
 * detection reads; not leaf 1 EBX, which holds the APIC id of whichever
 * core runs this. XCR0 is included: features the OS does not enable are
 * not used by LLVM either. */
void host_cpu_id(char *out, size_t size) {
  static const uint32_t leaves[][3] = {
      /* leaf, subleaf, which registers (bit 0 eax .. bit 3 edx) */
      {1, 0, 0xd},    {7, 0, 0xe},           {7, 1, 0x1},
      {0xd, 1, 0x1},  {0x14, 0, 0x2},        {0x19, 0, 0x2},
      {0x24, 0, 0x2}, {0x80000001u, 0, 0xc}, {0x80000008u, 0, 0x2},
  };
  uint32_t r[4];
  leaf(0, 0, r);
  char vendor[13];
  memcpy(vendor, &r[1], 4);
  memcpy(vendor + 4, &r[3], 4);
  memcpy(vendor + 8, &r[2], 4);
  vendor[12] = '\0';
  size_t n = (size_t)snprintf(out, size, WASMAOT_HOST_ARCH ":%s", vendor);
  for (size_t i = 0; i < sizeof leaves / sizeof *leaves; i++) {
    leaf(leaves[i][0], leaves[i][1], r);
    for (unsigned reg = 0; reg < 4; reg++)
      if (leaves[i][2] >> reg & 1 && n < size)
        n += (size_t)snprintf(out + n, size - n, ":%x", r[reg]);
  }
  leaf(1, 0, r);
  uint64_t xcr0 = 0;
  if (r[2] & (1u << 27)) { /* OSXSAVE */
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (uint64_t)hi << 32 | lo;
  }
  if (n < size)
    snprintf(out + n, size - n, ":%llx", (unsigned long long)xcr0);
}

#elif defined(__aarch64__)
#include <sys/auxv.h>

/* The hardware capabilities and, where the kernel exposes it, the main
 * ID register (implementer and part, what LLVM names the CPU after). */
void host_cpu_id(char *out, size_t size) {
  char midr[32] = "";
  FILE *f =
      fopen("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1", "r");
  if (f) {
    if (!fgets(midr, sizeof midr, f))
      midr[0] = '\0';
    midr[strcspn(midr, "\n")] = '\0';
    fclose(f);
  }
  snprintf(out, size, WASMAOT_HOST_ARCH ":%lx:%lx:%s", getauxval(AT_HWCAP),
           getauxval(AT_HWCAP2), midr);
}

#endif
