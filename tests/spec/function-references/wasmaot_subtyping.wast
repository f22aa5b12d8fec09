;; What the 3.0 suite checks of declared subtypes only in gc/ (which
;; wasmaot skips whole): call_indirect of a non-final type accepts a
;; declared subtype at run time (the FUNC_SUBTYPE helper path), in one
;; module and through another module's table; function and global
;; imports accept subtypes, and refuse types that are merely alike.

(module $m1
  (type $base (sub (func (result i32))))
  (type $derived (sub $base (func (result i32))))
  (type $plain (func (result i32)))
  (func $d (type $derived) (i32.const 7))
  (func $p (type $plain) (i32.const 8))
  (table $t (export "tab") 3 funcref)
  (elem (table $t) (i32.const 0) func $d $p)
  (func (export "call-base") (param i32) (result i32)
    (call_indirect $t (type $base) (local.get 0)))
  (func (export "call-derived") (param i32) (result i32)
    (call_indirect $t (type $derived) (local.get 0)))
  (func (export "call-plain") (param i32) (result i32)
    (call_indirect $t (type $plain) (local.get 0)))
  (export "d" (func $d))
  (export "p" (func $p))
  (global (export "gd") (ref $derived) (ref.func $d))
  (global (export "gp") (ref $plain) (ref.func $p))
)
(register "m1" $m1)

;; A derived function through its base type, its own type, not through a
;; final type of the same shape; a final type matches only itself.
(assert_return (invoke "call-base" (i32.const 0)) (i32.const 7))
(assert_return (invoke "call-derived" (i32.const 0)) (i32.const 7))
(assert_trap (invoke "call-plain" (i32.const 0)) "indirect call type mismatch")
(assert_trap (invoke "call-base" (i32.const 1)) "indirect call type mismatch")
(assert_trap (invoke "call-derived" (i32.const 1)) "indirect call type mismatch")
(assert_return (invoke "call-plain" (i32.const 1)) (i32.const 8))
(assert_trap (invoke "call-base" (i32.const 2)) "uninitialized element")

;; A type equal to $derived in another module (same group structure,
;; same supertype) is $derived: importing the global as it links.
(module
  (type $base (sub (func (result i32))))
  (type $same (sub $base (func (result i32))))
  (import "m1" "gd" (global (ref $same))))

;; Another module's equal rec groups are the same types: its base type
;; accepts m1's derived function through m1's table and as an import.
(module $m2
  (type $base (sub (func (result i32))))
  (type $derived (sub $base (func (result i32))))
  (import "m1" "d" (func $imp (type $base)))
  (import "m1" "tab" (table $t 3 funcref))
  (import "m1" "gd" (global $g (ref null $base)))
  (func (export "call-imp") (result i32) (call $imp))
  (func (export "call-table") (param i32) (result i32)
    (call_indirect $t (type $base) (local.get 0)))
  (func (export "call-global") (result i32)
    (call_ref $base (global.get $g)))
)
(assert_return (invoke "call-imp") (i32.const 7))
(assert_return (invoke "call-table" (i32.const 0)) (i32.const 7))
(assert_trap (invoke "call-table" (i32.const 1)) "indirect call type mismatch")
(assert_return (invoke "call-global") (i32.const 7))

;; Alike is not enough: a final type is not the non-final base, a
;; subtype that differs in finality is another type, and a plain type is
;; not a type that only resembles it.
(assert_unlinkable
  (module
    (type $base (sub (func (result i32))))
    (import "m1" "p" (func (type $base))))
  "incompatible import type")
(assert_unlinkable
  (module
    (type $base (sub (func (result i32))))
    (type $derived (sub $base (func (result i32))))
    ;; like $derived, but final: another type
    (type $other (sub final $base (func (result i32))))
    (import "m1" "gd" (global (ref $other))))
  "incompatible import type")
(assert_unlinkable
  (module
    (type $plain (func (result i32)))
    (import "m1" "gp" (global (ref null $plain)))
    (import "m1" "gd" (global (ref null $plain))))
  "incompatible import type")
