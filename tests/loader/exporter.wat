;; Fixture for test_instance.c: the instance others import from.
(module
  (memory (export "mem") 1 4)
  (table (export "tab") 3 10 funcref)
  (global (export "shared") (mut i32) (i32.const 100))
  (func $seven (export "seven") (result i32) (i32.const 7))
  (func (export "bump") (global.set 0 (i32.add (global.get 0) (i32.const 1))))
  (func (export "read") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "call_slot") (param i32) (result i32)
    (call_indirect (result i32) (local.get 0)))
  (elem (i32.const 0) $seven)
)
