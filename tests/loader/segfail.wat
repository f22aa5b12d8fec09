;; Fixture for test_instance.c: instantiation traps in its data segments
;; after writing an element into an imported table and a byte into an
;; imported memory; both writes must stay (spec 2.0).
(module
  (import "ex" "mem" (memory 1))
  (import "ex" "tab" (table 3 funcref))
  (func $nine (result i32) (i32.const 9))
  (elem (i32.const 2) $nine)
  (data (i32.const 5) "\63")
  (data (i32.const 65535) "ab")
)
