/* Converting between the script's values (spec_value) and the runtime's
 * (wasmaot_val).
 *
 * The script names host references by number, (ref.extern N); the
 * runtime wants a non-NULL pointer. N is passed as the pointer N + 1,
 * which the runtime never dereferences and which maps back one to one. */
#ifndef WASMAOT_SPEC_HOST_VALUE_H
#define WASMAOT_SPEC_HOST_VALUE_H

#include <stdbool.h>

#include "spec_value.h"
#include "wasmaot.h"

/* False for what cannot be passed: NaN patterns, type-only values and
 * non-null funcrefs (a script has no way to name one). */
bool spec_value_to_host(const spec_value *v, wasmaot_val *out);

/* A v128 is given `lanes` as its lane type, for printing it the way the
 * script spelled the expected value. */
void spec_value_from_host(const wasmaot_val *v, spec_lane_type lanes,
                          spec_value *out);

/* The runtime's kind for a script type. */
wasmaot_valkind spec_value_host_kind(spec_value_type type);

#endif
