// The manifest (SPEC.md §6.7) as far as a customer's inclusion check reads it, and its digest.
import { utf8 } from './bytes.js';
import { EncodingError } from './errors.js';
import { exactObject, hexField, integer, isObject, text, ASSET_NAME, IDENTIFIER, MAX_DECIMALS, shown } from './fields.js';
import { decodePoint } from './group.js';
import { tagged } from './hashing.js';
import { canonical } from './json.js';

const TOP = ['format', 'version', 'attestation_id', 'timestamp', 'previous', 'circuits', 'assets'];
const ASSET = ['decimals', 'leaf_bits', 'wallets', 'capacity', 'chunk', 'root', 'solvency', 'coverage', 'audit'];

/** Manifest digest: TAGGED("zksolv/v1/manifest", canonical JSON) (SPEC.md §6.7). */
export function manifestDigest(manifest) {
  return tagged('zksolv/v1/manifest', utf8(canonical(manifest)));
}

/** The spot (version 1) manifest's fields an inclusion check needs, checked in form:
 * {attestationId, digest, assets: {ASSET: {decimals, leafBits, capacity, depth, root}}}. */
export function readManifest(manifest) {
  if (!isObject(manifest) || manifest.format !== 'zksolv-attestation') throw new EncodingError('manifest: not a zksolv attestation');
  if (manifest.version !== 1n) {
    throw new EncodingError(`manifest: version ${shown(manifest.version)} is not a spot (version 1) round; this verifier checks spot rounds only`);
  }
  exactObject(manifest, 'manifest', TOP, ['custody']);
  const attestationId = text(manifest.attestation_id, 'manifest: attestation_id', 128, IDENTIFIER);
  if (!isObject(manifest.assets) || !Object.keys(manifest.assets).length) throw new EncodingError('manifest: assets must be a non-empty object');
  const assets = {};
  for (const [name, entry] of Object.entries(manifest.assets)) {
    text(name, 'manifest: asset name', 32, ASSET_NAME);
    assets[name] = readAsset(entry, `manifest: assets.${name}`);
  }
  return { attestationId, digest: manifestDigest(manifest), assets };
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
