;; wasmaot's own tail-call assertions (spec-tail-call-wasmaot in
;; tests/spec/meson.build): return_call and return_call_indirect between
;; functions of different types must run in constant stack, as the 3.0
;; spec promises, however deep. Each recursion below is 3 million calls
;; deep or more; as ordinary calls it would need far more than the
;; stack there is and trap with "call stack exhausted", as "deep" does. The types differ in parameter count
;; and kind, and $c has more integer parameters than x86-64 and aarch64
;; pass in registers, so its arguments are partly on the stack.

(module $tails
  (type $ta (func (param i64 i32) (result i32)))
  (type $tb (func (param f64 i64 i32) (result i32)))
  (type $tc (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i64) (result i32)))
  (table $fns 3 funcref)
  (elem (table $fns) (i32.const 0) func $ia $ib $ic)

  ;; Direct: a -> b -> c -> a, n down by one at b and at c, acc up by
  ;; one at c (and by 1 more where b ends), so each call's arguments are
  ;; checked too.
  (func $a (export "a") (type $ta) (param $n i64) (param $acc i32) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call $b (f64.const 1) (i64.sub (local.get $n) (i64.const 1))
                            (local.get $acc)))))
  (func $b (type $tb) (param $x f64) (param $n i64) (param $acc i32) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (i32.add (local.get $acc) (i32.trunc_f64_s (local.get $x))))
      (else (return_call $c (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)
                            (i32.const 5) (i32.const 6) (i32.const 7) (i32.const 8)
                            (i32.add (local.get $acc) (i32.trunc_f64_s (local.get $x)))
                            (i64.sub (local.get $n) (i64.const 1))))))
  (func $c (type $tc)
    (param i32 i32 i32 i32 i32 i32 i32 i32) (param $acc i32) (param $n i64)
    (result i32)
    (return_call $a (local.get $n)
      (i32.sub (i32.add (local.get $acc) (local.get 7)) (i32.const 8))))

  ;; The same cycle through the table, with return_call_indirect.
  (func $ia (export "ia") (type $ta) (param $n i64) (param $acc i32) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call_indirect $fns (type $tb)
              (f64.const 2) (i64.sub (local.get $n) (i64.const 1))
              (i32.add (local.get $acc) (i32.const 1)) (i32.const 1)))))
  (func $ib (type $tb) (param $x f64) (param $n i64) (param $acc i32) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call_indirect $fns (type $tc)
              (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)
              (i32.const 5) (i32.const 6) (i32.const 7) (i32.const 8)
              (local.get $acc) (i64.sub (local.get $n) (i64.const 1))
              (i32.const 2)))))
  (func $ic (type $tc)
    (param i32 i32 i32 i32 i32 i32 i32 i32) (param $acc i32) (param $n i64)
    (result i32)
    (return_call_indirect $fns (type $ta) (local.get $n) (local.get $acc)
      (i32.const 0)))

  ;; Same-type tail calls with several results in a tailcc module.
  (func $pair (export "pair") (param $n i64) (param $x i32) (result i32 i64)
    (if (result i32 i64) (i64.eqz (local.get $n))
      (then (local.get $x) (local.get $n))
      (else (return_call $pair (i64.sub (local.get $n) (i64.const 1))
                               (i32.add (local.get $x) (i32.const 1))))))

  ;; Ordinary calls still use the stack: deep recursion still traps.
  (func $deep (export "deep") (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (i32.const 1)
                     (call $deep (i64.sub (local.get $n) (i64.const 1)))))))
)

(assert_return (invoke "a" (i64.const 0) (i32.const 5)) (i32.const 5))
(assert_return (invoke "a" (i64.const 3) (i32.const 5)) (i32.const 7))
;; 4.5 million calls, 1.5 million cycles of three.
(assert_return (invoke "a" (i64.const 3_000_000) (i32.const 0)) (i32.const 1_500_000))
(assert_return (invoke "ia" (i64.const 3_000_000) (i32.const 0)) (i32.const 1_500_000))
(assert_return (invoke "ia" (i64.const 3_000_001) (i32.const 0)) (i32.const 1_500_001))
(assert_return (invoke "pair" (i64.const 1_000_000) (i32.const 0))
  (i32.const 1_000_000) (i64.const 0))
(assert_exhaustion (invoke "deep" (i64.const 3_000_000)) "call stack exhausted")

;; Across modules: a function imported from another tailcc module, and
;; one called through a table shared with it, are jumped to as well.
(register "tails" $tails)
(module
  (type $ta (func (param i64 i32) (result i32)))
  (import "tails" "a" (func $a (type $ta)))
  (func $f (export "f") (param $n i64) (param $acc i32) (param $pad f32) (result i32)
    (return_call $a (local.get $n) (local.get $acc)))
)
(assert_return (invoke "f" (i64.const 3_000_000) (i32.const 7) (f32.const 0)) (i32.const 1_500_007))

;; Several results, between functions of different types: as many as
;; every target returns in registers (two integer, two float) are jumps
;; too, directly, through a table and through return_call_ref.
(module
  (type $a (func (param i64 i32) (result i32 i64 f64 f32)))
  (type $b (func (param i64 f64 i32) (result i32 i64 f64 f32)))
  (table funcref (elem $ma $mb))
  (elem declare func $ma)
  (func $ma (type $a) (param $n i64) (param $acc i32) (result i32 i64 f64 f32)
    (if (result i32 i64 f64 f32) (i64.eqz (local.get $n))
      (then (local.get $acc) (i64.const 10) (f64.const 0.5) (f32.const 2))
      (else
        (return_call $mb (i64.sub (local.get $n) (i64.const 1)) (f64.const 1)
                         (i32.add (local.get $acc) (i32.const 1))))))
  (func $mb (type $b) (param $n i64) (param $x f64) (param $acc i32)
        (result i32 i64 f64 f32)
    (if (result i32 i64 f64 f32) (i64.eqz (local.get $n))
      (then (local.get $acc) (i64.const 11) (local.get $x) (f32.const 3))
      (else
        (if (i32.and (i32.wrap_i64 (local.get $n)) (i32.const 2))
          (then
            (return_call_indirect (type $a)
              (i64.sub (local.get $n) (i64.const 1)) (local.get $acc)
              (i32.const 0))))
        (return_call_ref $a (i64.sub (local.get $n) (i64.const 1))
                            (local.get $acc) (ref.func $ma)))))
  (func (export "multi") (param $n i64) (result i32 i64 f64 f32)
    (call $ma (local.get $n) (i32.const 0)))
)
(assert_return (invoke "multi" (i64.const 0)) (i32.const 0) (i64.const 10) (f64.const 0.5) (f32.const 2))
(assert_return (invoke "multi" (i64.const 1)) (i32.const 1) (i64.const 11) (f64.const 1) (f32.const 3))
;; 4 million calls; $ma counts its half of them.
(assert_return (invoke "multi" (i64.const 4_000_000))
  (i32.const 2_000_000) (i64.const 10) (f64.const 0.5) (f32.const 2))
(assert_return (invoke "multi" (i64.const 4_000_001))
  (i32.const 2_000_001) (i64.const 11) (f64.const 1) (f32.const 3))
