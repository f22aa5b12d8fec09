/* Freeing a decoded module. */
#include "wasm_module.h"

#include <stdlib.h>

static void free_types(wasm_module *m) {
  for (uint32_t i = 0; i < m->type_count; i++) {
    free(m->types[i].types);
    free(m->types[i].field_mutable);
  }
  free(m->types);
  free(m->type_canon);
}

static void free_funcs(wasm_module *m) {
  uint32_t defined = m->func_count - m->import_func_count;
  /* The decoder keeps the two counts consistent with the array, but a
   * module freed half-way must not make us walk past it. */
  if (m->func_count < m->import_func_count)
    defined = 0;
  for (uint32_t i = 0; m->funcs && i < defined; i++)
    free(m->funcs[i].local_runs);
  free(m->funcs);
}

static void free_elems(wasm_module *m) {
  for (uint32_t i = 0; i < m->elem_count; i++)
    free(m->elems[i].items);
  free(m->elems);
}

/* Safe on a partially decoded module: every array the decoder allocates
 * is zero-filled and its count set at the same time, so nested pointers
 * not yet filled are NULL. */
void wasm_module_free(wasm_module *m) {
  if (!m)
    return;
  free_types(m);
  free(m->imports);
  free(m->func_types);
  free_funcs(m);
  free(m->tables);
  free(m->has_table_init);
  free(m->table_inits);
  free(m->memories);
  free(m->globals);
  free(m->tag_types);
  free(m->exports);
  free_elems(m);
  free(m->data_segments);
  free(m->customs);
  free(m->func_names);
  free(m->bytes);
  free(m);
}
