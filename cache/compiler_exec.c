/* compiler_load() for statically linked programs that must still compile
 * (containerd-shim-wasmaot-v1): with no dynamic loader to bring in
 * libwasmaot-compiler.so and LLVM, a compile runs `wasmaot aot-compile`
 * (the command installed beside the program) in a child process, through
 * a private temporary directory. The shim is linked statically because
 * containerd execs it twice per container, and a dynamically linked
 * start costs about a third of a millisecond more each time; running the
 * compiler in a child also keeps LLVM's memory, and any crash of it, out
 * of the long-lived shim. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compiler_load.h"
#include "file_read.h"
#include "file_write.h"
#include "profile_format.h"
#include "sha256.h"

#ifndef WASMAOT_VERSION
#define WASMAOT_VERSION "unknown"
#endif

/* `wasmaot` beside the running executable, else the one on PATH. */
static void find_cli(char *buf, size_t size) {
  if (executable_dir(buf, size) && strlen(buf) + sizeof "wasmaot" <= size) {
    strcat(buf, "wasmaot");
    if (access(buf, X_OK) == 0)
      return;
  }
  snprintf(buf, size, "wasmaot");
}

/* The command line for `opts`. False (with the reason) for an option the
 * command line cannot express. */
static bool build_argv(const aot_options *opts, const char *cli, const char *in,
                       const char *profile, const char *out, char *storage,
                       size_t storage_size, const char **argv, char *errbuf,
                       size_t errlen) {
  if (opts->disabled_features || opts->piece_bytes) {
    snprintf(errbuf, errlen,
             "the compiler in a child process takes default Wasm features "
             "and pieces only");
    return false;
  }
  const codegen_target_options *t = &opts->target;
  size_t n = 0, used = 0;
  argv[n++] = cli;
  argv[n++] = "aot-compile";
  if (t->fast_tier) {
    argv[n++] = "--fast";
  } else {
    argv[n++] = storage + used;
    used += (size_t)snprintf(storage + used, storage_size - used, "-O%u",
                             t->opt_level > 3 ? 3 : t->opt_level) +
            1;
  }
  if (t->triple) {
    argv[n++] = "--target";
    argv[n++] = t->triple;
  }
  if (t->cpu) {
    argv[n++] = "--cpu";
    argv[n++] = t->cpu;
  }
  if (t->features) {
    argv[n++] = "--features";
    argv[n++] = t->features;
  }
  if (t->frame_pointers)
    argv[n++] = "--frame-pointers";
  if (t->count_entries)
    argv[n++] = "--count";
  if (profile) {
    argv[n++] = "--profile";
    argv[n++] = profile;
  }
  if (opts->verify_ir)
    argv[n++] = "--verify-ir";
  if (opts->jobs) {
    argv[n++] = "--jobs";
    argv[n++] = storage + used;
    used += (size_t)snprintf(storage + used, storage_size - used, "%u",
                             opts->jobs) +
            1;
  }
  argv[n++] = in;
  argv[n++] = "-o";
  argv[n++] = out;
  argv[n] = NULL;
  return true;
}

/* What the child said, as one line without its "INPUT:" prefix. */
static void child_reason(int mem, const char *in, char *errbuf, size_t errlen) {
  char text[1024];
  ssize_t got = pread(mem, text, sizeof text - 1, 0);
  text[got > 0 ? got : 0] = 0;
  char *s = text;
  size_t k = strlen(in);
  if (!strncmp(s, in, k) && s[k] == ':')
    s += k + 1;
  for (char *p = s; *p; p++)
    if (*p == '\n')
      *p = p[1] ? ' ' : 0;
  if (*s)
    snprintf(errbuf, errlen, "%s", s);
}

/* Runs the command with stderr in `mem`; its exit status, or -1. */
static int run_child(const char *const *argv, int mem) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0)
      dup2(null, 0), dup2(null, 1);
    dup2(mem, 2);
    execvp(argv[0], (char *const *)argv);
    static const char msg[] = "cannot run wasmaot (not beside this program, "
                              "not on PATH)\n";
    ssize_t said = write(2, msg, sizeof msg - 1);
    (void)said;
    _exit(127);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* opts->profile as a profile file at `path` (profile_format.h). */
static bool write_profile(const char *path, const uint8_t *wasm, size_t size,
                          const aot_options *opts) {
  uint8_t digest[32];
  sha256(wasm, size, digest);
  wasmaot_profile_header h =
      wasmaot_profile_header_for(opts->profile_count, digest);
  size_t bytes = sizeof h + 8ull * h.count;
  uint8_t *buf = malloc(bytes);
  if (!buf)
    return false;
  memcpy(buf, &h, sizeof h);
  memcpy(buf + sizeof h, opts->profile, 8ull * h.count);
  bool ok = file_write_atomic(path, buf, bytes);
  free(buf);
  return ok;
}

static bool compile_in_child(const uint8_t *wasm, size_t size,
                             const aot_options *opts, aot_output *out,
                             char *errbuf, size_t errlen) {
  char cli[PATH_MAX], dir[PATH_MAX], in[PATH_MAX + 16], so[PATH_MAX + 16],
      profile[PATH_MAX + 16];
  char storage[64];
  const char *argv[24];
  find_cli(cli, sizeof cli);
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/wasmaot-compile.XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  snprintf(errbuf, errlen, "wasmaot aot-compile failed");
  if (!mkdtemp(dir)) {
    snprintf(errbuf, errlen, "cannot make a directory to compile in: %s",
             strerror(errno));
    return false;
  }
  snprintf(in, sizeof in, "%s/module.wasm", dir);
  snprintf(so, sizeof so, "%s/module.so", dir);
  snprintf(profile, sizeof profile, "%s/module.profile", dir);
  bool ok = false;
  int mem = memfd_create("wasmaot-compile-stderr", MFD_CLOEXEC);
  if (mem < 0 || !file_write_atomic(in, wasm, size) ||
      (opts->profile && !write_profile(profile, wasm, size, opts))) {
    snprintf(errbuf, errlen, "cannot write %s: %s", in, strerror(errno));
  } else if (build_argv(opts, cli, in, opts->profile ? profile : NULL, so,
                        storage, sizeof storage, argv, errbuf, errlen)) {
    int status = run_child(argv, mem);
    if (status == 0) {
      out->data = file_read_all(so, &out->size);
      ok = out->data != NULL;
      if (!ok)
        snprintf(errbuf, errlen, "cannot read %s: %s", so, strerror(errno));
    } else {
      snprintf(errbuf, errlen, "%s aot-compile %s (status %d)", cli,
               status < 0 ? "could not be run" : "failed", status);
      child_reason(mem, in, errbuf, errlen);
    }
  }
  if (mem >= 0)
    close(mem);
  unlink(so);
  unlink(in);
  unlink(profile);
  rmdir(dir);
  return ok;
}

static const wasmaot_compiler_plugin exec_compiler = {
    .abi_version = WASMAOT_COMPILER_PLUGIN_ABI,
    .version = WASMAOT_VERSION,
    .compile = compile_in_child,
};

const wasmaot_compiler_plugin *compiler_load(char *errbuf, size_t errlen) {
  if (errlen)
    errbuf[0] = 0;
  return &exec_compiler;
}
