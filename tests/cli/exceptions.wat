;; Legacy exceptions (what clang -fwasm-exceptions emits), for
;; test_exceptions_cli.sh: validate names the feature,
;; --wasm-features=-legacy-exceptions refuses the module, and the module
;; compiles whole, in pieces of one function each (so the unwind tables
;; and the personality pointer of several objects are merged) and in the
;; fast tier, and its exceptions are caught across functions and reported
;; when they leave Wasm.
(module
  (tag $e (export "e") (param i32))
  (tag $other (param i32))
  (func $thrower (param i32)
    (if (i32.eqz (local.get 0)) (then (throw $other (i32.const 0))))
    (throw $e (local.get 0)))
  (func $middle (param i32) (result i32)
    (call $thrower (local.get 0))
    (i32.const -1))
  (func (export "catch") (param i32) (result i32)
    (try (result i32)
      (do (call $middle (local.get 0)))
      (catch $e (i32.add (i32.const 100)))))
  ;; Each round throws through two frames and catches; the exceptions
  ;; caught this way are freed, so many rounds stay in bounded memory.
  (func (export "rounds") (param i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get 0)))
        (local.set $sum
          (i32.add (local.get $sum) (call 2 (local.get 0))))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $next)))
    (local.get $sum))
  (func (export "uncaught") (param i32) (result i32)
    (call $middle (local.get 0)))
)
