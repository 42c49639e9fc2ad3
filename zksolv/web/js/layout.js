// The margin leaf's layout (SPEC.md §6.14): slots, claims and their limbs, from the market's
// coefficient tables and each asset's leaf_bits alone; and an account's slot values.
import { InvalidProof } from './errors.js';
import { CURVE_ORDER } from './hashing.js';

const LIMB_BITS = 64n;
const MAX_LIMBS = 3;
const MAX_COEFFICIENT = 1n << 192n;

const bitLength = (x) => (x > 0n ? x.toString(2).length : 0);
/** "Fewest limbs holding h": ⌈bits(h)/64⌉, at least 1 (§6.14). */
const limbsHolding = (h) => Math.max(1, Math.ceil(bitLength(h) / 64));

/** {assets, slots: [{name, max}], claims: [{name, constant, terms: [[slot, coefficient]], limbs}],
 * pieces, debt, widths} for the market (market.readMarket), its `coeffs` (market.coefficients)
 * and {ASSET: leaf_bits};
 * InvalidProof for a layout §6.14 refuses (a claim over 3 limbs, or one that could wrap). */
export function buildLayout(market, coeffs, leafBits) {
  const assets = Object.keys(leafBits).sort();
  const layout = { assets, slots: [], claims: [], pieces: Object.create(null), debt: Object.create(null), widths: Object.create(null) };
  for (const a of assets) {
    layout.widths[a] = market.assets[a].tiers.map((tier) => tier.width);
    assetClaims(layout, a, BigInt(leafBits[a]), layout.widths[a]);
  }
  for (const s of coeffs) {
    const terms = [];
    for (const a of assets) {
      layout.pieces[a].forEach((slot, t) => terms.push([slot, s.coll[a][t]]));
      terms.push([layout.debt[a], -s.debt[a]]);
    }
    const nonzero = terms.filter(([, k]) => k !== 0n);
    if (nonzero.length) layout.claims.push(checked(layout, { name: `value/${s.name}`, constant: 0n, terms: nonzero }, null));
  }
  return layout;
}

function addSlot(layout, name, max) {
  layout.slots.push({ name, max });
  return layout.slots.length - 1;
}

/** Per asset: for each bounded tier its piece (then its room), the last piece, the debt. */
function assetClaims(layout, a, lb, widths) {
  const tierCount = widths.length;
  const top = (1n << lb) - 1n;
  const full = Number(lb / LIMB_BITS);
  layout.pieces[a] = [];
  for (let t = 0; t < tierCount; t++) {
    const name = `piece/${a}/${t}`;
    const w = t < tierCount - 1 ? widths[t] : null;
    const room = w !== null && w < top;
    const slot = addSlot(layout, name, room ? w : top);
    layout.pieces[a].push(slot);
    const limbs = room ? limbsHolding(w) : full;
    layout.claims.push(checked(layout, { name, constant: 0n, terms: [[slot, 1n]] }, limbs));
    if (room) layout.claims.push(checked(layout, { name: `room/${a}/${t}`, constant: w, terms: [[slot, -1n]] }, limbs));
  }
  layout.debt[a] = addSlot(layout, `debt/${a}`, top);
  layout.claims.push(checked(layout, { name: `debt/${a}`, constant: 0n, terms: [[layout.debt[a], 1n]] }, full));
}

/** The claim with its limbs (given, or the fewest holding its maximum), after §6.5.1's no-wrap
 * check over every slot's range: hi < n and lo > −(n − 2^(64k)), coefficients below 2^192. */
function checked(layout, claim, limbs) {
  let lo = claim.constant;
  let hi = claim.constant;
  for (const [slot, k] of claim.terms) {
    if ((k < 0n ? -k : k) >= MAX_COEFFICIENT) throw new InvalidProof(`margin layout: ${claim.name}: a coefficient of 2^192 or more`);
    if (k > 0n) hi += k * layout.slots[slot].max;
    else lo += k * layout.slots[slot].max;
  }
  const k = limbs ?? limbsHolding(hi);
  if (k > MAX_LIMBS) throw new InvalidProof(`margin layout: ${claim.name} needs more than ${MAX_LIMBS} limbs (prices × decimals too large)`);
  const span = 1n << (LIMB_BITS * BigInt(k));
  if (hi >= CURVE_ORDER || lo <= -(CURVE_ORDER - span) || hi >= span) {
    throw new InvalidProof(`margin layout: ${claim.name} could wrap modulo the group order or reach its range`);
  }
  return { ...claim, limbs: k };
}

/** Slot values of signed balances {ASSET: units} (§6.12.4's greedy cut; §6.14): InvalidProof
 * if some |x| ≥ 2^leaf_bits. */
export function slotValues(layout, units, leafBits) {
  const values = new Array(layout.slots.length).fill(0n);
  for (const a of layout.assets) {
    const x = units[a];
    if ((x < 0n ? -x : x) >> BigInt(leafBits[a])) throw new InvalidProof(`${a}: |balance| is beyond the leaf range 2^${leafBits[a]}`);
    let rest = x > 0n ? x : 0n;
    layout.pieces[a].forEach((slot, t) => {
      const last = t === layout.pieces[a].length - 1;
      const w = last ? rest : layout.widths[a][t];
      values[slot] = rest < w ? rest : w;
      rest -= values[slot];
    });
    values[layout.debt[a]] = x < 0n ? -x : 0n;
  }
  return values;
}

/** A claim's value on slot values: constant + Σ coefficient·slot. */
export function claimValue(claim, values) {
  return claim.terms.reduce((sum, [slot, k]) => sum + k * values[slot], claim.constant);
}
