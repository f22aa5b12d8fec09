/* libFuzzer target: any byte string through decode + validate must end in
 * a clean accept or a clean error — no crash, leak, UB or hang. */
#include <stddef.h>
#include <stdint.h>

#include "wasm_module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wasm_error err = {0};
  wasm_module *m = wasm_module_decode(data, size, &err);
  if (m) {
    wasm_error_clear(&err);
    (void)wasm_module_validate(m, &err);
    wasm_module_free(m);
  }
  return 0;
}
