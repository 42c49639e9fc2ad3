// Field checks of SPEC.md §1.1 for the documents a customer verifies: exact key sets, JSON
// integers, lower-case hex, identifiers, printable text, amounts.
import { fromHex, utf8 } from './bytes.js';
import { EncodingError } from './errors.js';

export const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
export const MAX_DECIMALS = 30;
export const MAX_WHOLE_DIGITS = 40;
// "Printable" as §6.1 fixes it: none of these code points — Unicode 17.0's Cc, Cf, Cs, Co, Zs,
// Zl and Zp but the space, a list that does not move with the JS engine's Unicode version
// (unassigned code points are accepted). The same table as zksolv/strictjson.py's.
export const NOT_PRINTABLE = [
  [0x0000, 0x001f], [0x007f, 0x00a0], [0x00ad, 0x00ad], [0x0600, 0x0605], [0x061c, 0x061c],
  [0x06dd, 0x06dd], [0x070f, 0x070f], [0x0890, 0x0891], [0x08e2, 0x08e2], [0x1680, 0x1680],
  [0x180e, 0x180e], [0x2000, 0x200f], [0x2028, 0x202f], [0x205f, 0x2064], [0x2066, 0x206f],
  [0x3000, 0x3000], [0xd800, 0xf8ff], [0xfeff, 0xfeff], [0xfff9, 0xfffb], [0x110bd, 0x110bd],
  [0x110cd, 0x110cd], [0x13430, 0x1343f], [0x1bca0, 0x1bca3], [0x1d173, 0x1d17a], [0xe0001, 0xe0001],
  [0xe0020, 0xe007f], [0xf0000, 0xffffd], [0x100000, 0x10fffd],
];
const PRINTABLE = new RegExp(`^[^${NOT_PRINTABLE.map(([lo, hi]) => `\\u{${lo.toString(16)}}-\\u{${hi.toString(16)}}`).join('')}]+$`, 'u');

/** Text of at least one character, none of NOT_PRINTABLE (SPEC.md §6.1 "printable"). */
export function printable(value) {
  return typeof value === 'string' && PRINTABLE.test(value);
}
const AMOUNT = /^([0-9]+)(?:\.([0-9]+))?$/;

/** A parsed value as JSON would write it, for messages. */
export function shown(value) {
  return typeof value === 'bigint' ? value.toString() : JSON.stringify(value) ?? String(value);
}

export function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `value` if it is an object with exactly the keys `required` plus any of `optional`. */
export function exactObject(value, where, required, optional = []) {
  if (!isObject(value)) throw new EncodingError(`${where}: must be an object`);
  const keys = Object.keys(value);
  const missing = required.filter((k) => !keys.includes(k));
  const extra = keys.filter((k) => !required.includes(k) && !optional.includes(k));
  if (missing.length) throw new EncodingError(`${where}: missing ${missing.join(', ')}`);
  if (extra.length) throw new EncodingError(`${where}: unexpected ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
  return value;
}

/** A JSON integer (BigInt after reading) from `low` to `high`, as a Number. */
export function integer(value, where, low, high) {
  if (typeof value !== 'bigint' || value < BigInt(low) || value > BigInt(high)) {
    throw new EncodingError(`${where}: must be an integer from ${low} to ${high}`);
  }
  return Number(value);
}

/** 1 to `maxBytes` UTF-8 bytes of printable text, matching `pattern` if given. */
export function text(value, where, maxBytes = 256, pattern = null) {
  if (!printable(value) || utf8(value).length > maxBytes
      || (pattern && !pattern.test(value))) {
    throw new EncodingError(`${where}: must be 1–${maxBytes} bytes of printable text${pattern ? ` matching ${pattern.source}` : ''}`);
  }
  return value;
}

export function hexField(value, where, length) {
  return fromHex(value, length, where);
}

/** Base units of a plain decimal with at most `decimals` fraction digits (SPEC.md §6.1). */
export function parseAmount(value, decimals, where) {
  const match = typeof value === 'string' ? AMOUNT.exec(value) : null;
  if (!match) throw new EncodingError(`${where}: ${JSON.stringify(String(value)).slice(0, 40)} is not a plain decimal number`);
  const [, whole, fraction = ''] = match;
  if (whole.length > MAX_WHOLE_DIGITS) throw new EncodingError(`${where}: more than ${MAX_WHOLE_DIGITS} whole digits`);
  if (fraction.length > decimals) throw new EncodingError(`${where}: ${value} has more than the asset's ${decimals} decimals`);
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

/** The shortest exact decimal of `units` base units (SPEC.md §1.1, an inclusion balance). */
export function formatAmount(units, decimals) {
  const scale = 10n ** BigInt(decimals);
  const fraction = decimals ? (units % scale).toString().padStart(decimals, '0').replace(/0+$/, '') : '';
  return fraction ? `${units / scale}.${fraction}` : `${units / scale}`;
}
