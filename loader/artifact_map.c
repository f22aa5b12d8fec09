/* Mapping the artifact's segments. All header checks run on copies read
 * with pread before anything is mapped; after that the only memory read
 * is inside segments this file mapped. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artifact_map_internal.h"

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#define HOST_ARCH "x86_64"
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#define HOST_ARCH "aarch64"
#else
#define HOST_MACHINE EM_NONE /* every artifact is rejected */
#define HOST_ARCH "an unsupported machine"
#endif

#define MAX_PHNUM 64
/* Larger p_align values are honoured only up to this; beyond it the host
 * page is enough for correctness. */
#define MAX_HONOURED_ALIGN (1u << 20)
/* Sanity bound on the address range one artifact may claim. */
#define MAX_SPAN ((uint64_t)1 << 40)

bool artifact_fail(artifact_error *err, const char *fmt, ...) {
  if (err->buf && err->len && !err->buf[0]) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->buf, err->len, fmt, ap);
    va_end(ap);
  }
  return false;
}

static uint64_t page_down(uint64_t v, uint64_t page) {
  return v & ~(page - 1);
}
static uint64_t page_up(uint64_t v, uint64_t page) {
  return (v + page - 1) & ~(page - 1);
}

/* ---- reading and checking headers ---- */

typedef struct artifact_file {
  int fd;
  uint64_t size;
  uint64_t page;
  Elf64_Ehdr eh;
  Elf64_Phdr ph[MAX_PHNUM];
} artifact_file;

static bool read_exact(int fd, void *buf, size_t len, uint64_t off) {
  uint8_t *p = buf;
  while (len) {
    ssize_t n = pread(fd, p, len, (off_t)off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    p += n;
    len -= (size_t)n;
    off += (uint64_t)n;
  }
  return true;
}

/* An artifact for another machine: say which, and how to get one for
 * this machine (docs/cross.md). */
static bool fail_machine(uint16_t machine, artifact_error *err) {
  const char *name = machine == EM_X86_64    ? "x86_64"
                     : machine == EM_AARCH64 ? "aarch64"
                     : machine == EM_386     ? "i386"
                     : machine == EM_RISCV   ? "riscv"
                                             : NULL;
  if (!name)
    return artifact_fail(err,
                         "artifact is for ELF machine %u, this machine is "
                         "%s: compile it with --target %s-linux-gnu",
                         machine, HOST_ARCH, HOST_ARCH);
  return artifact_fail(err,
                       "artifact is compiled for %s, this machine is %s: "
                       "compile it with --target %s-linux-gnu",
                       name, HOST_ARCH, HOST_ARCH);
}

static bool check_ident(const Elf64_Ehdr *eh, artifact_error *err) {
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
    return artifact_fail(err, "not an ELF file");
  if (eh->e_ident[EI_CLASS] != ELFCLASS64)
    return artifact_fail(err, "not a 64-bit ELF file");
  if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
    return artifact_fail(err, "not a little-endian ELF file");
  if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
    return artifact_fail(err, "unknown ELF version");
  if (eh->e_ident[EI_OSABI] != ELFOSABI_NONE &&
      eh->e_ident[EI_OSABI] != ELFOSABI_GNU)
    return artifact_fail(err, "unsupported ELF OS ABI %u",
                         eh->e_ident[EI_OSABI]);
  if (eh->e_type != ET_DYN)
    return artifact_fail(err, "ELF type %u is not a shared object (ET_DYN)",
                         eh->e_type);
  if (eh->e_machine != HOST_MACHINE)
    return fail_machine(eh->e_machine, err);
  return true;
}

static bool read_headers(artifact_file *f, artifact_error *err) {
  if (f->size < sizeof f->eh || !read_exact(f->fd, &f->eh, sizeof f->eh, 0))
    return artifact_fail(err, "file too small for an ELF header");
  const Elf64_Ehdr *eh = &f->eh;
  if (!check_ident(eh, err))
    return false;
  if (eh->e_phentsize != sizeof(Elf64_Phdr))
    return artifact_fail(err, "program header size %u, expected %zu",
                         eh->e_phentsize, sizeof(Elf64_Phdr));
  if (eh->e_phnum == 0 || eh->e_phnum > MAX_PHNUM)
    return artifact_fail(err, "%u program headers (expected 1..%d)",
                         eh->e_phnum, MAX_PHNUM);
  uint64_t len = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
  if (eh->e_phoff > f->size || len > f->size - eh->e_phoff ||
      !read_exact(f->fd, f->ph, len, eh->e_phoff))
    return artifact_fail(err, "program headers lie outside the file");
  return true;
}

static bool check_load(const artifact_file *f, const Elf64_Phdr *p, unsigned i,
                       artifact_error *err) {
  if (p->p_filesz > p->p_memsz)
    return artifact_fail(err, "segment %u: file size above memory size", i);
  if (p->p_offset > f->size || p->p_filesz > f->size - p->p_offset)
    return artifact_fail(err, "segment %u lies outside the file", i);
  if (p->p_vaddr >= MAX_SPAN || p->p_memsz > MAX_SPAN - p->p_vaddr)
    return artifact_fail(err, "segment %u address range is not sane", i);
  if (p->p_align > 1 && (p->p_align & (p->p_align - 1)))
    return artifact_fail(err, "segment %u alignment is not a power of two", i);
  if (p->p_vaddr % f->page != p->p_offset % f->page)
    return artifact_fail(err,
                         "segment %u offset and address disagree modulo "
                         "the page size (linked for smaller pages?)",
                         i);
  if ((p->p_flags & PF_W) && (p->p_flags & PF_X))
    return artifact_fail(err, "segment %u is writable and executable", i);
  return true;
}

static bool add_load(artifact_map *m, const artifact_file *f,
                     const Elf64_Phdr *p, unsigned i, artifact_error *err) {
  if (!check_load(f, p, i, err))
    return false;
  if (p->p_memsz == 0)
    return true;
  if (m->load_count == ARTIFACT_MAX_LOADS)
    return artifact_fail(err, "more than %d loadable segments",
                         ARTIFACT_MAX_LOADS);
  if (m->load_count) {
    const artifact_segment *prev = &m->loads[m->load_count - 1];
    /* Sorted, and never two segments on one page: mapping one would
     * silently replace part of the other. */
    if (page_down(p->p_vaddr, f->page) <
        page_up(prev->vaddr + prev->memsz, f->page))
      return artifact_fail(err,
                           "segment %u overlaps or precedes the "
                           "previous one",
                           i);
  }
  m->loads[m->load_count++] = (artifact_segment){
      p->p_vaddr, p->p_memsz, p->p_filesz, p->p_offset, p->p_flags};
  return true;
}

static bool add_relro(artifact_map *m, const Elf64_Phdr *p,
                      artifact_error *err) {
  if (m->has_relro)
    return artifact_fail(err, "more than one PT_GNU_RELRO");
  m->has_relro = true;
  m->relro_vaddr = p->p_vaddr;
  m->relro_memsz = p->p_memsz;
  return true;
}

static bool add_dynamic(artifact_map *m, const Elf64_Phdr *p,
                        artifact_error *err) {
  if (m->dynamic_size)
    return artifact_fail(err, "more than one PT_DYNAMIC");
  if (p->p_memsz == 0 || p->p_memsz % sizeof(Elf64_Dyn))
    return artifact_fail(err,
                         "PT_DYNAMIC size %llu is not a whole number "
                         "of entries",
                         (unsigned long long)p->p_memsz);
  m->dynamic_vaddr = p->p_vaddr;
  m->dynamic_size = p->p_memsz;
  return true;
}

static bool check_program_headers(artifact_map *m, const artifact_file *f,
                                  artifact_error *err) {
  for (unsigned i = 0; i < f->eh.e_phnum; i++) {
    const Elf64_Phdr *p = &f->ph[i];
    bool ok = true;
    if (p->p_type == PT_LOAD)
      ok = add_load(m, f, p, i, err);
    else if (p->p_type == PT_DYNAMIC)
      ok = add_dynamic(m, p, err);
    else if (p->p_type == PT_GNU_RELRO)
      ok = add_relro(m, p, err);
    else if (p->p_type == PT_TLS || p->p_type == PT_INTERP)
      ok = artifact_fail(err, "segment %u: %s is not supported", i,
                         p->p_type == PT_TLS ? "PT_TLS" : "PT_INTERP");
    if (!ok)
      return false;
  }
  if (m->load_count == 0)
    return artifact_fail(err, "no loadable segments");
  if (m->dynamic_size == 0)
    return artifact_fail(err, "no PT_DYNAMIC segment");
  if (m->has_relro &&
      !artifact_segment_for(m, m->relro_vaddr, m->relro_memsz, PF_W))
    return artifact_fail(err, "PT_GNU_RELRO is not inside a writable "
                              "segment");
  return true;
}

/* ---- mapping ---- */

static uint64_t wanted_alignment(const artifact_map *m, const artifact_file *f,
                                 uint64_t *span) {
  uint64_t align = f->page;
  for (unsigned i = 0; i < f->eh.e_phnum; i++)
    if (f->ph[i].p_type == PT_LOAD && f->ph[i].p_align > align &&
        f->ph[i].p_align <= MAX_HONOURED_ALIGN)
      align = f->ph[i].p_align;
  const artifact_segment *last = &m->loads[m->load_count - 1];
  *span = page_up(last->vaddr + last->memsz, f->page) -
          page_down(m->loads[0].vaddr, f->page);
  return align;
}

/* One PROT_NONE reservation for the whole image: segments are mapped
 * inside it with MAP_FIXED, so nothing else can land in the gaps. */
static bool reserve(artifact_map *m, const artifact_file *f,
                    artifact_error *err) {
  uint64_t span, align = wanted_alignment(m, f, &span);
  size_t len = (size_t)(span + align - f->page);
  uint8_t *raw = mmap(NULL, len, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED)
    return artifact_fail(err, "cannot reserve %llu bytes: %s",
                         (unsigned long long)span, strerror(errno));
  uint8_t *start = (uint8_t *)page_up((uintptr_t)raw, align);
  if (start > raw)
    munmap(raw, (size_t)(start - raw));
  if ((size_t)(start - raw) + span < len)
    munmap(start + span, len - (size_t)(start - raw) - span);
  m->reservation = start;
  m->reservation_size = (size_t)span;
  m->base = (uintptr_t)start - page_down(m->loads[0].vaddr, f->page);
  return true;
}

static int prot_of(uint32_t flags) {
  return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
         ((flags & PF_X) ? PROT_EXEC : 0);
}

static bool map_file_part(artifact_map *m, const artifact_file *f,
                          const artifact_segment *s, artifact_error *err) {
  int prot = prot_of(s->flags);
  uint64_t file_end = s->vaddr + s->filesz;
  /* The file's last page may carry bytes past p_filesz (section headers,
   * symbol tables); .bss must start zeroed, so that tail is cleared, with
   * write access borrowed if the segment has none. */
  bool clear_tail = s->memsz > s->filesz && file_end % f->page;
  int map_prot = clear_tail ? prot | PROT_WRITE : prot;
  uint64_t first = page_down(s->vaddr, f->page);
  size_t len = (size_t)(page_up(file_end, f->page) - first);
  void *at = (void *)(m->base + first);
  if (mmap(at, len, map_prot, MAP_PRIVATE | MAP_FIXED, f->fd,
           (off_t)page_down(s->offset, f->page)) == MAP_FAILED)
    return artifact_fail(err, "cannot map segment at 0x%llx: %s",
                         (unsigned long long)s->vaddr, strerror(errno));
  if (clear_tail) {
    memset((void *)(m->base + file_end), 0,
           (size_t)(page_up(file_end, f->page) - file_end));
    if (map_prot != prot && mprotect(at, len, prot) != 0)
      return artifact_fail(err, "cannot protect segment at 0x%llx: %s",
                           (unsigned long long)s->vaddr, strerror(errno));
  }
  return true;
}

static bool map_segment(artifact_map *m, const artifact_file *f,
                        const artifact_segment *s, artifact_error *err) {
  if (s->filesz && !map_file_part(m, f, s, err))
    return false;
  uint64_t zero_from = s->filesz ? page_up(s->vaddr + s->filesz, f->page)
                                 : page_down(s->vaddr, f->page);
  uint64_t zero_to = page_up(s->vaddr + s->memsz, f->page);
  if (zero_to > zero_from &&
      mmap((void *)(m->base + zero_from), (size_t)(zero_to - zero_from),
           prot_of(s->flags), MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1,
           0) == MAP_FAILED)
    return artifact_fail(err, "cannot map zero pages at 0x%llx: %s",
                         (unsigned long long)zero_from, strerror(errno));
  return true;
}

static void record_text_range(artifact_map *m) {
  m->text = (artifact_range){0, 0};
  for (uint32_t i = 0; i < m->load_count; i++) {
    const artifact_segment *s = &m->loads[i];
    if (!(s->flags & PF_X))
      continue;
    uintptr_t start = m->base + s->vaddr, end = start + s->memsz;
    if (!m->text.end || start < m->text.start)
      m->text.start = start;
    if (end > m->text.end)
      m->text.end = end;
  }
}

/* Like glibc, the end is rounded down: only whole pages of RELRO are
 * protected, so a page it shares with .data stays writable. */
static bool protect_relro(artifact_map *m, const artifact_file *f,
                          artifact_error *err) {
  if (!m->has_relro)
    return true;
  uint64_t start = page_down(m->relro_vaddr, f->page);
  uint64_t end = page_down(m->relro_vaddr + m->relro_memsz, f->page);
  if (end > start &&
      mprotect((void *)(m->base + start), (size_t)(end - start), PROT_READ))
    return artifact_fail(err, "cannot protect RELRO: %s", strerror(errno));
  return true;
}

static bool map_all(artifact_map *m, artifact_file *f,
                    artifact_resolve_fn resolve, void *ctx,
                    artifact_error *err) {
  if (!read_headers(f, err) || !check_program_headers(m, f, err) ||
      !reserve(m, f, err))
    return false;
  for (uint32_t i = 0; i < m->load_count; i++)
    if (!map_segment(m, f, &m->loads[i], err))
      return false;
  record_text_range(m);
  return artifact_link_dynamic(m, resolve, ctx, err) &&
         protect_relro(m, f, err);
}

artifact_map *artifact_map_fd(int fd, artifact_resolve_fn resolve, void *ctx,
                              char *errbuf, size_t errlen) {
  artifact_error err = {errbuf, errlen};
  if (errbuf && errlen)
    errbuf[0] = '\0';
  struct stat st;
  if (fstat(fd, &st) != 0) {
    artifact_fail(&err, "cannot stat artifact: %s", strerror(errno));
    return NULL;
  }
  artifact_map *m = calloc(1, sizeof *m);
  artifact_file *f = calloc(1, sizeof *f);
  if (!m || !f) {
    free(m);
    free(f);
    artifact_fail(&err, "out of memory");
    return NULL;
  }
  *f = (artifact_file){.fd = fd,
                       .size = (uint64_t)st.st_size,
                       .page = (uint64_t)sysconf(_SC_PAGESIZE)};
  bool ok = map_all(m, f, resolve, ctx, &err);
  free(f);
  if (!ok) {
    artifact_unmap(m);
    return NULL;
  }
  return m;
}

artifact_map *artifact_map_path(const char *path, artifact_resolve_fn resolve,
                                void *ctx, char *errbuf, size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    artifact_error err = {errbuf, errlen};
    if (errbuf && errlen)
      errbuf[0] = '\0';
    artifact_fail(&err, "cannot open %s: %s", path, strerror(errno));
    return NULL;
  }
  artifact_map *m = artifact_map_fd(fd, resolve, ctx, errbuf, errlen);
  close(fd);
  return m;
}

void artifact_unmap(artifact_map *map) {
  if (!map)
    return;
  if (map->reservation)
    munmap(map->reservation, map->reservation_size);
  free(map);
}

const artifact_segment *artifact_segment_for(const artifact_map *map,
                                             uint64_t vaddr, uint64_t size,
                                             uint32_t need) {
  for (uint32_t i = 0; i < map->load_count; i++) {
    const artifact_segment *s = &map->loads[i];
    if ((s->flags & need) != need || vaddr < s->vaddr)
      continue;
    uint64_t rel = vaddr - s->vaddr;
    if (rel <= s->memsz && size <= s->memsz - rel)
      return s;
  }
  return NULL;
}

void *artifact_range_at(const artifact_map *map, uint64_t vaddr, uint64_t size,
                        uint32_t need) {
  if (!artifact_segment_for(map, vaddr, size, need))
    return NULL;
  return (void *)(map->base + vaddr);
}

artifact_range artifact_text_range(const artifact_map *map) {
  return map->text;
}

uintptr_t artifact_base(const artifact_map *map) {
  return map->base;
}
