// verifyInclusion on a margin customer's proof (SPEC.md §6.16) of the frozen margin round
// (vectors/regression/v2): the whole account is shown, and every defence of the check refuses
// what it exists to refuse (each test here fails when its defence is removed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { VECTORS, edited, invalid, readText, web } from './helpers.mjs';

const { verifyInclusion } = await web('index.js');
const { parseStrict } = await web('json.js');
const { manifestDigest } = await web('manifest.js');
const { toHex, fromHex } = await web('bytes.js');
const { coefficients, readMarket } = await web('market.js');
const { buildLayout } = await web('layout.js');
const { leafNode } = await web('account.js');
const { fromBase64, toBase64 } = await web('margin.js');
const { InvalidProof, EncodingError } = await web('errors.js');

const v2 = (...parts) => readText(join(VECTORS, 'regression', 'v2', ...parts));
const MANIFEST = v2('attestation', 'manifest.json');
const ALICE = v2('inclusion', 'alice.json');
const SPOT = v2('inclusion', 'spot-1.json');


/** A manifest changed by `edit`, and alice's proof naming its digest (so only the change counts). */
function changedRound(edit) {
  const manifest = edited(MANIFEST, edit);
  const digest = toHex(manifestDigest(parseStrict(manifest, 'manifest')));
  return [edited(ALICE, (d) => { d.manifest = digest; }), manifest];
}

test("alice's whole account: every asset's balance or debt, collateralized at base and crash", async () => {
  const r = await verifyInclusion(ALICE, MANIFEST, { userId: 'alice', balances: { USDT: '-20000', BTC: '1.0' } });
  assert.equal(r.valid, true, r.reason);
  assert.equal(r.userId, 'alice');
  assert.deepEqual(Object.fromEntries(Object.entries(r.assets).map(([a, x]) => [a, [x.balance, x.valid, x.debt]])),
    { BTC: ['1', true, false], ETH: ['0', true, false], USDT: ['-20000', true, true] });
  assert.deepEqual(r.notCovered, []);
  assert.deepEqual([r.margin.debts, r.margin.leafIndex, r.margin.collateralized], [['USDT'], 1, ['base', 'crash']]);
  assert.match(r.margin.provenBy, /zksolv audit/);
});

test('the customer\'s own figures are compared as signed amounts', async () => {
  await invalid(ALICE, MANIFEST, { balances: { USDT: '20000' } }, /USDT: the attestation counts -20000, not 20000/);
  await invalid(ALICE, MANIFEST, { balances: { USDT: '-20000.000001' } }, /not -20000.000001/);
  await invalid(ALICE, MANIFEST, { balances: { USDT: '-2e4' } }, /not -2e4/);
  await invalid(ALICE, MANIFEST, { balances: { DOGE: '0' } }, /DOGE: not an asset/);
  await invalid(ALICE, MANIFEST, { userId: 'bob' }, /for user "alice", not "bob"/);
});

test('balances: every asset of the round, each in its one spelling, at most 64 characters', async () => {
  const cases = [
    [(b) => { delete b.ETH; }, /missing ETH/], [(b) => { b.DOGE = '1'; }, /unexpected "DOGE"/],
    [(b) => { b.BTC = '1.0'; }, /not written as 1/], [(b) => { b.BTC = '+1'; }, /signed decimal/],
    [(b) => { b.ETH = '-0'; }, /not written as 0/], [(b) => { b.BTC = '01'; }, /not written as 1/],
    [(b) => { b.BTC = 1; }, /signed decimal string/], [(b) => { b.BTC = '1'.padEnd(65, '0'); }, /at most 64 characters/],
    [(b) => { b.BTC = '1.000000001'; }, /more than 8 fraction digits/],
  ];
  for (const [edit, pattern] of cases) await invalid(edited(ALICE, (d) => edit(d.margin.balances)), MANIFEST, {}, pattern);
});

test('the part proves something, alone: all-zero balances and spot leaves beside it are refused', async () => {
  await invalid(edited(ALICE, (d) => { d.margin.balances = { BTC: '0', ETH: '0', USDT: '0' }; }), MANIFEST, {}, /proves nothing/);
  await invalid(edited(ALICE, (d) => { d.assets = JSON.parse(SPOT).assets; }), MANIFEST, {}, /not in spot leaves/);
  await invalid(edited(ALICE, (d) => { d.margin = null; }), MANIFEST, {}, /proves no balance/);
});

test('leaf index and path: below the capacity, exactly the shape, canonical base64 of one node', async () => {
  await invalid(edited(ALICE, (d) => { d.margin.leaf_index = 4; }), MANIFEST, {}, /leaf_index: must be an integer from 0 to 3/);
  await invalid(edited(ALICE, (d) => { d.margin.leaf_index = 0; }), MANIFEST, {}, /does not lead/);
  await invalid(edited(ALICE, (d) => { d.margin.path.pop(); }), MANIFEST, {}, /exactly 2 siblings/);
  await invalid(edited(ALICE, (d) => { d.margin.path.reverse(); }), MANIFEST, {}, /does not lead/);
  await invalid(edited(ALICE, (d) => { d.margin.extra = 1; }), MANIFEST, {}, /unexpected "extra"/);
  const entry = JSON.parse(ALICE).margin.path[0];
  const spare = (c) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.indexOf(c) ^ 1];
  const spareBits = entry.slice(0, -2) + spare(entry.at(-2)) + entry.at(-1);
  await invalid(edited(ALICE, (d) => { d.margin.path[0] = spareBits; }), MANIFEST, {}, /not the canonical base64/);
  await invalid(edited(ALICE, (d) => { d.margin.path[0] = 'AAAA' + entry.slice(4); }), MANIFEST, {}, /a point must start with 02 or 03/);
  await invalid(edited(ALICE, (d) => { d.margin.path[0] = entry.slice(0, -4); }), MANIFEST, {}, /must be base64 of 230 bytes/);
});

test('base64: one spelling of exactly the size', () => {
  const bytes = Uint8Array.from({ length: 230 }, (_, i) => (i * 37) & 0xff);
  const text = toBase64(bytes);
  assert.equal(text, Buffer.from(bytes).toString('base64'));
  assert.deepEqual(fromBase64(text, 230, 'x'), bytes);
  assert.ok(text.endsWith('=') && !text.endsWith('=='));
  assert.throws(() => fromBase64(text.slice(0, -2) + '==', 230, 'x'), EncodingError);   // 229 bytes
  assert.throws(() => fromBase64(text, 231, 'x'), /not the canonical base64 of 231 bytes/);   // same length in characters
  assert.throws(() => fromBase64(text.slice(0, 10) + '*' + text.slice(11), 230, 'x'), /not base64/);
});

test('the root\'s commitments count, not only its hash: a manifest with E and D swapped is refused', async () => {
  const [proof, manifest] = changedRound((m) => {
    const c = m.margin.root.commitments;
    [c[4], c[5]] = [c[5], c[4]];
  });
  await invalid(proof, manifest, {}, /does not lead to the attested account-tree root/);
});

test('a manifest\'s account tree: an allowed capacity, a chunk dividing it, 2·A root commitments', async () => {
  await invalid(...changedRound((m) => { m.margin.capacity = 5; }), {}, /margin capacity is a power of two or a multiple of 1024/);
  await invalid(...changedRound((m) => { m.margin.capacity = 1024 * 3; m.margin.chunk = 256; }), {}, /exactly 12 siblings/);
  await invalid(...changedRound((m) => { m.margin.chunk = 3; }), {}, /chunk: a power of two up to 256/);
  await invalid(...changedRound((m) => { m.margin.chunk = 8; }), {}, /chunk: a power of two up to 256 that divides/);
  await invalid(...changedRound((m) => { m.margin.root.commitments.pop(); }), {}, /must list 6 commitments/);
});

test('the market is read in its normalized form only (a customer and `verify` read one market)', async () => {
  await invalid(...changedRound((m) => { m.market.assets.BTC.price = '97000.00'; }), {}, /not in its normalized form/);
  await invalid(...changedRound((m) => { m.market.scenarios[0].shock_percent.USDT = '0'; }), {}, /not in its normalized form/);
  await invalid(...changedRound((m) => { m.market.assets.BTC.haircut[1][1] = '96'; }), {}, /rates must not increase/);
  await invalid(...changedRound((m) => { delete m.market.assets.ETH; }), {}, /exactly the attested assets/);
});

function layoutOf(manifestText) {
  const m = parseStrict(manifestText, 'manifest');
  const decimals = Object.fromEntries(Object.entries(m.assets).map(([a, e]) => [a, Number(e.decimals)]));
  const leafBits = Object.fromEntries(Object.entries(m.assets).map(([a, e]) => [a, Number(e.leaf_bits)]));
  const market = readMarket(m.market, decimals);
  return { layout: buildLayout(market, coefficients(market, decimals), leafBits), leafBits, decimals };
}

test('balances not collateralized at some scenario have no leaf: refused, naming the scenario', () => {
  const { layout, leafBits } = layoutOf(MANIFEST);
  const secret = fromHex(JSON.parse(ALICE).user_secret, 32, 'secret');
  const at = (usdt) => () => leafNode(layout, leafBits, 'alice', secret, { BTC: 100000000n, ETH: 0n, USDT: usdt * 1000000n });
  assert.ok(at(-50000n)().hash.length === 32, 'collateralized at base and crash');
  assert.throws(at(-60000n), (e) => e instanceof InvalidProof && /not collateralized at crash/.test(e.message));
  assert.throws(at(-90000n), /not collateralized at base/);
});

test('a balance of 2^leaf_bits or more has no leaf', () => {
  const { layout, leafBits } = layoutOf(MANIFEST);
  const secret = new Uint8Array(32).fill(7);
  assert.throws(() => leafNode(layout, leafBits, 'a', secret, { BTC: 1n << 64n, ETH: 0n, USDT: 0n }), /beyond the leaf range/);
  assert.ok(leafNode(layout, leafBits, 'a', secret, { BTC: (1n << 64n) - 1n, ETH: 0n, USDT: 0n }).hash);
});

test('a layout whose claims could wrap or need more than 3 limbs is refused', () => {
  const market = (price, quoteDecimals) => ({ quote: 'USD', decimals: BigInt(quoteDecimals), min_collateral_percent: '100', scenarios: [],
    assets: { A: { price, haircut: [[null, '100']] }, B: { price: '1', haircut: [[null, '100']] } } });
  const build = (m, decimals, leafBits) => () => {
    const read = readMarket(m, decimals);
    return buildLayout(read, coefficients(read, decimals), leafBits);
  };
  assert.ok(build(market('97000', 2), { A: 8, B: 6 }, { A: 64, B: 64 })().claims.length > 0);
  // coefficient 10^4 · 10^32 · 10^30 ≥ 2^192
  assert.throws(build(market('100000000000000', 18), { A: 0, B: 30 }, { A: 64, B: 128 }), /coefficient of 2\^192/);
  // coefficient below 2^192, but × 2^128 needs 4 limbs
  assert.throws(build(market('100000', 18), { A: 0, B: 30 }, { A: 128, B: 128 }), /more than 3 limbs/);
});

test('limbs: "fewest holding h" is ⌈bits(h)/64⌉ — a tier of width 2^64 − 1 takes 1, one of 2^64 takes 2', () => {
  const build = (upper) => {
    const m = { quote: 'USD', decimals: 0n, min_collateral_percent: '100', scenarios: [],
      assets: { A: { price: '1', haircut: [[upper, '100'], [null, '50']] } } };
    const read = readMarket(m, { A: 0 });
    return buildLayout(read, coefficients(read, { A: 0 }), { A: 128 }).claims.map((c) => [c.name, c.limbs]);
  };
  const limbs = (claims) => Object.fromEntries(claims);
  assert.deepEqual([limbs(build(String(2n ** 64n - 1n)))['piece/A/0'], limbs(build(String(2n ** 64n - 1n)))['room/A/0']], [1, 1]);
  assert.deepEqual([limbs(build(String(2n ** 64n)))['piece/A/0'], limbs(build(String(2n ** 64n)))['room/A/0']], [2, 2]);
  assert.equal(limbs(build('10'))['piece/A/1'], 2, 'the last piece: leaf_bits / 64');
});
