/* The data image: where an artifact keeps its data segments' bytes, and
 * how they reach linear memory.
 *
 * The compiler puts every segment's bytes in a page-aligned section of
 * their own, each large constant-offset segment at an image offset
 * congruent to its memory offset modulo WASMAOT_DATA_PAGE. Instantiation
 * then maps the whole pages such a segment covers straight from the
 * artifact file, private and writable: copy-on-write, so a module with
 * megabytes of data instantiates in microseconds and instances share the
 * pages they never write. The partial pages at either end are copied.
 * Mapping a whole page over memory is exactly what copying the segment
 * over it would do, so this holds for imported memories too. */
#include <sys/mman.h>
#include <unistd.h>

#include "artifact_map.h"
#include "runtime.h"

static bool entries_fit(const wasmaot_module *m, char *err, size_t errlen) {
  const wasmaot_meta_header *h = m->meta;
  const wasm_module *w = m->wasm;
  if (h->data_entry_count != w->data_segment_count)
    return rt_fail(err, errlen,
                   "artifact data table has %u entries for %u segments",
                   h->data_entry_count, w->data_segment_count);
  uint64_t bytes = (uint64_t)h->data_entry_count * sizeof(wasmaot_data_entry);
  if (h->data_entries_offset % 8 || h->data_entries_offset > m->meta_size ||
      bytes > m->meta_size - h->data_entries_offset)
    return rt_fail(err, errlen, "artifact data table is outside its metadata");
  return true;
}

bool rt_data_image_check(wasmaot_module *m, char *err, size_t errlen) {
  if (!entries_fit(m, err, errlen))
    return false;
  const wasmaot_meta_header *h = m->meta;
  const wasm_module *w = m->wasm;
  m->data_entries =
      (const wasmaot_data_entry *)((const uint8_t *)h + h->data_entries_offset);
  for (uint32_t i = 0; i < w->data_segment_count; i++) {
    const wasmaot_data_entry *e = &m->data_entries[i];
    if (w->data_segments[i].size != 0 || e->size > UINT32_MAX ||
        e->image_offset > m->data_image_size ||
        e->size > m->data_image_size - e->image_offset)
      return rt_fail(err, errlen, "artifact data segment %u is malformed", i);
  }
  return true;
}

void rt_data_image_detach(wasmaot_module *m) {
  if (m->data_fd >= 0)
    close(m->data_fd);
  m->data_fd = -1;
}

/* Maps [dst_page, dst_page + len) of memory from the image bytes that
 * belong there. False when the kernel's page size or the layout does not
 * allow it; the caller then copies. */
static bool map_pages(const wasmaot_module *m, uint8_t *base, uint64_t dst_page,
                      uint64_t image_offset, uint64_t len) {
  uint64_t file_offset = m->data_file_offset + image_offset;
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0 || file_offset % (uint64_t)page || dst_page % (uint64_t)page ||
      len % (uint64_t)page)
    return false;
  void *at = mmap(base + dst_page, len, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_FIXED, m->data_fd, (off_t)file_offset);
  return at != MAP_FAILED;
}

wasmaot_trap_kind rt_data_segment_apply(wasmaot_instance *inst, uint32_t mem,
                                        uint32_t seg, uint64_t dst) {
  const rt_data_segment *d = &inst->data[seg];
  const wasmaot_module *m = inst->module;
  wasmaot_memory *memory = inst->memories[mem];
  /* A 64-bit memory's offset may be any u64: no sum before the check. */
  if (d->size > memory->obj.size_bytes ||
      dst > memory->obj.size_bytes - d->size || m->data_fd < 0)
    return rt_memory_init(inst, mem, seg, dst, 0, d->size);

  const uint64_t page = WASMAOT_DATA_PAGE;
  uint64_t start = dst, end = dst + d->size;
  uint64_t first_page = (start + page - 1) / page * page;
  uint64_t last_page = end / page * page;
  uint64_t image_offset = m->data_entries[seg].image_offset;
  if (last_page <= first_page ||
      !map_pages(m, memory->obj.base, first_page,
                 image_offset + (first_page - start), last_page - first_page))
    return rt_memory_init(inst, mem, seg, dst, 0, d->size);
  wasmaot_trap_kind head =
      rt_memory_init(inst, mem, seg, dst, 0, first_page - start);
  if (head != WASMAOT_TRAP_NONE)
    return head;
  return rt_memory_init(inst, mem, seg, last_page, last_page - start,
                        end - last_page);
}
