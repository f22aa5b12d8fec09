#include "artifact_info.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "artifact_checksum.h"
#include "artifact_section.h"
#include "runtime.h"

/* Sum of p_filesz over the executable PT_LOADs; 0 if the program header
 * table is not inside the image. */
static uint64_t executable_bytes(const uint8_t *image, size_t size,
                                 const Elf64_Ehdr *eh) {
  if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > size ||
      eh->e_phnum > (size - eh->e_phoff) / sizeof(Elf64_Phdr))
    return 0;
  uint64_t total = 0;
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    Elf64_Phdr ph;
    memcpy(&ph, image + eh->e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X))
      total += ph.p_filesz;
  }
  return total;
}

bool artifact_info_read(const uint8_t *image, size_t size, artifact_info *info,
                        char *err, size_t errlen) {
  memset(info, 0, sizeof *info);
  size_t off, meta_size;
  if (size < sizeof(Elf64_Ehdr) || memcmp(image, ELFMAG, SELFMAG) != 0)
    return rt_fail(err, errlen, "not an ELF file");
  if (!artifact_find_section(image, size, WASMAOT_META_SECTION, &off,
                             &meta_size))
    return rt_fail(err, errlen,
                   "not a wasmaot artifact (no readable %s section)",
                   WASMAOT_META_SECTION);
  if (off % 8 != 0)
    return rt_fail(err, errlen, "artifact metadata is misaligned");
  const wasmaot_meta_header *h = (const wasmaot_meta_header *)(image + off);
  if (!rt_module_check_format(h, meta_size, err, errlen) ||
      !rt_module_check_fields(h, meta_size, err, errlen))
    return false;
  Elf64_Ehdr eh;
  memcpy(&eh, image, sizeof eh);
  info->meta = h;
  info->meta_size = meta_size;
  info->cpu_features = (const char *)h + h->cpu_features_offset;
  info->skeleton = (const uint8_t *)h + h->skeleton_offset;
  info->skeleton_size = h->skeleton_size;
  info->machine = eh.e_machine;
  info->code_size = executable_bytes(image, size, &eh);
  size_t field = off + offsetof(wasmaot_meta_header, file_checksum);
  info->checksum_ok = artifact_checksum(image, size, field) == h->file_checksum;
  return true;
}

const char *artifact_machine_name(uint16_t machine, char *buf, size_t size) {
  switch (machine) {
  case EM_X86_64:
    return "x86_64";
  case EM_AARCH64:
    return "aarch64";
  default:
    snprintf(buf, size, "machine %u", machine);
    return buf;
  }
}
