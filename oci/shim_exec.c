#include "shim_exec.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "oci_guest.h"
#include "oci_launch.h"
#include "oci_spec.h"
#include "shim_proc.h"

/* The fields of an ExecProcessRequest the shim uses. */
typedef struct exec_request {
  const uint8_t *str[7]; /* 1 id, 2 exec_id, 4 stdin, 5 stdout, 6 stderr */
  size_t len[7];
  bool terminal;
  const uint8_t *process; /* spec (an Any): its value, the process JSON */
  size_t process_len;
} exec_request;

static bool any_value(const uint8_t *p, size_t len, exec_request *r) {
  pb_reader any = pb_reader_of(p, len);
  pb_field f;
  int more;
  while ((more = pb_next(&any, &f)) > 0)
    if (f.number == 2 && f.wire == 2) {
      r->process = f.ptr;
      r->process_len = f.len;
    }
  return more == 0;
}

static bool exec_decode(const uint8_t *p, size_t len, exec_request *r) {
  *r = (exec_request){0};
  pb_reader rd = pb_reader_of(p, len);
  pb_field f;
  int more;
  while ((more = pb_next(&rd, &f)) > 0) {
    if (f.number == 3 && f.wire == 0)
      r->terminal = f.value != 0;
    else if (f.number == 7 && f.wire == 2 && !any_value(f.ptr, f.len, r))
      return false;
    else if (f.number < 7 && f.wire == 2) {
      r->str[f.number] = f.ptr;
      r->len[f.number] = f.len;
    }
  }
  return more == 0;
}

/* Field n of the request as a NUL-terminated copy in buf. */
static const char *field(const exec_request *r, int n, char *buf, size_t size) {
  size_t k = r->len[n] < size - 1 ? r->len[n] : size - 1;
  if (k)
    memcpy(buf, r->str[n], k);
  buf[k] = 0;
  return buf;
}

void shim_exec_add(shim_service *s, shim_task *t, const uint8_t *payload,
                   size_t len, ttrpc_result *res) {
  exec_request r;
  char id[256], exec_id[256], in[4096], out[4096], err[4096];
  res->code = TTRPC_INVALID_ARGUMENT;
  if (!exec_decode(payload, len, &r)) {
    snprintf(res->message, sizeof res->message, "malformed Exec request");
    return;
  }
  field(&r, 1, id, sizeof id);
  field(&r, 2, exec_id, sizeof exec_id);
  if (!t || strcmp(id, t->id)) {
    res->code = TTRPC_NOT_FOUND;
    snprintf(res->message, sizeof res->message, "task %s not found", id);
    return;
  }
  if (!*exec_id || r.terminal || !r.process) {
    snprintf(res->message, sizeof res->message, "exec %s: %s", exec_id,
             !*exec_id    ? "an exec id is needed"
             : r.terminal ? "terminals are not supported (run without -t)"
                          : "no process spec");
    return;
  }
  if (t->init.status != SHIM_RUNNING) {
    res->code = TTRPC_FAILED_PRECONDITION;
    snprintf(res->message, sizeof res->message, "task %s is not running",
             t->id);
    return;
  }
  for (size_t i = 0; i < t->exec_count; i++)
    if (!strcmp(t->execs[i]->exec_id, exec_id)) {
      res->code = TTRPC_ALREADY_EXISTS;
      snprintf(res->message, sizeof res->message, "exec %s already exists",
               exec_id);
      return;
    }
  shim_proc *p = shim_proc_new(exec_id, field(&r, 4, in, sizeof in),
                               field(&r, 5, out, sizeof out),
                               field(&r, 6, err, sizeof err));
  shim_proc **list =
      p ? realloc(t->execs, (t->exec_count + 1) * sizeof *list) : NULL;
  if (p)
    p->process_json = malloc(r.process_len + 1);
  if (!list || !p->process_json) {
    if (p) {
      shim_proc_clear(p);
      free(p);
    }
    res->code = TTRPC_INTERNAL;
    snprintf(res->message, sizeof res->message, "out of memory");
    return;
  }
  memcpy(p->process_json, r.process, r.process_len);
  p->process_json[r.process_len] = 0;
  p->process_len = r.process_len;
  p->status = SHIM_CREATED;
  t->execs = list;
  t->execs[t->exec_count++] = p;
  res->code = TTRPC_OK;
  pb_buf e = {0};
  pb_put_str(&e, 1, t->id);
  pb_put_str(&e, 2, exec_id);
  shim_publish(s->events, "/tasks/exec-added", "TaskExecAdded", &e);
  pb_buf_free(&e);
}

/* Forks the exec'd process as `wasmaot-oci exec` does. */
static pid_t launch_exec(shim_service *s, shim_proc *p, const oci_spec *spec,
                         const oci_process *proc, char *err, size_t errlen) {
  const shim_task *t = &s->task;
  oci_guest guest;
  pid_t pid = -1;
  int stdio[3];
  if (oci_guest_load(&guest, spec, proc, s->log, err, errlen) &&
      shim_open_stdio(p, stdio, err, errlen)) {
    oci_launch launch = {
        .spec = spec,
        .process = proc,
        .guest = &guest,
        .cgroup = &t->cgroup,
        .netns_of = t->init.pid,
        .init_pid = t->init.pid,
        .init_start_time = t->init_start_time,
        .stdio = stdio,
        .skip_atexit = true,
        .log = s->log,
    };
    pid = oci_launch_process(&launch, err, errlen);
    for (int i = 0; i < 3; i++)
      close(stdio[i]);
  }
  oci_guest_free(&guest);
  return pid;
}

bool shim_exec_start(shim_service *s, shim_proc *p, char *err, size_t errlen) {
  const shim_task *t = &s->task;
  if (t->init.status != SHIM_RUNNING) {
    snprintf(err, errlen, "task %s is not running", t->id);
    return false;
  }
  oci_spec spec;
  if (!oci_spec_load(t->bundle, &spec, err, errlen)) {
    oci_spec_free(&spec);
    return false;
  }
  json_error jerr;
  json_document *doc = json_parse(p->process_json, p->process_len, &jerr);
  oci_process proc = {0};
  pid_t pid = -1;
  if (!doc)
    snprintf(err, errlen, "process spec:%zu: %s", jerr.line, jerr.message);
  else if (oci_process_parse(json_document_root(doc), &proc, err, errlen))
    pid = launch_exec(s, p, &spec, &proc, err, errlen);
  oci_process_free(&proc);
  if (doc)
    json_document_free(doc);
  oci_spec_free(&spec);
  if (pid <= 0)
    return false;
  p->pid = pid;
  p->status = SHIM_RUNNING;
  if (!shim_watch_proc(s, p)) {
    kill(pid, SIGKILL);
    p->exit_status = oci_wait_status(pid);
    p->status = SHIM_STOPPED;
    snprintf(err, errlen, "cannot follow the exec'd process");
    return false;
  }
  pb_buf e = {0};
  pb_put_str(&e, 1, t->id);
  pb_put_str(&e, 2, p->exec_id);
  pb_put_uint(&e, 3, (uint64_t)pid);
  shim_publish(s->events, "/tasks/exec-started", "TaskExecStarted", &e);
  pb_buf_free(&e);
  return true;
}
