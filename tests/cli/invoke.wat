(module
  (func (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add)
  (func $divide (export "div") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.div_s)
  (func (export "pair") (param f64) (result f64 f32 i64)
    local.get 0 f64.sqrt f32.const -0 i64.const -9223372036854775808)
  (func (export "specials") (result f32 f64 f64)
    f32.const nan f64.const -inf f64.const 0.1))
