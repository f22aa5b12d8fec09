/* How a module's types relate: iso-recursive equivalence (3.0's rec
 * groups, computed once by the decoder into m->type_canon) and the
 * subtype relation the validator checks operands with (declared in
 * wasm_module.h: wasm_type_matches, wasm_heaptype_matches). */
#ifndef WASMAOT_WASM_TYPE_RELATIONS_H
#define WASMAOT_WASM_TYPE_RELATIONS_H

#include <stdbool.h>

#include "wasm_error.h"
#include "wasm_module.h"

/* Fills m->type_canon: two types are equivalent when they sit at the
 * same position of rec groups that are equal once references inside
 * each group are read as positions in it and references outside as the
 * (already canonical) earlier types. */
bool wasm_module_canonicalise_types(wasm_module *m, wasm_error *err);

/* Is defined type `sub` a subtype of defined type `super` (equivalent,
 * or `super` is on sub's declared supertype chain)? */
bool wasm_deftype_matches(const wasm_module *m, uint32_t sub, uint32_t super);

#endif
