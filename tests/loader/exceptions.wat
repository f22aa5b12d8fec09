;; test_exceptions.c: exceptions between the host and Wasm. $err is the
;; host's tag (wasmaot_tag_new), thrown by the host function $raise
;; (wasmaot_throw); $own is the module's, exported.
(module
  (import "host" "err" (tag $err (param i32)))
  (import "host" "raise" (func $raise (param i32)))
  (tag $own (export "own") (param i32 i64))
  ;; A host exception caught in Wasm, by the imported tag's identity.
  (func (export "catch_host") (param i32) (result i32)
    (try (result i32)
      (do (call $raise (local.get 0)) (i32.const -1))
      (catch $err)))
  ;; One no handler takes: it reaches the host with its payload.
  (func (export "escape_host") (param i32)
    (call $raise (local.get 0)))
  (func (export "escape_own") (param i32)
    (throw $own (local.get 0) (i64.const 77)))
)
