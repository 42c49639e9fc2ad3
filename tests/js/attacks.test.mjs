// The contract's "never rejects" (zksolv/web/README.md) under what a page may pass as options:
// found by the JS attack review (tests/test_js_attacks.py drives the verdict attacks).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REGRESSION_V1, readText, web } from './helpers.mjs';

const { verifyInclusion } = await web('index.js');
const MANIFEST = readText(REGRESSION_V1, 'attestation', 'manifest.json');
const USER01 = readText(REGRESSION_V1, 'inclusion', 'user-01.json');

test('options null (no options), a number or a string: the promise resolves, never rejects', async () => {
  for (const options of [null, undefined, 5, 'x']) {
    const result = await verifyInclusion(USER01, MANIFEST, options);
    assert.equal(result.valid, true, `${options}: ${result.reason}`);
  }
});

test('options whose getters throw: an INVALID verdict naming an internal error, not a rejection', async () => {
  const options = { get userId() { throw new Error('boom'); } };
  const result = await verifyInclusion(USER01, MANIFEST, options);
  assert.equal(result.valid, false);
  assert.match(result.reason, /internal error.*boom/);
});
