// The manifest (SPEC.md §6.7) as far as a customer's inclusion check reads it, and its digest.
import { concat, utf8 } from './bytes.js';
import { EncodingError } from './errors.js';
import { exactObject, hexField, integer, isObject, text, ASSET_NAME, IDENTIFIER, MAX_DECIMALS, shown } from './fields.js';
import { decodePoint } from './group.js';
import { tagged } from './hashing.js';
import { canonical } from './json.js';
import { checkCapacity } from './account.js';
import { readMarket } from './market.js';

const TOP = ['format', 'version', 'attestation_id', 'timestamp', 'previous', 'circuits', 'assets'];
// A margin round (version 2, SPEC.md §6.12.7) adds these; its spot trees are read as version 1's.
const MARGIN_TOP = ['market', 'margin', 'firm'];
const ASSET = ['decimals', 'leaf_bits', 'wallets', 'capacity', 'chunk', 'root', 'solvency', 'coverage', 'audit'];

/** Manifest digest: TAGGED("zksolv/v1/manifest", canonical JSON) (SPEC.md §6.7). */
export function manifestDigest(manifest) {
  return tagged('zksolv/v1/manifest', utf8(canonical(manifest)));
}

/** Body digest: TAGGED("zksolv/v1/manifest-body", canonical JSON) of the manifest with every
 * solvency and coverage proof emptied — version 1: each `proof` the empty string; version 2
 * (§6.12.7): every `highs` and `proofs` list empty (SPEC.md §6.7). Not needed by a customer's
 * check (statement proofs bind it); given for the vectors' attestation-level checks. */
export function bodyDigest(manifest) {
  const blank = (claim) => (claim === null ? null : manifest.version === 1n ? { ...claim, proof: '' } : { ...claim, highs: [], proofs: [] });
  const body = { ...manifest, assets: Object.create(null) };
  for (const [a, e] of Object.entries(manifest.assets)) body.assets[a] = { ...e, solvency: blank(e.solvency), coverage: blank(e.coverage) };
  if (manifest.version === 2n) body.firm = { ...manifest.firm, scenarios: manifest.firm.scenarios.map(blank) };
  return tagged('zksolv/v1/manifest-body', utf8(canonical(body)));
}

/** The manifest's fields a spot customer's check needs, checked in form: {version,
 * attestationId, digest, assets: {ASSET: {decimals, leafBits, capacity, depth, root}}}. A
 * margin round's (version 2) spot trees are read the same way; its market, account tree and
 * firm statements are not read here (they are `zksolv verify`'s and `audit`'s). */
export function readManifest(manifest) {
  if (!isObject(manifest) || manifest.format !== 'zksolv-attestation') throw new EncodingError('manifest: not a zksolv attestation');
  if (manifest.version !== 1n && manifest.version !== 2n) {
    throw new EncodingError(`manifest: version ${shown(manifest.version)} is not one this verifier knows (1 or 2)`);
  }
  const version = Number(manifest.version);
  exactObject(manifest, 'manifest', version === 1 ? TOP : [...TOP, ...MARGIN_TOP], ['custody']);
  const attestationId = text(manifest.attestation_id, 'manifest: attestation_id', 128, IDENTIFIER);
  if (!isObject(manifest.assets) || !Object.keys(manifest.assets).length) throw new EncodingError('manifest: assets must be a non-empty object');
  const assets = Object.create(null);
  for (const [name, entry] of Object.entries(manifest.assets)) {
    text(name, 'manifest: asset name', 32, ASSET_NAME);
    assets[name] = readAsset(entry, `manifest: assets.${name}`);
  }
  const read = { version, attestationId, digest: manifestDigest(manifest), assets, custody: readCustody(manifest.custody) };
  if (version === 2) {
    const decimals = Object.fromEntries(Object.entries(assets).map(([a, e]) => [a, e.decimals]));
    read.market = readMarket(manifest.market, decimals);
    read.margin = readMargin(manifest.margin, Object.keys(assets).length);
  }
  return read;
}

/** The exchange a version-2 reserves round names (SPEC.md §6.7 `custody`), or null. */
function readCustody(custody) {
  if (custody === undefined) return null;
  exactObject(custody, 'manifest: custody', ['reserves_version', 'exchange', 'chains']);
  if (custody.reserves_version !== 2n) throw new EncodingError('manifest: custody.reserves_version must be 2');
  if (typeof custody.exchange !== 'string' || !/^0x[0-9a-f]{40}$/.test(custody.exchange)) {
    throw new EncodingError('manifest: custody.exchange must be 0x and 40 lower-case hex digits');
  }
  return { exchange: custody.exchange };
}

/** The account tree a margin customer's check walks to (SPEC.md §6.12.7, §6.15):
 * {capacity, root: {commitments: [E[a], D[a] per asset, sorted], hash}}. */
function readMargin(margin, assetCount) {
  const where = 'manifest: margin';
  exactObject(margin, where, ['capacity', 'chunk', 'root', 'audit']);
  const capacity = checkCapacity(integer(margin.capacity, `${where}.capacity`, 1, 2 ** 32), `${where}.capacity`);
  const chunk = integer(margin.chunk, `${where}.chunk`, 1, 256);
  if (!Number.isInteger(Math.log2(chunk)) || chunk > capacity || capacity % chunk) {
    throw new EncodingError(`${where}.chunk: a power of two up to 256 that divides the capacity`);
  }
  const root = exactObject(margin.root, `${where}.root`, ['commitments', 'hash']);
  if (!Array.isArray(root.commitments) || root.commitments.length !== 2 * assetCount) {
    throw new EncodingError(`${where}.root.commitments: must list ${2 * assetCount} commitments`);
  }
  const commitments = root.commitments.map((c, i) => hexField(c, `${where}.root.commitments[${i}]`, 33));
  commitments.forEach(decodePoint);
  return { capacity, root: { commitments: concat(...commitments), hash: hexField(root.hash, `${where}.root.hash`, 32) } };
}

function readAsset(entry, where) {
  exactObject(entry, where, ASSET);
  const decimals = integer(entry.decimals, `${where}.decimals`, 0, MAX_DECIMALS);
  const leafBits = integer(entry.leaf_bits, `${where}.leaf_bits`, 64, 128);
  if (leafBits !== 64 && leafBits !== 128) throw new EncodingError(`${where}.leaf_bits: must be 64 or 128`);
  const capacity = integer(entry.capacity, `${where}.capacity`, 1, 2 ** 32);
  const depth = Math.log2(capacity);
  if (!Number.isInteger(depth)) throw new EncodingError(`${where}.capacity: must be a power of two`);
  const root = exactObject(entry.root, `${where}.root`, ['commitment', 'hash']);
  const commitment = hexField(root.commitment, `${where}.root.commitment`, 33);
  decodePoint(commitment);
  const hash = hexField(root.hash, `${where}.root.hash`, 32);
  return { decimals, leafBits, capacity, depth, root: { commitment, hash } };
}
