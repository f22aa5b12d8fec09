/* Converting a .wast script with wabt's wast2json. */
#ifndef WASMAOT_SPEC_WAST2JSON_H
#define WASMAOT_SPEC_WAST2JSON_H

#include <stdbool.h>
#include <stddef.h>

typedef struct spec_converter {
  const char *program;      /* path, or a name looked up in PATH */
  const char *const *flags; /* extra arguments, e.g. --enable-tail-call */
  size_t flag_count;
} spec_converter;

/* Runs `program wast_path -o json_path flags...` without a shell and waits
 * for it. On failure writes the reason into `why`; wast2json's own
 * diagnostics go to the inherited stderr. */
bool spec_wast2json(const spec_converter *conv, const char *wast_path,
                    const char *json_path, char *why, size_t why_size);

#endif
