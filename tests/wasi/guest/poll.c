/* poll_oneoff. Run with --dir WORK::/w (fd 3) where WORK/f.txt holds 10
 * bytes, and stdin a pipe whose writer sends "hello" after about a
 * second and then closes. */
#include <time.h>
#include <unistd.h>

#include "wasi_test.h"

enum { DIR_FD = 3 };

static uint64_t now_ns(int32_t clock) {
  uint64_t t = 0;
  raw_clock_time_get(clock, 0, P(&t));
  return t;
}

static __wasi_subscription_t clock_sub(uint64_t userdata, int32_t id,
                                       uint64_t timeout, uint16_t flags) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = userdata;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = (uint32_t)id;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.flags = flags;
  return s;
}

static __wasi_subscription_t fd_sub(uint64_t userdata, uint8_t type,
                                    int32_t fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = userdata;
  s.u.tag = type;
  s.u.u.fd_read.file_descriptor = fd;
  return s;
}

static uint32_t poll_n(const __wasi_subscription_t *in, uint32_t n,
                       __wasi_event_t *out) {
  uint32_t nevents = 0;
  memset(out, 0xAA, n * sizeof *out);
  CHECK_OK(raw_poll_oneoff(P(in), P(out), (int32_t)n, P(&nevents)));
  return nevents;
}

static void check_clocks(void) {
  __wasi_event_t ev[3];
  __wasi_subscription_t s[3];

  s[0] = clock_sub(42, __WASI_CLOCKID_MONOTONIC, 20000000, 0);
  uint64_t t0 = now_ns(__WASI_CLOCKID_MONOTONIC);
  CHECK(poll_n(s, 1, ev) == 1);
  CHECK(now_ns(__WASI_CLOCKID_MONOTONIC) - t0 >= 20000000);
  CHECK(ev[0].userdata == 42 && ev[0].error == 0 &&
        ev[0].type == __WASI_EVENTTYPE_CLOCK);

  /* Absolute deadlines, on both clocks. */
  t0 = now_ns(__WASI_CLOCKID_MONOTONIC);
  s[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, t0 + 20000000,
                   __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  CHECK(poll_n(s, 1, ev) == 1);
  CHECK(now_ns(__WASI_CLOCKID_MONOTONIC) >= t0 + 20000000);
  uint64_t r0 = now_ns(__WASI_CLOCKID_REALTIME);
  s[0] = clock_sub(2, __WASI_CLOCKID_REALTIME, r0 + 20000000,
                   __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  CHECK(poll_n(s, 1, ev) == 1);
  CHECK(now_ns(__WASI_CLOCKID_REALTIME) >= r0 + 20000000);
  s[0] = clock_sub(3, __WASI_CLOCKID_REALTIME, 1,
                   __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  CHECK(poll_n(s, 1, ev) == 1 && ev[0].userdata == 3); /* in the past */

  /* The earliest of two fires alone. */
  s[0] = clock_sub(10, __WASI_CLOCKID_MONOTONIC, 500000000, 0);
  s[1] = clock_sub(11, __WASI_CLOCKID_MONOTONIC, 10000000, 0);
  t0 = now_ns(__WASI_CLOCKID_MONOTONIC);
  CHECK(poll_n(s, 2, ev) == 1 && ev[0].userdata == 11);
  CHECK(now_ns(__WASI_CLOCKID_MONOTONIC) - t0 < 400000000);

  /* An unknown clock is an event with an error, at once. */
  s[0] = clock_sub(12, 9, 1000000000, 0);
  CHECK(poll_n(s, 1, ev) == 1 && ev[0].error == E_INVAL);

  /* Output over the input: read before written. */
  __wasi_subscription_t both[1] = {clock_sub(13, 1, 1000, 0)};
  uint32_t nevents = 0;
  CHECK_OK(raw_poll_oneoff(P(both), P(both), 1, P(&nevents)));
  __wasi_event_t e;
  memcpy(&e, both, sizeof e);
  CHECK(nevents == 1 && e.userdata == 13 && e.type == 0);

  /* wasi-libc's sleeps are poll_oneoff too. */
  t0 = now_ns(__WASI_CLOCKID_MONOTONIC);
  usleep(15000);
  CHECK(now_ns(__WASI_CLOCKID_MONOTONIC) - t0 >= 15000000);
}

static void check_errors(void) {
  __wasi_subscription_t s[1] = {clock_sub(1, 1, 1000, 0)};
  __wasi_event_t ev[1];
  uint32_t n;
  CHECK_ERR(raw_poll_oneoff(P(s), P(ev), 0, P(&n)), E_INVAL);
  CHECK_ERR(raw_poll_oneoff(BAD_PTR, P(ev), 1, P(&n)), E_FAULT);
  CHECK_ERR(raw_poll_oneoff(P(s), BAD_PTR, 1, P(&n)), E_FAULT);
  CHECK_ERR(raw_poll_oneoff(P(s), P(ev), 1, BAD_PTR), E_FAULT);
  /* Subscriptions running past the end of memory. */
  CHECK_ERR(
      raw_poll_oneoff((int32_t)(memory_bytes() - 480), P(ev), 1000, P(&n)),
      E_FAULT);
  /* More than the host takes in one call (65536). */
  CHECK_ERR(raw_poll_oneoff(P(s), P(ev), 0x10000000, P(&n)), E_INVAL);
  s[0].u.tag = 7;
  CHECK_ERR(raw_poll_oneoff(P(s), P(ev), 1, P(&n)), E_INVAL);
}

static void check_files(void) {
  int32_t fd = open_rw(DIR_FD, "f.txt", 0);
  CHECK(fd >= 0);
  __wasi_subscription_t s[3];
  __wasi_event_t ev[3];
  s[0] = fd_sub(5, __WASI_EVENTTYPE_FD_READ, fd);
  s[1] = fd_sub(6, __WASI_EVENTTYPE_FD_WRITE, fd);
  s[2] = fd_sub(7, __WASI_EVENTTYPE_FD_WRITE, 1);
  CHECK(poll_n(s, 3, ev) == 3);
  CHECK(ev[0].userdata == 5 && ev[0].type == __WASI_EVENTTYPE_FD_READ &&
        ev[0].fd_readwrite.nbytes == 10 && ev[0].error == 0);
  CHECK(ev[1].userdata == 6 && ev[1].type == __WASI_EVENTTYPE_FD_WRITE);
  CHECK(ev[2].userdata == 7 && ev[2].error == 0);
  uint64_t pos;
  raw_fd_seek(fd, 4, 0, P(&pos));
  CHECK(poll_n(s, 1, ev) == 1 && ev[0].fd_readwrite.nbytes == 6);

  /* Bad fds and missing rights are reported per subscription. */
  s[0] = fd_sub(8, __WASI_EVENTTYPE_FD_READ, 99);
  s[1] = clock_sub(9, 1, 5000000000ull, 0);
  CHECK(poll_n(s, 2, ev) == 1 && ev[0].userdata == 8 && ev[0].error == E_BADF);
  CHECK_OK(raw_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_WRITE, 0));
  s[0] = fd_sub(10, __WASI_EVENTTYPE_FD_READ, fd);
  CHECK(poll_n(s, 1, ev) == 1 && ev[0].error == E_NOTCAPABLE);
  raw_fd_close(fd);
}

static void check_pipe(void) {
  __wasi_subscription_t s[2];
  __wasi_event_t ev[2];
  /* A pipe cannot seek: the host's answer, not a missing right. */
  uint64_t pos;
  CHECK_ERR(raw_fd_seek(0, 1, __WASI_WHENCE_CUR, P(&pos)), E_SPIPE);
  /* Nothing on stdin yet: the clock wins. */
  s[0] = fd_sub(20, __WASI_EVENTTYPE_FD_READ, 0);
  s[1] = clock_sub(21, 1, 50000000, 0);
  CHECK(poll_n(s, 2, ev) == 1 && ev[0].userdata == 21);
  /* Then the data arrives. */
  CHECK(poll_n(s, 1, ev) == 1 && ev[0].userdata == 20);
  CHECK(ev[0].fd_readwrite.nbytes == 5 && ev[0].error == 0);
  char buf[8] = {0};
  uint32_t iov[2] = {(uint32_t)P(buf), 8}, n;
  CHECK_OK(raw_fd_read(0, P(iov), 1, P(&n)));
  CHECK(n == 5 && !memcmp(buf, "hello", 5));
  /* The writer closes: readable (EOF) with the hangup flag. */
  CHECK(poll_n(s, 1, ev) == 1 &&
        (ev[0].fd_readwrite.flags & __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP));
}

int main(void) {
  check_errors();
  check_clocks();
  check_files();
  check_pipe();
  return test_finish("poll");
}
