// Shared by the JS tests: where the repository's vectors and the verifier's modules are.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VECTORS = join(ROOT, 'vectors');
export const WEB = join(ROOT, 'zksolv', 'web', 'js');
export const REGRESSION_V1 = join(VECTORS, 'regression', 'v1');

export function readText(...parts) {
  return readFileSync(join(...parts), 'utf8');
}

/** A vectors/*.json file (Wycheproof-shaped, SPEC.md §7): its tests. */
export function vectorTests(name) {
  const doc = JSON.parse(readText(VECTORS, name));
  if (!Array.isArray(doc.tests) || doc.tests.length !== doc.numberOfTests || doc.tests.length === 0) {
    throw new Error(`${name}: no tests, or numberOfTests disagrees`);
  }
  return doc.tests;
}

export const web = (module) => import(join(WEB, module));

/** JSON text `text` changed by `edit` (which mutates the parsed document). */
export function edited(text, edit) {
  const doc = JSON.parse(text);
  edit(doc);
  return JSON.stringify(doc);
}

/** verifyInclusion's verdict, asserted INVALID with a reason matching `reasonPattern`. */
export async function invalid(proof, manifest, options, reasonPattern) {
  const { default: assert } = await import('node:assert/strict');
  const { verifyInclusion } = await web('index.js');
  const result = await verifyInclusion(proof, manifest, options);
  assert.equal(result.valid, false, JSON.stringify(result));
  assert.match(result.reason, reasonPattern);
  return result;
}
