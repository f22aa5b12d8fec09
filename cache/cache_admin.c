#include "cache_admin.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "artifact_info.h"

/* A temporary file older than this belongs to a process that died
 * mid-store; a younger one may be a store in progress. */
#define ABANDONED_TEMP_SECONDS 3600

typedef enum file_kind {
  FILE_ENTRY,
  FILE_LOCK,
  FILE_TEMP,
  FILE_OTHER
} file_kind;

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

static file_kind classify(const char *name) {
  if (name[0] == '.')
    return FILE_OTHER;
  /* A tiered run's counts (run_source.c) are as short-lived as a
   * temporary file, and as harmless to remove once abandoned. */
  if (strstr(name, ".so.tmp") || has_suffix(name, ".counts"))
    return FILE_TEMP;
  if (has_suffix(name, ".so.lock"))
    return FILE_LOCK;
  if (has_suffix(name, ".so"))
    return FILE_ENTRY;
  return FILE_OTHER;
}

typedef struct cache_file {
  char path[4096];
  const char *name; /* inside path */
  file_kind kind;
  struct stat st;
} cache_file;

typedef bool (*file_fn)(const cache_file *f, void *ctx);

/* Calls fn for every regular file DIR/<arch>/NAME that belongs to the
 * cache, until fn returns false. */
static void for_each_file(const char *dir, file_fn fn, void *ctx) {
  DIR *top = opendir(dir);
  if (!top)
    return;
  struct dirent *a;
  bool go_on = true;
  while (go_on && (a = readdir(top))) {
    if (a->d_name[0] == '.')
      continue;
    char sub[4096];
    if (snprintf(sub, sizeof sub, "%s/%s", dir, a->d_name) >= (int)sizeof sub)
      continue;
    DIR *d = opendir(sub);
    if (!d)
      continue;
    struct dirent *e;
    while (go_on && (e = readdir(d))) {
      cache_file f;
      f.kind = classify(e->d_name);
      int n = snprintf(f.path, sizeof f.path, "%s/%s", sub, e->d_name);
      if (f.kind == FILE_OTHER || n >= (int)sizeof f.path ||
          lstat(f.path, &f.st) != 0 || !S_ISREG(f.st.st_mode))
        continue;
      f.name = f.path + n - strlen(e->d_name);
      go_on = fn(&f, ctx);
    }
    closedir(d);
  }
  closedir(top);
}

bool cache_parse_size(const char *s, uint64_t *out) {
  char *end;
  if (!s || *s < '0' || *s > '9')
    return false;
  unsigned long long v = strtoull(s, &end, 10);
  unsigned shift = 0;
  switch (*end) {
  case 'K':
  case 'k':
    shift = 10;
    end++;
    break;
  case 'M':
  case 'm':
    shift = 20;
    end++;
    break;
  case 'G':
  case 'g':
    shift = 30;
    end++;
    break;
  default:
    break;
  }
  if (*end || v > (UINT64_MAX >> shift))
    return false;
  *out = (uint64_t)v << shift;
  return true;
}

uint64_t cache_max_bytes(void) {
  uint64_t v;
  return cache_parse_size(getenv("WASMAOT_CACHE_MAX_SIZE"), &v)
             ? v
             : CACHE_DEFAULT_MAX_BYTES;
}

/* ---- list ------------------------------------------------------------- */

static void format_age(time_t seconds, char *buf, size_t size) {
  if (seconds < 0)
    seconds = 0;
  if (seconds < 120)
    snprintf(buf, size, "%lds", (long)seconds);
  else if (seconds < 7200)
    snprintf(buf, size, "%ldm", (long)seconds / 60);
  else if (seconds < 172800)
    snprintf(buf, size, "%ldh", (long)seconds / 3600);
  else
    snprintf(buf, size, "%ldd", (long)seconds / 86400);
}

/* The module hash and architecture from the artifact's metadata; "?" and
 * "corrupt" when it cannot be read or its checksum fails. */
static void describe(const cache_file *f, char module[17], char arch[24],
                     char tier[8]) {
  snprintf(module, 17, "?");
  snprintf(arch, 24, "corrupt");
  snprintf(tier, 8, "?");
  int fd = open(f->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  size_t size = (size_t)f->st.st_size;
  void *p = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  close(fd);
  if (p == MAP_FAILED)
    return;
  artifact_info info;
  char err[128];
  if (artifact_info_read(p, size, &info, err, sizeof err) && info.checksum_ok) {
    for (int i = 0; i < 8; i++)
      snprintf(module + 2 * i, 3, "%02x", info.meta->wasm_sha256[i]);
    snprintf(arch, 24, "%.*s", (int)strcspn(info.meta->target_triple, "-"),
             info.meta->target_triple);
    if (info.meta->tier == WASMAOT_TIER_FAST)
      snprintf(tier, 8, "fast");
    else if (info.meta->tier == WASMAOT_TIER_PROFILED)
      snprintf(tier, 8, "-O%u hot", info.meta->opt_level % 10);
    else if (info.meta->tier == WASMAOT_TIER_ESTIMATED)
      snprintf(tier, 8, "-O%u est", info.meta->opt_level % 10);
    else
      snprintf(tier, 8, "-O%u", info.meta->opt_level % 10);
  }
  munmap(p, size);
}

typedef struct list_ctx {
  FILE *out;
  time_t now;
  int count;
} list_ctx;

static bool print_entry(const cache_file *f, void *ctx) {
  list_ctx *l = ctx;
  if (f->kind != FILE_ENTRY)
    return true;
  char module[17], arch[24], tier[8], age[32], used[32];
  describe(f, module, arch, tier);
  format_age(l->now - f->st.st_mtime, age, sizeof age);
  format_age(l->now - f->st.st_atime, used, sizeof used);
  fprintf(l->out, "%-16s  %-8s %-7s %10lld  %5s  %5s  %.*s\n", module, arch,
          tier, (long long)f->st.st_size, age, used, (int)(strlen(f->name) - 3),
          f->name);
  l->count++;
  return true;
}

int cache_list(const char *dir, FILE *out) {
  list_ctx l = {.out = out, .now = time(NULL)};
  fprintf(out, "%-16s  %-8s %-7s %10s  %5s  %5s  %s\n", "MODULE", "ARCH",
          "TIER", "BYTES", "AGE", "USED", "KEY");
  for_each_file(dir, print_entry, &l);
  return l.count;
}

/* ---- clean ------------------------------------------------------------ */

typedef struct clean_ctx {
  time_t now;
  int count;
} clean_ctx;

static bool remove_file(const cache_file *f, void *ctx) {
  clean_ctx *c = ctx;
  if (f->kind == FILE_TEMP && c->now - f->st.st_mtime < ABANDONED_TEMP_SECONDS)
    return true;
  if (unlink(f->path) == 0 && f->kind == FILE_ENTRY)
    c->count++;
  return true;
}

int cache_clean(const char *dir) {
  clean_ctx c = {.now = time(NULL)};
  for_each_file(dir, remove_file, &c);
  return c.count;
}

/* ---- eviction --------------------------------------------------------- */

typedef struct evict_ctx {
  const char *keep;
  uint64_t total;
  char oldest[4096]; /* least recently used entry other than keep */
  struct timespec oldest_used;
} evict_ctx;

static bool before(struct timespec a, struct timespec b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

static bool survey(const cache_file *f, void *ctx) {
  evict_ctx *e = ctx;
  if (f->kind != FILE_ENTRY)
    return true;
  e->total += (uint64_t)f->st.st_size;
  if ((e->keep && strcmp(f->path, e->keep) == 0) ||
      (e->oldest[0] && !before(f->st.st_atim, e->oldest_used)))
    return true;
  snprintf(e->oldest, sizeof e->oldest, "%s", f->path);
  e->oldest_used = f->st.st_atim;
  return true;
}

/* One survey per eviction: quadratic in the number of entries evicted at
 * once, which is one or two after a store. */
int cache_evict(const char *dir, uint64_t max_bytes, const char *keep) {
  int count = 0;
  while (max_bytes) {
    evict_ctx e = {.keep = keep};
    for_each_file(dir, survey, &e);
    if (e.total <= max_bytes || !e.oldest[0] || unlink(e.oldest) != 0)
      break;
    char lock[4200];
    snprintf(lock, sizeof lock, "%s.lock", e.oldest);
    unlink(lock);
    count++;
  }
  return count;
}
