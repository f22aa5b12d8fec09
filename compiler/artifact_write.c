#include "artifact_write.h"

#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "wasm_reader.h"

#ifndef WASMAOT_VERSION
#define WASMAOT_VERSION "unknown"
#endif

enum { SECTION_CUSTOM = 0, SECTION_CODE = 10, SECTION_DATA = 11 };

static bool is_name_section(wasm_reader *r) {
  const char *name;
  uint32_t len;
  wasm_reader probe = *r;
  return wasm_read_name(&probe, &name, &len) && len == 4 &&
         memcmp(name, "name", 4) == 0;
}

/* A code section whose every body is `0 locals, end`. */
static void write_empty_code_section(const wasm_module *m, bytebuf *out) {
  uint32_t n = m->func_count - m->import_func_count;
  bytebuf body = {0};
  bytebuf_append_u32_leb(&body, n);
  for (uint32_t i = 0; i < n; i++) {
    static const uint8_t empty_body[] = {0x02, 0x00, 0x0b};
    bytebuf_append(&body, empty_body, sizeof empty_body);
  }
  bytebuf_append_byte(out, SECTION_CODE);
  bytebuf_append_u32_leb(out, (uint32_t)body.len);
  bytebuf_append(out, body.data, body.len);
  out->failed |= body.failed;
  bytebuf_free(&body);
}

/* Where a data segment's size field starts: after its flags, memory index
 * and offset expression. */
static size_t data_size_field(const wasm_module *m,
                              const wasm_data_segment *d) {
  if (d->mode == WASM_SEGMENT_ACTIVE)
    return d->offset.offset + d->offset.size + 1; /* past the `end` */
  wasm_reader r = {
      .bytes = m->bytes, .pos = d->offset_in_module, .end = m->size};
  uint32_t flags;
  wasm_read_u32(&r, &flags); /* decoded once already: cannot fail */
  return r.pos;
}

/* The data section with every segment's header kept and its bytes moved
 * out (to the data image): each payload becomes empty. */
static void write_data_headers_section(const wasm_module *m, bytebuf *out) {
  bytebuf body = {0};
  bytebuf_append_u32_leb(&body, m->data_segment_count);
  for (uint32_t i = 0; i < m->data_segment_count; i++) {
    const wasm_data_segment *d = &m->data_segments[i];
    size_t end = data_size_field(m, d);
    bytebuf_append(&body, m->bytes + d->offset_in_module,
                   end - d->offset_in_module);
    bytebuf_append_u32_leb(&body, 0);
  }
  bytebuf_append_byte(out, SECTION_DATA);
  bytebuf_append_u32_leb(out, (uint32_t)body.len);
  bytebuf_append(out, body.data, body.len);
  out->failed |= body.failed;
  bytebuf_free(&body);
}

bool artifact_write_skeleton(const wasm_module *m, bytebuf *out,
                             wasm_error *err) {
  wasm_reader r = {.bytes = m->bytes, .pos = 8, .end = m->size, .err = err};
  bytebuf_append(out, m->bytes, 8); /* magic + version */
  while (!wasm_reader_at_end(&r)) {
    size_t start = r.pos;
    uint8_t id;
    uint32_t size;
    if (!wasm_read_u8(&r, &id) || !wasm_read_u32(&r, &size) ||
        size > wasm_reader_remaining(&r))
      return wasm_error_set(err, start, "cannot re-read section header");
    size_t contents = r.pos;
    bool keep = id != SECTION_CUSTOM || is_name_section(&r);
    if (id == SECTION_CODE)
      write_empty_code_section(m, out);
    else if (id == SECTION_DATA)
      write_data_headers_section(m, out);
    else if (keep)
      bytebuf_append(out, m->bytes + start, contents + size - start);
    r.pos = contents + size;
  }
  if (out->failed)
    return wasm_error_set(err, 0, "out of memory writing the skeleton");
  return true;
}

static void copy_string(char *dst, size_t size, const char *src) {
  memset(dst, 0, size);
  strncpy(dst, src, size - 1);
}

/* A segment worth mapping rather than copying: a page or more, at an
 * offset known before instantiation. */
static bool data_segment_mappable(const wasm_data_segment *d) {
  return d->mode == WASM_SEGMENT_ACTIVE &&
         (d->offset.kind == WASM_CONST_I32 ||
          d->offset.kind == WASM_CONST_I64) &&
         d->size >= WASMAOT_DATA_PAGE;
}

static bool write_data_image(const wasm_module *m, bytebuf *image,
                             wasmaot_data_entry *entries) {
  for (uint32_t i = 0; i < m->data_segment_count; i++) {
    const wasm_data_segment *d = &m->data_segments[i];
    size_t at = (image->len + 15) & ~(size_t)15;
    if (data_segment_mappable(d)) {
      size_t want = (d->offset.kind == WASM_CONST_I64 ? d->offset.value.i64
                                                      : d->offset.value.i32) %
                    WASMAOT_DATA_PAGE;
      at = image->len +
           (want + WASMAOT_DATA_PAGE - image->len % WASMAOT_DATA_PAGE) %
               WASMAOT_DATA_PAGE;
    }
    while (image->len < at)
      bytebuf_append_byte(image, 0);
    entries[i] = (wasmaot_data_entry){.image_offset = at, .size = d->size};
    bytebuf_append(image, m->bytes + d->data_offset, d->size);
  }
  return !image->failed;
}

bool artifact_write_metadata(const wasm_module *m, const codegen_target *t,
                             uint32_t tier, const wasmaot_vmctx_layout *layout,
                             bytebuf *out, bytebuf *data_image,
                             wasm_error *err) {
  wasmaot_meta_header h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, WASMAOT_META_MAGIC, sizeof h.magic);
  h.format_version = WASMAOT_FORMAT_VERSION;
  h.header_size = sizeof h;
  copy_string(h.compiler_version, sizeof h.compiler_version, WASMAOT_VERSION);
  copy_string(h.target_triple, sizeof h.target_triple, t->triple);
  copy_string(h.cpu_name, sizeof h.cpu_name, t->cpu);
  sha256(m->bytes, m->size, h.wasm_sha256);
  h.defined_func_count = m->func_count - m->import_func_count;
  h.type_count = m->type_count;
  h.layout = *layout;
  h.opt_level = t->opt_level;
  h.tier = tier;

  size_t features_len = strlen(t->features) + 1;
  h.cpu_features_offset = sizeof h;
  h.cpu_features_size = (uint32_t)features_len;

  bytebuf skeleton = {0};
  if (!artifact_write_skeleton(m, &skeleton, err)) {
    bytebuf_free(&skeleton);
    return false;
  }
  h.skeleton_offset = (uint32_t)((sizeof h + features_len + 7) & ~(size_t)7);
  h.skeleton_size = (uint32_t)skeleton.len;

  bytebuf_append(out, &h, sizeof h);
  bytebuf_append(out, t->features, features_len);
  while (out->len < h.skeleton_offset)
    bytebuf_append_byte(out, 0);
  bytebuf_append(out, skeleton.data, skeleton.len);
  bytebuf_free(&skeleton);

  size_t n = m->data_segment_count;
  wasmaot_data_entry *entries = calloc(n ? n : 1, sizeof *entries);
  if (!entries || !write_data_image(m, data_image, entries)) {
    free(entries);
    return wasm_error_set(err, 0, "out of memory writing the data image");
  }
  while (out->len % 8)
    bytebuf_append_byte(out, 0);
  size_t entries_at = out->len;
  bytebuf_append(out, entries, n * sizeof *entries);
  free(entries);
  /* The header went first; now that the entries have a place, patch it. */
  if (!out->failed) {
    wasmaot_meta_header *hp = (wasmaot_meta_header *)out->data;
    hp->data_entries_offset = (uint32_t)entries_at;
    hp->data_entry_count = (uint32_t)n;
  }
  if (out->failed)
    return wasm_error_set(err, 0, "out of memory writing metadata");
  return true;
}
