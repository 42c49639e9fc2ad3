// Prints {proof, manifest} (JSON texts) of one customer at capacity 2^DEPTH over three assets,
// for bench/browser_inclusion.py: the leaf of each asset is the customer's real one (secret,
// id, balance), its siblings random nodes, and the manifest's roots the walk's result; the
// work of checking a path does not depend on what the siblings are.
//   node bench/browser_proof.mjs [DEPTH]
import { randomBytes } from 'node:crypto';
import { framed, toHex, utf8 } from '../zksolv/web/js/bytes.js';
import { commit, encodePoint } from '../zksolv/web/js/group.js';
import { mac, wide } from '../zksolv/web/js/hashing.js';
import { canonical, fromPlain } from '../zksolv/web/js/json.js';
import { manifestDigest } from '../zksolv/web/js/manifest.js';
import { idHash, leafHash, walk } from '../zksolv/web/js/tree.js';

const depth = Number(process.argv[2] || 20);
const holdings = [['BTC', 8, 150000000n, '1.5'], ['ETH', 18, 2250000000000000000n, '2.25'], ['USDT', 6, 1000000000n, '1000']];
const secret = randomBytes(32);
const user = 'browser-bench-user';
const randomNode = () => [toHex(encodePoint(commit(BigInt(1 + Math.floor(Math.random() * 1e9)), 7n + BigInt(Math.floor(Math.random() * 1e9))))), toHex(randomBytes(32))];

const assetsOfManifest = {};
const assetsOfProof = {};
for (const [asset, decimals, units, balance] of holdings) {
  const tag = framed(utf8(asset));
  const leaf = encodePoint(commit(units, wide(secret, 'zksolv/v1/leaf-blinding', tag)));
  const digest = leafHash(asset, idHash(user, mac(secret, 'zksolv/v1/leaf-salt', tag)), leaf);
  const siblings = Array.from({ length: depth }, randomNode);
  const index = Math.floor(Math.random() * 2 ** depth);
  const root = walk(index, leaf, digest, siblings.map(([c, h]) => [Buffer.from(c, 'hex'), Buffer.from(h, 'hex')]));
  assetsOfManifest[asset] = {
    audit: { bytes: 0, file: `${asset}.audit`, sha256: '00'.repeat(32) }, capacity: 2 ** depth, chunk: 256,
    coverage: null, decimals, leaf_bits: 128, root: { commitment: toHex(root.commitment), hash: toHex(root.hash) },
    solvency: { proof: '' }, wallets: [],
  };
  assetsOfProof[asset] = { balance, leaf_index: index, path: siblings };
}
const manifest = fromPlain({
  assets: assetsOfManifest, attestation_id: 'browser-bench', circuits: { hash: '00'.repeat(32), name: 'solvency-v1' },
  format: 'zksolv-attestation', previous: null, timestamp: '2026-12-04T00:00:00Z', version: 1,
}, 'bench manifest');
const proof = {
  assets: assetsOfProof, attestation_id: 'browser-bench', format: 'zksolv-inclusion', manifest: toHex(manifestDigest(manifest)),
  user_id: user, user_secret: toHex(secret), version: 1,
};
process.stdout.write(JSON.stringify({ proof: JSON.stringify(proof), manifest: canonical(manifest) }) + '\n');
