// A spot customer's inclusion proof (SPEC.md §6.11; version 2 with `margin: null`, §6.16),
// checked against the published manifest.
import { equalBytes, framed, toHex, utf8 } from './bytes.js';
import { EncodingError, InvalidProof, ZksolvError } from './errors.js';
import { exactObject, formatAmount, hexField, integer, isObject, parseAmount, text, IDENTIFIER, shown } from './fields.js';
import { commit, encodePoint } from './group.js';
import { mac, wide } from './hashing.js';
import { readDocument } from './json.js';
import { readManifest } from './manifest.js';
import { idHash, leafHash, walk } from './tree.js';
import { checkMargin } from './margin.js';
import { checkExchangeSignature } from './signature.js';

const FIELDS = ['format', 'version', 'attestation_id', 'manifest', 'user_id', 'user_secret', 'assets'];
const ASSET_FIELDS = ['balance', 'leaf_index', 'path'];
const MAX_PATH = 32;
// Size caps of SPEC.md §1.1.
export const PROOF_MAX_BYTES = 1 << 20;
export const MANIFEST_MAX_BYTES = 16 << 20;

/** The proof's fields in their one form (SPEC.md §6.11, §1.1), siblings decoded to bytes. */
export function readProof(doc) {
  if (!isObject(doc) || doc.format !== 'zksolv-inclusion') throw new EncodingError('inclusion proof: not a zksolv inclusion proof');
  if (doc.version !== 1n && doc.version !== 2n) {
    throw new EncodingError(`inclusion proof: version ${shown(doc.version)} is not one this verifier knows (1 or 2)`);
  }
  exactObject(doc, 'inclusion proof', doc.version === 1n ? FIELDS : [...FIELDS, 'margin']);
  if (doc.version === 2n && doc.margin !== null && !isObject(doc.margin)) throw new EncodingError('inclusion proof: margin must be null or an object');
  const proof = {
    version: Number(doc.version),
    attestationId: text(doc.attestation_id, 'inclusion proof: attestation_id', 128, IDENTIFIER),
    manifest: hexField(doc.manifest, 'inclusion proof: manifest', 32),
    userId: text(doc.user_id, 'inclusion proof: user_id', 256),
    userSecret: hexField(doc.user_secret, 'inclusion proof: user_secret', 32),
    assets: Object.create(null),
    margin: doc.version === 2n ? doc.margin : null,   // read against the round's layout (margin.js)
  };
  if (!isObject(doc.assets)) throw new EncodingError('inclusion proof: assets must be an object');
  for (const [asset, item] of Object.entries(doc.assets)) proof.assets[asset] = readAsset(item, `inclusion proof: assets.${asset}`);
  return proof;
}

function readAsset(item, where) {
  exactObject(item, where, ASSET_FIELDS);
  if (typeof item.balance !== 'string') throw new EncodingError(`${where}.balance: must be a decimal string`);
  const leafIndex = integer(item.leaf_index, `${where}.leaf_index`, 0, 2 ** 32 - 1);
  if (!Array.isArray(item.path) || item.path.length > MAX_PATH) throw new EncodingError(`${where}.path: must be a list of at most ${MAX_PATH} siblings`);
  const path = item.path.map((pair, k) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new EncodingError(`${where}.path[${k}]: must be [commitment, hash]`);
    return [hexField(pair[0], `${where}.path[${k}][0]`, 33), hexField(pair[1], `${where}.path[${k}][1]`, 32)];
  });
  return { balance: item.balance, leafIndex, path };
}

/** The balance as the prover writes it: the shortest exact decimal, below 2^leaf_bits. */
function balanceUnits(balance, entry, asset) {
  const units = parseAmount(balance, entry.decimals, `${asset}.balance`);
  if (formatAmount(units, entry.decimals) !== balance) {
    throw new EncodingError(`${asset}.balance: ${balance} is not written as ${formatAmount(units, entry.decimals)}`);
  }
  if (units >> BigInt(entry.leafBits)) throw new InvalidProof(`${asset}: balance ${balance} is beyond the leaf range 2^${entry.leafBits}`);
  return units;
}

/** One asset's leaf, rebuilt from the user id, secret and balance, walked to the root. */
export function checkAsset(proof, asset, item, manifest) {
  const entry = manifest.assets[asset];
  if (!entry) throw new InvalidProof(`${asset} is not attested in this round`);
  const units = balanceUnits(item.balance, entry, asset);
  if (item.path.length !== entry.depth) throw new InvalidProof(`${asset}: path length does not match the capacity ${entry.capacity}`);
  const a = framed(utf8(asset));
  const salt = mac(proof.userSecret, 'zksolv/v1/leaf-salt', a);
  const blinding = wide(proof.userSecret, 'zksolv/v1/leaf-blinding', a);
  const c = encodePoint(commit(units, blinding));
  const h = leafHash(asset, idHash(proof.userId, salt), c);
  const root = walk(item.leafIndex, c, h, item.path);
  if (!equalBytes(root.commitment, entry.root.commitment) || !equalBytes(root.hash, entry.root.hash)) {
    throw new InvalidProof(`${asset}: the leaf does not lead to the attested root`);
  }
  return formatAmount(units, entry.decimals);
}

function checkRoundAndUser(proof, manifest, userId) {
  if (proof.version !== manifest.version) {
    throw new InvalidProof(`a version-${proof.version} inclusion proof is for a version-${proof.version} round, this manifest is version ${manifest.version} (SPEC.md §6.16)`);
  }
  if (!equalBytes(proof.manifest, manifest.digest) || proof.attestationId !== manifest.attestationId) {
    throw new InvalidProof('this inclusion proof is for another attestation (round or exchange)');
  }
  if (userId !== undefined && userId !== null && userId !== '' && proof.userId !== userId) {
    throw new InvalidProof(`this inclusion proof is for user ${JSON.stringify(proof.userId)}, not ${JSON.stringify(userId)}`);
  }
  const spot = Object.keys(proof.assets).length;
  if (!spot && proof.margin === null) throw new InvalidProof('this inclusion proof proves no balance: it checks nothing');
  if (spot && proof.margin !== null) throw new InvalidProof('a margin account holds everything in its account leaf, not in spot leaves');
}

/** The customer's own figures {ASSET: "amount"} against the balances proven, by value. */
function checkExpected(proven, expected, manifest) {
  for (const [asset, amount] of Object.entries(expected ?? {})) {
    const entry = manifest.assets[asset];
    let same = false;
    if (!entry) throw new InvalidProof(`${asset}: the attestation counts nothing, not ${amount}`);
    try {
      same = Object.hasOwn(proven, asset) && parseAmount(String(amount), entry.decimals, asset) === parseAmount(proven[asset], entry.decimals, asset);
    } catch (error) {
      if (!(error instanceof ZksolvError)) throw error;
    }
    if (!same) throw new InvalidProof(`${asset}: the attestation counts ${proven[asset] ?? 'nothing'}, not ${amount}`);
  }
}

let lastManifest = { text: null, read: null };

/** The manifest read (§6.7); the last one given as text is kept, read, for the next proof of
 * the same round (a page checking several proofs, a history) — the same text reads the same. */
function manifestOf(doc) {
  if (typeof doc === 'string' && doc === lastManifest.text) return lastManifest.read;
  const read = Object.freeze(readManifest(readDocument(doc, 'manifest', MANIFEST_MAX_BYTES)));
  if (typeof doc === 'string') lastManifest = { text: doc, read };
  return read;
}

function check(proofDoc, manifestDoc, { userId, balances, exchangeSignature, signer } = {}) {
  const manifest = manifestOf(manifestDoc);
  const signedBy = checkExchangeSignature(manifest, exchangeSignature, signer);
  const proof = readProof(readDocument(proofDoc, 'inclusion proof', PROOF_MAX_BYTES));
  checkRoundAndUser(proof, manifest, userId);
  return { ...checkParts(proof, manifest, balances), signedBy };
}

function checkParts(proof, manifest, balances) {
  if (proof.margin !== null) return marginVerdict(proof, manifest, balances);
  const assets = Object.create(null); // asset names are the proof's: '__proto__' is a name
  let firstFailure = null;
  for (const [asset, item] of Object.entries(proof.assets)) {
    try {
      assets[asset] = { balance: checkAsset(proof, asset, item, manifest), valid: true, reason: null };
    } catch (error) {
      if (!(error instanceof ZksolvError)) throw error;
      assets[asset] = { balance: item.balance, valid: false, reason: error.message };
      firstFailure ??= error;
    }
  }
  if (firstFailure) return verdict(false, firstFailure.message, proof, manifest, assets);
  const proven = Object.create(null);
  for (const [a, r] of Object.entries(assets)) proven[a] = r.balance;
  checkExpected(proven, balances, manifest);
  return verdict(true, null, proof, manifest, assets);
}

/** A margin customer's whole account (SPEC.md §6.16): every asset's balance or debt. */
function marginVerdict(proof, manifest, balances) {
  const margin = checkMargin(proof, manifest, balances);
  const assets = Object.create(null);
  for (const [a, balance] of Object.entries(margin.balances)) assets[a] = { balance, valid: true, reason: null, debt: margin.debts.includes(a) };
  return { ...verdict(true, null, proof, manifest, assets), margin };
}

function verdict(valid, reason, proof, manifest, assets) {
  const notCovered = Object.keys(manifest.assets).filter((a) => !Object.hasOwn(assets, a)).sort();
  return { valid, reason, assets, userId: proof.userId, attestationId: manifest.attestationId,
           manifestDigest: toHex(manifest.digest), notCovered };
}

/** Check a customer's inclusion proof against the published manifest: a spot customer's
 * (SPEC.md §6.11, or §6.16 with `margin: null`) or a margin customer's whole account (§6.16),
 * and, for a round whose reserves name an exchange, that exchange's signature (§6.17).
 * `proof`, `manifest`, `exchangeSignature`: JSON text or its UTF-8 bytes; `userId`
 * (optional): the customer's id, which the proof must name; `balances` (optional): {ASSET:
 * "amount"} the customer expects ("-0.5": a debt); `signer` (optional): the exchange's address
 * the customer expects. Resolves to {valid, reason, assets: {ASSET: {balance, valid, reason,
 * debt?}}, userId, attestationId, manifestDigest, notCovered, signedBy, margin?}; never rejects. */
export async function verifyInclusion(proof, manifest, options = {}) {
  try {  // options read inside: null, or a getter that throws, must not reject the promise
    const { userId, balances, exchangeSignature, signer } = options ?? {};
    return check(proof, manifest, { userId, balances, exchangeSignature, signer });
  } catch (error) {
    const reason = error instanceof ZksolvError ? error.message : `internal error (a bug, please report): ${error}`;
    return { valid: false, reason, assets: {}, userId: null, attestationId: null, manifestDigest: null, notCovered: [], signedBy: null };
  }
}
