// Field checks of SPEC.md §1.1 for the documents a customer verifies: exact key sets, JSON
// integers, lower-case hex, identifiers, printable text, amounts.
import { fromHex, utf8 } from './bytes.js';
import { EncodingError } from './errors.js';

export const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
export const MAX_DECIMALS = 30;
export const MAX_WHOLE_DIGITS = 40;
// "Printable" as §6.1 uses it: no control, format, surrogate, private-use, unassigned or
// separator character, except the space U+0020.
const PRINTABLE = /^(?:[^\p{C}\p{Z}]| )+$/u;
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
  if (typeof value !== 'string' || !PRINTABLE.test(value) || utf8(value).length > maxBytes
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
