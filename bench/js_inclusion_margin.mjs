// A margin customer's proof and manifest for bench/js_inclusion.mjs --margin (SPEC.md §6.16): a
// 5,120-account forest, 5 assets with 3 haircut tiers each, 2 scenarios; the customer's leaf is
// the verifier's own rebuild, the siblings random nodes (a walk's work does not depend on them).
import { randomBytes } from 'node:crypto';
import { concat, toHex } from '../zksolv/web/js/bytes.js';
import { commit } from '../zksolv/web/js/group.js';
import { canonical, fromPlain } from '../zksolv/web/js/json.js';
import { leafNode, pathShape, siblingNode, walkAccounts } from '../zksolv/web/js/account.js';
import { buildLayout } from '../zksolv/web/js/layout.js';
import { coefficients, readMarket } from '../zksolv/web/js/market.js';
import { manifestDigest } from '../zksolv/web/js/manifest.js';
import { toBase64 } from '../zksolv/web/js/margin.js';

const CAPACITY = 5120;
const INDEX = 1234;
const DECIMALS = { BTC: 8, ETH: 18, SOL: 9, USDT: 6, XRP: 6 };
const BALANCES = { BTC: '2.5', ETH: '-3', SOL: '150', USDT: '-25000', XRP: '0' };
const tiers = (unit) => [[String(10 * unit), '95'], [String(100 * unit), '80'], [null, '50']];
const MARKET = { quote: 'USD', decimals: 2n, min_collateral_percent: '110',
  assets: { BTC: { price: '97000', haircut: tiers(1) }, ETH: { price: '3600', haircut: tiers(10) },
            SOL: { price: '180', haircut: tiers(100) }, USDT: { price: '1', haircut: tiers(100000) },
            XRP: { price: '2.5', haircut: tiers(100000) } },
  scenarios: [{ name: 'crash', shock_percent: { BTC: '-40', ETH: '-50', SOL: '-60' } },
              { name: 'depeg', shock_percent: { USDT: '-5' } }] };

const leafBits = Object.fromEntries(Object.entries(DECIMALS).map(([a, d]) => [a, d <= 9 ? 64 : 128]));
const units = (a) => {
  const [whole, fraction = ''] = BALANCES[a].replace('-', '').split('.');
  const x = BigInt(whole + fraction.padEnd(DECIMALS[a], '0'));
  return BALANCES[a].startsWith('-') ? -x : x;
};
const randomNode = (width) => siblingNode(concat(...Array.from({ length: width }, () => commit(BigInt('0x' + toHex(randomBytes(8))), BigInt('0x' + toHex(randomBytes(31)))).toBytes(true)), randomBytes(32)), width);

/** [proof text, manifest text, asset count] of a valid margin proof at CAPACITY. */
export async function marginCase(secret, userId) {
  const market = readMarket(fromPlain(MARKET, 'bench'), DECIMALS);
  const layout = buildLayout(market, coefficients(market, DECIMALS), leafBits);
  const leaf = leafNode(layout, leafBits, userId, secret, Object.fromEntries(Object.keys(DECIMALS).map((a) => [a, units(a)])));
  const siblings = pathShape(CAPACITY, INDEX).map(() => randomNode(2 * Object.keys(DECIMALS).length));
  const root = walkAccounts(leaf, INDEX, siblings, CAPACITY);
  const points = Array.from({ length: root.commitments.length / 33 }, (_, i) => toHex(root.commitments.subarray(33 * i, 33 * i + 33)));
  const asset = (a) => ({ decimals: DECIMALS[a], leaf_bits: leafBits[a], wallets: [], capacity: 1, chunk: 1,
    root: { commitment: points[0], hash: '00'.repeat(32) }, solvency: { highs: [], proofs: [] }, coverage: null,
    audit: { file: `${a}.audit`, sha256: '00'.repeat(32), bytes: 0 } });
  const manifest = fromPlain({ format: 'zksolv-attestation', version: 2, attestation_id: 'bench', timestamp: '2026-12-04T00:00:00Z',
    previous: null, circuits: { name: 'margin-v1', hash: '00'.repeat(32) }, market: MARKET,
    assets: Object.fromEntries(Object.keys(DECIMALS).map((a) => [a, asset(a)])),
    margin: { capacity: CAPACITY, chunk: 256, root: { commitments: points, hash: toHex(root.hash) },
              audit: { file: 'margin.audit', sha256: '00'.repeat(32), bytes: 0 } },
    firm: { ratio: ['1', '1'], scenarios: [] } }, 'bench');
  const proof = { format: 'zksolv-inclusion', version: 2, attestation_id: 'bench', manifest: toHex(manifestDigest(manifest)),
    user_id: userId, user_secret: toHex(secret), assets: {},
    margin: { balances: BALANCES, leaf_index: INDEX, path: siblings.map((n) => toBase64(concat(n.commitments, n.hash))) } };
  return [JSON.stringify(proof), canonical(manifest), Object.keys(DECIMALS).length];
}
