// SPEC.md §6.1's "printable", fixed as a list of code points (not the engine's Unicode version):
// the boundaries of every range, the format controls Unicode 15.0 added, unassigned code points.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { web } from './helpers.mjs';

const { NOT_PRINTABLE, printable, text } = await web('fields.js');
const { EncodingError } = await web('errors.js');
const at = (cp) => String.fromCodePoint(cp);

test('every range refuses its ends and accepts its neighbours (where those are printable)', () => {
  const refused = (cp) => NOT_PRINTABLE.some(([lo, hi]) => lo <= cp && cp <= hi);
  for (const [lo, hi] of NOT_PRINTABLE) {
    assert.equal(printable(at(lo)), false, lo.toString(16));
    assert.equal(printable(at(hi)), false, hi.toString(16));
    for (const cp of [lo - 1, hi + 1]) {
      if (cp >= 0 && cp < 0x110000 && !refused(cp)) assert.equal(printable(`a${at(cp)}b`), true, cp.toString(16));
    }
  }
  assert.equal(NOT_PRINTABLE.length, 28);
});

test('agrees with the engine\'s own categories C* and Z* on every assigned code point but the space', () => {
  let assigned = 0;
  for (let cp = 0; cp < 0x110000; cp++) {
    const c = at(cp);
    if (/\p{Cn}/u.test(c)) continue;
    assigned++;
    assert.equal(printable(c), cp === 0x20 || !/[\p{C}\p{Z}]/u.test(c), cp.toString(16));
  }
  assert.ok(assigned > 280000);   // Unicode 14.0 has 284,278 assigned code points (private use included)
});

test('unassigned code points are accepted; U+13439–U+1343F (Cf since Unicode 15.0) are not', () => {
  for (const cp of [0x0378, 0x0530, 0x2fe0, 0xe0080, 0x31350 - 1, 0x3fffd]) assert.equal(printable(at(cp)), true, cp.toString(16));
  for (let cp = 0x13439; cp <= 0x1343f; cp++) assert.equal(printable(at(cp)), false);
  assert.equal(printable(' '), true);
  assert.equal(printable(''), false);
  assert.equal(printable('a\u202eb'), false, 'a bidi override');
  assert.throws(() => text('zoë\u2028', 'user_id'), EncodingError);
  assert.equal(text('zoë müller', 'user_id'), 'zoë müller');
});
