// The exchange's signature over a manifest (SPEC.md §6.17): EIP-191 personal_sign of
// "zksolv:manifest:v1:" ‖ hex(manifest digest), by the address the manifest's custody names.
import { secp256k1 } from '../vendor/noble-curves/secp256k1.js';
import { keccak_256 } from '../vendor/noble-hashes/sha3.js';
import { bytesToBigInt, concat, fromHex, toHex, utf8 } from './bytes.js';
import { EncodingError, InvalidProof } from './errors.js';
import { exactObject, text } from './fields.js';
import { CURVE_ORDER } from './hashing.js';
import { readDocument } from './json.js';

export const SIGNATURE_MAX_BYTES = 4096;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const SIGNATURE_TEXT = /^(?:0x)?([0-9a-fA-F]{130})$/;

/** An Ethereum address in lower case; mixed case must pass EIP-55 (SPEC.md §6.4.2). */
export function normalizeAddress(value, where) {
  if (typeof value !== 'string' || !ADDRESS.test(value)) throw new EncodingError(`${where}: must be 0x and 40 hex digits`);
  const lower = value.toLowerCase();
  const body = value.slice(2);
  if (body !== body.toLowerCase() && body !== body.toUpperCase()) {
    const hash = toHex(keccak_256(utf8(lower.slice(2))));
    const checksummed = [...lower.slice(2)].map((c, i) => (parseInt(hash[i], 16) >= 8 ? c.toUpperCase() : c)).join('');
    if (checksummed !== body) throw new EncodingError(`${where}: ${value} fails its EIP-55 checksum`);
  }
  return lower;
}

/** keccak256("\x19Ethereum Signed Message:\n" ‖ decimal len(m) ‖ m) (EIP-191, SPEC.md §6.4.2). */
export function personalMessageHash(message) {
  return keccak_256(concat(utf8(`\x19Ethereum Signed Message:\n${message.length}`), message));
}

/** The address whose key made `signatureText` (r ‖ s ‖ v) over `message` (bytes): r and s in
 * [1, n − 1], s ≤ n/2 (EIP-2), v ∈ {27, 28} or {0, 1} (SPEC.md §6.4.2). */
export function recoverAddress(message, signatureText, where) {
  const match = typeof signatureText === 'string' ? SIGNATURE_TEXT.exec(signatureText) : null;
  if (!match) throw new EncodingError(`${where}: must be 0x and 130 hex digits (r ‖ s ‖ v)`);
  const raw = fromHex(match[1].toLowerCase(), 65, where);
  const r = bytesToBigInt(raw.subarray(0, 32));
  const s = bytesToBigInt(raw.subarray(32, 64));
  const v = raw[64];
  if (![0, 1, 27, 28].includes(v)) throw new InvalidProof(`${where}: v must be 27, 28, 0 or 1`);
  if (r < 1n || r >= CURVE_ORDER || s < 1n || s >= CURVE_ORDER) throw new InvalidProof(`${where}: r and s must be in [1, n − 1]`);
  if (s > CURVE_ORDER / 2n) throw new InvalidProof(`${where}: s is above n/2 (EIP-2: only the low-s spelling is accepted)`);
  let key;
  try {
    key = new secp256k1.Signature(r, s, v % 27).recoverPublicKey(personalMessageHash(message));
  } catch {
    throw new InvalidProof(`${where}: recovers no key`);
  }
  return '0x' + toHex(keccak_256(key.toBytes(false).subarray(1)).subarray(12));
}

/** The file's fields (SPEC.md §6.17, §1.1): exactly scheme, signer, message, signature. */
export function readSignatureFile(doc) {
  const where = 'exchange-signature.json';
  const file = exactObject(readDocument(doc, where, SIGNATURE_MAX_BYTES), where, ['scheme', 'signer', 'message', 'signature']);
  if (file.scheme !== 'eip191') throw new EncodingError(`${where}: scheme: must be "eip191"`);
  for (const name of ['signer', 'message', 'signature']) text(file[name], `${where}: ${name}`, 200);
  return { signer: normalizeAddress(file.signer, `${where}: signer`), message: file.message, signature: file.signature };
}

/** Check the exchange's signature for `manifest` (read: custody, digest) as SPEC.md §6.17 has
 * verify-inclusion do it; `signer` (optional) pins the exchange. Returns the exchange address
 * that signed, or null for a round that names none (reserves version 1: nothing to check).
 * InvalidProof (or EncodingError) when the round must not be believed. */
export function checkExchangeSignature(manifest, signatureDoc, pinned) {
  const exchange = manifest.custody?.exchange ?? null;
  const want = pinned === undefined || pinned === null || pinned === '' ? null : normalizeAddress(pinned, 'signer');
  if (exchange === null) {
    if (want !== null) throw new InvalidProof(`signer ${want}: this attestation (reserves version 1) names no exchange and carries no exchange signature`);
    return null;
  }
  if (want !== null && want !== exchange) throw new InvalidProof(`signer ${want}: this attestation names the exchange ${exchange}`);
  if (signatureDoc === undefined || signatureDoc === null) {
    throw new InvalidProof(`exchange-signature.json: missing — the reserves name the exchange ${exchange}, whose signature over the manifest is required (SPEC.md §6.17)`);
  }
  const file = readSignatureFile(signatureDoc);
  const expected = `zksolv:manifest:v1:${toHex(manifest.digest)}`;
  if (file.signer !== exchange) throw new InvalidProof(`exchange-signature.json: signed by ${file.signer}, but the reserves name the exchange ${exchange}`);
  if (file.message !== expected) throw new InvalidProof(`exchange-signature.json: signs another message, not this manifest (${expected})`);
  if (recoverAddress(utf8(file.message), file.signature, 'exchange-signature.json: signature') !== exchange) {
    throw new InvalidProof(`exchange-signature.json: not a valid signature by the exchange ${exchange}`);
  }
  return exchange;
}
