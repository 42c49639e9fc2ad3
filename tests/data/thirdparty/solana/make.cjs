// Solana signatures made by Solana Kit (@solana/kit, Anza's JavaScript SDK), for
// tests/test_chains_solana.py. Not run by CI (no npm there); the output is committed.
//
// Rerun (any directory outside the repository; Node ≥ 20 for WebCrypto Ed25519):
//   npm install --no-save @solana/kit@8.4.0
//   NODE_PATH=$PWD/node_modules node /path/to/tests/data/thirdparty/solana/make.cjs \
//       > /path/to/tests/data/thirdparty/solana/signatures.json
//
// Keys are public (SHA-256 of a label, used as the ed25519 seed); ed25519 is deterministic,
// so a rerun writes the same file.
'use strict';
const crypto = require('crypto');
const kit = require('@solana/kit');

const EXCHANGE = '0x8ba1f109551bd432803012645ac136ddd64dba72';
const ATTESTATION = 'acme-2026-12-04';

function seed(label) {
  return new Uint8Array(crypto.createHash('sha256').update(label).digest());
}

function controlMessage(address) {
  return `zksolv:reserves:v2:${EXCHANGE}:${ATTESTATION}:solana:${address}`;
}

async function main() {
  const cases = [];
  for (let i = 0; i < 3; i++) {
    const keyPair = await kit.createKeyPairFromPrivateKeyBytes(seed(`zksolv thirdparty solana ${i}`));
    const address = await kit.getAddressFromPublicKey(keyPair.publicKey);
    for (const message of [controlMessage(address), 'Some data ü']) {
      const raw = await kit.signBytes(keyPair.privateKey, new TextEncoder().encode(message));
      cases.push({ address, message, form: 'raw', signature: kit.getBase58Decoder().decode(raw) });
      const envelope = kit.compileOffchainMessageV1Envelope({
        content: message, requiredSignatories: [{ address }], version: 1,
      });
      const signed = await kit.signOffchainMessageEnvelope([keyPair], envelope);
      await kit.verifyOffchainMessageEnvelope(signed);
      cases.push({
        address, message, form: 'v1',
        signed_bytes: Buffer.from(signed.content).toString('hex'),
        signature: kit.getBase58Decoder().decode(signed.signatures[address]),
      });
    }
  }
  const out = {
    generator: 'tests/data/thirdparty/solana/make.cjs',
    library: '@solana/kit 8.4.0',
    exchange: EXCHANGE,
    attestation_id: ATTESTATION,
    forms: {
      raw: 'signBytes(privateKey, UTF-8 message), as wallets\' signMessage',
      v1: 'signOffchainMessageEnvelope of compileOffchainMessageV1Envelope (one signatory)',
    },
    cases,
  };
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
