#include "artifact_section.h"

#include <elf.h>
#include <string.h>

/* [offset, offset + len) lies inside [0, size). */
static bool in_image(uint64_t offset, uint64_t len, size_t size) {
  return offset <= size && len <= size - offset;
}

bool artifact_find_section(const uint8_t *image, size_t size, const char *name,
                           size_t *offset, size_t *section_size) {
  Elf64_Ehdr eh;
  if (size < sizeof eh)
    return false;
  memcpy(&eh, image, sizeof eh); /* the image may be unaligned */
  if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_ident[EI_DATA] != ELFDATA2LSB ||
      eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shstrndx >= eh.e_shnum ||
      !in_image(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr), size))
    return false;
  Elf64_Shdr strtab;
  memcpy(&strtab, image + eh.e_shoff + eh.e_shstrndx * sizeof strtab,
         sizeof strtab);
  if (!in_image(strtab.sh_offset, strtab.sh_size, size))
    return false;
  const char *names = (const char *)image + strtab.sh_offset;
  size_t want = strlen(name) + 1;
  for (unsigned i = 0; i < eh.e_shnum; i++) {
    Elf64_Shdr sh;
    memcpy(&sh, image + eh.e_shoff + i * sizeof sh, sizeof sh);
    if (sh.sh_name >= strtab.sh_size || strtab.sh_size - sh.sh_name < want ||
        memcmp(names + sh.sh_name, name, want) != 0)
      continue;
    if (sh.sh_type == SHT_NOBITS || !in_image(sh.sh_offset, sh.sh_size, size))
      return false;
    *offset = (size_t)sh.sh_offset;
    *section_size = (size_t)sh.sh_size;
    return true;
  }
  return false;
}
