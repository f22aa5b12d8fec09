/* Writing JSON: what `state`, `ps`, `features` print and what the state
 * directory keeps. */
#ifndef WASMAOT_OCI_JSONW_H
#define WASMAOT_OCI_JSONW_H

#include <stdio.h>

/* Writes `s` as a JSON string literal, quotes included. Bytes below 0x20,
 * '"' and '\\' are escaped; other bytes are copied (UTF-8 passes
 * through). */
void oci_jsonw_string(FILE *out, const char *s);

/* Writes "RFC 3339 UTC time with nanoseconds" for `sec`.`nsec`, the form
 * Go's time.Time unmarshals. */
void oci_jsonw_time(FILE *out, long long sec, long nsec);

#endif
