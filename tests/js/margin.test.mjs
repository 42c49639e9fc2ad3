// The margin customer's check (SPEC.md §6.12–§6.16) against vectors/: the market's normalized
// form and coefficients, the leaf layout, customers' leaves, the account tree (a forest too)
// and margin parts of inclusion proofs, valid and not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { vectorTests, web } from './helpers.mjs';

const { fromHex, toHex, utf8 } = await web('bytes.js');
const { canonical, fromPlain, parseStrict } = await web('json.js');
const { tagged } = await web('hashing.js');
const { coefficients, parseDecimal, readMarket } = await web('market.js');
const { buildLayout, slotValues } = await web('layout.js');
const { leafNode, siblingNode, walkAccounts } = await web('account.js');
const { checkMargin } = await web('margin.js');
const { ZksolvError } = await web('errors.js');

const hex = (text) => fromHex(text, undefined, 'vector');
const plainBig = (value) => JSON.parse(JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? v.toString() : v)));

function round(t) {
  const decimals = t.decimals;
  const market = readMarket(fromPlain(t.market, 'market'), decimals);
  const layout = buildLayout(market, coefficients(market, decimals), t.leaf_bits);
  return { decimals, market, layout };
}

test('market: each valid file normalized is read back exactly, with its digest and coefficients', () => {
  let valid = 0;
  for (const t of vectorTests('market.json').filter((t) => t.result === 'valid')) {
    valid++;
    const market = readMarket(fromPlain(t.normalized, 'market'), t.decimals);
    assert.equal(toHex(tagged('zksolv/v1/market', utf8(canonical(fromPlain(t.normalized, 'market'))))), t.digest, t.comment);
    const coeffs = coefficients(market, t.decimals);
    assert.deepEqual(coeffs.map((s) => s.name), t.scenarios, t.comment);
    assert.deepEqual(plainBig(coeffs.map((s) => s.coll)), t.collateral, t.comment);
    assert.deepEqual(plainBig(coeffs.map((s) => s.debt)), t.debt, t.comment);
  }
  assert.ok(valid >= 5);
});

test('market: a manifest market not in its normalized form is refused, so is every invalid file', () => {
  for (const t of vectorTests('market.json')) {
    if (t.result === 'valid' && canonical(parseStrict(t.text, 'market')) === canonical(fromPlain(t.normalized, 'market'))) continue;
    assert.throws(() => readMarket(parseStrict(t.text, 'market'), t.decimals), ZksolvError, `${t.tc_id} ${t.comment}`);
  }
});

test('margin leaf: the layout, then every customer leaf rebuilt from id, secret and balances', () => {
  const [first, ...leaves] = vectorTests('margin-leaf.json');
  const { layout } = round(first);
  assert.deepEqual(layout.slots.map((s) => s.name), first.layout.slots);
  assert.deepEqual(plainBig(layout.claims.map(({ name, constant, terms, limbs }) => ({ name, constant, terms, limbs }))), first.layout.claims);
  let customers = 0;
  for (const t of leaves.filter((t) => t.user_id)) {
    customers++;
    const units = Object.fromEntries(Object.entries(t.balances).map(([a, x]) => [a, parseDecimal(x, t.decimals[a], a, true)]));
    assert.deepEqual(slotValues(layout, units, t.leaf_bits).map(String), t.slot_values, t.comment);
    const node = leafNode(layout, t.leaf_bits, t.user_id, hex(t.user_secret), units);
    assert.equal(toHex(node.hash), t.hash, t.comment);
    assert.equal(toHex(node.commitments), t.node.commitments.join(''), t.comment);
  }
  assert.equal(customers, 3);
});

const nodeOf = (n) => siblingNode(hex(n.commitments.join('') + n.hash), n.commitments.length);

test('account tree: walks from the 4-leaf tree and the 3,072-leaf forest; broken walks fail', () => {
  const walks = vectorTests('account-tree.json').filter((t) => 'path' in t);
  assert.ok(walks.some((t) => t.capacity === 3072 && t.result === 'valid') && walks.some((t) => t.result === 'invalid'));
  for (const t of walks) {
    let reached = false;
    try {
      const end = walkAccounts(nodeOf(t.leaf), t.index, t.path.map(nodeOf), t.capacity);
      reached = toHex(end.commitments) === t.root.commitments.join('') && toHex(end.hash) === t.root.hash;
    } catch (error) {
      if (!(error instanceof ZksolvError)) throw error;
    }
    assert.equal(reached, t.result === 'valid', `${t.tc_id} ${t.comment}`);
  }
});

test('inclusion-margin: valid parts show the vector\'s balances, debts and scenarios; invalid parts fail', () => {
  const tests = vectorTests('inclusion-margin.json');
  for (const t of tests) {
    const { decimals, market } = round(t);
    const assets = Object.fromEntries(Object.keys(decimals).map((a) => [a, { decimals: decimals[a], leafBits: t.leaf_bits[a] }]));
    const manifest = { assets, market, margin: { capacity: t.capacity, root: { commitments: hex(t.root.commitments.join('')), hash: hex(t.root.hash) } } };
    const proof = { userId: t.user_id, userSecret: hex(t.user_secret), margin: fromPlain(t.part, 'part') };
    if (t.result === 'valid') {
      const shown = checkMargin(proof, manifest, {});
      assert.deepEqual([shown.balances, shown.debts, shown.leafIndex, shown.collateralized],
                       [t.shown.balances, t.shown.debts, t.shown.leaf_index, t.shown.collateralized], t.comment);
    } else {
      assert.throws(() => checkMargin(proof, manifest, {}), ZksolvError, `${t.tc_id} ${t.comment}`);
    }
  }
  assert.ok(tests.filter((t) => t.result === 'invalid').length >= 10);
});

test("path shapes of SPEC.md §6.15's 7,168 example; an index outside the capacity has none", async () => {
  const { pathShape } = await web('account.js');
  const tail = (capacity, i) => pathShape(capacity, i).filter((s) => s.level & 0x80).map((s) => [s.level, s.left]);
  assert.equal(pathShape(7168, 5).length, 13);
  assert.deepEqual(tail(7168, 5), [[0x8c, false]]);
  assert.equal(pathShape(7168, 4100).length, 13);
  assert.deepEqual(tail(7168, 4100), [[0x8b, false], [0x8c, true]]);
  assert.equal(pathShape(7168, 6150).length, 12);
  assert.deepEqual(tail(7168, 6150), [[0x8b, true], [0x8c, true]]);
  assert.deepEqual(pathShape(4, 1), [{ level: 1, left: true }, { level: 2, left: false }]);
  assert.deepEqual(pathShape(1, 0), []);
  for (const [capacity, index] of [[3072, 3072], [4, -1], [4, 4], [4, 1.5]]) {
    assert.throws(() => pathShape(capacity, index), /outside the margin capacity/);
  }
  assert.throws(() => pathShape(3000, 0), /power of two or a multiple of 1024/);
});
