#!/usr/bin/env node
// Generates tests/data/es6-numbers.txt: one line per double,
//   <16 lowercase hex digits of the IEEE 754 bits> <String(x) in this JS engine>
// The set is deterministic (seeded PRNG, no Math.random) and deduplicated by
// bits; NaN and the infinities are skipped. Run from anywhere:
//   node canonical-json/tests/data/gen-es6-numbers.js
// The Rust test tests/es6_numbers.rs checks attest-json's canonical number
// form against the second column.
'use strict';

const fs = require('fs');
const path = require('path');

// mulberry32: small, well-known 32-bit PRNG.
let seed = 0x8785_2024 >>> 0;
function rand32() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}
function randBelow(n) { return rand32() % n; }
function rand64() { return (BigInt(rand32()) << 32n) | BigInt(rand32()); }

const buf = new DataView(new ArrayBuffer(8));
function fromBits(bits) { buf.setBigUint64(0, BigInt.asUintN(64, bits)); return buf.getFloat64(0); }
function toBits(x) { buf.setFloat64(0, x); return buf.getBigUint64(0); }
function nextUp(x) {
  if (x === 0) return Number.MIN_VALUE;
  const b = toBits(x);
  return fromBits(x > 0 ? b + 1n : b - 1n);
}
function nextDown(x) { return -nextUp(-x); }

const seen = new Set();
const lines = [];
function add(x) {
  if (!Number.isFinite(x)) return;
  const hex = toBits(x).toString(16).padStart(16, '0');
  if (seen.has(hex)) return;
  seen.add(hex);
  lines.push(hex + ' ' + String(x));
}
function addSigned(x) { add(x); add(-x); }
function addWithNeighbours(x, k) {
  let up = x, down = x;
  addSigned(x);
  for (let i = 0; i < k; i++) {
    up = nextUp(up); down = nextDown(down);
    addSigned(up); addSigned(down);
  }
}

// 1. Special values and extremes.
[0, -0, 1, -1, 0.5, 2, 10, 100, 0.1, 0.2, 0.3, 0.1 + 0.2, 1 / 3, 2 / 3, Math.PI, Math.E,
  Number.MIN_VALUE, Number.MAX_VALUE, Number.EPSILON, Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 64, 2 ** 1023,
  2.2250738585072014e-308 /* smallest normal */, 2.225073858507201e-308 /* largest subnormal */,
  333333333.33333329, 1e30, 4.5, 2e-3, 1e-27, 5e-324, 1.7976931348623157e308,
  9007199254740993, 295147905179352830000, 4.35, 0.000001, 1e-7, 123e18, 1e21, 1e20,
].forEach((x) => addWithNeighbours(x, 4));

// 2. Powers of ten (and of two) with neighbours; multiples around the
//    toString notation switches at 1e-7 / 1e-6 and 1e21.
for (let e = -324; e <= 308; e++) addWithNeighbours(Number('1e' + e), 3);
for (let e = -1074; e <= 1023; e++) {
  if (e % 8 === 0) addWithNeighbours(2 ** e, 1); else addSigned(2 ** e);
}
for (let e = -9; e <= -5; e++) {
  for (let m = 1; m <= 99; m++) addSigned(Number(m + 'e' + e));
  for (let i = 0; i < 40; i++) addSigned(Number((1 + randBelow(999999)) + 'e' + (e - 6)));
}
for (let e = 18; e <= 23; e++) {
  for (let m = 1; m <= 99; m++) addSigned(Number(m + 'e' + e));
  for (let i = 0; i < 40; i++) addWithNeighbours(Number((1 + randBelow(999999)) + 'e' + (e - 6)), 1);
}

// 3. Subnormals: random mantissas with a zero exponent field.
for (let i = 0; i < 2000; i++) {
  const mant = rand64() & ((1n << 52n) - 1n);
  add(fromBits(mant));
  add(fromBits(mant | (1n << 63n)));
}

// 4. Integers of all sizes, up to 2^53 and beyond (rounded to doubles).
for (let i = 0; i < 6000; i++) {
  const bitsLen = BigInt(1 + randBelow(80));
  const n = rand64() * (1n << 16n) + BigInt(rand32() & 0xffff);
  const v = n & ((1n << bitsLen) - 1n);
  add(Number(v));
  add(-Number(v));
}
for (let d = -300; d <= 300; d++) { addSigned(2 ** 53 + d); addSigned(1e21 + d * 65536); }

// 5. Short decimal literals (what people write), random digits and exponents.
for (let i = 0; i < 6000; i++) {
  const digits = 1 + randBelow(17);
  let s = '';
  for (let k = 0; k < digits; k++) s += String(randBelow(10));
  const dot = randBelow(digits + 1);
  s = s.slice(0, dot) + '.' + s.slice(dot) + '0';
  const e = randBelow(640) - 330;
  add(Number(s + 'e' + e));
}
// Sums and quotients with rounding noise.
for (let i = 0; i < 1000; i++) {
  const a = randBelow(1000000) / 1000, b = (1 + randBelow(1000)) / 100;
  add(a + b); add(a * b); add(a / b); add(a - b);
}

// 6. Random bit patterns (any exponent, any sign).
for (let i = 0; i < 10000; i++) add(fromBits(rand64()));

const out = path.join(__dirname, 'es6-numbers.txt');
fs.writeFileSync(out, lines.join('\n') + '\n');
console.log(`wrote ${lines.length} lines to ${out} (node ${process.version})`);
