// The group (SPEC.md §2), generators (§3.1) and Pedersen commitments (§3.2), over the vendored
// @noble/curves secp256k1 and its RFC 9380 hash_to_curve (§2.4).
import { secp256k1, secp256k1_hasher } from '../vendor/noble-curves/secp256k1.js';
import { bytesToBigInt, concat, u32be, utf8 } from './bytes.js';
import { EncodingError, InvalidProof } from './errors.js';
import { CURVE_ORDER } from './hashing.js';

const Point = secp256k1.Point;
export const POINT_BYTES = 33;
export const SCALAR_BYTES = 32;
export const FIELD_PRIME = 2n ** 256n - 2n ** 32n - 977n;
export const GENERATOR_DST = 'ZKSOLV-V01-CS01-with-secp256k1_XMD:SHA-256_SSWU_RO_';

/** A 32-byte big-endian scalar strictly below n (SPEC.md §2.1), no reduction. */
export function decodeScalar(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== SCALAR_BYTES) throw new EncodingError('a scalar must be 32 bytes');
  const value = bytesToBigInt(bytes);
  if (value >= CURVE_ORDER) throw new EncodingError('a scalar must be below the group order');
  return value;
}

/** A 33-byte compressed SEC1 point (SPEC.md §2.2): prefix 02/03, x < p, on the curve. */
export function decodePoint(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== POINT_BYTES) throw new EncodingError('a point must be 33 bytes');
  if (bytes[0] !== 2 && bytes[0] !== 3) throw new EncodingError('a point must start with 02 or 03');
  if (bytesToBigInt(bytes.subarray(1)) >= FIELD_PRIME) throw new EncodingError("a point's x must be below p");
  try {
    return Point.fromBytes(bytes);
  } catch {
    throw new EncodingError('not a point of secp256k1 (x³ + 7 is not a square)');
  }
}

/** The 33-byte encoding of a point; the identity has none (SPEC.md §2.2). */
export function encodePoint(point) {
  if (point.equals(Point.ZERO)) throw new InvalidProof('the identity has no encoding');
  return point.toBytes(true);
}

/** hash_to_curve(msg, DST), RFC 9380 suite secp256k1_XMD:SHA-256_SSWU_RO_ (SPEC.md §2.4). */
export function hashToCurve(msg, dst = GENERATOR_DST) {
  return secp256k1_hasher.hashToCurve(msg, { DST: dst });
}

const generators = new Map();

/** A named generator of SPEC.md §3.1, by its message; cached. */
export function generator(msg) {
  const key = Array.from(msg).join(',');
  if (!generators.has(key)) generators.set(key, hashToCurve(msg));
  return generators.get(key);
}

let blindingBase = null;

/** The Pedersen blinding generator H (SPEC.md §3.1), with a table of its multiples (window 6,
 * built once: ~75 ms, then [r]H costs a quarter of an untabled multiplication). */
export function pedersenH() {
  blindingBase ??= generator(utf8('zksolv/pedersen/H')).precompute(6);
  return blindingBase;
}
export const innerProductU = () => generator(utf8('zksolv/bulletproofs/U'));
export const vectorG = (i) => generator(concat(utf8('zksolv/bulletproofs/G'), u32be(i)));
export const vectorH = (i) => generator(concat(utf8('zksolv/bulletproofs/H'), u32be(i)));

function times(point, scalar) {
  const k = ((scalar % CURVE_ORDER) + CURVE_ORDER) % CURVE_ORDER;
  return k === 0n ? Point.ZERO : point.multiply(k);
}

/** Com(v, r) = [v]G + [r]H, v and r taken mod n (SPEC.md §3.2); a Point (may be the identity). */
export function commit(value, blinding) {
  return times(Point.BASE, value).add(times(pedersenH(), blinding));
}

export { Point };
