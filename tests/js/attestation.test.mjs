// The published attestation vector (vectors/attestation.json, vectors/attestation/; SPEC.md §7):
// the JS verifier reproduces its digests, audit file hashes, canonical JSON with non-ASCII user
// ids and exchange signature, and gives every inclusion case its verdict.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VECTORS, readText, vectorTests, web } from './helpers.mjs';

const { toHex, utf8 } = await web('bytes.js');
const { canonical, parseStrict } = await web('json.js');
const { sha256 } = await web('hashing.js');
const { bodyDigest, manifestDigest, readManifest } = await web('manifest.js');
const { checkExchangeSignature } = await web('signature.js');
const { verifyInclusion } = await web('index.js');

const TESTS = vectorTests('attestation.json');
const ROUND = join(VECTORS, 'attestation', 'round');
const MANIFEST = readText(ROUND, 'manifest.json');
const SIGNATURE = readText(ROUND, 'exchange-signature.json');
const of = (kind) => TESTS.filter((t) => t.kind === kind);

test('the manifest digest and body digest', () => {
  const [t] = of('manifest');
  const doc = parseStrict(MANIFEST, 'manifest');
  assert.equal(toHex(manifestDigest(doc)), t.digest);
  assert.equal(toHex(bodyDigest(doc)), t.body_digest);
  assert.equal(readManifest(doc).attestationId, t.attestation_id);
});

test('the audit files: the SHA-256 and size the vector and the manifest list', () => {
  const doc = JSON.parse(MANIFEST);
  assert.equal(of('audit').length, 4);
  for (const t of of('audit')) {
    const data = readFileSync(join(VECTORS, t.file));
    assert.deepEqual([toHex(sha256(data)), data.length], [t.sha256, t.bytes], t.file);
    const name = t.file.split('/').at(-1);
    const entry = name === 'margin.audit' ? doc.margin.audit : doc.assets[name.replace('.audit', '')].audit;
    assert.deepEqual(entry, { file: name, sha256: t.sha256, bytes: t.bytes });
  }
});

test("the exchange's signature over the manifest", () => {
  const [t] = of('exchange-signature');
  assert.equal(checkExchangeSignature(readManifest(parseStrict(MANIFEST, 'manifest')), SIGNATURE), t.exchange);
});

test('inclusion: both customers VALID with their balances, debts, scenarios and signer; every other case INVALID', async () => {
  let valid = 0;
  for (const t of of('inclusion')) {
    const proof = readText(VECTORS, t.file);
    const given = t.given ?? {};
    const options = { userId: given.user_id ?? t.user_id, balances: given.balances, signer: given.signer,
                      exchangeSignature: given.without_signature ? undefined : SIGNATURE };
    const r = await verifyInclusion(proof, MANIFEST, options);
    if (t.result === 'invalid') {
      assert.equal(r.valid, false, `${t.tc_id} ${t.comment}`);
      assert.ok(r.reason);
      const plain = await verifyInclusion(proof, MANIFEST, { exchangeSignature: SIGNATURE });
      assert.equal(plain.valid, true, `${t.tc_id}: the same proof verifies without the change`);
      continue;
    }
    valid++;
    assert.equal(r.valid, true, r.reason);
    assert.deepEqual([r.userId, r.signedBy], [t.user_id, t.signed_by]);
    assert.deepEqual(Object.fromEntries(Object.entries(r.assets).map(([a, x]) => [a, x.balance])), t.balances);
    assert.deepEqual(r.margin ? { debts: r.margin.debts, leaf_index: r.margin.leafIndex, collateralized: r.margin.collateralized } : null, t.margin);
    assert.equal(toHex(sha256(utf8(canonical(parseStrict(proof, 'proof'))))), t.canonical_sha256, t.comment);
  }
  assert.equal(valid, 2);
});
