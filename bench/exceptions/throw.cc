// The native side of bench/exceptions.sh: legacy.wat and exnref.wat's rounds in C++
// (g++ -O2, libstdc++'s unwinder): `down` recurses `depth` frames and
// throws an int (or returns, with throw = 0), each round catches it.
//   throw MODE ROUNDS DEPTH THROW   (MODE: catch | plain)
#include <cstdio>
#include <cstdlib>
#include <cstring>

__attribute__((noinline)) static int down(int depth, int thrown) {
  if (depth == 0) {
    if (thrown)
      throw thrown;
    return 1;
  }
  int r = down(depth - 1, thrown);
  asm volatile("" : "+r"(r)); // keeps the frames: no accumulator loop
  return r + 1;
}

int main(int argc, char **argv) {
  if (argc != 5)
    return 2;
  bool handle = std::strcmp(argv[1], "catch") == 0;
  int rounds = std::atoi(argv[2]), depth = std::atoi(argv[3]),
      thrown = std::atoi(argv[4]);
  unsigned sum = 0;
  for (int i = 0; i < rounds; i++) {
    if (handle) {
      try {
        sum += down(depth, thrown);
      } catch (int v) {
        sum += v;
      }
    } else {
      sum += down(depth, 0);
    }
  }
  std::printf("%u\n", sum);
  return 0;
}
