;; Uses two WebAssembly 3.0 features for tests/cli/test_wasm_features.sh:
;; an extended constant expression and a tail call.
(module
  (global $answer i32 (i32.add (i32.mul (i32.const 8) (i32.const 5)) (i32.const 2)))
  (func $count (export "count") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (return_call $count (i64.sub (local.get 0) (i64.const 1))))))
  (func (export "answer") (result i32) (global.get $answer)))
