// The exchange's signature (SPEC.md §6.17) against vectors/exchange-signature.json, and the
// rules of §6.4.2 it relies on (EIP-191 digest, EIP-2 low s, v, EIP-55), each refusing alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { vectorTests, web } from './helpers.mjs';

const { fromHex, toHex, utf8 } = await web('bytes.js');
const { checkExchangeSignature, normalizeAddress, recoverAddress } = await web('signature.js');
const { ZksolvError, InvalidProof, EncodingError } = await web('errors.js');
const { CURVE_ORDER } = await web('hashing.js');

const roundOf = (t) => ({ custody: { exchange: t.exchange.toLowerCase() }, digest: fromHex(t.manifest_digest, 32, 'digest') });
const TESTS = vectorTests('exchange-signature.json');
const GOOD = TESTS[0];

test('exchange-signature.json: valid files name the exchange, invalid ones are refused', () => {
  for (const t of TESTS) {
    if (t.result === 'valid') {
      assert.equal(checkExchangeSignature(roundOf(t), JSON.stringify(t.file)), t.exchange.toLowerCase(), t.comment);
      assert.equal(checkExchangeSignature(roundOf(t), JSON.stringify(t.file), t.exchange), t.exchange.toLowerCase());
    } else {
      assert.throws(() => checkExchangeSignature(roundOf(t), JSON.stringify(t.file)), ZksolvError, `${t.tc_id} ${t.comment}`);
    }
  }
  assert.ok(TESTS.filter((t) => t.result === 'invalid').length >= 9);
  const wrong = TESTS.find((t) => t.flags.includes('WrongSigner'));
  assert.throws(() => checkExchangeSignature(roundOf(wrong), JSON.stringify(wrong.file)), /signed by 0x[0-9a-f]{40}, but the reserves name the exchange/);
});

test('a round naming an exchange needs its signature; a pinned signer must be that exchange', () => {
  assert.throws(() => checkExchangeSignature(roundOf(GOOD), undefined), /missing/);
  assert.throws(() => checkExchangeSignature(roundOf(GOOD), JSON.stringify(GOOD.file), '0x' + '11'.repeat(20)), /names the exchange/);
  assert.throws(() => checkExchangeSignature(roundOf(GOOD), JSON.stringify(GOOD.file), 'acme'), EncodingError);
  const v1 = { custody: null, digest: fromHex(GOOD.manifest_digest, 32, 'd') };
  assert.equal(checkExchangeSignature(v1, undefined), null);
  assert.equal(checkExchangeSignature(v1, { junk: true }), null, 'a version-1 round: a signature file is ignored');
  assert.throws(() => checkExchangeSignature(v1, undefined, GOOD.exchange), /names no exchange/);
});

const signatureParts = (text) => {
  const raw = fromHex(text.slice(2), 65, 'sig');
  return [BigInt('0x' + toHex(raw.subarray(0, 32))), BigInt('0x' + toHex(raw.subarray(32, 64))), raw[64]];
};
const spelled = (r, s, v) => '0x' + r.toString(16).padStart(64, '0') + s.toString(16).padStart(64, '0') + v.toString(16).padStart(2, '0');

test('EIP-2: the malleated twin (r, n − s) of a valid signature recovers the same key and is refused', () => {
  const message = utf8(GOOD.file.message);
  const [r, s, v] = signatureParts(GOOD.file.signature);
  assert.equal(recoverAddress(message, GOOD.file.signature, 'sig'), GOOD.exchange.toLowerCase());
  assert.throws(() => recoverAddress(message, spelled(r, CURVE_ORDER - s, 27 + ((v - 27) ^ 1)), 'sig'), /s is above n\/2/);
});

test('r and s in [1, n − 1], v in {27, 28, 0, 1}, 65 bytes of hex with or without 0x', () => {
  const message = utf8(GOOD.file.message);
  const [r, s, v] = signatureParts(GOOD.file.signature);
  assert.equal(recoverAddress(message, GOOD.file.signature.slice(2).toUpperCase(), 'sig'), GOOD.exchange.toLowerCase());
  for (const [rr, ss] of [[0n, s], [r, 0n], [CURVE_ORDER, s], [r + CURVE_ORDER, s]]) {
    assert.throws(() => recoverAddress(message, spelled(rr, ss, v), 'sig'), /r and s must be in \[1, n − 1\]|130 hex/);
  }
  for (const bad of [2, 26, 29, 255]) assert.throws(() => recoverAddress(message, spelled(r, s, bad), 'sig'), /v must be/);
  assert.throws(() => recoverAddress(message, GOOD.file.signature + '00', 'sig'), EncodingError);
  assert.notEqual(recoverAddress(utf8(GOOD.file.message + ' '), GOOD.file.signature, 'sig'), GOOD.exchange.toLowerCase());
});

test('EIP-55: a mixed-case address must carry its checksum', () => {
  const good = GOOD.exchange;
  assert.match(good, /[A-F]/);
  assert.equal(normalizeAddress(good, 'a'), good.toLowerCase());
  assert.equal(normalizeAddress(good.toUpperCase().replace('0X', '0x'), 'a'), good.toLowerCase());
  const i = [...good].findIndex((c, k) => k > 1 && /[a-fA-F]/.test(c));
  const broken = good.slice(0, i) + (good[i] === good[i].toUpperCase() ? good[i].toLowerCase() : good[i].toUpperCase()) + good.slice(i + 1);
  assert.throws(() => normalizeAddress(broken, 'a'), /EIP-55/);
  assert.throws(() => checkExchangeSignature(roundOf(GOOD), JSON.stringify({ ...GOOD.file, signer: broken })), /EIP-55/);
});

test('the file: exactly its four fields, scheme eip191, at most 4,096 bytes', () => {
  assert.throws(() => checkExchangeSignature(roundOf(GOOD), JSON.stringify({ ...GOOD.file, note: 'x' })), /unexpected "note"/);
  assert.throws(() => checkExchangeSignature(roundOf(GOOD), JSON.stringify(GOOD.file) + ' '.repeat(4096)), /larger than 4096/);
  const other = { ...GOOD.file, message: GOOD.file.message.replace(/.$/, (c) => (c === '0' ? '1' : '0')) };
  assert.throws(() => checkExchangeSignature(roundOf(GOOD), JSON.stringify(other)), InvalidProof);
  assert.throws(() => checkExchangeSignature(roundOf(GOOD), GOOD.file), /give the JSON text/);
});
