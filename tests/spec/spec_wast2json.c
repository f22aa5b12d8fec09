#include "spec_wast2json.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

static bool wait_for(pid_t pid, int *status) {
  while (waitpid(pid, status, 0) < 0) {
    if (errno != EINTR)
      return false;
  }
  return true;
}

static bool describe_status(const char *program, int status, char *why,
                            size_t why_size) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return true;
  if (WIFEXITED(status))
    snprintf(why, why_size, "%s exited with status %d", program,
             WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    snprintf(why, why_size, "%s killed by signal %d", program,
             WTERMSIG(status));
  else
    snprintf(why, why_size, "%s ended abnormally", program);
  return false;
}

bool spec_wast2json(const spec_converter *conv, const char *wast_path,
                    const char *json_path, char *why, size_t why_size) {
  size_t argc = 4 + conv->flag_count;
  /* posix_spawn takes char *const[]; it does not modify the strings. */
  char **argv = calloc(argc + 1, sizeof *argv);
  if (!argv) {
    snprintf(why, why_size, "out of memory");
    return false;
  }
  argv[0] = (char *)conv->program;
  argv[1] = (char *)wast_path;
  argv[2] = (char *)"-o";
  argv[3] = (char *)json_path;
  for (size_t i = 0; i < conv->flag_count; i++)
    argv[4 + i] = (char *)conv->flags[i];
  pid_t pid;
  int rc = posix_spawnp(&pid, conv->program, NULL, NULL, argv, environ);
  free(argv);
  if (rc != 0) {
    snprintf(why, why_size, "cannot run %s: %s", conv->program, strerror(rc));
    return false;
  }
  int status;
  if (!wait_for(pid, &status)) {
    snprintf(why, why_size, "waiting for %s: %s", conv->program,
             strerror(errno));
    return false;
  }
  return describe_status(conv->program, status, why, why_size);
}
