/* Loading an artifact: map it, refuse what cannot run here, check the
 * checksum, decode the module skeleton, find the functions and
 * trampolines, and intern the module's signatures in the engine. */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unwind.h>

#include "artifact_checksum.h"
#include "artifact_info.h"
#include "artifact_map.h"
#include "float_libcalls.h"
#include "runtime.h"

/* ---- Libcalls ----------------------------------------------------------- */

/* libgcc's, not declared by any header: the personality routine of C
 * code with cleanups (the one Wasm landing pads name) and the unwinder's
 * table of frames it was given, for code no dl_iterate_phdr() sees. */
_Unwind_Reason_Code __gcc_personality_v0(int version, _Unwind_Action actions,
                                         _Unwind_Exception_Class cls,
                                         struct _Unwind_Exception *ue,
                                         struct _Unwind_Context *ctx);
void __register_frame(void *eh_frame);
void __deregister_frame(void *eh_frame);

/* What LLVM may call by name from compiled code (artifact_format.h): the
 * C library's memory functions, the unwinder's entry points of landing
 * pads and, on CPUs without the instructions, the float rounding
 * functions (ours: the loader does not link libm). */
static void *resolve_libcall(void *ctx, const char *name) {
  (void)ctx;
  static const struct {
    const char *name;
    void *addr;
  } memory_calls[] = {
      {"memcpy", (void *)memcpy},
      {"memmove", (void *)memmove},
      {"memset", (void *)memset},
      {"memcmp", (void *)memcmp},
      {WASMAOT_SYM_PERSONALITY, (void *)__gcc_personality_v0},
      {WASMAOT_SYM_UNWIND_RESUME, (void *)_Unwind_Resume},
  };
  for (size_t i = 0; i < sizeof memory_calls / sizeof *memory_calls; i++)
    if (!strcmp(memory_calls[i].name, name))
      return memory_calls[i].addr;
  return float_libcall_address(name);
}

/* ---- The file view, for the checksum --------------------------------------
 */

typedef struct file_view {
  const uint8_t *bytes;
  size_t size;
} file_view;

static bool view_file(int fd, file_view *v, char *err, size_t errlen) {
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size <= 0)
    return rt_fail(err, errlen, "cannot read the artifact");
  void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED)
    return rt_fail(err, errlen, "cannot read the artifact");
  v->bytes = p;
  v->size = (size_t)st.st_size;
  return true;
}

/* The file offset of virtual address `vaddr`, through the PT_LOAD that
 * holds it. The mapper has validated the headers already; the bounds are
 * checked again because this is a second read of the file. */
static bool file_offset_of(const file_view *v, uint64_t vaddr, size_t len,
                           size_t *out) {
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)v->bytes;
  if (v->size < sizeof *eh || eh->e_phentsize != sizeof(Elf64_Phdr) ||
      eh->e_phoff > v->size ||
      eh->e_phnum > (v->size - eh->e_phoff) / sizeof(Elf64_Phdr))
    return false;
  const Elf64_Phdr *ph = (const Elf64_Phdr *)(v->bytes + eh->e_phoff);
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type != PT_LOAD || vaddr < ph[i].p_vaddr ||
        vaddr - ph[i].p_vaddr > ph[i].p_filesz ||
        len > ph[i].p_filesz - (vaddr - ph[i].p_vaddr))
      continue;
    uint64_t off = ph[i].p_offset + (vaddr - ph[i].p_vaddr);
    if (off > v->size || len > v->size - off)
      return false;
    *out = (size_t)off;
    return true;
  }
  return false;
}

static bool verify_checksum(const wasmaot_module *m, const file_view *v,
                            char *err, size_t errlen) {
  uint64_t vaddr = (uintptr_t)m->meta - artifact_base(m->map);
  size_t meta_off;
  if (!file_offset_of(v, vaddr, sizeof *m->meta, &meta_off))
    return rt_fail(err, errlen, "artifact metadata is not in the file");
  size_t field = meta_off + offsetof(wasmaot_meta_header, file_checksum);
  if (artifact_checksum(v->bytes, v->size, field) != m->meta->file_checksum)
    return rt_fail(err, errlen,
                   "artifact checksum mismatch: the file is corrupt or "
                   "truncated");
  return true;
}

/* The data image (data_image.c), and the file kept open to map its pages
 * into linear memories. No image is fine: the module has no data bytes. */
static bool find_data_image(wasmaot_module *m, const file_view *v, int fd,
                            char *err, size_t errlen) {
  m->data_image = artifact_symbol_sized(m->map, WASMAOT_SYM_DATA_IMAGE,
                                        &m->data_image_size);
  if (!m->data_image) {
    m->data_image_size = 0;
    return true;
  }
  uint64_t vaddr = (uintptr_t)m->data_image - artifact_base(m->map);
  size_t offset;
  if (!file_offset_of(v, vaddr, m->data_image_size, &offset))
    return rt_fail(err, errlen, "artifact data image is not in the file");
  m->data_file_offset = offset;
  /* Without a second descriptor segments are copied: correct, slower. */
  m->data_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  return true;
}

/* ---- Mapping and checks ---------------------------------------------------
 */

/* The mapper refuses an artifact for another machine by its ELF header
 * alone ("machine 183"); when the file's own metadata is sound, the
 * target check says the same in the user's terms (the triple, or the
 * CPU features missing). Leaves err alone otherwise. */
static void explain_map_failure(const file_view *v, char *err, size_t errlen) {
  artifact_info info;
  char why[256];
  if (artifact_info_read(v->bytes, v->size, &info, why, sizeof why) &&
      info.checksum_ok &&
      !rt_module_check_target(info.meta, info.meta_size, why, sizeof why))
    rt_fail(err, errlen, "%s", why);
}

static bool map_and_check(wasmaot_module *m, const char *path, char *err,
                          size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return rt_fail(err, errlen, "cannot open: %m");
  file_view view = {0};
  bool ok = view_file(fd, &view, err, errlen);
  if (ok) {
    m->map = artifact_map_fd(fd, resolve_libcall, NULL, err, errlen);
    ok = m->map != NULL;
    if (!ok)
      explain_map_failure(&view, err, errlen);
  }
  size_t meta_size = 0;
  if (ok) {
    m->meta = artifact_symbol_sized(m->map, WASMAOT_SYM_METADATA, &meta_size);
    if (!m->meta)
      ok = rt_fail(err, errlen, "not a wasmaot artifact (no %s symbol)",
                   WASMAOT_SYM_METADATA);
    else if ((uintptr_t)m->meta % _Alignof(wasmaot_meta_header))
      ok = rt_fail(err, errlen, "artifact metadata is misaligned");
  }
  m->meta_size = meta_size;
  ok = ok && rt_module_check_format(m->meta, meta_size, err, errlen) &&
       verify_checksum(m, &view, err, errlen) &&
       rt_module_check_target(m->meta, meta_size, err, errlen) &&
       find_data_image(m, &view, fd, err, errlen);
  close(fd);
  if (view.bytes)
    munmap((void *)view.bytes, view.size);
  return ok;
}

static bool decode_skeleton(wasmaot_module *m, char *err, size_t errlen) {
  const wasmaot_meta_header *h = m->meta;
  wasm_error werr = {0};
  m->wasm = wasm_module_decode((const uint8_t *)h + h->skeleton_offset,
                               h->skeleton_size, &werr);
  if (!m->wasm)
    return rt_fail(err, errlen, "artifact module skeleton: 0x%zx: %s",
                   werr.offset, werr.message);
  const wasm_module *w = m->wasm;
  if (h->defined_func_count != w->func_count - w->import_func_count ||
      h->type_count != w->type_count)
    return rt_fail(err, errlen,
                   "artifact metadata does not match its module skeleton");
  return true;
}

/* Every vmctx area the layout names must fit inside vmctx. */
static bool check_layout(const wasmaot_module *m, char *err, size_t errlen) {
  const wasmaot_vmctx_layout *l = &m->meta->layout;
  const wasm_module *w = m->wasm;
  uint64_t defined_funcs = w->func_count - w->import_func_count;
  const struct {
    uint32_t offset;
    uint64_t bytes;
  } areas[] = {
      {l->defined_globals, 16ull * (w->global_count - w->import_global_count)},
      {l->imported_globals, 8ull * w->import_global_count},
      {l->imported_funcs, 8ull * w->import_func_count},
      {l->defined_funcrefs, sizeof(wasmaot_funcref) * defined_funcs},
      {l->tables, 8ull * w->table_count},
      {l->memories, 8ull * w->memory_count},
      {l->type_ids, 4ull * w->type_count},
      {l->tags, 8ull * w->tag_count},
      {l->entry_counts ? l->entry_counts
                       : (uint32_t)sizeof(wasmaot_vmctx_header),
       l->entry_counts ? 8u : 0u},
  };
  if (l->size < sizeof(wasmaot_vmctx_header))
    return rt_fail(err, errlen, "artifact vmctx layout is corrupt");
  for (size_t i = 0; i < sizeof areas / sizeof *areas; i++)
    if (areas[i].offset < sizeof(wasmaot_vmctx_header) || areas[i].offset % 8 ||
        areas[i].offset + areas[i].bytes > l->size)
      return rt_fail(err, errlen, "artifact vmctx layout is corrupt");
  return true;
}

/* Resolves a PC-relative table: entry i is target_i - &table. */
static bool resolve_code_table(wasmaot_module *m, const char *symbol,
                               uint32_t count, void **out, char *err,
                               size_t errlen) {
  if (count == 0)
    return true; /* an empty table may have no symbol at all */
  size_t size = 0;
  const uint8_t *table = artifact_symbol_sized(m->map, symbol, &size);
  if (!table || size < 4ull * count)
    return rt_fail(err, errlen, "artifact has no valid %s", symbol);
  artifact_range text = artifact_text_range(m->map);
  for (uint32_t i = 0; i < count; i++) {
    int32_t rel; /* copied out: a tampered symbol may be misaligned */
    memcpy(&rel, table + 4ull * i, sizeof rel);
    uintptr_t addr = (uintptr_t)table + (intptr_t)rel;
    if (!artifact_range_contains(text, addr))
      return rt_fail(err, errlen, "%s entry %u points outside the code", symbol,
                     i);
    out[i] = (void *)addr;
  }
  return true;
}

static bool resolve_code(wasmaot_module *m, char *err, size_t errlen) {
  const wasm_module *w = m->wasm;
  uint32_t defined = w->func_count - w->import_func_count;
  m->func_code = calloc(defined ? defined : 1, sizeof *m->func_code);
  m->trampolines =
      calloc(w->type_count ? w->type_count : 1, sizeof *m->trampolines);
  if (!m->func_code || !m->trampolines)
    return rt_fail(err, errlen, "out of memory");
  void **tramps = (void **)m->trampolines;
  if (!resolve_code_table(m, WASMAOT_SYM_FUNC_TABLE, defined, m->func_code, err,
                          errlen) ||
      !resolve_code_table(m, WASMAOT_SYM_TRAMP_TABLE, w->type_count, tramps,
                          err, errlen))
    return false;
  /* Only a module with tail calls between types has tailcc entries. */
  if (defined == 0 ||
      !artifact_symbol_sized(m->map, WASMAOT_SYM_TAIL_TABLE, &(size_t){0}))
    return true;
  m->func_tail_code = calloc(defined, sizeof *m->func_tail_code);
  if (!m->func_tail_code)
    return rt_fail(err, errlen, "out of memory");
  if (!resolve_code_table(m, WASMAOT_SYM_TAIL_TABLE, defined, m->func_tail_code,
                          err, errlen))
    return false;
  /* funcref.tail_entry is an int32 offset from the wrapper. */
  for (uint32_t i = 0; i < defined; i++) {
    intptr_t d = (intptr_t)m->func_tail_code[i] - (intptr_t)m->func_code[i];
    if (d == 0 || d < INT32_MIN || d > INT32_MAX)
      return rt_fail(err, errlen, "%s entry %u is malformed",
                     WASMAOT_SYM_TAIL_TABLE, i);
  }
  return true;
}

static bool intern_signatures(wasmaot_module *m, char *err, size_t errlen) {
  const wasm_module *w = m->wasm;
  m->signatures =
      calloc(w->type_count ? w->type_count : 1, sizeof *m->signatures);
  if (!m->signatures)
    return rt_fail(err, errlen, "out of memory");
  if (!rt_signatures_intern_module(&m->engine->signatures, w, m->signatures))
    return rt_fail(err, errlen, "out of memory interning the module's types");
  return true;
}

/* ---- Naming code addresses ------------------------------------------------
 */

static int compare_symbols(const void *a, const void *b) {
  uintptr_t x = ((const rt_code_symbol *)a)->addr;
  uintptr_t y = ((const rt_code_symbol *)b)->addr;
  return x < y ? -1 : x > y;
}

static bool build_symbols(wasmaot_module *m, char *err, size_t errlen) {
  const wasm_module *w = m->wasm;
  uint32_t defined = w->func_count - w->import_func_count;
  size_t n = (size_t)defined + w->type_count;
  m->symbols = calloc(n ? n : 1, sizeof *m->symbols);
  if (!m->symbols)
    return rt_fail(err, errlen, "out of memory");
  for (uint32_t i = 0; i < defined; i++)
    m->symbols[i] =
        (rt_code_symbol){(uintptr_t)m->func_code[i], w->import_func_count + i};
  for (uint32_t i = 0; i < w->type_count; i++)
    m->symbols[defined + i] =
        (rt_code_symbol){(uintptr_t)m->trampolines[i], UINT32_MAX};
  qsort(m->symbols, n, sizeof *m->symbols, compare_symbols);
  m->symbol_count = n;
  return true;
}

void rt_module_function_name(const wasmaot_module *m, uintptr_t pc, char *buf,
                             size_t size) {
  size_t lo = 0, hi = m->symbol_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->symbols[mid].addr <= pc)
      lo = mid + 1;
    else
      hi = mid;
  }
  buf[0] = '\0';
  if (lo == 0)
    return;
  uint32_t index = m->symbols[lo - 1].func_index;
  const wasm_name *name = index != UINT32_MAX && m->wasm->func_names
                              ? &m->wasm->func_names[index]
                              : NULL;
  if (index == UINT32_MAX)
    snprintf(buf, size, "<trampoline>");
  else if (name && name->len)
    snprintf(buf, size, "%.*s", (int)name->len, name->data);
  else
    snprintf(buf, size, "func%u", index);
}

/* ---- Lifetime ------------------------------------------------------------ */

static void destroy(wasmaot_module *m) {
  if (m->eh_frame)
    __deregister_frame(m->eh_frame);
  if (m->text_hi)
    addr_range_set_remove(&m->engine->code, m->text_lo, m);
  free(m->symbols);
  free(m->signatures);
  free(m->trampolines);
  free(m->func_code);
  free(m->func_tail_code);
  wasm_module_free(m->wasm);
  rt_data_image_detach(m);
  rt_module_free_counts(m);
  artifact_unmap(m->map);
  free(m);
}

void rt_module_retain(wasmaot_module *m) {
  atomic_fetch_add(&m->refs, 1);
}

void rt_module_release(wasmaot_module *m) {
  if (m && atomic_fetch_sub(&m->refs, 1) == 1)
    destroy(m);
}

static bool register_code(wasmaot_module *m, char *err, size_t errlen) {
  artifact_range text = artifact_text_range(m->map);
  if (!addr_range_set_add(&m->engine->code, text.start, text.end, m))
    return rt_fail(err, errlen, "out of memory");
  m->text_lo = text.start;
  m->text_hi = text.end;
  return true;
}

/* A module that throws or catches has unwind tables for its code (and
 * only then); the unwinder reads them from their place in the mapping. */
static void register_unwind_tables(wasmaot_module *m) {
  m->eh_frame = artifact_symbol(m->map, WASMAOT_SYM_EH_FRAME);
  if (m->eh_frame)
    __register_frame(m->eh_frame);
}

wasmaot_module *wasmaot_module_load(wasmaot_engine *engine, const char *path,
                                    char *err, size_t errlen) {
  wasmaot_module *m = calloc(1, sizeof *m);
  if (!m) {
    rt_fail(err, errlen, "out of memory");
    return NULL;
  }
  atomic_init(&m->refs, 1);
  m->engine = engine;
  m->data_fd = -1;
  char why[256] = "";
  bool ok = map_and_check(m, path, why, sizeof why) &&
            decode_skeleton(m, why, sizeof why) &&
            rt_data_image_check(m, why, sizeof why) &&
            check_layout(m, why, sizeof why) &&
            rt_module_init_counts(m, why, sizeof why) &&
            resolve_code(m, why, sizeof why) &&
            intern_signatures(m, why, sizeof why) &&
            build_symbols(m, why, sizeof why) &&
            register_code(m, why, sizeof why);
  if (ok)
    register_unwind_tables(m);
  if (!ok) {
    rt_fail(err, errlen, "%s: %s", path, why);
    destroy(m);
    return NULL;
  }
  return m;
}

void wasmaot_module_free(wasmaot_module *module) {
  rt_module_release(module);
}
