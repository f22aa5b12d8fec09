/* poll_oneoff: wait until a clock subscription's time comes or a
 * subscribed fd is ready, then report every subscription that is.
 *
 * All clock subscriptions become deadlines on the host's monotonic
 * clock (an absolute time of clock C is "now on C" away), so one ppoll()
 * with the earliest deadline as its timeout waits for everything at
 * once. Subscriptions that fail (bad fd, missing right, unknown clock)
 * are reported immediately as events carrying their error, as preview1
 * specifies, and make the call not block. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_funcs.h"
#include "wasi_internal.h"

enum { WASI_POLL_MAX = 1 << 16 };

typedef struct subscription {
  uint64_t userdata;
  uint8_t type;
  uint16_t error;    /* already failed: reported as is */
  int pollfd;        /* fd subscriptions: index into the pollfd array */
  uint64_t deadline; /* clock subscriptions: monotonic ns */
} subscription;

typedef struct poll_set {
  subscription *subs;
  struct pollfd *pfds;
  uint32_t count;
  nfds_t npfds;
  uint64_t earliest; /* UINT64_MAX: no clock subscription */
  bool has_error;
} poll_set;

static uint64_t monotonic_now(void) {
  uint64_t ns = 0;
  wasi_clock_now(WASI_CLOCK_MONOTONIC, &ns);
  return ns;
}

static uint64_t saturating_add(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void parse_clock(const uint8_t *raw, subscription *s, uint64_t now) {
  uint32_t id = wasi_get_u32(raw + WASI_SUBSCRIPTION_CLOCK_ID);
  uint64_t timeout = wasi_get_u64(raw + WASI_SUBSCRIPTION_CLOCK_TIMEOUT);
  uint16_t flags = wasi_get_u16(raw + WASI_SUBSCRIPTION_CLOCK_FLAGS);
  uint64_t remaining = timeout;
  if (flags & WASI_SUBCLOCK_ABSTIME) {
    uint64_t clock_now;
    int32_t err = wasi_clock_now(id, &clock_now);
    if (err) {
      s->error = (uint16_t)err;
      return;
    }
    remaining = timeout > clock_now ? timeout - clock_now : 0;
  } else {
    clockid_t host;
    if (!wasi_clock_to_host(id, &host)) {
      s->error = WASI_EINVAL;
      return;
    }
  }
  s->deadline = saturating_add(now, remaining);
}

static void parse_fd(wasi_ctx *ctx, const uint8_t *raw, subscription *s,
                     poll_set *set) {
  int32_t fd = (int32_t)wasi_get_u32(raw + WASI_SUBSCRIPTION_FD);
  bool reading = s->type == WASI_EVENTTYPE_FD_READ;
  uint64_t rights = WASI_RIGHT_POLL_FD_READWRITE |
                    (reading ? WASI_RIGHT_FD_READ : WASI_RIGHT_FD_WRITE);
  wasi_fd_entry *e;
  int32_t err = wasi_fd_lookup(ctx, fd, rights, &e);
  if (err) {
    s->error = (uint16_t)err;
    return;
  }
  s->pollfd = (int)set->npfds;
  set->pfds[set->npfds++] =
      (struct pollfd){.fd = e->host_fd, .events = reading ? POLLIN : POLLOUT};
}

/* Reads the subscriptions; EINVAL for an unknown subscription type. */
static int32_t parse_subscriptions(wasi_ctx *ctx, const uint8_t *in,
                                   poll_set *set) {
  uint64_t now = monotonic_now();
  for (uint32_t i = 0; i < set->count; i++) {
    const uint8_t *raw = in + (size_t)i * WASI_SUBSCRIPTION_SIZE;
    subscription *s = &set->subs[i];
    *s = (subscription){
        .userdata = wasi_get_u64(raw + WASI_SUBSCRIPTION_USERDATA),
        .type = raw[WASI_SUBSCRIPTION_TAG],
        .pollfd = -1,
        .deadline = UINT64_MAX,
    };
    if (s->type == WASI_EVENTTYPE_CLOCK)
      parse_clock(raw, s, now);
    else if (s->type == WASI_EVENTTYPE_FD_READ ||
             s->type == WASI_EVENTTYPE_FD_WRITE)
      parse_fd(ctx, raw, s, set);
    else
      return WASI_EINVAL;
    if (s->error)
      set->has_error = true;
    else if (s->type == WASI_EVENTTYPE_CLOCK && s->deadline < set->earliest)
      set->earliest = s->deadline;
  }
  return 0;
}

/* Blocks until an fd is ready or the earliest deadline passes. */
static int32_t wait_ready(poll_set *set) {
  for (;;) {
    struct timespec timeout, *tp = NULL;
    if (set->has_error) {
      timeout = (struct timespec){0};
      tp = &timeout;
    } else if (set->earliest != UINT64_MAX) {
      uint64_t now = monotonic_now();
      timeout =
          wasi_ns_to_timespec(set->earliest > now ? set->earliest - now : 0);
      tp = &timeout;
    }
    int n = ppoll(set->pfds, set->npfds, tp, NULL);
    if (n >= 0)
      return 0;
    if (errno != EINTR)
      return wasi_errno_last();
  }
}

/* Bytes ready to read: what is queued on a stream, what is left before
 * the end of a regular file. */
static uint64_t readable_bytes(int fd) {
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    off_t pos = lseek(fd, 0, SEEK_CUR);
    return pos >= 0 && st.st_size > pos ? (uint64_t)(st.st_size - pos) : 0;
  }
  int queued = 0;
  return ioctl(fd, FIONREAD, &queued) == 0 && queued > 0 ? (uint64_t)queued : 0;
}

/* Writes the event of subscription s if it fired; true if it did. */
static bool put_event(const poll_set *set, const subscription *s, uint64_t now,
                      uint8_t *out) {
  uint16_t error = s->error, flags = 0;
  uint64_t nbytes = 0;
  if (!error && s->type == WASI_EVENTTYPE_CLOCK) {
    if (now < s->deadline)
      return false;
  } else if (!error) {
    const struct pollfd *p = &set->pfds[s->pollfd];
    if (!p->revents)
      return false;
    if (p->revents & POLLNVAL)
      error = WASI_EBADF;
    else if ((p->revents & POLLERR) && !(p->revents & (POLLIN | POLLOUT)))
      error = WASI_EIO;
    if (p->revents & POLLHUP)
      flags |= WASI_EVENTRW_HANGUP;
    if (s->type == WASI_EVENTTYPE_FD_READ && !error)
      nbytes = readable_bytes(p->fd);
  }
  memset(out, 0, WASI_EVENT_SIZE);
  wasi_put_u64(out + WASI_EVENT_USERDATA, s->userdata);
  wasi_put_u16(out + WASI_EVENT_ERROR, error);
  out[WASI_EVENT_TYPE] = s->type;
  wasi_put_u64(out + WASI_EVENT_NBYTES, nbytes);
  wasi_put_u16(out + WASI_EVENT_FLAGS, flags);
  return true;
}

static uint32_t put_events(const poll_set *set, uint8_t *out) {
  uint64_t now = monotonic_now();
  uint32_t n = 0;
  for (uint32_t i = 0; i < set->count; i++)
    if (put_event(set, &set->subs[i], now, out + (size_t)n * WASI_EVENT_SIZE))
      n++;
  return n;
}

int32_t wasi_poll_oneoff(void *env, int32_t in, int32_t out,
                         int32_t nsubscriptions, int32_t nevents_out) {
  wasi_ctx *ctx = env;
  uint32_t count = (uint32_t)nsubscriptions;
  /* None would block forever; the cap keeps a guest from making us
   * allocate gigabytes (ppoll itself takes no more fds than that). */
  if (count == 0 || count > WASI_POLL_MAX)
    return WASI_EINVAL;
  const uint8_t *in_p = wasi_guest_bytes(
      ctx, (uint32_t)in, (uint64_t)count * WASI_SUBSCRIPTION_SIZE);
  uint8_t *out_p =
      wasi_guest_bytes(ctx, (uint32_t)out, (uint64_t)count * WASI_EVENT_SIZE);
  if (!in_p || !out_p || wasi_check_out(ctx, (uint32_t)nevents_out, 4))
    return WASI_EFAULT;
  /* Parsed into host memory first: `out` may overlap `in`. */
  poll_set set = {.count = count, .earliest = UINT64_MAX};
  set.subs = calloc(count, sizeof *set.subs);
  set.pfds = calloc(count, sizeof *set.pfds);
  int32_t err = set.subs && set.pfds ? 0 : WASI_ENOMEM;
  if (!err)
    err = parse_subscriptions(ctx, in_p, &set);
  /* ppoll waits at least its timeout, so the earliest clock has fired
   * when it returns; the loop only guards against waking a hair early. */
  uint32_t nevents = 0;
  while (!err && nevents == 0) {
    err = wait_ready(&set);
    if (!err)
      nevents = put_events(&set, out_p);
  }
  if (!err)
    err = wasi_store_u32(ctx, (uint32_t)nevents_out, nevents);
  free(set.subs);
  free(set.pfds);
  return err;
}
