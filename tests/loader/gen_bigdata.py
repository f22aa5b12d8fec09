#!/usr/bin/env python3
"""Writes bigdata.wasm, the fixture of test_data_image.c: a module whose
16 MiB data segment the loader maps copy-on-write from the artifact.

  memory 0: 320 pages (20 MiB), exported as "mem"
  segment 0: active at 0x10001 (not page-aligned), 16 MiB + 123 bytes,
             byte i = (i * 131 + 7) & 0xff
  segment 1: active at 0x20000, 100 bytes of 0xaa (overwrites part of 0)
  segment 2: passive, 8192 bytes, byte i = (i * 3) & 0xff
  "store8" (addr, value): i32.store8
  "init2" (dst): memory.init 2 at dst, 8192 bytes; data.drop 2

The patterns are repeated in test_data_image.c; keep them in step."""
import sys

SEG0_AT, SEG0_SIZE = 0x10001, 16 * 1024 * 1024 + 123
SEG1_AT, SEG1_SIZE = 0x20000, 100
SEG2_SIZE = 8192


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def sleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if (n == 0 and not b & 0x40) or (n == -1 and b & 0x40):
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def vec(items):
    return leb(len(items)) + b"".join(items)


def section(sid, body):
    return bytes([sid]) + leb(len(body)) + body


def name(s):
    return leb(len(s)) + s.encode()


I32 = 0x7F
types = vec([bytes([0x60]) + vec([bytes([I32]), bytes([I32])]) + vec([]),
             bytes([0x60]) + vec([bytes([I32])]) + vec([])])
funcs = vec([leb(0), leb(1)])
memory = vec([bytes([0x00]) + leb(320)])
exports = vec([name("mem") + bytes([0x02]) + leb(0),
               name("store8") + bytes([0x00]) + leb(0),
               name("init2") + bytes([0x00]) + leb(1)])
store8 = bytes([0x20, 0, 0x20, 1, 0x3A, 0, 0, 0x0B])
init2 = (bytes([0x20, 0, 0x41]) + sleb(0) + bytes([0x41]) + sleb(SEG2_SIZE) +
         bytes([0xFC, 8]) + leb(2) + bytes([0]) + bytes([0xFC, 9]) + leb(2) +
         bytes([0x0B]))
code = vec([leb(len(b) + 1) + b"\x00" + b for b in (store8, init2)])
seg0 = bytes((i * 131 + 7) & 0xFF for i in range(256)) * (SEG0_SIZE // 256 + 1)
seg2 = bytes((i * 3) & 0xFF for i in range(SEG2_SIZE))
data = vec([
    b"\x00\x41" + sleb(SEG0_AT) + b"\x0b" + leb(SEG0_SIZE) + seg0[:SEG0_SIZE],
    b"\x00\x41" + sleb(SEG1_AT) + b"\x0b" + leb(SEG1_SIZE) + b"\xaa" * SEG1_SIZE,
    b"\x01" + leb(SEG2_SIZE) + seg2,
])
module = (b"\x00asm\x01\x00\x00\x00" + section(1, types) + section(3, funcs) +
          section(5, memory) + section(7, exports) + section(12, leb(3)) +
          section(10, code) + section(11, data))
with open(sys.argv[1], "wb") as f:
    f.write(module)
