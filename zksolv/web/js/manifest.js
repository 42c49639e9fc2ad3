// The manifest (SPEC.md §6.7) as far as a customer's inclusion check reads it, and its digest.
import { utf8 } from './bytes.js';
import { EncodingError } from './errors.js';
import { exactObject, hexField, integer, isObject, text, ASSET_NAME, IDENTIFIER, MAX_DECIMALS, shown } from './fields.js';
import { decodePoint } from './group.js';
import { tagged } from './hashing.js';
import { canonical } from './json.js';

const TOP = ['format', 'version', 'attestation_id', 'timestamp', 'previous', 'circuits', 'assets'];
// A margin round (version 2, SPEC.md §6.12.7) adds these; its spot trees are read as version 1's.
const MARGIN_TOP = ['market', 'margin', 'firm'];
const ASSET = ['decimals', 'leaf_bits', 'wallets', 'capacity', 'chunk', 'root', 'solvency', 'coverage', 'audit'];

/** Manifest digest: TAGGED("zksolv/v1/manifest", canonical JSON) (SPEC.md §6.7). */
export function manifestDigest(manifest) {
  return tagged('zksolv/v1/manifest', utf8(canonical(manifest)));
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
  return { version, attestationId, digest: manifestDigest(manifest), assets };
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
