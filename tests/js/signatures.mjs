// Used by tests/test_js_crosscheck_signature.py (not a test file itself): reads a JSON file
// {manifest: text, files: [exchange-signature.json texts]} and prints, for each file, whether
// the JS verifier accepts it as the exchange's signature over that manifest (SPEC.md §6.17).
import { readFileSync } from 'node:fs';
import { web } from './helpers.mjs';

const { parseStrict } = await web('json.js');
const { readManifest } = await web('manifest.js');
const { checkExchangeSignature } = await web('signature.js');
const { ZksolvError } = await web('errors.js');

const { manifest, files } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const round = readManifest(parseStrict(manifest, 'manifest'));
const verdicts = files.map((text) => {
  try {
    return checkExchangeSignature(round, text) === round.custody.exchange;
  } catch (error) {
    if (!(error instanceof ZksolvError)) throw error;
    return false;
  }
});
process.stdout.write(JSON.stringify(verdicts) + '\n');
