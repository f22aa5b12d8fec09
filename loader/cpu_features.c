/* Does this CPU have what an artifact's code may use?
 *
 * The compiler records the LLVM CPU name and feature string it generated
 * code for. Every "+feature" must be present here; a feature this file
 * cannot test is refused rather than risking SIGILL. When the feature
 * string is empty the CPU name alone defines the code, and only the
 * architecture's baseline levels are known here (x86-64[-v2|-v3|-v4],
 * generic); a host compile records the host's full feature list, so a
 * named CPU is checked feature by feature. x86-64 asks CPUID; AArch64 asks
 * the kernel (AT_HWCAP, AT_HWCAP2), as its ID registers are privileged. */
#include <stdio.h>
#include <string.h>

#include "runtime.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <sys/platform/x86.h>
#elif defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

/* What this CPU reports, read once per check: CPUID traps to the
 * hypervisor in a VM and costs microseconds each time. */
typedef struct host_cpu host_cpu;

typedef struct feature_probe {
  const char *name; /* LLVM's spelling */
  bool (*present)(const host_cpu *cpu, const void *arg);
  const void *arg;
} feature_probe;

#if defined(__x86_64__)

/* The CPUID leaves the probes read, and where glibc keeps the copy it
 * read at startup (sys/platform/x86.h). */
static const uint32_t leaves[][2] = {
    {1, 0}, {7, 0}, {7, 1}, {0xd, 1}, {0x80000001, 0}, {0x80000008, 0},
};
static const unsigned glibc_leaf_index[] = {
    CPUID_INDEX_1,       CPUID_INDEX_7,        CPUID_INDEX_7_ECX_1,
    CPUID_INDEX_D_ECX_1, CPUID_INDEX_80000001, CPUID_INDEX_80000008,
};
#define LEAF_COUNT (sizeof leaves / sizeof *leaves)
#define FIRST_EXTENDED_LEAF 4 /* leaves[4] is 0x80000001 */

struct host_cpu {
  uint32_t regs[LEAF_COUNT][4]; /* eax, ebx, ecx, edx; zero if absent */
  uint64_t xcr0;                /* register state the OS saves */
};

static void read_leaves_by_cpuid(host_cpu *cpu, size_t from) {
  uint32_t max_basic = __get_cpuid_max(0, NULL);
  uint32_t max_ext = __get_cpuid_max(0x80000000u, NULL);
  for (size_t i = from; i < LEAF_COUNT; i++) {
    uint32_t leaf = leaves[i][0];
    uint32_t *r = cpu->regs[i];
    memset(r, 0, sizeof cpu->regs[i]);
    if (leaf > (leaf & 0x80000000u ? max_ext : max_basic))
      continue;
    __cpuid_count(leaf, leaves[i][1], r[0], r[1], r[2], r[3]);
  }
}

/* glibc's copy saves a cold start 8 CPUID instructions, ~10 us in a VM.
 * glibc reads the extended leaves only on the CPU vendors it tunes for;
 * 0x80000001 is never all zero on a 64-bit CPU (it has the LM bit), so
 * an empty copy means "not read" and CPUID answers. */
static void read_host_cpu(host_cpu *cpu) {
  memset(cpu, 0, sizeof *cpu);
  for (size_t i = 0; i < LEAF_COUNT; i++)
    memcpy(cpu->regs[i],
           __x86_get_cpuid_feature_leaf(glibc_leaf_index[i])->cpuid_array,
           sizeof cpu->regs[i]);
  const uint32_t *ext = cpu->regs[FIRST_EXTENDED_LEAF];
  if (!(ext[0] | ext[1] | ext[2] | ext[3]))
    read_leaves_by_cpuid(cpu, FIRST_EXTENDED_LEAF);
  if (!cpu->regs[0][0])
    read_leaves_by_cpuid(cpu, 0);
  if (cpu->regs[0][2] & (1u << 27)) { /* OSXSAVE */
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    cpu->xcr0 = (uint64_t)hi << 32 | lo;
  }
}

/* A CPUID bit: leaf, subleaf, register (0 eax .. 3 edx), bit; plus which
 * register state the OS must save for it to be usable. */
typedef struct cpuid_bit {
  uint32_t leaf, subleaf;
  uint8_t reg, bit;
  uint8_t os_state; /* an os_state value */
} cpuid_bit;

/* Register state the OS must save (XCR0 bits) for a feature to be usable,
 * as LLVM's host detection requires it. */
enum os_state { OS_NONE, OS_AVX, OS_AVX512, OS_AMX, OS_APX };

static bool os_saves(const host_cpu *cpu, uint8_t state) {
  static const uint64_t need[] = {
      [OS_NONE] = 0,      /* nothing beyond SSE's */
      [OS_AVX] = 0x6,     /* xmm, ymm */
      [OS_AVX512] = 0xe6, /* and opmask, zmm */
      [OS_AMX] = 0x60000, /* XTILECFG, XTILEDATA */
      [OS_APX] = 0x80000, /* the extended GPRs */
  };
  return (cpu->xcr0 & need[state]) == need[state];
}

static bool cpuid_present(const host_cpu *cpu, const void *arg) {
  const cpuid_bit *b = arg;
  for (size_t i = 0; i < LEAF_COUNT; i++)
    if (leaves[i][0] == b->leaf && leaves[i][1] == b->subleaf)
      return (cpu->regs[i][b->reg] >> b->bit & 1) && os_saves(cpu, b->os_state);
  return false;
}

/* A bit of a leaf glibc keeps no copy of: CPUID itself, only for the
 * artifacts that name such a feature (a host compile on a CPU that has
 * it). */
static bool cpuid_direct_present(const host_cpu *cpu, const void *arg) {
  const cpuid_bit *b = arg;
  if (b->leaf > __get_cpuid_max(0, NULL))
    return false;
  uint32_t r[4];
  __cpuid_count(b->leaf, b->subleaf, r[0], r[1], r[2], r[3]);
  return (r[b->reg] >> b->bit & 1) && os_saves(cpu, b->os_state);
}

/* AVX10/512 is AVX10/256 plus the 512-bit bit of leaf 0x24. */
static bool avx10_512_present(const host_cpu *cpu, const void *arg) {
  (void)arg;
  static const cpuid_bit avx10 = {7, 1, 3 /* edx */, 19, OS_AVX512};
  static const cpuid_bit wide = {0x24, 0, 1 /* ebx */, 18, OS_AVX512};
  return cpuid_present(cpu, &avx10) && cpuid_direct_present(cpu, &wide);
}

#define EAX 0
#define EBX 1
#define ECX 2
#define EDX 3
#define X86_PROBE(probe, name, leaf, sub, reg, bit, os)                        \
  {                                                                            \
    name, probe, &(const cpuid_bit) {                                          \
      leaf, sub, reg, bit, os                                                  \
    }                                                                          \
  }
#define X86(name, leaf, sub, reg, bit, os)                                     \
  X86_PROBE(cpuid_present, name, leaf, sub, reg, bit, os)
#define X86_DIRECT(name, leaf, sub, reg, bit, os)                              \
  X86_PROBE(cpuid_direct_present, name, leaf, sub, reg, bit, os)

static const feature_probe probes[] = {
    X86("64bit", 0x80000001, 0, EDX, 29, OS_NONE),
    X86("cmov", 1, 0, EDX, 15, OS_NONE),
    X86("cx8", 1, 0, EDX, 8, OS_NONE),
    X86("mmx", 1, 0, EDX, 23, OS_NONE),
    X86("fxsr", 1, 0, EDX, 24, OS_NONE),
    X86("sse", 1, 0, EDX, 25, OS_NONE),
    X86("sse2", 1, 0, EDX, 26, OS_NONE),
    X86("sse3", 1, 0, ECX, 0, OS_NONE),
    X86("pclmul", 1, 0, ECX, 1, OS_NONE),
    X86("ssse3", 1, 0, ECX, 9, OS_NONE),
    X86("fma", 1, 0, ECX, 12, OS_AVX),
    X86("cx16", 1, 0, ECX, 13, OS_NONE),
    X86("sse4.1", 1, 0, ECX, 19, OS_NONE),
    X86("sse4.2", 1, 0, ECX, 20, OS_NONE),
    X86("crc32", 1, 0, ECX, 20, OS_NONE),
    X86("movbe", 1, 0, ECX, 22, OS_NONE),
    X86("popcnt", 1, 0, ECX, 23, OS_NONE),
    X86("aes", 1, 0, ECX, 25, OS_NONE),
    X86("xsave", 1, 0, ECX, 26, OS_NONE),
    X86("avx", 1, 0, ECX, 28, OS_AVX),
    X86("f16c", 1, 0, ECX, 29, OS_AVX),
    X86("rdrnd", 1, 0, ECX, 30, OS_NONE),
    X86("fsgsbase", 7, 0, EBX, 0, OS_NONE),
    X86("sgx", 7, 0, EBX, 2, OS_NONE),
    X86("bmi", 7, 0, EBX, 3, OS_NONE),
    X86("avx2", 7, 0, EBX, 5, OS_AVX),
    X86("bmi2", 7, 0, EBX, 8, OS_NONE),
    X86("invpcid", 7, 0, EBX, 10, OS_NONE),
    X86("rtm", 7, 0, EBX, 11, OS_NONE),
    X86("avx512f", 7, 0, EBX, 16, OS_AVX512),
    X86("evex512", 7, 0, EBX, 16, OS_AVX512),
    X86("avx512dq", 7, 0, EBX, 17, OS_AVX512),
    X86("rdseed", 7, 0, EBX, 18, OS_NONE),
    X86("adx", 7, 0, EBX, 19, OS_NONE),
    X86("avx512ifma", 7, 0, EBX, 21, OS_AVX512),
    X86("clflushopt", 7, 0, EBX, 23, OS_NONE),
    X86("clwb", 7, 0, EBX, 24, OS_NONE),
    X86("avx512pf", 7, 0, EBX, 26, OS_AVX512),
    X86("avx512er", 7, 0, EBX, 27, OS_AVX512),
    X86("avx512cd", 7, 0, EBX, 28, OS_AVX512),
    X86("sha", 7, 0, EBX, 29, OS_NONE),
    X86("avx512bw", 7, 0, EBX, 30, OS_AVX512),
    X86("avx512vl", 7, 0, EBX, 31, OS_AVX512),
    X86("prefetchwt1", 7, 0, ECX, 0, OS_NONE),
    X86("avx512vbmi", 7, 0, ECX, 1, OS_AVX512),
    X86("pku", 7, 0, ECX, 4, OS_NONE), /* OSPKE: enabled by the OS */
    X86("waitpkg", 7, 0, ECX, 5, OS_NONE),
    X86("avx512vbmi2", 7, 0, ECX, 6, OS_AVX512),
    X86("shstk", 7, 0, ECX, 7, OS_NONE),
    X86("gfni", 7, 0, ECX, 8, OS_NONE),
    X86("vaes", 7, 0, ECX, 9, OS_AVX),
    X86("vpclmulqdq", 7, 0, ECX, 10, OS_AVX),
    X86("avx512vnni", 7, 0, ECX, 11, OS_AVX512),
    X86("avx512bitalg", 7, 0, ECX, 12, OS_AVX512),
    X86("avx512vpopcntdq", 7, 0, ECX, 14, OS_AVX512),
    X86("rdpid", 7, 0, ECX, 22, OS_NONE),
    X86("kl", 7, 0, ECX, 23, OS_NONE),
    X86("cldemote", 7, 0, ECX, 25, OS_NONE),
    X86("movdiri", 7, 0, ECX, 27, OS_NONE),
    X86("movdir64b", 7, 0, ECX, 28, OS_NONE),
    X86("enqcmd", 7, 0, ECX, 29, OS_NONE),
    X86("uintr", 7, 0, EDX, 5, OS_NONE),
    X86("avx512vp2intersect", 7, 0, EDX, 8, OS_AVX512),
    X86("serialize", 7, 0, EDX, 14, OS_NONE),
    X86("tsxldtrk", 7, 0, EDX, 16, OS_NONE),
    X86("pconfig", 7, 0, EDX, 18, OS_NONE),
    X86("amx-bf16", 7, 0, EDX, 22, OS_AMX),
    X86("avx512fp16", 7, 0, EDX, 23, OS_AVX512),
    X86("amx-tile", 7, 0, EDX, 24, OS_AMX),
    X86("amx-int8", 7, 0, EDX, 25, OS_AMX),
    X86("sha512", 7, 1, EAX, 0, OS_NONE),
    X86("sm3", 7, 1, EAX, 1, OS_NONE),
    X86("sm4", 7, 1, EAX, 2, OS_NONE),
    X86("raoint", 7, 1, EAX, 3, OS_NONE),
    X86("avxvnni", 7, 1, EAX, 4, OS_AVX),
    X86("avx512bf16", 7, 1, EAX, 5, OS_AVX512),
    X86("cmpccxadd", 7, 1, EAX, 7, OS_NONE),
    X86("amx-fp16", 7, 1, EAX, 21, OS_AMX),
    X86("hreset", 7, 1, EAX, 22, OS_NONE),
    X86("avxifma", 7, 1, EAX, 23, OS_AVX),
    X86("avxvnniint8", 7, 1, EDX, 4, OS_AVX),
    X86("avxneconvert", 7, 1, EDX, 5, OS_AVX),
    X86("amx-complex", 7, 1, EDX, 8, OS_AMX),
    X86("avxvnniint16", 7, 1, EDX, 10, OS_AVX),
    X86("prefetchi", 7, 1, EDX, 14, OS_NONE),
    X86("usermsr", 7, 1, EDX, 15, OS_NONE),
    X86("avx10.1-256", 7, 1, EDX, 19, OS_AVX512),
    {"avx10.1-512", avx10_512_present, NULL},
    /* APX: one CPUID bit, several LLVM features. */
    X86("egpr", 7, 1, EDX, 21, OS_APX),
    X86("push2pop2", 7, 1, EDX, 21, OS_APX),
    X86("ppx", 7, 1, EDX, 21, OS_APX),
    X86("ndd", 7, 1, EDX, 21, OS_APX),
    X86("ccmp", 7, 1, EDX, 21, OS_APX),
    X86("cf", 7, 1, EDX, 21, OS_APX),
    X86("xsaveopt", 0xd, 1, EAX, 0, OS_NONE),
    X86("xsavec", 0xd, 1, EAX, 1, OS_NONE),
    X86("xsaves", 0xd, 1, EAX, 3, OS_NONE),
    X86_DIRECT("ptwrite", 0x14, 0, EBX, 4, OS_NONE),
    X86_DIRECT("widekl", 0x19, 0, EBX, 2, OS_NONE),
    X86("sahf", 0x80000001, 0, ECX, 0, OS_NONE),
    X86("lzcnt", 0x80000001, 0, ECX, 5, OS_NONE),
    X86("sse4a", 0x80000001, 0, ECX, 6, OS_NONE),
    X86("prfchw", 0x80000001, 0, ECX, 8, OS_NONE),
    X86("xop", 0x80000001, 0, ECX, 11, OS_AVX),
    X86("lwp", 0x80000001, 0, ECX, 15, OS_NONE),
    X86("fma4", 0x80000001, 0, ECX, 16, OS_AVX),
    X86("tbm", 0x80000001, 0, ECX, 21, OS_NONE),
    X86("mwaitx", 0x80000001, 0, ECX, 29, OS_NONE),
    X86("clzero", 0x80000008, 0, EBX, 0, OS_NONE),
    X86("rdpru", 0x80000008, 0, EBX, 4, OS_NONE),
    X86("wbnoinvd", 0x80000008, 0, EBX, 9, OS_NONE),
};

/* The x86-64 psABI micro-architecture levels, cumulative. */
static const char *const baseline_cpus[][2] = {
    {"generic", ""},
    {"x86-64", ""},
    {"x86-64-v2", "cx16,sahf,popcnt,sse3,sse4.1,sse4.2,ssse3"},
    {"x86-64-v3", "cx16,sahf,popcnt,sse3,sse4.1,sse4.2,ssse3,avx,avx2,bmi,"
                  "bmi2,f16c,fma,lzcnt,movbe,xsave"},
    {"x86-64-v4", "cx16,sahf,popcnt,sse3,sse4.1,sse4.2,ssse3,avx,avx2,bmi,"
                  "bmi2,f16c,fma,lzcnt,movbe,xsave,avx512f,avx512bw,avx512cd,"
                  "avx512dq,avx512vl"},
};

#elif defined(__aarch64__)

/* The kernel's view of the CPU: HWCAP and HWCAP2 bits (what it found and
 * lets user space use), the only source that holds in a VM or under qemu.
 * Names are LLVM's; a feature that spans several instructions groups
 * needs every bit of its group. */
struct host_cpu {
  unsigned long hwcap[2]; /* AT_HWCAP, AT_HWCAP2 */
};

static void read_host_cpu(host_cpu *cpu) {
  cpu->hwcap[0] = getauxval(AT_HWCAP);
  cpu->hwcap[1] = getauxval(AT_HWCAP2);
}

typedef struct hwcap_bits {
  uint8_t word; /* 0 AT_HWCAP, 1 AT_HWCAP2 */
  unsigned long mask;
} hwcap_bits;

static bool hwcap_present(const host_cpu *cpu, const void *arg) {
  const hwcap_bits *b = arg;
  return (cpu->hwcap[b->word] & b->mask) == b->mask;
}

#define ARM(name, word, mask)                                                  \
  {                                                                            \
    name, hwcap_present, &(const hwcap_bits) {                                 \
      word, mask                                                               \
    }                                                                          \
  }
#define HW1(name, mask) ARM(name, 0, mask)
#define HW2(name, mask) ARM(name, 1, mask)

static const feature_probe probes[] = {
    HW1("fp-armv8", HWCAP_FP),
    HW1("neon", HWCAP_ASIMD),
    HW1("aes", HWCAP_AES | HWCAP_PMULL),
    HW1("sha2", HWCAP_SHA1 | HWCAP_SHA2),
    HW1("crypto", HWCAP_AES | HWCAP_PMULL | HWCAP_SHA1 | HWCAP_SHA2),
    HW1("crc", HWCAP_CRC32),
    HW1("lse", HWCAP_ATOMICS),
    HW1("fullfp16", HWCAP_FPHP | HWCAP_ASIMDHP),
    HW1("rdm", HWCAP_ASIMDRDM),
    HW1("jsconv", HWCAP_JSCVT),
    HW1("complxnum", HWCAP_FCMA),
    HW1("rcpc", HWCAP_LRCPC),
    HW1("ccpp", HWCAP_DCPOP),
    HW1("sha3", HWCAP_SHA3 | HWCAP_SHA512),
    HW1("sm4", HWCAP_SM3 | HWCAP_SM4),
    HW1("dotprod", HWCAP_ASIMDDP),
    HW1("sve", HWCAP_SVE),
    HW1("fp16fml", HWCAP_ASIMDFHM),
    HW1("dit", HWCAP_DIT),
    HW1("lse2", HWCAP_USCAT),
    HW1("rcpc-immo", HWCAP_ILRCPC),
    HW1("flagm", HWCAP_FLAGM),
    HW1("ssbs", HWCAP_SSBS),
    HW1("sb", HWCAP_SB),
    HW1("pauth", HWCAP_PACA | HWCAP_PACG),
    HW2("ccdp", HWCAP2_DCPODP),
    HW2("sve2", HWCAP2_SVE2),
    HW2("sve2-aes", HWCAP2_SVEAES | HWCAP2_SVEPMULL),
    HW2("sve2-bitperm", HWCAP2_SVEBITPERM),
    HW2("sve2-sha3", HWCAP2_SVESHA3),
    HW2("sve2-sm4", HWCAP2_SVESM4),
    HW2("altnzcv", HWCAP2_FLAGM2),
    HW2("fptoint", HWCAP2_FRINT),
    HW2("i8mm", HWCAP2_I8MM),
    HW2("f32mm", HWCAP2_SVEF32MM),
    HW2("f64mm", HWCAP2_SVEF64MM),
    HW2("bf16", HWCAP2_BF16),
    HW2("rand", HWCAP2_RNG),
    HW2("bti", HWCAP2_BTI),
    HW2("mte", HWCAP2_MTE),
    HW2("ecv", HWCAP2_ECV),
    HW2("sme", HWCAP2_SME),
    HW2("sme-i16i64", HWCAP2_SME_I16I64),
    HW2("sme-f64f64", HWCAP2_SME_F64F64),
    HW2("sme-fa64", HWCAP2_SME_FA64),
    HW2("wfxt", HWCAP2_WFXT),
};

/* What the compiler's portable AArch64 default (generic, +fp-armv8,+neon)
 * uses: every AArch64 Linux machine has it, but say it and check it. */
static const char *const baseline_cpus[][2] = {
    {"generic", "fp-armv8,neon"},
};

#endif

/* A host compile lists some 40 features, each looked up among ~100
 * probes on every load: compare the first byte before anything else. */
static const feature_probe *find_probe(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof probes / sizeof *probes; i++) {
    const char *p = probes[i].name;
    if (p[0] == name[0] && !strncmp(p, name, len) && p[len] == '\0')
      return &probes[i];
  }
  return NULL;
}

/* The required features this CPU lacks, as ", "-separated names, so a
 * refusal names all of them at once. */
typedef struct missing_list {
  char names[512];
  size_t len;
  bool truncated;
} missing_list;

static bool missing_has(const missing_list *m, const char *name, size_t len) {
  for (const char *p = m->names; *p;) {
    size_t n = strcspn(p, ",");
    if (n == len && strncmp(p, name, len) == 0)
      return true;
    p += n + (p[n] == ',' ? 2 : 0);
  }
  return false;
}

static void missing_add(missing_list *m, const char *name, size_t len) {
  if (missing_has(m, name, len))
    return;
  size_t need = len + (m->len ? 2 : 0);
  if (m->truncated || m->len + need >= sizeof m->names) {
    m->truncated = true;
    return;
  }
  int n = snprintf(m->names + m->len, sizeof m->names - m->len, "%s%.*s",
                   m->len ? ", " : "", (int)len, name);
  m->len += (size_t)n;
}

/* Checks each required feature of a comma-separated list; entries may
 * carry a '+' (required) or '-' (not used, nothing to check). A feature
 * this file has no probe for refuses at once; absent ones are collected
 * in `missing`. */
static bool check_feature_list(const host_cpu *cpu, const char *list,
                               missing_list *missing, char *err,
                               size_t errlen) {
  for (const char *p = list; *p;) {
    size_t len = strcspn(p, ",");
    bool required = p[0] != '-';
    const char *name = p + (p[0] == '+' || p[0] == '-');
    size_t name_len = len - (size_t)(name - p);
    if (required && name_len > 0) {
      const feature_probe *probe = find_probe(name, name_len);
      if (!probe)
        return rt_fail(err, errlen,
                       "artifact needs CPU feature '%.*s', which this runtime "
                       "cannot check: compile it with --cpu for a baseline",
                       (int)name_len, name);
      if (!probe->present(cpu, probe->arg))
        missing_add(missing, name, name_len);
    }
    p += len + (p[len] == ',');
  }
  return true;
}

static bool refuse_missing(const missing_list *m, char *err, size_t errlen) {
  return rt_fail(err, errlen,
                 "artifact needs CPU feature%s this CPU does not have: "
                 "%s%s; compile it on or for this machine",
                 strchr(m->names, ',') || m->truncated ? "s" : "", m->names,
                 m->truncated ? ", ..." : "");
}

bool rt_check_cpu(const char *cpu_name, const char *features, char *err,
                  size_t errlen) {
  host_cpu cpu;
  read_host_cpu(&cpu);
  missing_list missing = {.len = 0};
  bool baseline = false;
  for (size_t i = 0; i < sizeof baseline_cpus / sizeof *baseline_cpus; i++) {
    if (strcmp(cpu_name, baseline_cpus[i][0]) != 0)
      continue;
    if (!check_feature_list(&cpu, baseline_cpus[i][1], &missing, err, errlen))
      return false;
    baseline = true;
  }
  if (features[0] && !check_feature_list(&cpu, features, &missing, err, errlen))
    return false;
  if (missing.len)
    return refuse_missing(&missing, err, errlen);
  if (baseline || features[0])
    return true;
  return rt_fail(err, errlen,
                 "artifact is compiled for CPU '%s' without a feature list, "
                 "which this runtime cannot check: compile it for the host "
                 "or a baseline --cpu",
                 cpu_name);
}
