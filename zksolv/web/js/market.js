// The market of a margin round as its manifest publishes it (SPEC.md §6.12.1–§6.12.2, in the
// normalized form only) and the integer coefficients of the margin statements (§6.12.3–§6.12.4).
import { EncodingError } from './errors.js';
import { exactObject, integer, isObject, text, ASSET_NAME } from './fields.js';
import { canonical } from './json.js';

const DECIMAL = /^(-?)([0-9]+)(?:\.([0-9]+))?$/;
const SCENARIO_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const MAX_DECIMAL_CHARS = 64;
const MAX_TIERS = 16;
const MAX_SCENARIOS = 16;

/** A decimal string of §6.12.1 as an integer scaled by 10^places; `signed` allows a '-'. */
export function parseDecimal(value, places, where, signed = false) {
  const match = typeof value === 'string' && value.length <= MAX_DECIMAL_CHARS ? DECIMAL.exec(value) : null;
  if (!match || (match[1] && !signed)) throw new EncodingError(`${where}: must be a${signed ? ' signed' : ''} decimal string`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > places) throw new EncodingError(`${where}: more than ${places} fraction digits`);
  const units = BigInt(whole) * 10n ** BigInt(places) + BigInt(fraction.padEnd(places, '0') || '0');
  return sign ? -units : units;
}

/** The shortest exact decimal of `units` / 10^places (§6.12.2): no '-0', no trailing zeros. */
export function formatDecimal(units, places) {
  const magnitude = units < 0n ? -units : units;
  const scale = 10n ** BigInt(places);
  const fraction = places ? (magnitude % scale).toString().padStart(places, '0').replace(/0+$/, '') : '';
  return `${units < 0n ? '-' : ''}${magnitude / scale}${fraction ? '.' + fraction : ''}`;
}

function within(value, low, high, where) {
  if (value < low || value > high) throw new EncodingError(`${where}: out of range`);
  return value;
}

/** One asset's haircut tiers: [{width (base units, null for the last), rateBp}] (§6.12.1). */
function readTiers(tiers, decimals, where) {
  if (!Array.isArray(tiers) || tiers.length < 1 || tiers.length > MAX_TIERS) throw new EncodingError(`${where}: 1–${MAX_TIERS} tiers`);
  const out = [];
  let lower = 0n;
  let lastRate = 10000n;
  tiers.forEach((tier, t) => {
    const at = `${where}[${t}]`;
    if (!Array.isArray(tier) || tier.length !== 2) throw new EncodingError(`${at}: must be [upper, rate]`);
    const last = t === tiers.length - 1;
    if ((tier[0] === null) !== last) throw new EncodingError(`${at}: only the last tier's upper bound is null`);
    const rateBp = within(parseDecimal(tier[1], 2, `${at}.rate`), 0n, 10000n, `${at}.rate`);
    if (rateBp > lastRate) throw new EncodingError(`${at}: rates must not increase`);
    lastRate = rateBp;
    if (last) return out.push({ width: null, rateBp });
    const upper = parseDecimal(tier[0], decimals, `${at}.upper`);
    if (upper <= lower || upper >= 1n << 128n) throw new EncodingError(`${at}: upper bounds must increase, below 2^128 base units`);
    out.push({ width: upper - lower, rateBp });
    lower = upper;
  });
  return out;
}

function readScenario(item, assets, seen, where) {
  exactObject(item, where, ['name', 'shock_percent']);
  const name = text(item.name, `${where}.name`, 32, SCENARIO_NAME);
  if (name === 'base' || seen.has(name)) throw new EncodingError(`${where}.name: must be unique and not "base"`);
  seen.add(name);
  if (!isObject(item.shock_percent)) throw new EncodingError(`${where}.shock_percent: must be an object`);
  const factorBp = Object.create(null);
  for (const asset of assets) factorBp[asset] = 10000n;
  for (const [asset, shock] of Object.entries(item.shock_percent)) {
    if (!assets.includes(asset)) throw new EncodingError(`${where}.shock_percent: ${JSON.stringify(asset)} is not an asset of the market`);
    factorBp[asset] = 10000n + within(parseDecimal(shock, 2, `${where}.shock_percent`, true), -10000n, 1000000n, `${where}.shock_percent`);
  }
  return { name, factorBp };
}

/** The manifest's `market` (SPEC.md §6.12.7: the normalized form of §6.12.2 and no other),
 * for the attested assets {ASSET: decimals}: {quoteDecimals, assets: {ASSET: {price, tiers}},
 * muBp, scenarios: [{name, factorBp}] with base first}. */
export function readMarket(market, decimals) {
  const where = 'manifest: market';
  exactObject(market, where, ['quote', 'decimals', 'assets', 'min_collateral_percent', 'scenarios']);
  text(market.quote, `${where}.quote`, 32, ASSET_NAME);
  const quoteDecimals = integer(market.decimals, `${where}.decimals`, 0, 18);
  const names = Object.keys(decimals).sort();
  if (!isObject(market.assets) || canonical(Object.keys(market.assets).sort()) !== canonical(names)) {
    throw new EncodingError(`${where}.assets: must price exactly the attested assets`);
  }
  const assets = Object.create(null);
  for (const a of names) {
    const entry = exactObject(market.assets[a], `${where}.assets.${a}`, ['price', 'haircut']);
    const price = parseDecimal(entry.price, quoteDecimals, `${where}.assets.${a}.price`);
    if (price <= 0n || price >= 10n ** BigInt(15 + quoteDecimals)) throw new EncodingError(`${where}.assets.${a}.price: must be above 0 and below 10^15`);
    assets[a] = { price, tiers: readTiers(entry.haircut, decimals[a], `${where}.assets.${a}.haircut`) };
  }
  const muBp = within(parseDecimal(market.min_collateral_percent, 2, `${where}.min_collateral_percent`), 10000n, 1000000n, `${where}.min_collateral_percent`);
  if (!Array.isArray(market.scenarios) || market.scenarios.length > MAX_SCENARIOS) throw new EncodingError(`${where}.scenarios: at most ${MAX_SCENARIOS}`);
  const seen = new Set();
  const scenarios = [{ name: 'base', factorBp: Object.fromEntries(names.map((a) => [a, 10000n])) },
    ...market.scenarios.map((s, i) => readScenario(s, names, seen, `${where}.scenarios[${i}]`))];
  const read = { quoteDecimals, assets, muBp, scenarios };
  if (canonical(normalized(market.quote, read, decimals)) !== canonical(market)) {
    throw new EncodingError(`${where}: not in its normalized form (SPEC.md §6.12.2)`);
  }
  return read;
}

/** The normalized form (§6.12.2) of what was read, as parsed JSON values. */
function normalized(quote, { quoteDecimals, assets, muBp, scenarios }, decimals) {
  const out = { quote, decimals: BigInt(quoteDecimals), assets: Object.create(null),
                min_collateral_percent: formatDecimal(muBp, 2), scenarios: [] };
  for (const [a, { price, tiers }] of Object.entries(assets)) {
    let upper = 0n;
    const haircut = tiers.map(({ width, rateBp }) => {
      if (width === null) return [null, formatDecimal(rateBp, 2)];
      upper += width;
      return [formatDecimal(upper, decimals[a]), formatDecimal(rateBp, 2)];
    });
    out.assets[a] = { price: formatDecimal(price, quoteDecimals), haircut };
  }
  for (const { name, factorBp } of scenarios.slice(1)) {
    const shock = Object.create(null);
    for (const [a, f] of Object.entries(factorBp)) if (f !== 10000n) shock[a] = formatDecimal(f - 10000n, 2);
    out.scenarios.push({ name, shock_percent: shock });
  }
  return out;
}

/** §6.12.3–§6.12.4: per scenario s (base first) and asset a, coll[s][a][t] and debt[s][a]. */
export function coefficients(market, decimals) {
  const z = Math.max(...Object.values(decimals));
  return market.scenarios.map(({ name, factorBp }) => {
    const coll = Object.create(null);
    const debt = Object.create(null);
    for (const [a, { price, tiers }] of Object.entries(market.assets)) {
      const w = 10n ** BigInt(z - decimals[a]);
      const product = price * factorBp[a];
      const pc = product / 10000n;                       // ⌊P·f/10000⌋ (both non-negative)
      const pd = (product + 9999n) / 10000n;             // ⌈P·f/10000⌉
      coll[a] = tiers.map(({ rateBp }) => rateBp * pc * w);
      debt[a] = market.muBp * pd * w;
    }
    return { name, coll, debt };
  });
}
