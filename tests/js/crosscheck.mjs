// Used by tests/test_js_crosscheck.py (not a test file itself): reads a JSON file of cases
// [{proof, manifest, userId, balances}] (proof and manifest as JSON text) and prints one line
// of JSON: the verdicts [{valid, reason}] of verifyInclusion, in order.
import { readFileSync } from 'node:fs';
import { web } from './helpers.mjs';

const { verifyInclusion } = await web('index.js');
const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const verdicts = [];
for (const c of cases) {
  const result = await verifyInclusion(c.proof, c.manifest, { userId: c.userId ?? undefined, balances: c.balances ?? undefined });
  verdicts.push({ valid: result.valid, reason: result.reason });
}
process.stdout.write(JSON.stringify(verdicts) + '\n');
