/* A profile file: the counters of code compiled to count
 * (codegen_target_options.count_entries; wasmaot_vmctx_layout's
 * entry_counts) kept in a file that every process running that artifact
 * maps shared, so their counts add up and a compile in another process
 * can read them while they run. Host byte order: a profile is made and
 * read on one machine. */
#ifndef WASMAOT_PROFILE_FORMAT_H
#define WASMAOT_PROFILE_FORMAT_H

#include <stdint.h>
#include <string.h>

#define WASMAOT_PROFILE_MAGIC "WAOTPRF2" /* 8 bytes, no NUL */

typedef struct wasmaot_profile_header {
  char magic[8];
  uint32_t header_size;    /* sizeof(wasmaot_profile_header) */
  uint32_t count;          /* counters that follow: one per defined function */
  uint8_t wasm_sha256[32]; /* of the .wasm the counting code came from */
} wasmaot_profile_header;
/* Then uint64_t counts[count], from header_size on. */

/* The header of a profile of `count` functions of the module whose .wasm
 * has SHA-256 `wasm_sha256`. */
static inline wasmaot_profile_header
wasmaot_profile_header_for(uint32_t count, const uint8_t wasm_sha256[32]) {
  wasmaot_profile_header h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, WASMAOT_PROFILE_MAGIC, sizeof h.magic);
  h.header_size = sizeof h;
  h.count = count;
  memcpy(h.wasm_sha256, wasm_sha256, sizeof h.wasm_sha256);
  return h;
}

#endif
