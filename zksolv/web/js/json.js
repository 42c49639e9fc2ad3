// Strict JSON reading and canonical JSON writing (SPEC.md §1.1).
//
// Parsed values: objects have no prototype (so "__proto__" is an ordinary key), integers are
// BigInt (at most 40 digits, never rounded, never written -0), strings, arrays, true, false, null.
import { EncodingError } from './errors.js';

export const MAX_DEPTH = 16;
export const MAX_INTEGER_DIGITS = 40;
const INTEGER = /-?(?:0|[1-9][0-9]*)/y;
const ESCAPES = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The values of the JSON text `text` read strictly (SPEC.md §1.1), else an EncodingError. */
export function parseStrict(text, where) {
  if (typeof text !== 'string') throw new EncodingError(`${where}: not JSON text`);
  const reader = new Reader(text, where);
  reader.space();
  const value = reader.value(1);
  reader.space();
  if (reader.pos !== text.length) reader.fail('trailing characters');
  return value;
}

class Reader {
  constructor(text, where) {
    this.text = text;
    this.where = where;
    this.pos = 0;
  }

  fail(what) {
    throw new EncodingError(`${this.where}: not strict JSON: ${what} at character ${this.pos}`);
  }

  space() {
    while (' \t\n\r'.includes(this.text[this.pos] ?? 'x')) this.pos++;
  }

  value(depth) {
    const c = this.text[this.pos];
    if (c === '{' || c === '[') {
      if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
      return c === '{' ? this.object(depth) : this.array(depth);
    }
    if (c === '"') return this.string();
    for (const [word, result] of [['true', true], ['false', false], ['null', null]]) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return result;
      }
    }
    return this.integer();
  }

  integer() {
    INTEGER.lastIndex = this.pos;
    const match = INTEGER.exec(this.text);
    if (!match) this.fail('unexpected character');
    this.pos += match[0].length;
    if ('.eE'.includes(this.text[this.pos] ?? 'x')) this.fail('a fraction or exponent');
    if (match[0].replace('-', '').length > MAX_INTEGER_DIGITS) this.fail(`an integer of more than ${MAX_INTEGER_DIGITS} digits`);
    if (match[0] === '-0') this.fail('-0 (0 has one spelling)');
    return BigInt(match[0]);
  }

  object(depth) {
    const out = Object.create(null);
    const seen = new Set();
    this.pos++;
    this.space();
    if (this.text[this.pos] === '}') return this.pos++, out;
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail('expected a key');
      const key = this.string();
      if (seen.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      seen.add(key);
      this.space();
      if (this.text[this.pos++] !== ':') this.fail('expected ":"');
      this.space();
      out[key] = this.value(depth + 1);
      this.space();
      const c = this.text[this.pos++];
      if (c === '}') return out;
      if (c !== ',') this.fail('expected "," or "}"');
      this.space();
    }
  }

  array(depth) {
    const out = [];
    this.pos++;
    this.space();
    if (this.text[this.pos] === ']') return this.pos++, out;
    for (;;) {
      out.push(this.value(depth + 1));
      this.space();
      const c = this.text[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected "," or "]"');
      this.space();
    }
  }

  string() {
    let out = '';
    this.pos++;
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined) this.fail('an unterminated string');
      if (c === '"') break;
      if (c < ' ') this.fail('a raw control character in a string');
      out += c === '\\' ? this.escape() : c;
    }
    if (!out.isWellFormed()) this.fail('a lone surrogate');
    return out;
  }

  escape() {
    const c = this.text[this.pos++];
    if (c in ESCAPES) return ESCAPES[c];
    if (c !== 'u' || !/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos, this.pos + 4))) this.fail('a bad escape');
    this.pos += 4;
    return String.fromCharCode(parseInt(this.text.slice(this.pos - 4, this.pos), 16));
  }
}

/** Values given as JS objects (e.g. from JSON.parse): integers become BigInt; a number that is
 * not a safe integer is refused, since its digits may already be lost. */
export function fromPlain(value, where, depth = 1) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') {
    if (typeof value === 'string' && !value.isWellFormed()) throw new EncodingError(`${where}: a lone surrogate`);
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new EncodingError(`${where}: ${value} is not an exact integer`);
    return BigInt(value);
  }
  if (depth > MAX_DEPTH) throw new EncodingError(`${where}: nesting deeper than ${MAX_DEPTH}`);
  if (Array.isArray(value)) return value.map((item) => fromPlain(item, where, depth + 1));
  if (typeof value !== 'object') throw new EncodingError(`${where}: not a JSON value`);
  const out = Object.create(null);
  for (const [key, item] of Object.entries(value)) out[key] = fromPlain(item, where, depth + 1);
  return out;
}

/** A document given as JSON text or its UTF-8 bytes, read strictly (SPEC.md §1.1); text or
 * bytes of more than `maxBytes` (UTF-8) are refused before they are read. Values already
 * parsed (JSON.parse) are refused: JSON.parse keeps the last of duplicate keys and reads 1.0,
 * 1e0 and -0 as integers, so they may stand for a text §1.1 (and Python) refuses. */
export function readDocument(doc, where, maxBytes) {
  if (typeof doc !== 'string' && !(doc instanceof Uint8Array)) {
    throw new EncodingError(`${where}: give the JSON text or its bytes (parsed values hide what strict reading refuses)`);
  }
  const size = doc instanceof Uint8Array ? doc.length : typeof doc === 'string' ? new TextEncoder().encode(doc).length : 0;
  if (size > maxBytes) throw new EncodingError(`${where}: larger than ${maxBytes} bytes`);
  if (doc instanceof Uint8Array) {
    try {
      doc = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(doc);
    } catch {
      throw new EncodingError(`${where}: not UTF-8`);
    }
  }
  return parseStrict(doc, where);
}

/** Order of two strings by code point (SPEC.md §1.1), not by UTF-16 code unit. */
export function compareCodePoints(a, b) {
  const x = Array.from(a, (ch) => ch.codePointAt(0));
  const y = Array.from(b, (ch) => ch.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

const SHORT = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function canonicalString(text) {
  return '"' + text.replace(/["\\\u0000-\u001f]/g, (c) => SHORT[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '"';
}

/** The canonical JSON text of parsed values (SPEC.md §1.1); its UTF-8 bytes are what is hashed. */
export function canonical(value) {
  if (value === null) return 'null';
  if (value === true || value === false) return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return canonicalString(value);
  if (Array.isArray(value)) return '[' + value.map(canonical).join(',') + ']';
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort(compareCodePoints);
    return '{' + keys.map((k) => canonicalString(k) + ':' + canonical(value[k])).join(',') + '}';
  }
  throw new EncodingError(`canonical JSON: ${typeof value} is not a JSON value`);
}
