;; wasmaot's own end-to-end script for exceptions, both encodings: a throw
;; from a callee through several frames, catch_ref and throw_ref, a trap
;; that catch_all must not catch, exceptions that reach the host, and a
;; second module (legacy encoding) that imports the first one's tag and
;; catches its exceptions by that tag's identity, with rethrow and
;; delegate. The legacy module goes through wabt's wat2wasm
;; (wast_to_json.mjs --wat2wasm); wasm-tools reads the first.

(module $exn
  (tag $e (export "e") (param i32))
  (tag $other (param i64))
  (func $thrower (export "thrower") (param i32)
    (throw $e (local.get 0)))
  ;; depth frames of $deep, then the throw
  (func $deep (param $depth i32) (param $value i32)
    (if (i32.eqz (local.get $depth))
      (then (call $thrower (local.get $value)))
      (else (call $deep (i32.sub (local.get $depth) (i32.const 1))
                        (local.get $value)))))
  (func (export "catch-deep") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (call $deep (i32.const 5) (local.get 0)))
      (i32.const -1)))
  ;; catch_ref keeps the exception; throw_ref raises it again for the
  ;; outer handler
  (func (export "catch-ref-rethrow") (param i32) (result i32)
    (block $outer (result i32)
      (try_table (catch $e $outer)
        (block $inner (result i32 exnref)
          (try_table (catch_ref $e $inner)
            (call $thrower (local.get 0)))
          (unreachable))
        (throw_ref))
      (i32.const -1)))
  ;; a trap is not an exception: catch_all does not see it
  (func (export "catch-all-no-trap") (result i32)
    (block $h
      (try_table (catch_all $h) (unreachable)))
    (i32.const 0))
  (func (export "uncaught") (throw $other (i64.const 7)))
  (func (export "other-not-caught") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (throw $other (i64.const 1)))
      (i32.const -1)))
)
(assert_return (invoke "catch-deep" (i32.const 42)) (i32.const 42))
(assert_return (invoke "catch-ref-rethrow" (i32.const 7)) (i32.const 7))
(assert_trap (invoke "catch-all-no-trap") "unreachable")
(assert_exception (invoke "uncaught"))
(assert_exception (invoke "other-not-caught"))
(register "exn" $exn)

(module $legacy
  (import "exn" "e" (tag $e (param i32)))
  (import "exn" "thrower" (func $thrower (param i32)))
  (tag $local (param i32))
  ;; the other module's throw, caught by the imported tag
  (func (export "catch-imported") (param i32) (result i32)
    (try (result i32)
      (do (call $thrower (local.get 0)) (i32.const -1))
      (catch $local (drop) (i32.const -2))
      (catch $e (i32.const 1) (i32.add))))
  (func (export "rethrow-outer") (param i32) (result i32)
    (try (result i32)
      (do
        (try
          (do (call $thrower (local.get 0)))
          (catch_all (rethrow 0)))
        (i32.const -1))
      (catch $e)))
  ;; delegate skips the middle try's handler
  (func (export "delegate-outer") (param i32) (result i32)
    (try $outer (result i32)
      (do
        (try (result i32)
          (do
            (try (do (call $thrower (local.get 0))) (delegate $outer))
            (i32.const -1))
          (catch $e (drop) (i32.const -2))))
      (catch $e (i32.const 100) (i32.add))))
  ;; a tag of equal type but another identity is not caught
  (func (export "local-not-caught-by-imported") (result i32)
    (try (result i32)
      (do (throw $local (i32.const 3)))
      (catch $e)))
)
(assert_return (invoke "catch-imported" (i32.const 5)) (i32.const 6))
(assert_return (invoke "rethrow-outer" (i32.const 9)) (i32.const 9))
(assert_return (invoke "delegate-outer" (i32.const 1)) (i32.const 101))
(assert_exception (invoke "local-not-caught-by-imported"))
