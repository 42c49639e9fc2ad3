// Issue 13 target: one customer's inclusion proof verified by the JS verifier at capacity 2^20
// (a path of 20 levels, three assets) in ≤ 50 ms after the page has loaded. Builds a valid
// proof and manifest of that shape with the verifier's own primitives (the siblings are
// random commitments: the work of a walk does not depend on them), then times verifyInclusion
// after one warm-up call (the "page has loaded" state: modules parsed, H derived).
// With --margin: a margin customer's proof (SPEC.md §6.16) in a forest of 5,120 accounts
// (4,096 + 1,024: 13 siblings for a leaf of the first subtree), issue 11's shape: 5 assets,
// 3 haircut tiers each, 2 scenarios.
//   node bench/js_inclusion.mjs [--runs N] [--margin]
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { concat, framed, toHex, utf8 } from '../zksolv/web/js/bytes.js';
import { commit, encodePoint } from '../zksolv/web/js/group.js';
import { mac, wide } from '../zksolv/web/js/hashing.js';
import { manifestDigest } from '../zksolv/web/js/manifest.js';
import { verifyInclusion } from '../zksolv/web/js/index.js';
import { idHash, leafHash, walk } from '../zksolv/web/js/tree.js';
import { fromPlain, canonical } from '../zksolv/web/js/json.js';

const DEPTH = 20;
const ASSETS = { BTC: [8, '1.5'], ETH: [18, '2.25'], USDT: [6, '1000'] };
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 50);

function assetPart(secret, userId, asset, [decimals, balance]) {
  const units = BigInt(balance.replace('.', '').padEnd(balance.split('.')[0].length + decimals, '0'));
  const a = framed(utf8(asset));
  const c = encodePoint(commit(units, wide(secret, 'zksolv/v1/leaf-blinding', a)));
  const h = leafHash(asset, idHash(userId, mac(secret, 'zksolv/v1/leaf-salt', a)), c);
  const path = Array.from({ length: DEPTH }, () => [encodePoint(commit(BigInt('0x' + toHex(randomBytes(8))), BigInt('0x' + toHex(randomBytes(31))))), randomBytes(32)]);
  const index = Math.floor(Math.random() * 2 ** DEPTH);
  const root = walk(index, c, h, path);
  return { index, path, root, decimals, balance };
}

const secret = randomBytes(32);
const userId = 'bench-user';
if (process.argv.includes('--margin')) {
  const { marginCase } = await import('./js_inclusion_margin.mjs');
  await report(...(await marginCase(secret, userId)), 'margin, 5,120 accounts');
  process.exit(0);
}
const manifest = { format: 'zksolv-attestation', version: 1, attestation_id: 'bench', timestamp: '2026-12-04T00:00:00Z',
  previous: null, circuits: { name: 'solvency-v1', hash: '00'.repeat(32) }, assets: {} };
const proof = { format: 'zksolv-inclusion', version: 1, attestation_id: 'bench', manifest: '', user_id: userId,
  user_secret: toHex(secret), assets: {} };
for (const [asset, spec] of Object.entries(ASSETS)) {
  const part = assetPart(secret, userId, asset, spec);
  manifest.assets[asset] = { decimals: part.decimals, leaf_bits: 128, wallets: [], capacity: 2 ** DEPTH, chunk: 256,
    root: { commitment: toHex(part.root.commitment), hash: toHex(part.root.hash) }, solvency: { proof: '' },
    coverage: null, audit: { file: `${asset}.audit`, sha256: '00'.repeat(32), bytes: 0 } };
  proof.assets[asset] = { balance: part.balance, leaf_index: part.index, path: part.path.map(([c, h]) => [toHex(c), toHex(h)]) };
}
proof.manifest = toHex(manifestDigest(fromPlain(manifest, 'bench')));
const proofText = JSON.stringify(proof);
const manifestText = canonical(fromPlain(manifest, 'bench'));

report(proofText, manifestText, Object.keys(ASSETS).length, `spot, 2^${DEPTH}`);

/** Time verifyInclusion after one warm-up call; one JSON line of wall-clock figures. */
async function report(proofText, manifestText, assets, shape) {
  const warm = await verifyInclusion(proofText, manifestText);
  if (!warm.valid) throw new Error(`bench proof does not verify: ${warm.reason}`);
  const times = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = await verifyInclusion(proofText, manifestText);
    times.push(performance.now() - start);
    if (!result.valid) throw new Error(result.reason);
  }
  const used = process.cpuUsage(cpu);
  times.sort((x, y) => x - y);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2);
  process.stdout.write(JSON.stringify({ shape, assets, runs, median_ms: Number(at(0.5)), p90_ms: Number(at(0.9)),
    max_ms: Number(times.at(-1).toFixed(2)), cpu_ms_per_run: Number(((used.user + used.system) / 1000 / runs).toFixed(2)),
    node: process.version }) + '\n');
}
