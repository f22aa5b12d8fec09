#include "shim_mount.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "shim_proto.h"

bool shim_mount_decode(const uint8_t *data, size_t len, shim_mount *m) {
  *m = (shim_mount){0};
  pb_reader r = pb_reader_of(data, len);
  pb_field f;
  int more;
  while ((more = pb_next(&r, &f)) > 0) {
    if (f.wire != 2)
      continue;
    if (f.number == 1 && !m->type) {
      m->type = pb_strdup(&f);
    } else if (f.number == 2 && !m->source) {
      m->source = pb_strdup(&f);
    } else if (f.number == 4) {
      char **o = realloc(m->options, (m->option_count + 1) * sizeof *o);
      if (!o)
        return false;
      m->options = o;
      if (!(o[m->option_count] = pb_strdup(&f)))
        return false;
      m->option_count++;
    }
  }
  return more == 0;
}

void shim_mount_free(shim_mount *m) {
  free(m->type);
  free(m->source);
  for (size_t i = 0; i < m->option_count; i++)
    free(m->options[i]);
  free(m->options);
  *m = (shim_mount){0};
}

/* mount(8)'s option words that are flags rather than file-system data. */
static const struct {
  const char *name;
  unsigned long set, clear;
} flag_options[] = {
    {"ro", MS_RDONLY, 0},         {"rw", 0, MS_RDONLY},
    {"bind", MS_BIND, 0},         {"rbind", MS_BIND | MS_REC, 0},
    {"nosuid", MS_NOSUID, 0},     {"suid", 0, MS_NOSUID},
    {"nodev", MS_NODEV, 0},       {"dev", 0, MS_NODEV},
    {"noexec", MS_NOEXEC, 0},     {"exec", 0, MS_NOEXEC},
    {"relatime", MS_RELATIME, 0}, {"noatime", MS_NOATIME, 0},
    {"sync", MS_SYNCHRONOUS, 0},  {"async", 0, MS_SYNCHRONOUS},
    {"defaults", 0, 0},
};

/* Splits options into mount flags and the comma-joined data string. */
static bool mount_options(const shim_mount *m, unsigned long *flags, char *data,
                          size_t datalen) {
  *flags = 0;
  data[0] = 0;
  size_t used = 0;
  for (size_t i = 0; i < m->option_count; i++) {
    const char *o = m->options[i];
    size_t k;
    for (k = 0; k < sizeof flag_options / sizeof flag_options[0]; k++)
      if (!strcmp(o, flag_options[k].name))
        break;
    if (k < sizeof flag_options / sizeof flag_options[0]) {
      *flags = (*flags | flag_options[k].set) & ~flag_options[k].clear;
      continue;
    }
    int n = snprintf(data + used, datalen - used, "%s%s", used ? "," : "", o);
    if (n < 0 || (size_t)n >= datalen - used)
      return false;
    used += (size_t)n;
  }
  return true;
}

static bool mount_one(const shim_mount *m, const char *target, char *err,
                      size_t errlen) {
  unsigned long flags;
  static const size_t datalen = 16384;
  char *data = malloc(datalen);
  if (!data || !mount_options(m, &flags, data, datalen)) {
    free(data);
    snprintf(err, errlen, "rootfs mount options too long");
    return false;
  }
  const char *type = m->type && *m->type ? m->type : NULL;
  /* A read-only bind mount needs a remount to become read-only. */
  int rc = mount(m->source, target, type,
                 (flags & MS_BIND) ? flags & ~MS_RDONLY : flags, data);
  if (rc == 0 && (flags & MS_BIND) && (flags & MS_RDONLY))
    rc = mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
  if (rc != 0)
    snprintf(err, errlen, "cannot mount the rootfs (%s %s on %s): %s",
             type ? type : "none", m->source ? m->source : "", target,
             strerror(errno));
  free(data);
  return rc == 0;
}

bool shim_mount_rootfs(const shim_mount *mounts, size_t count,
                       const char *target, char *err, size_t errlen) {
  if (mkdir(target, 0711) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "cannot create %s: %s", target, strerror(errno));
    return false;
  }
  for (size_t i = 0; i < count; i++) {
    if (!mount_one(&mounts[i], target, err, errlen)) {
      char ignored[256];
      shim_unmount_rootfs(target, ignored, sizeof ignored);
      return false;
    }
  }
  return true;
}

bool shim_unmount_rootfs(const char *target, char *err, size_t errlen) {
  /* Each umount removes the top of the stack; EINVAL: nothing is left. */
  for (int i = 0; i < 64; i++) {
    if (umount2(target, 0) == 0)
      continue;
    if (errno == EINVAL || errno == ENOENT)
      return true;
    if (errno == EBUSY && umount2(target, MNT_DETACH) == 0)
      continue;
    snprintf(err, errlen, "cannot unmount %s: %s", target, strerror(errno));
    return false;
  }
  snprintf(err, errlen, "%s: too many mounts stacked", target);
  return false;
}
