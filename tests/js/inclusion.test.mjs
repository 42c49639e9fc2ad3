// verifyInclusion (issue 13 item 4) on the frozen version-1 attestation (vectors/regression/v1):
// its inclusion proofs verify, and every mutation is INVALID with a reason (SPEC.md §6.11).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REGRESSION_V1, edited, invalid, readText, web } from './helpers.mjs';

const { verifyInclusion } = await web('index.js');
const { parseStrict, canonical } = await web('json.js');
const { manifestDigest } = await web('manifest.js');
const { toHex } = await web('bytes.js');

const MANIFEST = readText(REGRESSION_V1, 'attestation', 'manifest.json');
const ZOE = readText(REGRESSION_V1, 'inclusion', 'zoe-mueller.json');
const USER01 = readText(REGRESSION_V1, 'inclusion', 'user-01.json');
const BALANCES = { BTC: '4.18789553', ETH: '46.058900859190266764', USDT: '12919.466174' };


test('the frozen proofs verify, with the balances counted and the user they name', async () => {
  const zoe = await verifyInclusion(ZOE, MANIFEST, { userId: 'zoë müller', balances: BALANCES });
  assert.equal(zoe.valid, true, zoe.reason);
  assert.equal(zoe.reason, null);
  assert.equal(zoe.userId, 'zoë müller');
  assert.deepEqual(Object.fromEntries(Object.entries(zoe.assets).map(([a, r]) => [a, [r.balance, r.valid]])),
    { BTC: ['4.18789553', true], ETH: ['46.058900859190266764', true], USDT: ['12919.466174', true] });
  assert.deepEqual(zoe.notCovered, []);
  const one = await verifyInclusion(USER01, MANIFEST);
  assert.equal(one.valid, true, one.reason);
  assert.deepEqual(one.notCovered, ['BTC', 'USDT']);
  assert.equal(one.userId, 'user-01');
});

test('text and bytes are read; parsed values (JSON.parse) are refused, since they hide duplicates, 1.0 and -0', async () => {
  const bytes = new TextEncoder().encode(ZOE);
  assert.equal((await verifyInclusion(bytes, MANIFEST)).valid, true);
  const odd = ZOE.replace('"leaf_index": 0', '"leaf_index": 0.0').replace(/"balance": ("[^"]*")/, '"balance": "9", "balance": $1');
  assert.notEqual(odd, ZOE);
  assert.equal((await verifyInclusion(odd, MANIFEST)).valid, false);
  for (const [proof, manifest] of [[JSON.parse(odd), MANIFEST], [ZOE, JSON.parse(MANIFEST)]]) {
    const result = await verifyInclusion(proof, manifest);
    assert.equal(result.valid, false);
    assert.match(result.reason, /give the JSON text or its bytes/);
  }
});

test('the manifest digest is over the canonical JSON of the parsed manifest (non-ASCII ids in proofs)', () => {
  const doc = parseStrict(ZOE, 'proof');
  assert.equal(doc.user_id, 'zoë müller');
  assert.match(canonical(doc), /"user_id":"zoë müller"/);
});

test('a flipped byte anywhere in a proof\'s hex or balance makes it INVALID', async () => {
  const doc = JSON.parse(ZOE);
  const flips = [
    ['user_secret', (d) => { d.user_secret = flip(d.user_secret, 10); }, /does not lead to the attested root/],
    ['a sibling hash', (d) => { d.assets.ETH.path[1][1] = flip(d.assets.ETH.path[1][1], 5); }, /does not lead/],
    ['a sibling commitment', (d) => { d.assets.USDT.path[2][0] = flipPoint(d.assets.USDT.path[2][0]); }, /does not lead|not a point/],
    ['the manifest digest', (d) => { d.manifest = flip(d.manifest, 0); }, /another attestation/],
    ['a balance digit', (d) => { d.assets.BTC.balance = '4.18789554'; }, /BTC: the leaf does not lead/],
    ['the leaf index', (d) => { d.assets.BTC.leaf_index = 6; }, /BTC: the leaf does not lead/],
  ];
  for (const [what, edit, reason] of flips) {
    const copy = structuredClone(doc);
    edit(copy);
    await invalid(JSON.stringify(copy), MANIFEST, {}, reason);
  }
});

function flip(hexText, at) {
  const digit = parseInt(hexText[at], 16) ^ 1;
  return hexText.slice(0, at) + digit.toString(16) + hexText.slice(at + 1);
}

function flipPoint(hexText) {
  return flip(hexText, 66 - 1);
}

test('the other asset\'s verdicts are still reported when one asset fails', async () => {
  const proof = edited(ZOE, (d) => { d.assets.ETH.balance = '46.05890085919026676'; });
  const result = await invalid(proof, MANIFEST, {}, /ETH: the leaf does not lead/);
  assert.equal(result.assets.BTC.valid, true);
  assert.equal(result.assets.ETH.valid, false);
  assert.match(result.assets.ETH.reason, /does not lead/);
});

test('wrong user: the proof names another customer', async () => {
  await invalid(ZOE, MANIFEST, { userId: 'zoe muller' }, /is for user "zoë müller", not "zoe muller"/);
  await invalid(USER01, MANIFEST, { userId: 'user-02' }, /for user "user-01"/);
});

test('a proof renamed to another user does not verify (the id is bound in the leaf)', async () => {
  await invalid(edited(USER01, (d) => { d.user_id = 'user-02'; }), MANIFEST, {}, /does not lead/);
});

test('wrong balance: the customer\'s figure differs from the one counted', async () => {
  await invalid(ZOE, MANIFEST, { balances: { ...BALANCES, USDT: '12919.466175' } }, /USDT: the attestation counts 12919.466174, not 12919.466175/);
  await invalid(USER01, MANIFEST, { balances: { BTC: '0' } }, /BTC: the attestation counts nothing/);
  await invalid(ZOE, MANIFEST, { balances: { BTC: '-4.18789553' } }, /BTC: the attestation counts/);
  await invalid(ZOE, MANIFEST, { balances: { DOGE: '1' } }, /DOGE: the attestation counts nothing/);
  await invalid(ZOE, MANIFEST, { balances: { BTC: '4.187895530' } }, /BTC: the attestation counts 4.18789553, not 4.187895530/);
  const same = await verifyInclusion(ZOE, MANIFEST, { balances: { BTC: '004.18789553' } });
  assert.equal(same.valid, true, 'compared by value, as `--balance` is');
});

test("another round's manifest: the proof names this round's digest", async () => {
  const nextRound = edited(MANIFEST, (m) => {
    m.timestamp = '2026-12-05T10:30:00Z';
    m.previous = JSON.parse(ZOE).manifest;
  });
  await invalid(ZOE, nextRound, {}, /another attestation \(round or exchange\)/);
  const renamed = edited(MANIFEST, (m) => { m.attestation_id = 'regression-v2'; });
  await invalid(ZOE, renamed, {}, /another attestation/);
  const proofRenamed = edited(ZOE, (d) => { d.attestation_id = 'regression-v2'; });
  await invalid(proofRenamed, MANIFEST, {}, /another attestation/);
});

test('a leaf index beyond the capacity is refused (it would walk the same path)', async () => {
  await invalid(edited(ZOE, (d) => { d.assets.BTC.leaf_index += 8; }), MANIFEST, {}, /leaf index 15 does not fit a path of 3 levels/);
});

test('a balance beyond 2^leaf_bits is refused, before any walk', async () => {
  // 2^64 BTC base units: a leaf's range proof shows every leaf below 2^64, so no such balance
  // is counted, whatever the walk; the verifier says so rather than "does not lead".
  await invalid(edited(ZOE, (d) => { d.assets.BTC.balance = '184467440737.09551616'; }), MANIFEST, {}, /beyond the leaf range 2\^64/);
  const below = await verifyInclusion(edited(ZOE, (d) => { d.assets.BTC.balance = '184467440737.09551615'; }), MANIFEST);
  assert.match(below.reason, /BTC: the leaf does not lead/);
});

test('a balance not in its one written form is refused', async () => {
  for (const balance of ['4.187895530', '04.18789553', '4.18789553 ', '+4.18789553', '4.187895531', '', '4e0']) {
    await invalid(edited(ZOE, (d) => { d.assets.BTC.balance = balance; }), MANIFEST, {}, /BTC\.balance/);
  }
  await invalid(edited(ZOE, (d) => { d.assets.BTC.balance = '4.187895531'; }), MANIFEST, {}, /more than the asset's 8 decimals/);
});

test('a path of the wrong length is refused', async () => {
  await invalid(edited(ZOE, (d) => { d.assets.BTC.path.pop(); }), MANIFEST, {}, /path length does not match the capacity 8/);
  await invalid(edited(ZOE, (d) => { d.assets.BTC.path.push(d.assets.BTC.path[0]); }), MANIFEST, {}, /path length/);
});

test('a proof with no asset proves nothing and is refused', async () => {
  await invalid(edited(ZOE, (d) => { d.assets = {}; }), MANIFEST, {}, /proves no balance/);
});

test('an asset the round does not attest is refused', async () => {
  await invalid(edited(ZOE, (d) => { d.assets.DOGE = d.assets.BTC; }), MANIFEST, {}, /DOGE is not attested/);
});

test('fields in other than their one form are refused, naming the field', async () => {
  const cases = [
    [(d) => { d.extra = 1; }, /unexpected "extra"/],
    [(d) => { delete d.user_secret; }, /missing user_secret/],
    [(d) => { d.version = 2; }, /missing margin/],
    [(d) => { d.version = 3; }, /version 3 is not one this verifier knows/],
    [(d) => { d.version = "1"; }, /version "1" is not one this verifier knows/],
    [(d) => { d.format = 'zksolv-attestation'; }, /not a zksolv inclusion proof/],
    [(d) => { d.user_secret = d.user_secret.toUpperCase(); }, /user_secret: must be lower-case hex/],
    [(d) => { d.manifest = d.manifest.slice(2); }, /manifest: must be lower-case hex of 32 bytes/],
    [(d) => { d.user_id = ''; }, /user_id: must be 1–256 bytes of printable text/],
    [(d) => { d.user_id = 'a\u0000b'; }, /user_id/],
    [(d) => { d.assets.BTC.leaf_index = 2 ** 32; }, /leaf_index: must be an integer/],
    [(d) => { d.assets.BTC.leaf_index = true; }, /leaf_index/],
    [(d) => { d.assets.BTC.path[0] = [d.assets.BTC.path[0][0]]; }, /path\[0\]: must be \[commitment, hash\]/],
    [(d) => { d.assets.BTC.path[0][0] = '04' + d.assets.BTC.path[0][0].slice(2); }, /start with 02 or 03/],
  ];
  for (const [edit, reason] of cases) await invalid(edited(ZOE, edit), MANIFEST, {}, reason);
});

test('strict JSON: duplicate keys, fractions, exponents, deep nesting and lone surrogates are refused', async () => {
  await invalid(ZOE.replace('"version": 1,', '"version": 1, "version": 1,'), MANIFEST, {}, /duplicate key "version"/);
  await invalid(ZOE.replace('"leaf_index": 7', '"leaf_index": 7.0'), MANIFEST, {}, /fraction or exponent/);
  await invalid(ZOE.replace('"leaf_index": 7', '"leaf_index": 7e0'), MANIFEST, {}, /fraction or exponent/);
  await invalid(ZOE.replace('"version": 1,', `"version": 1, "x": ${'['.repeat(20)}${']'.repeat(20)},`), MANIFEST, {}, /nesting deeper than 16/);
  await invalid(ZOE.replace('zo\\u00eb', 'zo\\ud800'), MANIFEST, {}, /lone surrogate/);
  await invalid(ZOE + 'x', MANIFEST, {}, /trailing characters/);
  await invalid(ZOE, MANIFEST.replace('"version": 1', '"version": 1, "version": 1'), {}, /duplicate key/);
});

test('a margin round (version 2): a spot customer\'s proof verifies; versions and parts never mix', async () => {
  const { VECTORS } = await import('./helpers.mjs');
  const { join } = await import('node:path');
  const v2 = (...parts) => readText(join(VECTORS, 'regression', 'v2', ...parts));
  const margin = v2('attestation', 'manifest.json');
  const spot = v2('inclusion', 'spot-1.json');
  const ok = await verifyInclusion(spot, margin, { userId: 'spot-1', balances: { BTC: '2', USDT: '1000' } });
  assert.equal(ok.valid, true, ok.reason);
  assert.deepEqual(Object.keys(ok.assets), ['BTC', 'USDT']);
  assert.deepEqual(ok.notCovered, ['ETH']);
  await invalid(edited(spot, (d) => { d.assets.BTC.balance = '3'; }), margin, {}, /BTC: the leaf does not lead/);
  await invalid(spot, margin, { balances: { BTC: '2.5' } }, /BTC: the attestation counts 2, not 2.5/);
  await invalid(edited(spot, (d) => { d.margin = {}; }), margin, {}, /not in spot leaves/);
  await invalid(edited(spot, (d) => { d.margin = []; }), margin, {}, /margin must be null or an object/);
  await invalid(spot, MANIFEST, {}, /a version-2 inclusion proof is for a version-2 round, this manifest is version 1/);
  await invalid(ZOE, margin, {}, /a version-1 inclusion proof is for a version-1 round, this manifest is version 2/);
  await invalid(edited(spot, (d) => { d.version = 1; delete d.margin; }), margin, {}, /version-1 inclusion proof/);
  await invalid(edited(spot, (d) => { d.assets = {}; }), margin, {}, /proves no balance/);
  await invalid(spot, edited(margin, (m) => { delete m.firm; }), {}, /manifest: missing firm/);
  await invalid(spot, edited(margin, (m) => { m.version = 1; }), {}, /manifest: unexpected/);
  await invalid(spot, edited(margin, (m) => { m.version = 3; }), {}, /manifest: version 3 is not one this verifier knows/);
  await invalid(ZOE, edited(MANIFEST, (m) => { m.version = true; }), {}, /manifest: version true is not one/);
});

test('the verdict is never VALID for garbage', async () => {
  for (const junk of [undefined, null, 42, '', '{}', '[]', 'null', new Uint8Array([0xff, 0xfe])]) {
    await invalid(junk, MANIFEST, {}, /./);
    await invalid(ZOE, junk, {}, /./);
  }
});

test("a manifest whose root commitment is not its tree's is refused, though the hash matches", async () => {
  // The solvency proof is about the root commitment: a customer's leaf must sum into it, not
  // only into the root hash.
  const other = JSON.parse(ZOE).assets.BTC.path[0][0];
  const manifest = edited(MANIFEST, (m) => { m.assets.BTC.root.commitment = other; });
  const digest = toHex(manifestDigest(parseStrict(manifest, 'm')));
  const proof = edited(ZOE, (d) => { d.manifest = digest; });
  const result = await invalid(proof, manifest, {}, /BTC: the leaf does not lead to the attested root/);
  assert.equal(result.assets.ETH.valid, true, 'the other assets still check: the digest was updated');
});

test('browser.js exposes the contract as globalThis.zksolv.verifyInclusion', async () => {
  await web('browser.js');
  assert.ok(Object.isFrozen(globalThis.zksolv));
  const result = await globalThis.zksolv.verifyInclusion(USER01, MANIFEST, { userId: 'user-01' });
  assert.equal(result.valid, true, result.reason);
});

test('asset names that are Object.prototype keys are ordinary names', async () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    const text = ZOE.replace('"BTC": {', `${JSON.stringify(name)}: {`);
    const result = await invalid(text, MANIFEST, {}, new RegExp(`${name} is not attested`));
    assert.ok(Object.hasOwn(result.assets, name), `the verdict lists ${name} as an asset`);
    assert.equal(result.assets[name].valid, false);
    await invalid(ZOE, MANIFEST, { balances: { [name]: '1' } }, new RegExp(`${name}: the attestation counts nothing, not 1`));
  }
});

test('size caps of §1.1: an inclusion proof above 1 MiB, a manifest above 16 MiB, refused unread', async () => {
  const bytes = (text) => new TextEncoder().encode(text).length;
  const upTo = (text, size) => text + ' '.repeat(size - bytes(text)); // trailing white space is JSON
  const fits = upTo(USER01, 1 << 20);
  assert.equal((await verifyInclusion(fits, MANIFEST)).valid, true, 'exactly 1 MiB is accepted');
  await invalid(fits + ' ', MANIFEST, {}, /inclusion proof: larger than 1048576 bytes/);
  await invalid(new TextEncoder().encode(fits + ' '), MANIFEST, {}, /larger than 1048576 bytes/);
  const manifest = upTo(MANIFEST, 16 << 20);
  assert.equal((await verifyInclusion(USER01, manifest)).valid, true, 'exactly 16 MiB is accepted');
  await invalid(USER01, manifest + ' ', {}, /manifest: larger than 16777216 bytes/);
});
