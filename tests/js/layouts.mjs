// Used by tests/test_js_crosscheck_margin.py (not a test file itself): reads a JSON file of
// cases [{normalized, decimals, leaf_bits}] (a market in its normalized form, SPEC.md §6.12.2)
// and prints the margin-leaf layout the JS verifier builds for each (§6.14) — slot names and
// claims [name, constant, terms, limbs] — or {error} when it refuses the layout.
import { readFileSync } from 'node:fs';
import { web } from './helpers.mjs';

const { fromPlain } = await web('json.js');
const { coefficients, readMarket } = await web('market.js');
const { buildLayout } = await web('layout.js');
const { ZksolvError } = await web('errors.js');

const out = JSON.parse(readFileSync(process.argv[2], 'utf8')).map(({ normalized, decimals, leaf_bits: leafBits }) => {
  try {
    const market = readMarket(fromPlain(normalized, 'market'), decimals);
    const layout = buildLayout(market, coefficients(market, decimals), leafBits);
    return { slots: layout.slots.map((s) => s.name),
             claims: layout.claims.map((c) => [c.name, String(c.constant), c.terms.map(([i, k]) => [i, String(k)]), c.limbs]) };
  } catch (error) {
    if (!(error instanceof ZksolvError)) throw error;
    return { error: error.message };
  }
});
process.stdout.write(JSON.stringify(out) + '\n');
