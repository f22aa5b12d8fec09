/* Writing the parts of an artifact that are not code: the metadata blob
 * (formats/artifact_format.h) with its embedded module skeleton. */
#ifndef WASMAOT_ARTIFACT_WRITE_H
#define WASMAOT_ARTIFACT_WRITE_H

#include "artifact_format.h"
#include "bytebuf.h"
#include "codegen_target.h"
#include "wasm_module.h"

/* The module's binary with every function body emptied and every custom
 * section but `name` dropped: what the loader decodes to instantiate. */
bool artifact_write_skeleton(const wasm_module *m, bytebuf *out,
                             wasm_error *err);

/* Header + CPU feature string + skeleton + data entries into `out`, and
 * the data image (every data segment's bytes, see WASMAOT_SYM_DATA_IMAGE)
 * into `data_image`. file_checksum is left zero; it is filled in once the
 * whole shared object exists. `tier` is a WASMAOT_TIER_*. */
bool artifact_write_metadata(const wasm_module *m, const codegen_target *t,
                             uint32_t tier, const wasmaot_vmctx_layout *layout,
                             bytebuf *out, bytebuf *data_image,
                             wasm_error *err);

#endif
