/* PLACEHOLDER: replaced by the instruction reader work. */
#include "wasm_module.h"
