/* Wasm values on the command line: parsing arguments by their type and
 * printing results the way `wasmaot run --invoke` promises. */
#ifndef WASMAOT_CLI_VALUES_H
#define WASMAOT_CLI_VALUES_H

#include <stdbool.h>
#include <stddef.h>

#include "wasmaot.h"

/* i32/i64: signed or unsigned decimal or 0x hex (wrapping into the type);
 * f32/f64: anything strtod reads, including nan, inf, -inf, -0; refs:
 * only "null". */
bool cli_parse_value(wasmaot_valkind kind, const char *text, wasmaot_val *out);

/* Integers as signed decimal; floats as the shortest decimal that reads
 * back to the same value, or nan / inf / -inf / -0; v128 as 16 hex bytes;
 * references as null or ref. */
void cli_format_value(const wasmaot_val *v, char *buf, size_t size);

#endif
