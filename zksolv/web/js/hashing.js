// SHA-256 uses of SPEC.md: TAGGED (§6.3), MAC and WIDE (§6.2), over the vendored @noble/hashes.
import { hmac } from '../vendor/noble-hashes/hmac.js';
import { sha256, sha512 } from '../vendor/noble-hashes/sha2.js';
import { bytesToBigInt, concat, framed, u8, utf8 } from './bytes.js';

export const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export { sha256 };

/** TAGGED(tag, fields) = SHA-256(u8 len(tag) ‖ tag ‖ fields) (SPEC.md §6.3). */
export function tagged(tag, ...fields) {
  const label = utf8(tag);
  return sha256(concat(u8(label.length), label, ...fields));
}

/** MAC(k, label, fields) = HMAC-SHA256(k, u32be(len label) ‖ label ‖ fields) (SPEC.md §6.2). */
export function mac(key, label, ...fields) {
  return hmac(sha256, key, concat(framed(utf8(label)), ...fields));
}

/** WIDE(k, label, fields): the same with HMAC-SHA512, read as an integer mod n, 0 replaced by 1
 * (SPEC.md §6.2). */
export function wide(key, label, ...fields) {
  const value = bytesToBigInt(hmac(sha512, key, concat(framed(utf8(label)), ...fields))) % CURVE_ORDER;
  return value === 0n ? 1n : value;
}
