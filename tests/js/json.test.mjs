// Canonical JSON and strict reading (SPEC.md §1.1), and the manifest digest (§6.7).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REGRESSION_V1, readText, web } from './helpers.mjs';

const { canonical, parseStrict, fromPlain, compareCodePoints } = await web('json.js');
const { manifestDigest } = await web('manifest.js');
const { toHex } = await web('bytes.js');
const { EncodingError } = await web('errors.js');

test('canonical JSON: sorted keys, no white space, minimal escapes, non-ASCII as itself', () => {
  const value = parseStrict('{ "b": [1, -2, true, false, null], "a": "é\\u00e9\\n\\t\\r\\b\\f\\u0001\\u001f\\"\\\\/\\u007f\\u2028" }', 't');
  assert.equal(canonical(value), '{"a":"éé\\n\\t\\r\\b\\f\\u0001\\u001f\\"\\\\/\u007f\u2028","b":[1,-2,true,false,null]}');
});

test('canonical JSON: keys sorted by code point, not by UTF-16 unit', () => {
  // U+FF61 sorts before U+1F600 by code point, after it by UTF-16 unit (0xD83D).
  const value = parseStrict('{"\uff61": 1, "\u{1F600}": 2, "a": 3}', 't');
  assert.equal(canonical(value), '{"a":3,"\uff61":1,"\u{1F600}":2}');
  assert.ok(compareCodePoints('\uff61', '\u{1F600}') < 0);
  assert.ok('\u{1F600}' < '\uff61', 'JS string order differs, which is why compareCodePoints exists');
});

test('integers are exact to 40 digits; -0 is refused, as Python refuses it', () => {
  const big = '1234567890123456789012345678901234567890';
  assert.equal(canonical(parseStrict(`[${big}, -${big}, 0]`, 't')), `[${big},-${big},0]`);
  for (const text of ['-0', '[-0]', '{"a": -0}']) assert.throws(() => parseStrict(text, 't'), /-0/, text);
  assert.throws(() => parseStrict(`[${big}1]`, 't'), /more than 40 digits/);
  assert.throws(() => parseStrict('[01]', 't'), EncodingError);
});

test('strict reading refuses what §1.1 refuses', () => {
  const bad = ['{"a":1,"a":1}', '[1.0]', '[1e3]', '[NaN]', '[Infinity]', '["\\ud800"]', '["\\udc00x"]', '[1,]', '{"a":1,}',
    "['a']", '["a\tb"]', '', ' ', '[1] [2]', '{"a" 1}', '["\\x41"]', `${'['.repeat(17)}${']'.repeat(17)}`];
  for (const text of bad) assert.throws(() => parseStrict(text, 't'), EncodingError, JSON.stringify(text));
  assert.doesNotThrow(() => parseStrict(`${'['.repeat(16)}${']'.repeat(16)}`, 't'));
  assert.equal(canonical(parseStrict('["\\ud83d\\ude00"]', 't')), '["\u{1F600}"]');
});

test('"__proto__" is an ordinary key', () => {
  const value = parseStrict('{"__proto__": 1, "constructor": 2}', 't');
  assert.equal(canonical(value), '{"__proto__":1,"constructor":2}');
});

test('values from JSON.parse: safe integers only, since others may have lost digits', () => {
  assert.equal(canonical(fromPlain({ b: 1, a: [2] }, 't')), '{"a":[2],"b":1}');
  assert.throws(() => fromPlain({ a: 2 ** 53 }, 't'), /not an exact integer/);
  assert.throws(() => fromPlain({ a: 1.5 }, 't'), /not an exact integer/);
  assert.throws(() => fromPlain({ a: undefined }, 't'), EncodingError);
});

test('the frozen manifest hashes to the digest its inclusion proofs name', () => {
  const manifest = parseStrict(readText(REGRESSION_V1, 'attestation', 'manifest.json'), 'm');
  const named = JSON.parse(readText(REGRESSION_V1, 'inclusion', 'user-01.json')).manifest;
  assert.equal(toHex(manifestDigest(manifest)), named);
});

test('a byte-order mark is refused, in bytes as in text', async () => {
  const { verifyInclusion } = await web('index.js');
  const manifest = readText(REGRESSION_V1, 'attestation', 'manifest.json');
  const proof = readText(REGRESSION_V1, 'inclusion', 'user-01.json');
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(proof)]);
  assert.equal((await verifyInclusion(new TextEncoder().encode(proof), manifest)).valid, true);
  const refused = await verifyInclusion(bom, manifest);
  assert.equal(refused.valid, false);
  assert.match(refused.reason, /not strict JSON: unexpected character at character 0/);
  assert.throws(() => parseStrict('\ufeff{}', 't'), EncodingError);
});
