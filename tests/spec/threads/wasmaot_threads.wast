;; wasmaot's own threads assertions, beside the proposal's scripts
;; (spec-threads-own in tests/spec/meson.build): behaviour the proposal
;; specifies and its scripts do not check.

;; wait on an unshared memory traps; notify wakes nobody there.
(module
  (memory 1 1)
  (func (export "wait32") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait64") (param i32 i64 i64) (result i32)
    (memory.atomic.wait64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "notify") (param i32 i32) (result i32)
    (memory.atomic.notify (local.get 0) (local.get 1)))
)
(assert_trap (invoke "wait32" (i32.const 0) (i32.const 0) (i64.const 0)) "expected shared memory")
(assert_trap (invoke "wait64" (i32.const 0) (i64.const 0) (i64.const 0)) "expected shared memory")
(assert_return (invoke "notify" (i32.const 0) (i32.const 1)) (i32.const 0))
;; Bounds before alignment, then sharedness.
(assert_trap (invoke "wait32" (i32.const 65536) (i32.const 0) (i64.const 0)) "out of bounds memory access")
(assert_trap (invoke "notify" (i32.const 65533) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "notify" (i32.const 2) (i32.const 1)) "unaligned atomic")

(module
  (memory 1 1 shared)
  (func (export "wait32") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait64") (param i32 i64 i64) (result i32)
    (memory.atomic.wait64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait32_off") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 offset=4 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "notify") (param i32 i32) (result i32)
    (memory.atomic.notify (local.get 0) (local.get 1)))
  (func (export "store64") (param i32 i64) (i64.atomic.store (local.get 0) (local.get 1)))
  (func (export "cmpxchg8") (param i32 i32 i32) (result i32)
    (i32.atomic.rmw8.cmpxchg_u (local.get 0) (local.get 1) (local.get 2)))
  (func (export "cmpxchg32_64") (param i32 i64 i64) (result i64)
    (i64.atomic.rmw32.cmpxchg_u (local.get 0) (local.get 1) (local.get 2)))
  (func (export "load8") (param i32) (result i32) (i32.atomic.load8_u (local.get 0)))
  (func (export "load32") (param i32) (result i32) (i32.atomic.load (local.get 0)))
  (func (export "load64_off") (param i32) (result i64) (i64.atomic.load offset=8 (local.get 0)))
  (func (export "rmw16_sub") (param i32 i32) (result i32)
    (i32.atomic.rmw16.sub_u (local.get 0) (local.get 1)))
  (func (export "load16") (param i32) (result i32) (i32.atomic.load16_u (local.get 0)))
  (func (export "fence") (atomic.fence))
)
;; The expected value and no one to notify: a zero timeout times out (2).
(assert_return (invoke "wait32" (i32.const 0) (i32.const 0) (i64.const 0)) (i32.const 2))
(assert_return (invoke "wait64" (i32.const 8) (i64.const 0) (i64.const 1000)) (i32.const 2))
(assert_return (invoke "wait32_off" (i32.const 0) (i32.const 0) (i64.const 0)) (i32.const 2))
(invoke "store64" (i32.const 8) (i64.const 0x0000000100000000))
(assert_return (invoke "wait64" (i32.const 8) (i64.const 0) (i64.const -1)) (i32.const 1))
(assert_return (invoke "wait32" (i32.const 12) (i32.const 1) (i64.const 0)) (i32.const 2))
(assert_return (invoke "notify" (i32.const 0) (i32.const 0xffffffff)) (i32.const 0))
;; The effective address (index + offset) must be aligned and in bounds.
(assert_trap (invoke "wait32_off" (i32.const 2) (i32.const 0) (i64.const 0)) "unaligned atomic")
(assert_trap (invoke "wait32_off" (i32.const 65532) (i32.const 0) (i64.const 0)) "out of bounds memory access")
(assert_trap (invoke "load64_off" (i32.const 4)) "unaligned atomic")
(assert_return (invoke "load64_off" (i32.const 0)) (i64.const 0x0000000100000000))
;; Unaligned and out of bounds: out of bounds is reported.
(assert_trap (invoke "load32" (i32.const 65535)) "out of bounds memory access")
(assert_trap (invoke "load32" (i32.const 0xfffffffd)) "out of bounds memory access")
(assert_trap (invoke "load64_off" (i32.const 0xfffffff4)) "out of bounds memory access")
(assert_trap (invoke "load32" (i32.const 65533)) "out of bounds memory access")
(assert_trap (invoke "load32" (i32.const 65530)) "unaligned atomic")
(assert_trap (invoke "load8" (i32.const 65536)) "out of bounds memory access")
;; A narrow cmpxchg wraps the expected value to the access width.
(assert_return (invoke "cmpxchg8" (i32.const 32) (i32.const 0x100) (i32.const 0x1ab)) (i32.const 0))
(assert_return (invoke "load8" (i32.const 32)) (i32.const 0xab))
(assert_return (invoke "cmpxchg32_64" (i32.const 32) (i64.const 0xffffffff000000ab) (i64.const 0x1234)) (i64.const 0xab))
(assert_return (invoke "load32" (i32.const 32)) (i32.const 0x1234))
;; Narrow rmw wraps around in its width and returns the old value.
(assert_return (invoke "rmw16_sub" (i32.const 40) (i32.const 1)) (i32.const 0))
(assert_return (invoke "load16" (i32.const 40)) (i32.const 0xffff))
(assert_return (invoke "load32" (i32.const 40)) (i32.const 0xffff))
(invoke "fence")

;; Validation: an atomic's alignment must be exactly its natural one.
(assert_invalid
  (module (memory 1 1 shared) (func (drop (i32.atomic.load align=2 (i32.const 0)))))
  "alignment must be equal to natural")
(assert_invalid
  (module (memory 1 1 shared) (func (drop (i64.atomic.rmw.add align=4 (i32.const 0) (i64.const 0)))))
  "alignment must be equal to natural")
(assert_invalid
  (module (memory 1 1 shared) (func (drop (memory.atomic.wait64 align=4 (i32.const 0) (i64.const 0) (i64.const 0)))))
  "alignment must be equal to natural")

;; Sharedness is part of the memory's type when linking.
(module $shared (memory (export "m") 1 2 shared))
(register "shared" $shared)
(module (import "shared" "m" (memory 1 2 shared)))
(assert_unlinkable (module (import "shared" "m" (memory 1 2))) "incompatible import type")
(assert_unlinkable (module (import "shared" "m" (memory 1 1 shared))) "incompatible import type")
