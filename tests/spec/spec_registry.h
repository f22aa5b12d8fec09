/* The instances of one script and the names that reach them.
 *
 * Every instance stays alive until the script ends: later modules may
 * import from earlier ones, and tables may hold their functions.
 *
 * A name may be bound to a module that failed (to compile, load or
 * instantiate): it is bound to NULL, so the commands that use it can be
 * told apart from commands naming a module that never existed. */
#ifndef WASMAOT_SPEC_REGISTRY_H
#define WASMAOT_SPEC_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "wasmaot.h"

typedef struct spec_binding {
  char *name;                 /* owned copy */
  wasmaot_instance *instance; /* NULL: the module failed */
} spec_binding;

typedef struct spec_binding_list {
  spec_binding *items;
  size_t count, capacity;
} spec_binding_list;

typedef struct spec_registry {
  wasmaot_instance **owned; /* every successful instance, to free */
  size_t owned_count, owned_capacity;
  spec_binding_list names;      /* "$M" from (module $M ...) */
  spec_binding_list registered; /* import module names from `register` */
  bool has_current;             /* a module command has run */
  wasmaot_instance *current;    /* NULL with has_current: it failed */
} spec_registry;

/* Takes ownership of a new instance (NULL records a failed module) and
 * makes it the current module, bound to `name` if not NULL. False only
 * when out of memory; the instance is owned in any case. */
bool spec_registry_add_module(spec_registry *r, wasmaot_instance *instance,
                              const char *name);

/* Takes ownership of an instance that is not a script module (kept alive
 * for what it may have written into shared tables). */
bool spec_registry_keep(spec_registry *r, wasmaot_instance *instance);

/* Makes `instance` (NULL for a failed module) importable as `as`. */
bool spec_registry_register(spec_registry *r, const char *as,
                            wasmaot_instance *instance);

/* The latest binding of `name` in `list` (name_len bytes, may contain
 * NUL). False if it was never bound; *instance is NULL for a failed
 * module. */
bool spec_registry_find(const spec_binding_list *list, const char *name,
                        size_t name_len, wasmaot_instance **instance);

typedef enum spec_module_lookup {
  SPEC_MODULE_FOUND,
  SPEC_MODULE_FAILED, /* bound, but the module failed */
  SPEC_MODULE_UNKNOWN,
} spec_module_lookup;

/* The module bound to "$M" `name`, or the current module when `name` is
 * NULL. */
spec_module_lookup spec_registry_module(const spec_registry *r,
                                        const char *name,
                                        wasmaot_instance **instance);

/* Frees every instance and binding. */
void spec_registry_free(spec_registry *r);

#endif
