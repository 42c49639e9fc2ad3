// A margin customer's part of a version-2 inclusion proof (SPEC.md §6.16): the whole account —
// every asset's balance or debt — rebuilt as its leaf and walked to the account-tree root.
import { equalBytes } from './bytes.js';
import { EncodingError, InvalidProof } from './errors.js';
import { exactObject, integer, isObject } from './fields.js';
import { leafNode, pathShape, siblingNode, walkAccounts } from './account.js';
import { POINT_BYTES } from './group.js';
import { buildLayout } from './layout.js';
import { coefficients, formatDecimal, parseDecimal } from './market.js';

const MAX_BALANCE_CHARS = 64;
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
// What the customer relies on for "collateralized" (SPEC.md §6.16 "Shown").
export const PROVEN_BY = "the account leaf's range proofs, which this check does not hold: every leaf's are checked by `zksolv audit`";

/** Padded base64 (RFC 4648 §4) of `bytes`. */
export function toBase64(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = [18, 12, 6, 0].map((shift) => BASE64[(n >> shift) & 63]);
    out += chars.slice(0, Math.min(4, bytes.length - i + 1)).join('').padEnd(4, '=');
  }
  return out;
}

/** Exactly `size` bytes from their one base64 spelling (standard alphabet, padded, spare bits
 * zero), else an EncodingError naming `where`. */
export function fromBase64(text, size, where) {
  const length = 4 * Math.ceil(size / 3);
  if (typeof text !== 'string' || text.length !== length) throw new EncodingError(`${where}: must be base64 of ${size} bytes (${length} characters)`);
  const out = new Uint8Array(size);
  let bits = 0;
  let acc = 0;
  let n = 0;
  for (const c of text.replace(/=+$/, '')) {
    const v = BASE64.indexOf(c);
    if (v < 0) throw new EncodingError(`${where}: not base64`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8 && n < size) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  if (n !== size || toBase64(out) !== text) throw new EncodingError(`${where}: not the canonical base64 of ${size} bytes`);
  return out;
}

/** Signed base units of every asset of the round, each in its shortest exact form (§6.16). */
function readBalances(value, decimals) {
  const assets = Object.keys(decimals).sort();
  exactObject(value, 'margin.balances', assets);
  const units = Object.create(null);
  for (const a of assets) {
    const where = `margin.balances.${a}`;
    if (typeof value[a] !== 'string' || value[a].length > MAX_BALANCE_CHARS) throw new EncodingError(`${where}: must be a signed decimal string of at most ${MAX_BALANCE_CHARS} characters`);
    units[a] = parseDecimal(value[a], decimals[a], where, true);
    if (formatDecimal(units[a], decimals[a]) !== value[a]) throw new EncodingError(`${where}: ${value[a]} is not written as ${formatDecimal(units[a], decimals[a])}`);
  }
  return units;
}

/** {units, index, siblings (nodes)} of the part in its one accepted form (§6.16). */
export function readPart(part, decimals, capacity) {
  if (!isObject(part)) throw new EncodingError('margin: must be null or an object');
  exactObject(part, 'margin', ['balances', 'leaf_index', 'path']);
  const units = readBalances(part.balances, decimals);
  const index = integer(part.leaf_index, 'margin.leaf_index', 0, capacity - 1);
  const depth = pathShape(capacity, index).length;
  if (!Array.isArray(part.path) || part.path.length !== depth) throw new EncodingError(`margin.path: must be a list of exactly ${depth} siblings (leaf ${index} in a tree of ${capacity})`);
  const width = 2 * Object.keys(decimals).length;
  const siblings = part.path.map((text, k) => siblingNode(fromBase64(text, width * POINT_BYTES + 32, `margin.path[${k}]`), width));
  return { units, index, siblings };
}

/** The customer's own signed figures {ASSET: "-0.5"} against the proof's, by value. */
function checkExpected(units, expected, decimals) {
  for (const [asset, amount] of Object.entries(expected ?? {})) {
    if (!Object.hasOwn(units, asset)) throw new InvalidProof(`${asset}: not an asset of this round's margin accounts`);
    let want = null;
    try {
      want = parseDecimal(String(amount), decimals[asset], asset, true);
    } catch (error) {
      if (!(error instanceof EncodingError)) throw error;
    }
    if (want !== units[asset]) throw new InvalidProof(`${asset}: the attestation counts ${formatDecimal(units[asset], decimals[asset])}, not ${amount}`);
  }
  // Once any figure is given, a debt the customer gave no figure for fails (§6.16).
  const named = Object.keys(expected ?? {});
  const unnamed = Object.keys(units).sort().filter((a) => units[a] < 0n && !named.includes(a));
  if (named.length > 0 && unnamed.length > 0) {
    const a = unnamed[0];
    throw new InvalidProof(`${a}: the attestation counts a debt of ${formatDecimal(-units[a], decimals[a])}, for which you gave no figure`);
  }
}

/** Check the margin part of `proof` against the manifest (SPEC.md §6.16). Returns what the
 * customer is shown: {balances, debts, leafIndex, collateralized, provenBy}. */
export function checkMargin(proof, manifest, expected) {
  const decimals = Object.fromEntries(Object.entries(manifest.assets).map(([a, e]) => [a, e.decimals]));
  const leafBits = Object.fromEntries(Object.entries(manifest.assets).map(([a, e]) => [a, e.leafBits]));
  const { capacity, root } = manifest.margin;
  const { units, index, siblings } = readPart(proof.margin, decimals, capacity);
  if (Object.values(units).every((x) => x === 0n)) throw new InvalidProof('this margin inclusion proof shows no balance and no debt: it proves nothing');
  checkExpected(units, expected, decimals);
  const layout = buildLayout(manifest.market, coefficients(manifest.market, decimals), leafBits);
  const leaf = leafNode(layout, leafBits, proof.userId, proof.userSecret, units);
  const reached = walkAccounts(leaf, index, siblings, capacity);
  if (!equalBytes(reached.commitments, root.commitments) || !equalBytes(reached.hash, root.hash)) {
    throw new InvalidProof('the margin account does not lead to the attested account-tree root');
  }
  const assets = Object.keys(decimals).sort();
  return { balances: Object.fromEntries(assets.map((a) => [a, formatDecimal(units[a], decimals[a])])),
           debts: assets.filter((a) => units[a] < 0n), leafIndex: index,
           collateralized: manifest.market.scenarios.map((s) => s.name), provenBy: PROVEN_BY };
}
