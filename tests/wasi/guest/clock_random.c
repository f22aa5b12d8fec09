/* clock_res_get, clock_time_get, random_get, sched_yield. */
#include "wasi_test.h"

static void check_clocks(void) {
  for (int32_t id = 0; id < 4; id++) {
    uint64_t res = 0, t1 = 0, t2 = 0;
    CHECK_OK(raw_clock_res_get(id, P(&res)));
    CHECK(res > 0);
    CHECK_OK(raw_clock_time_get(id, 1, P(&t1)));
    CHECK_OK(raw_clock_time_get(id, 0, P(&t2)));
    CHECK(t2 >= t1 || id == 0); /* realtime may step back */
  }
  uint64_t now = 0;
  CHECK_OK(raw_clock_time_get(0, 0, P(&now)));
  CHECK(now > 1600000000ull * 1000000000ull); /* after 2020 */
  CHECK_ERR(raw_clock_res_get(4, P(&now)), E_INVAL);
  CHECK_ERR(raw_clock_time_get(99, 0, P(&now)), E_INVAL);
  CHECK_ERR(raw_clock_res_get(1, BAD_PTR), E_FAULT);
  CHECK_ERR(raw_clock_time_get(1, 0, BAD_PTR), E_FAULT);
  CHECK_ERR(raw_clock_time_get(1, 0, (int32_t)(memory_bytes() - 4)), E_FAULT);
}

static void check_random(void) {
  uint8_t a[64] = {0}, b[64] = {0};
  CHECK_OK(raw_random_get(P(a), sizeof a));
  CHECK_OK(raw_random_get(P(b), sizeof b));
  CHECK(memcmp(a, b, sizeof a) != 0);
  CHECK_OK(raw_random_get(P(a), 0));
  CHECK_ERR(raw_random_get(BAD_PTR, 16), E_FAULT);
  CHECK_ERR(raw_random_get((int32_t)(memory_bytes() - 8), 16), E_FAULT);
  /* A length that wraps a 32-bit pointer sum. */
  CHECK_ERR(raw_random_get(P(a), (int32_t)0xFFFFFFF0u), E_FAULT);
}

int main(void) {
  check_clocks();
  check_random();
  CHECK_OK(raw_sched_yield());
  return test_finish("clock_random");
}
