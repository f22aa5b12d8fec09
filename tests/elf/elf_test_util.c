#include "elf_test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elf_link.h"

const char test_metadata_blob[] = "wasmaot-meta\0v1\0payload";
const size_t test_metadata_size = sizeof test_metadata_blob;

bool test_link(const uint8_t *object, size_t size, void **out, size_t *out_size,
               char *err, size_t errlen) {
  static const char *const exported[] = {"fx_hidden_helper"};
  elf_link_extra_section meta = {".wasmaot.meta", test_metadata_blob,
                                 test_metadata_size, 16, "wasmaot_metadata"};
  elf_link_input in = {.object = object,
                       .object_size = size,
                       .extra = &meta,
                       .extra_count = 1,
                       .exported_symbols = exported,
                       .exported_count = 1,
                       .soname = "fixture.so"};
  return elf_link_shared_object(&in, out, out_size, err, errlen);
}

bool test_prepare(fixture *fx, const char *path, bool has_stubs) {
  fx->object_path = path;
  fx->has_stubs = has_stubs;
  fx->object = test_read_file(path, &fx->object_size);
  if (!fx->object || fx->object_size < sizeof(Elf64_Ehdr)) {
    fprintf(stderr, "cannot read %s\n", path);
    return false;
  }
  fx->machine = ((const Elf64_Ehdr *)fx->object)->e_machine;
  char err[256];
  void *out;
  if (!test_link(fx->object, fx->object_size, &out, &fx->artifact_size, err,
                 sizeof err)) {
    fprintf(stderr, "link %s: %s\n", path, err);
    return false;
  }
  fx->artifact = out;
  const char *tmp = getenv("TMPDIR");
  snprintf(fx->dir, sizeof fx->dir, "%s/wasmaot-elf-XXXXXX",
           tmp && tmp[0] ? tmp : "/tmp");
  if (!mkdtemp(fx->dir)) {
    fx->dir[0] = '\0';
    return false;
  }
  snprintf(fx->so_path, sizeof fx->so_path, "%s/fixture.so", fx->dir);
  return test_write_file(fx->so_path, fx->artifact, fx->artifact_size);
}

void test_release(fixture *fx) {
  if (fx->so_path[0])
    unlink(fx->so_path);
  if (fx->dir[0])
    rmdir(fx->dir);
  free(fx->object);
  free(fx->artifact);
}

void *test_resolve_libc(void *ctx, const char *name) {
  resolve_log *log = ctx;
  log->calls++;
  if (log->refuse && strcmp(name, log->refuse) == 0)
    return NULL;
  static const struct {
    const char *name;
    void *fn;
  } table[] = {{"memcpy", (void *)memcpy},
               {"memset", (void *)memset},
               {"memmove", (void *)memmove},
               {"floorf", (void *)floorf}};
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(name, table[i].name) == 0)
      return table[i].fn;
  return NULL;
}

static int memfd_with(const void *data, size_t size) {
  int fd = memfd_create("artifact", MFD_CLOEXEC);
  if (fd < 0)
    return -1;
  const uint8_t *p = data;
  size_t left = size;
  while (left) {
    ssize_t n = write(fd, p, left);
    if (n <= 0) {
      close(fd);
      return -1;
    }
    p += n;
    left -= (size_t)n;
  }
  return fd;
}

artifact_map *test_map_image(const void *image, size_t size, char *err,
                             size_t errlen) {
  int fd = memfd_with(image, size);
  if (fd < 0) {
    snprintf(err, errlen, "test: memfd failed");
    return NULL;
  }
  resolve_log log = {0};
  artifact_map *m = artifact_map_fd(fd, test_resolve_libc, &log, err, errlen);
  close(fd);
  return m;
}

uint8_t *test_read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  uint8_t *data = NULL;
  long n = -1;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0) {
    data = malloc((size_t)n + 1);
    if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
      free(data);
      data = NULL;
    }
  }
  fclose(f);
  *size = n > 0 ? (size_t)n : 0;
  return data;
}

bool test_write_file(const char *path, const void *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return false;
  bool ok = fwrite(data, 1, size, f) == size;
  return fclose(f) == 0 && ok;
}

char *test_run_capture(const char *command) {
  char *full = malloc(strlen(command) + 8);
  if (!full)
    return NULL;
  sprintf(full, "%s 2>&1", command);
  FILE *p = popen(full, "r");
  free(full);
  if (!p)
    return NULL;
  size_t cap = 4096, len = 0, n;
  char *out = malloc(cap);
  while (out && (n = fread(out + len, 1, cap - len - 1, p)) > 0) {
    len += n;
    if (cap - len < 2048) {
      char *grown = realloc(out, cap * 2);
      if (!grown) {
        free(out);
        out = NULL;
        break;
      }
      out = grown;
      cap *= 2;
    }
  }
  int status = pclose(p);
  if (!out || status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
    free(out);
    return NULL;
  }
  out[len] = '\0';
  return out;
}

bool test_have_tool(const char *tool) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null", tool);
  char *out = test_run_capture(cmd);
  free(out);
  return out != NULL;
}

static bool read_shdr(const uint8_t *image, size_t size, uint32_t i,
                      Elf64_Shdr *out) {
  Elf64_Ehdr eh;
  if (size < sizeof eh)
    return false;
  memcpy(&eh, image, sizeof eh);
  uint64_t at = eh.e_shoff + (uint64_t)i * sizeof *out;
  if (i >= eh.e_shnum || at > size || sizeof *out > size - at)
    return false;
  memcpy(out, image + at, sizeof *out);
  return true;
}

bool test_find_section(const uint8_t *image, size_t size, const char *name,
                       Elf64_Shdr *out) {
  Elf64_Ehdr eh;
  Elf64_Shdr names;
  if (size < sizeof eh)
    return false;
  memcpy(&eh, image, sizeof eh);
  if (!read_shdr(image, size, eh.e_shstrndx, &names))
    return false;
  for (uint32_t i = 1; i < eh.e_shnum; i++) {
    Elf64_Shdr sh;
    if (!read_shdr(image, size, i, &sh) || sh.sh_name >= names.sh_size)
      return false;
    const char *n = (const char *)image + names.sh_offset + sh.sh_name;
    if (strcmp(n, name) == 0) {
      *out = sh;
      return true;
    }
  }
  return false;
}

uint8_t *test_copy(const uint8_t *data, size_t size) {
  uint8_t *copy = malloc(size ? size : 1);
  if (copy)
    memcpy(copy, data, size);
  return copy;
}

uint16_t test_host_machine(void) {
#if defined(__x86_64__)
  return EM_X86_64;
#elif defined(__aarch64__)
  return EM_AARCH64;
#else
  return EM_NONE;
#endif
}
