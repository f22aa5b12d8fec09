#include "spec_registry.h"

#include <stdlib.h>
#include <string.h>

/* `items` with room for one more element, or NULL (items untouched). */
static void *room_for_one_more(void *items, size_t *capacity, size_t count,
                               size_t size) {
  if (count < *capacity)
    return items;
  size_t n = *capacity ? 2 * *capacity : 16;
  void *p = realloc(items, n * size);
  if (p)
    *capacity = n;
  return p;
}

bool spec_registry_keep(spec_registry *r, wasmaot_instance *instance) {
  if (!instance)
    return true;
  wasmaot_instance **owned = room_for_one_more(r->owned, &r->owned_capacity,
                                               r->owned_count, sizeof *owned);
  if (!owned) {
    /* Without a slot it cannot be kept; freeing it now is the lesser evil
     * than leaking it, as nothing has been bound to it yet. */
    wasmaot_instance_free(instance);
    return false;
  }
  r->owned = owned;
  r->owned[r->owned_count++] = instance;
  return true;
}

static bool bind(spec_binding_list *list, const char *name,
                 wasmaot_instance *instance) {
  spec_binding *items = room_for_one_more(list->items, &list->capacity,
                                          list->count, sizeof *items);
  if (!items)
    return false;
  list->items = items;
  char *copy = strdup(name);
  if (!copy)
    return false;
  list->items[list->count++] = (spec_binding){copy, instance};
  return true;
}

bool spec_registry_add_module(spec_registry *r, wasmaot_instance *instance,
                              const char *name) {
  if (!spec_registry_keep(r, instance)) {
    r->has_current = true;
    r->current = NULL;
    return false;
  }
  r->has_current = true;
  r->current = instance;
  return !name || bind(&r->names, name, instance);
}

bool spec_registry_register(spec_registry *r, const char *as,
                            wasmaot_instance *instance) {
  return bind(&r->registered, as, instance);
}

bool spec_registry_find(const spec_binding_list *list, const char *name,
                        size_t name_len, wasmaot_instance **instance) {
  for (size_t i = list->count; i-- > 0;) {
    const spec_binding *b = &list->items[i];
    if (strlen(b->name) == name_len && memcmp(b->name, name, name_len) == 0) {
      *instance = b->instance;
      return true;
    }
  }
  return false;
}

spec_module_lookup spec_registry_module(const spec_registry *r,
                                        const char *name,
                                        wasmaot_instance **instance) {
  *instance = NULL;
  bool bound = name
                   ? spec_registry_find(&r->names, name, strlen(name), instance)
                   : r->has_current;
  if (!bound)
    return SPEC_MODULE_UNKNOWN;
  if (!name)
    *instance = r->current;
  return *instance ? SPEC_MODULE_FOUND : SPEC_MODULE_FAILED;
}

static void free_bindings(spec_binding_list *list) {
  for (size_t i = 0; i < list->count; i++)
    free(list->items[i].name);
  free(list->items);
  memset(list, 0, sizeof *list);
}

void spec_registry_free(spec_registry *r) {
  for (size_t i = 0; i < r->owned_count; i++)
    wasmaot_instance_free(r->owned[i]);
  free(r->owned);
  free_bindings(&r->names);
  free_bindings(&r->registered);
  memset(r, 0, sizeof *r);
}
