;; Throw+catch cost and the no-throw cost of handlers (bench/exceptions.sh),
;; legacy encoding (wabt's wat2wasm reads it). Each round calls $down,
;; which recurses `depth` frames and then throws (or, with throw = 0,
;; returns) an i32, inside a try/catch. "plain" is the same loop without
;; a handler and without throwing: what "legacy" costs with throw = 0
;; beyond it is the no-throw overhead of a handler.
(module
  (tag $e (param i32))
  (func $down (param $depth i32) (param $throw i32) (result i32)
    (if (i32.eqz (local.get $depth))
      (then
        (if (local.get $throw) (then (throw $e (local.get $throw))))
        (return (i32.const 1))))
    (i32.add (call $down (i32.sub (local.get $depth) (i32.const 1))
                         (local.get $throw))
             (i32.const 1)))
  (func (export "legacy") (param $rounds i32) (param $depth i32)
        (param $throw i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $rounds)))
        (local.set $sum (i32.add (local.get $sum)
          (try (result i32)
            (do (call $down (local.get $depth) (local.get $throw)))
            (catch $e))))
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br $next)))
    (local.get $sum))
  (func (export "plain") (param $rounds i32) (param $depth i32)
        (param $throw i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $rounds)))
        (local.set $sum (i32.add (local.get $sum)
          (call $down (local.get $depth) (i32.const 0))))
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br $next)))
    (local.get $sum))
)
