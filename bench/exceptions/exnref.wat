;; bench/exceptions.sh's rounds with a try_table/catch (the exnref
;; encoding; read by wasm-tools, as the 3.0 spec scripts are).
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
  (func (export "exnref") (param $rounds i32) (param $depth i32)
        (param $throw i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $rounds)))
        (local.set $sum (i32.add (local.get $sum)
          (block $caught (result i32)
            (try_table (result i32) (catch $e $caught)
              (call $down (local.get $depth) (local.get $throw))))))
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br $next)))
    (local.get $sum))
)
