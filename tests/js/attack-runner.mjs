// Used by tests/test_js_attacks.py (not a test file itself): reads a JSON file of cases
// [{proof, manifest, exchangeSignature, userId, balances, signer, bytes}] — documents as JSON
// text, given to the verifier as UTF-8 bytes when `bytes` is true (so a BOM or a bad byte
// reaches it as a browser's fetch().arrayBuffer() would) — and prints one line of JSON: the
// verdicts [{valid, reason, shown}] of verifyInclusion, in order.
import { readFileSync } from 'node:fs';
import { web } from './helpers.mjs';

const { verifyInclusion } = await web('index.js');
const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const asGiven = (text, bytes) => (bytes && typeof text === 'string' ? Buffer.from(text, 'latin1') : text ?? undefined);
const verdicts = [];
for (const c of cases) {
  const result = await verifyInclusion(asGiven(c.proof, c.bytes), asGiven(c.manifest, c.bytes), {
    userId: c.userId ?? undefined, balances: c.balances ?? undefined,
    exchangeSignature: asGiven(c.exchangeSignature, c.bytes), signer: c.signer ?? undefined,
  });
  const balances = Object.fromEntries(Object.entries(result.assets ?? {}).map(([a, r]) => [a, r.balance]));
  const shown = { user_id: result.userId, balances, signed_by: result.signedBy ?? null, not_covered: result.notCovered };
  verdicts.push({ valid: result.valid, reason: result.reason, shown });
}
process.stdout.write(JSON.stringify(verdicts) + '\n');
