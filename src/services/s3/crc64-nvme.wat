;; CRC64NVME, slicing-by-8, for src/services/s3/crc.ts (which embeds the compiled bytes: scripts/crc64-wasm.sh).
;; Tables at 0..16383 (table k at k*2048, filled by the host), the bytes to add at 16384..; the host does
;; the initial and final inversion and passes at most 65536 bytes a call.
(module
  (memory (export "memory") 2)
  (func (export "update") (param $crc i64) (param $len i32) (result i64)
    (local $p i32) (local $whole i32) (local $end i32) (local $c i64)
    (local.set $p (i32.const 16384))
    (local.set $end (i32.add (i32.const 16384) (local.get $len)))
    (local.set $whole (i32.add (i32.const 16384) (i32.and (local.get $len) (i32.const -8))))
    (local.set $c (local.get $crc))
    (block $eights
      (loop $eight
        (br_if $eights (i32.ge_u (local.get $p) (local.get $whole)))
        (local.set $c (i64.xor (local.get $c) (i64.load (local.get $p))))
        (local.set $c
          (i64.xor (i64.xor (i64.xor (i64.xor (i64.xor (i64.xor (i64.xor (i64.load offset=14336 (i32.shl (i32.and (i32.wrap_i64 (local.get $c)) (i32.const 255)) (i32.const 3)))
            (i64.load offset=12288 (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $c) (i64.const 8))) (i32.const 255)) (i32.const 3))))
            (i64.load offset=10240 (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $c) (i64.const 16))) (i32.const 255)) (i32.const 3))))
            (i64.load offset=8192 (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $c) (i64.const 24))) (i32.const 255)) (i32.const 3))))
            (i64.load offset=6144 (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $c) (i64.const 32))) (i32.const 255)) (i32.const 3))))
            (i64.load offset=4096 (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $c) (i64.const 40))) (i32.const 255)) (i32.const 3))))
            (i64.load offset=2048 (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $c) (i64.const 48))) (i32.const 255)) (i32.const 3))))
            (i64.load offset=0 (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $c) (i64.const 56))) (i32.const 255)) (i32.const 3)))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $eight)))
    (block $bytes
      (loop $byte
        (br_if $bytes (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c
          (i64.xor
            (i64.shr_u (local.get $c) (i64.const 8))
            (i64.load (i32.shl (i32.and (i32.xor (i32.wrap_i64 (local.get $c)) (i32.load8_u (local.get $p))) (i32.const 255)) (i32.const 3)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $byte)))
    (local.get $c)))
