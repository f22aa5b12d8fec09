;; wasmaot's own memory64 assertions, beside the 3.0 suite's memory64/
;; folder (spec-memory64-wasmaot in tests/spec/meson.build): what its
;; scripts do not check and an explicit bounds check gets wrong most
;; easily — sums that wrap around 2^64, indices above 2^32 that must not
;; be truncated, growth past 4 GiB.

;; addr + offset + size is formed without wrapping: each of these would
;; land in bounds (at 0 or 1) if it wrapped.
(module
  (memory i64 1)
  (func (export "load") (param i64) (result i32) (i32.load (local.get 0)))
  (func (export "load_off1") (param i64) (result i32)
    (i32.load offset=1 (local.get 0)))
  (func (export "load_offmax") (param i64) (result i32)
    (i32.load8_u offset=0xffff_ffff_ffff_ffff (local.get 0)))
  (func (export "load_offbig") (param i64) (result i64)
    (i64.load offset=0xffff_ffff_ffff_fff9 (local.get 0)))
  (func (export "store") (param i64 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "v128_load") (param i64) (result i32)
    (i32x4.extract_lane 0 (v128.load (local.get 0))))
  (func (export "atomic_load") (param i64) (result i32)
    (i32.atomic.load (local.get 0)))
  (func (export "notify") (param i64) (result i32)
    (memory.atomic.notify offset=8 (local.get 0) (i32.const 1)))
  (func (export "fill") (param i64 i64) (memory.fill (local.get 0) (i32.const 7) (local.get 1)))
  (func (export "copy") (param i64 i64 i64)
    (memory.copy (local.get 0) (local.get 1) (local.get 2)))
)
(assert_return (invoke "load" (i64.const 65532)) (i32.const 0))
(assert_trap (invoke "load" (i64.const 65533)) "out of bounds memory access")
(assert_trap (invoke "load" (i64.const -1)) "out of bounds memory access")
(assert_trap (invoke "load" (i64.const -4)) "out of bounds memory access")
(assert_trap (invoke "load" (i64.const 0x1_0000_0000)) "out of bounds memory access")
(assert_trap (invoke "load_off1" (i64.const -1)) "out of bounds memory access")
(assert_trap (invoke "load_off1" (i64.const -5)) "out of bounds memory access")
(assert_trap (invoke "load_offmax" (i64.const 0)) "out of bounds memory access")
(assert_trap (invoke "load_offmax" (i64.const 1)) "out of bounds memory access")
(assert_trap (invoke "load_offbig" (i64.const 7)) "out of bounds memory access")
(assert_trap (invoke "store" (i64.const -2) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "v128_load" (i64.const -8)) "out of bounds memory access")
(assert_trap (invoke "v128_load" (i64.const 65521)) "out of bounds memory access")
(assert_return (invoke "v128_load" (i64.const 65520)) (i32.const 0))
;; Bounds before alignment.
(assert_trap (invoke "atomic_load" (i64.const -2)) "out of bounds memory access")
(assert_trap (invoke "atomic_load" (i64.const 2)) "unaligned atomic")
(assert_trap (invoke "notify" (i64.const -8)) "out of bounds memory access")
(assert_return (invoke "notify" (i64.const 0)) (i32.const 0))
;; Bulk operations: no wrap either, and nothing written on a trap.
(assert_trap (invoke "fill" (i64.const 1) (i64.const -1)) "out of bounds memory access")
(assert_trap (invoke "fill" (i64.const -1) (i64.const 2)) "out of bounds memory access")
(assert_trap (invoke "copy" (i64.const 0) (i64.const -1) (i64.const 2)) "out of bounds memory access")
(assert_trap (invoke "copy" (i64.const 8) (i64.const 0) (i64.const -8)) "out of bounds memory access")
(assert_return (invoke "fill" (i64.const 65535) (i64.const 1)))
(assert_return (invoke "load_off1" (i64.const 65531)) (i32.const 0x0700_0000))

;; Growth past 4 GiB (the reservation without a maximum is 64 GiB), and
;; an access above 2^32 reaches its own byte, not a truncated address.
(module
  (memory i64 1)
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "size") (result i64) (memory.size))
  (func (export "store8") (param i64 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "load8") (param i64) (result i32) (i32.load8_u (local.get 0)))
)
(assert_return (invoke "grow" (i64.const 0x1_0000)) (i64.const 1))
(assert_return (invoke "size") (i64.const 0x1_0001))
(assert_return (invoke "store8" (i64.const 0x1_0000_0005) (i32.const 42)))
(assert_return (invoke "load8" (i64.const 0x1_0000_0005)) (i32.const 42))
(assert_return (invoke "load8" (i64.const 5)) (i32.const 0))
(assert_return (invoke "load8" (i64.const 0x1_0000_ffff)) (i32.const 0))
(assert_trap (invoke "load8" (i64.const 0x1_0001_0000)) "out of bounds memory access")
(assert_return (invoke "grow" (i64.const -1)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 0x1_0000_0000_0000)) (i64.const -1))
(assert_return (invoke "size") (i64.const 0x1_0001))

;; A copy between a 32- and a 64-bit memory takes i32 for the length and
;; each side's own address type.
(module
  (memory $m32 1)
  (memory $m64 i64 1)
  (data (memory $m32) (i32.const 10) "abc")
  (func (export "to64") (param i64 i32 i32)
    (memory.copy $m64 $m32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "to32") (param i32 i64 i32)
    (memory.copy $m32 $m64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "load64") (param i64) (result i32) (i32.load8_u $m64 (local.get 0)))
  (func (export "load32") (param i32) (result i32) (i32.load8_u $m32 (local.get 0)))
)
(assert_return (invoke "to64" (i64.const 100) (i32.const 10) (i32.const 3)))
(assert_return (invoke "load64" (i64.const 102)) (i32.const 0x63))
(assert_return (invoke "to32" (i32.const 200) (i64.const 101) (i32.const 2)))
(assert_return (invoke "load32" (i32.const 201)) (i32.const 0x63))
(assert_trap (invoke "to64" (i64.const -1) (i32.const 10) (i32.const 3)) "out of bounds memory access")
(assert_trap (invoke "to32" (i32.const 0) (i64.const 0x1_0000_0000) (i32.const 1)) "out of bounds memory access")

;; A data segment's i64 offset is checked without a wrapping sum.
(assert_trap
  (module (memory i64 1) (data (i64.const -1) "ab"))
  "out of bounds memory access")

;; 64-bit tables: an index above 2^32 is out of bounds, never truncated
;; to a small one.
(module
  (type $t (func (result i32)))
  (table $t64 i64 2 funcref)
  (elem (table $t64) (i64.const 0) func $f)
  (func $f (type $t) (i32.const 7))
  (func (export "call") (param i64) (result i32)
    (call_indirect $t64 (type $t) (local.get 0)))
  (func (export "get_is_null") (param i64) (result i32)
    (ref.is_null (table.get $t64 (local.get 0))))
  (func (export "grow") (param i64) (result i64)
    (table.grow $t64 (ref.null func) (local.get 0)))
  (func (export "fill") (param i64 i64)
    (table.fill $t64 (local.get 0) (ref.null func) (local.get 1)))
)
(assert_return (invoke "call" (i64.const 0)) (i32.const 7))
(assert_trap (invoke "call" (i64.const 0x1_0000_0000)) "undefined element")
(assert_trap (invoke "call" (i64.const -1)) "undefined element")
(assert_trap (invoke "get_is_null" (i64.const 0x1_0000_0000)) "out of bounds table access")
(assert_return (invoke "get_is_null" (i64.const 1)) (i32.const 1))
(assert_return (invoke "grow" (i64.const 0x8000_0000_0000_0000)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 1)) (i64.const 2))
(assert_trap (invoke "fill" (i64.const 1) (i64.const -1)) "out of bounds table access")
(assert_return (invoke "call" (i64.const 0)) (i32.const 7))

;; A shared 64-bit memory (threads and memory64 together).
(module
  (memory i64 1 2 shared)
  (func (export "rmw") (param i64) (result i32)
    (i32.atomic.rmw.add (local.get 0) (i32.const 5)))
  (func (export "size") (result i64) (memory.size))
)
(assert_return (invoke "rmw" (i64.const 8)) (i32.const 0))
(assert_return (invoke "rmw" (i64.const 8)) (i32.const 5))
(assert_trap (invoke "rmw" (i64.const 65536)) "out of bounds memory access")
(assert_return (invoke "size") (i64.const 1))
