;; Fixture for test_instance.c: imports everything exporter.wat exports
;; and reaches it through the shared objects.
(module
  (import "ex" "mem" (memory 1))
  (import "ex" "tab" (table 3 funcref))
  (import "ex" "shared" (global $shared (mut i32)))
  (import "ex" "seven" (func $seven (result i32)))
  (import "ex" "bump" (func $bump))
  (func $eight (result i32) (i32.const 8))
  (elem (i32.const 1) $eight)
  (data (i32.const 0) "\2a")
  (func (export "seven_plus_shared") (result i32)
    (call $bump)
    (i32.add (call $seven) (global.get $shared)))
  (func (export "set_shared") (param i32) (global.set $shared (local.get 0)))
  (export "seven_again" (func $seven))
)
