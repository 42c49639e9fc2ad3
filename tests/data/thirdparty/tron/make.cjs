// TRON signatures made by tronweb (the TRON Foundation's JavaScript library), for
// tests/test_chains_tron.py. Not run by CI (no npm there); the output is committed.
//
// Rerun (any directory outside the repository):
//   npm install --no-save tronweb@6.5.1
//   NODE_PATH=$PWD/node_modules node /path/to/tests/data/thirdparty/tron/make.cjs \
//       > /path/to/tests/data/thirdparty/tron/signatures.json
//
// Keys are public (SHA-256 of a label) and tronweb signs with RFC 6979 nonces (ethers'
// SigningKey), so a rerun writes the same file.
'use strict';
const crypto = require('crypto');
const { TronWeb, Trx, utils } = require('tronweb');

const EXCHANGE = '0x8ba1f109551bd432803012645ac136ddd64dba72';
const ATTESTATION = 'acme-2026-12-04';

function key(label) {
  return crypto.createHash('sha256').update(label).digest('hex');
}

function controlMessage(chain, address) {
  return `zksolv:reserves:v2:${EXCHANGE}:${ATTESTATION}:${chain}:${address}`;
}

const cases = [];
for (let i = 0; i < 3; i++) {
  const privateKey = key(`zksolv thirdparty tron ${i}`);
  const address = TronWeb.address.fromPrivateKey(privateKey);
  for (const message of [controlMessage('tron', address), 'Some data']) {
    const v2 = Trx.signMessageV2(message, privateKey);
    if (Trx.verifyMessageV2(message, v2) !== address) throw new Error('tronweb v2 self-check');
    cases.push({ address, message, form: 'v2', signature: v2 });
    const hex = Buffer.from(message, 'utf8').toString('hex');
    const v1 = Trx.signString(hex, privateKey, true);
    if (!Trx.verifySignature(hex, address, v1, true)) throw new Error('tronweb v1 self-check');
    cases.push({ address, message, form: 'v1', signature: v1 });
  }
}
const out = {
  generator: 'tests/data/thirdparty/tron/make.cjs',
  library: `tronweb ${TronWeb.version}`,
  exchange: EXCHANGE,
  attestation_id: ATTESTATION,
  forms: {
    v2: 'Trx.signMessageV2(message, key)',
    v1: 'Trx.signString(hex of the UTF-8 message, key, true) (= trx.sign of a hex string)',
  },
  token_usdt: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
  token_usdt_hex: TronWeb.address.toHex('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'),
  cases,
};
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
