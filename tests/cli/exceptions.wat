;; Legacy exceptions (what clang -fwasm-exceptions emits), for the
;; feature checks of test_exceptions_cli.sh: validate names the feature,
;; --wasm-features=-legacy-exceptions refuses the module, aot-compile
;; says exception instructions are not compiled yet, and a module with
;; only a tag compiles and runs.
(module
  (tag $e (export "e") (param i32))
  (func (export "catch") (param i32) (result i32)
    (try (result i32)
      (do (throw $e (local.get 0)))
      (catch $e)))
)
