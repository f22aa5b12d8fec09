#include "oci_caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
#define CAP_COUNT (sizeof cap_names / sizeof *cap_names)

static uint64_t parse_set(const json_value *list, char *unknown,
                          size_t unknown_len) {
  uint64_t mask = 0;
  for (size_t i = 0; i < json_array_length(list); i++) {
    const char *name = json_as_cstring(json_array_at(list, i));
    size_t k = 0;
    while (name && k < CAP_COUNT && strcmp(name, cap_names[k]))
      k++;
    if (name && k < CAP_COUNT) {
      mask |= UINT64_C(1) << k;
    } else if (unknown_len) {
      size_t used = strlen(unknown);
      snprintf(unknown + used, unknown_len - used, "%s%s", used ? ", " : "",
               name ? name : "(not a string)");
    }
  }
  return mask;
}

void oci_caps_parse(const json_value *caps, oci_caps *out, char *unknown,
                    size_t unknown_len) {
  memset(out, 0, sizeof *out);
  if (unknown_len)
    unknown[0] = 0;
  if (!caps || caps->kind != JSON_OBJECT)
    return;
  out->given = true;
  out->bounding =
      parse_set(json_object_get(caps, "bounding"), unknown, unknown_len);
  out->effective =
      parse_set(json_object_get(caps, "effective"), unknown, unknown_len);
  out->permitted =
      parse_set(json_object_get(caps, "permitted"), unknown, unknown_len);
  out->inheritable =
      parse_set(json_object_get(caps, "inheritable"), unknown, unknown_len);
  out->ambient =
      parse_set(json_object_get(caps, "ambient"), unknown, unknown_len);
}

/* The highest capability this kernel knows. */
static int last_cap(void) {
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
  int n = CAP_LAST_CAP;
  if (f) {
    if (fscanf(f, "%d", &n) != 1)
      n = CAP_LAST_CAP;
    fclose(f);
  }
  return n;
}

bool oci_caps_prepare(const oci_caps *caps, char *err, size_t errlen) {
  if (!caps->given)
    return true;
  int last = last_cap();
  for (int cap = 0; cap <= last; cap++) {
    if (cap < 64 && (caps->bounding >> cap & 1))
      continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
      snprintf(err, errlen, "cannot drop capability %d: %s", cap,
               strerror(errno));
      return false;
    }
  }
  prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
  return true;
}

bool oci_caps_apply(const oci_caps *caps, char *err, size_t errlen) {
  if (!caps->given)
    return true;
  struct __user_cap_header_struct header = {
      .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  for (int i = 0; i < 2; i++) {
    data[i].effective = (uint32_t)(caps->effective >> (32 * i));
    data[i].permitted = (uint32_t)(caps->permitted >> (32 * i));
    data[i].inheritable = (uint32_t)(caps->inheritable >> (32 * i));
  }
  if (syscall(SYS_capset, &header, data) != 0) {
    snprintf(err, errlen, "capset: %s", strerror(errno));
    return false;
  }
  prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  for (int cap = 0; cap < 64; cap++)
    if ((caps->ambient >> cap & 1) &&
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) {
      snprintf(err, errlen, "cannot raise ambient capability %s: %s",
               cap < (int)CAP_COUNT ? cap_names[cap] : "?", strerror(errno));
      return false;
    }
  return true;
}
