// Byte helpers for SPEC.md's notation: ‖ (concat), u8, u32be, u64be, F(x), hex fields (§1.1).
import { EncodingError } from './errors.js';

const HEX = /^(?:[0-9a-f]{2})*$/;
const encoder = new TextEncoder();

/** UTF-8 bytes of a string (SPEC.md §1.1: ids and asset names are hashed as UTF-8). */
export function utf8(text) {
  return encoder.encode(text);
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function u8(x) {
  if (!Number.isInteger(x) || x < 0 || x > 0xff) throw new RangeError(`u8 out of range: ${x}`);
  return Uint8Array.of(x);
}

export function u32be(x) {
  if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError(`u32 out of range: ${x}`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, x);
  return out;
}

export function u64be(x) {
  const big = BigInt(x);
  if (big < 0n || big >= 1n << 64n) throw new RangeError(`u64 out of range: ${x}`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, big);
  return out;
}

/** F(x) = u32be(len x) ‖ x (SPEC.md §6.2). */
export function framed(bytes) {
  return concat(u32be(bytes.length), bytes);
}

/** Lower-case hex of exactly `length` bytes (SPEC.md §1.1), else an EncodingError naming `where`. */
export function fromHex(text, length, where) {
  if (typeof text !== 'string' || !HEX.test(text) || (length !== undefined && text.length !== 2 * length)) {
    const size = length === undefined ? '' : ` of ${length} bytes`;
    throw new EncodingError(`${where}: must be lower-case hex${size}`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Big-endian unsigned integer of `bytes`. */
export function bytesToBigInt(bytes) {
  return bytes.length ? BigInt('0x' + toHex(bytes)) : 0n;
}
