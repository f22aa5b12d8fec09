/* What the user asks the code generator for; plain C, no LLVM types, so
 * the command line can fill it without LLVM's headers or library. */
#ifndef WASMAOT_TARGET_OPTIONS_H
#define WASMAOT_TARGET_OPTIONS_H

#include <stdbool.h>

typedef struct codegen_target_options {
  const char *triple;   /* NULL: the host */
  const char *cpu;      /* NULL: the host CPU, or a portable one for a
                           foreign target */
  const char *features; /* extra "+a,-b" on top of the CPU's, or NULL */
  unsigned opt_level;   /* 0..3 */
  bool frame_pointers;  /* keep them, for profilers and debuggers */
  bool fast_tier;       /* the fast tier: promote locals to registers and
                           generate code without optimising (FastISel,
                           the fast register allocator); opt_level is then
                           ignored */
  bool count_entries;   /* the code counts each function's entries and
                           loop iterations (wasmaot_vmctx_layout's
                           entry_counts), for a profile */
} codegen_target_options;

#endif
