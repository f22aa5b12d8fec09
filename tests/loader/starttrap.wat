;; Fixture for test_instance.c: a start function that traps.
(module
  (import "ex" "shared" (global $shared (mut i32)))
  (func $start (global.set $shared (i32.const 555)) unreachable)
  (start $start)
)
