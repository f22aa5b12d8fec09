/* Unit tests of the OCI runtime's parts that need no container:
 * config.json parsing (every field the runtime honours, and the errors),
 * signal names, container ids, the state file round trip. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "oci.h"
#include "oci_cgroup.h"
#include "oci_spec.h"
#include "oci_state.h"

static char bundle[256];

static int make_bundle(void **state) {
  (void)state;
  snprintf(bundle, sizeof bundle, "%s/oci-spec-test.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  return mkdtemp(bundle) ? 0 : -1;
}

static int remove_bundle(void **state) {
  (void)state;
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", bundle);
  return system(cmd) == 0 ? 0 : -1;
}

static void write_config(const char *json) {
  char path[512];
  snprintf(path, sizeof path, "%s/config.json", bundle);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(json, f);
  fclose(f);
}

static const char full_config[] =
    "{\"ociVersion\": \"1.0.2\",\n"
    " \"process\": {\"terminal\": true, \"cwd\": \"/srv\",\n"
    "   \"user\": {\"uid\": 1000, \"gid\": 100, \"additionalGids\": [5, 6]},\n"
    "   \"args\": [\"app.wasm\", \"--port\", \"80\"],\n"
    "   \"env\": [\"A=1\", \"WASMAOT_TCPLISTEN=0.0.0.0:80\"],\n"
    "   \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024, "
    "\"hard\": 18446744073709551615}],\n"
    "   \"noNewPrivileges\": true, \"oomScoreAdj\": -5,\n"
    "   \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\"],\n"
    "     \"effective\": [\"CAP_KILL\", \"CAP_NOT_A_CAP\"]}},\n"
    " \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
    " \"mounts\": [\n"
    "   {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": "
    "\"proc\"},\n"
    "   {\"destination\": \"/data\", \"type\": \"bind\", \"source\": "
    "\"data\", \"options\": [\"rbind\", \"ro\"]},\n"
    "   {\"destination\": \"/logs\", \"source\": \"/var/log\", "
    "\"options\": [\"bind\"]}],\n"
    " \"annotations\": {\"org.wasmaot.tcplisten\": \"127.0.0.1:81\"},\n"
    " \"linux\": {\"cgroupsPath\": \"/default/app\",\n"
    "   \"resources\": {\"memory\": {\"limit\": 67108864}, \"pids\": "
    "{\"limit\": 32}},\n"
    "   \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\", "
    "\"path\": \"/run/netns/pod\"}]},\n"
    " \"unknownField\": {\"ignored\": [1, 2, 3]}}\n";

static void test_full_config(void **state) {
  (void)state;
  write_config(full_config);
  oci_spec s;
  char err[256];
  assert_true(oci_spec_load(bundle, &s, err, sizeof err));
  char rootfs[512];
  snprintf(rootfs, sizeof rootfs, "%s/rootfs", s.bundle);
  assert_string_equal(s.root_path, rootfs);
  assert_true(s.root_read_only);
  assert_true(s.process.terminal);
  assert_string_equal(s.process.cwd, "/srv");
  assert_int_equal(s.process.uid, 1000);
  assert_int_equal(s.process.gid, 100);
  assert_int_equal(s.process.additional_gid_count, 2);
  assert_int_equal(s.process.additional_gids[1], 6);
  assert_int_equal(s.process.arg_count, 3);
  assert_string_equal(s.process.args[0], "app.wasm");
  assert_null(s.process.args[3]);
  assert_int_equal(s.process.env_count, 2);
  assert_string_equal(oci_process_getenv(&s.process, "WASMAOT_TCPLISTEN"),
                      "0.0.0.0:80");
  assert_null(oci_process_getenv(&s.process, "WASMAOT"));
  assert_int_equal(s.process.rlimit_count, 1);
  assert_int_equal(s.process.rlimits[0].resource, RLIMIT_NOFILE);
  assert_int_equal(s.process.rlimits[0].soft, 1024);
  assert_true(s.process.rlimits[0].hard == UINT64_MAX);
  assert_true(s.process.no_new_privileges);
  assert_true(s.process.has_oom_score_adj);
  assert_int_equal(s.process.oom_score_adj, -5);
  assert_true(s.process.caps.given);
  assert_int_equal(s.process.caps.bounding, (1 << 5) | (1 << 0));
  assert_int_equal(s.process.caps.effective, 1 << 5);
  assert_int_equal(s.process.caps.permitted, 0);
  assert_string_equal(s.process.unknown_caps, "CAP_NOT_A_CAP");
  assert_int_equal(s.mount_count, 3);
  assert_false(s.mounts[0].bind);
  assert_true(s.mounts[1].bind);
  assert_true(s.mounts[1].read_only);
  char data[512];
  snprintf(data, sizeof data, "%s/data", s.bundle);
  assert_string_equal(s.mounts[1].source, data);
  assert_true(s.mounts[2].bind);
  assert_false(s.mounts[2].read_only);
  assert_string_equal(s.mounts[2].source, "/var/log");
  assert_string_equal(s.cgroups_path, "/default/app");
  assert_int_equal(s.memory_limit, 67108864);
  assert_int_equal(s.pids_limit, 32);
  assert_true(s.network_namespace);
  assert_string_equal(s.netns_path, "/run/netns/pod");
  assert_string_equal(oci_spec_annotation(&s, "org.wasmaot.tcplisten"),
                      "127.0.0.1:81");
  assert_null(oci_spec_annotation(&s, "missing"));
  oci_spec_free(&s);
}

static void test_minimal_config_defaults(void **state) {
  (void)state;
  write_config("{\"process\": {\"args\": [\"/a.wasm\"]}, "
               "\"root\": {\"path\": \"/abs/root\"}, "
               "\"linux\": {\"resources\": {\"memory\": {\"limit\": -1}}}}");
  oci_spec s;
  char err[256];
  assert_true(oci_spec_load(bundle, &s, err, sizeof err));
  assert_string_equal(s.root_path, "/abs/root");
  assert_false(s.root_read_only);
  assert_string_equal(s.process.cwd, "/");
  assert_int_equal(s.process.uid, 0);
  assert_false(s.process.caps.given);
  assert_false(s.process.has_oom_score_adj);
  assert_int_equal(s.memory_limit, -1);
  assert_null(s.cgroups_path);
  assert_false(s.network_namespace);
  oci_spec_free(&s);
}

/* Each malformed config fails with a reason naming the field. */
static void test_config_errors(void **state) {
  (void)state;
  static const struct {
    const char *json, *reason;
  } cases[] = {
      {"{\"process\": {\"args\": [\"/a.wasm\"]}}", "root.path"},
      {"{\"root\": {\"path\": \"r\"}}", "process must be an object"},
      {"{\"root\": {\"path\": \"r\"}, \"process\": {\"args\": []}}",
       "process.args"},
      {"{\"root\": {\"path\": \"r\"}, \"process\": {\"args\": [1]}}",
       "process.args[0]"},
      {"{\"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"a\"], "
       "\"cwd\": \"rel\"}}",
       "process.cwd"},
      {"{\"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"a\"], "
       "\"rlimits\": [{\"type\": \"RLIMIT_BOGUS\", \"soft\": 1, \"hard\": "
       "1}]}}",
       "RLIMIT_BOGUS"},
      {"{\"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"a\"]}, "
       "\"mounts\": [{\"destination\": \"rel\"}]}",
       "mounts[0].destination"},
      {"{\"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"a\"]}, "
       "\"mounts\": [{\"destination\": \"/d\", \"type\": \"bind\"}]}",
       "needs a source"},
      {"{\"root\": ", "config.json:1"},
      {"[1, 2]", "must hold an object"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    write_config(cases[i].json);
    oci_spec s;
    char err[256] = "";
    bool ok = oci_spec_load(bundle, &s, err, sizeof err);
    oci_spec_free(&s);
    if (ok || !strstr(err, cases[i].reason))
      fail_msg("case %zu: %s -> ok=%d err=\"%s\", expected \"%s\"", i,
               cases[i].json, ok, err, cases[i].reason);
  }
}

static void test_missing_bundle(void **state) {
  (void)state;
  oci_spec s;
  char err[256];
  assert_false(oci_spec_load("/nonexistent/bundle", &s, err, sizeof err));
  assert_non_null(strstr(err, "No such file"));
  oci_spec_free(&s);
}

static void test_signals(void **state) {
  (void)state;
  assert_int_equal(oci_parse_signal("15"), SIGTERM);
  assert_int_equal(oci_parse_signal("9"), SIGKILL);
  assert_int_equal(oci_parse_signal("TERM"), SIGTERM);
  assert_int_equal(oci_parse_signal("SIGKILL"), SIGKILL);
  assert_int_equal(oci_parse_signal("sigusr1"), SIGUSR1);
  assert_int_equal(oci_parse_signal("hup"), SIGHUP);
  assert_int_equal(oci_parse_signal("WINCH"), SIGWINCH);
  assert_int_equal(oci_parse_signal("0"), -1);
  assert_int_equal(oci_parse_signal("65"), -1);
  assert_int_equal(oci_parse_signal("15x"), -1);
  assert_int_equal(oci_parse_signal("SIGNOPE"), -1);
}

static void test_ids(void **state) {
  (void)state;
  assert_true(oci_id_valid("abc-DEF_1.2+x"));
  assert_true(oci_id_valid("..."));
  assert_false(oci_id_valid(""));
  assert_false(oci_id_valid("."));
  assert_false(oci_id_valid(".."));
  assert_false(oci_id_valid("a/b"));
  assert_false(oci_id_valid("../x"));
  assert_false(oci_id_valid("a b"));
}

/* What create saves, load reads back; a running pid counts as alive
 * only with its own start time. */
static void test_state_round_trip(void **state) {
  (void)state;
  char root[512], err[256];
  snprintf(root, sizeof root, "%s/state-root", bundle);
  assert_true(oci_state_create_dir(root, "c1", err, sizeof err));
  assert_false(oci_state_create_dir(root, "c1", err, sizeof err));
  assert_non_null(strstr(err, "already exists"));
  char *cgroups[] = {"/sys/fs/cgroup/memory/x/c1", "/sys/fs/cgroup/pids/x/c1"};
  oci_state st = {.dir = oci_state_dir(root, "c1"),
                  .id = "c1",
                  .pid = getpid(),
                  .bundle = bundle,
                  .rootfs = "/r \"quoted\"",
                  .created_sec = 1700000000,
                  .created_nsec = 123456789,
                  .cgroups = cgroups,
                  .cgroup_count = 2};
  assert_true(oci_pid_start_time(getpid(), &st.start_time));
  assert_true(oci_state_save(&st, err, sizeof err));
  oci_state back;
  assert_int_equal(oci_state_load(root, "c1", &back, err, sizeof err), 1);
  assert_string_equal(back.id, "c1");
  assert_int_equal(back.pid, getpid());
  assert_true(back.start_time == st.start_time);
  assert_string_equal(back.rootfs, "/r \"quoted\"");
  assert_int_equal(back.created_sec, 1700000000);
  assert_int_equal(back.created_nsec, 123456789);
  assert_int_equal(back.cgroup_count, 2);
  assert_string_equal(back.cgroups[1], "/sys/fs/cgroup/pids/x/c1");
  /* exec.fifo is there: created. */
  assert_int_equal(oci_state_status(&back), OCI_STATUS_CREATED);
  back.start_time++;
  assert_int_equal(oci_state_status(&back), OCI_STATUS_STOPPED);
  oci_state_free(&back);
  assert_int_equal(oci_state_load(root, "nope", &back, err, sizeof err), 0);
  assert_int_equal(oci_state_load(root, "../x", &back, err, sizeof err), -1);
  oci_state_remove_dir(st.dir);
  assert_int_equal(oci_state_load(root, "c1", &back, err, sizeof err), 0);
  free(st.dir);
}

static void test_systemd_cgroup_paths(void **state) {
  (void)state;
  char buf[256];
  oci_cgroup_systemd_path("system.slice:cri-containerd:abc", buf, sizeof buf);
  assert_string_equal(buf, "/system.slice/cri-containerd-abc.scope");
  oci_cgroup_systemd_path("kubepods-besteffort-pod1.slice:cri-containerd:x",
                          buf, sizeof buf);
  assert_string_equal(buf, "/kubepods.slice/kubepods-besteffort.slice/"
                           "kubepods-besteffort-pod1.slice/"
                           "cri-containerd-x.scope");
  oci_cgroup_systemd_path("-.slice:p:n", buf, sizeof buf);
  assert_string_equal(buf, "/p-n.scope");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_full_config),
      cmocka_unit_test(test_minimal_config_defaults),
      cmocka_unit_test(test_config_errors),
      cmocka_unit_test(test_missing_bundle),
      cmocka_unit_test(test_signals),
      cmocka_unit_test(test_ids),
      cmocka_unit_test(test_state_round_trip),
      cmocka_unit_test(test_systemd_cgroup_paths),
  };
  return cmocka_run_group_tests(tests, make_bundle, remove_bundle);
}
