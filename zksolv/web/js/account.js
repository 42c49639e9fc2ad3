// A margin customer's account leaf (SPEC.md §6.14), rebuilt from their user id, user secret and
// balances, and the walk up the account tree of any allowed capacity (§6.15).
import { concat, framed, u8, utf8 } from './bytes.js';
import { EncodingError, InvalidProof } from './errors.js';
import { commit, decodePoint, encodePoint, POINT_BYTES } from './group.js';
import { mac, tagged, wide } from './hashing.js';
import { claimValue, slotValues } from './layout.js';
import { idHash } from './tree.js';

const MAX_CAPACITY = 2 ** 32;
const GRANULE = 1024;
const FOLD = 0x80;
const LIMB_MASK = (1n << 64n) - 1n;

/** `capacity` if §6.15 allows it: in [1, 2^32], a power of two or a multiple of 1,024. */
export function checkCapacity(capacity, where) {
  const powerOfTwo = Number.isInteger(Math.log2(capacity));
  if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY || (!powerOfTwo && capacity % GRANULE)) {
    throw new EncodingError(`${where}: a margin capacity is a power of two or a multiple of ${GRANULE}, up to 2^32`);
  }
  return capacity;
}

/** [{level, left}] of leaf `index`'s path, bottom up (§6.15): the levels of its perfect subtree
 * T_t, the fold with F_(t+1) on its right (unless T_t is the last), then T_(t−1) … T_0's roots
 * on its left. */
export function pathShape(capacity, index) {
  checkCapacity(capacity, 'margin capacity');
  if (!Number.isSafeInteger(index) || index < 0 || index >= capacity) throw new InvalidProof(`leaf index ${index} is outside the margin capacity ${capacity}`);
  const heights = [];
  for (let k = 32; k >= 0; k--) if (Math.floor(capacity / 2 ** k) % 2 === 1) heights.push(k);
  let t = 0;
  let offset = 0;
  while (index >= offset + 2 ** heights[t]) offset += 2 ** heights[t++];
  const j = index - offset;
  const steps = [];
  for (let k = 1; k <= heights[t]; k++) steps.push({ level: k, left: Math.floor(j / 2 ** (k - 1)) % 2 === 1 });
  if (t < heights.length - 1) steps.push({ level: FOLD | heights[t], left: false });
  for (let s = t - 1; s >= 0; s--) steps.push({ level: FOLD | heights[s], left: true });
  return steps;
}

/** The customer's key material (§6.14): {key, idHash}. */
function customerKey(userId, userSecret) {
  const salt = mac(userSecret, 'zksolv/v1/margin-salt');
  return { key: userSecret, idHash: idHash(userId, salt) };
}

/** The high limbs X_1 … X_(k−1) of a claim split honestly (§6.13), or InvalidProof when the
 * value has no split: below 0 (not collateralized) or beyond 2^(64k). */
function highLimbs(claim, value, key) {
  if (value < 0n || value >> (64n * BigInt(claim.limbs))) {
    const what = claim.name.startsWith('value/') ? `not collateralized at ${claim.name.slice(6)}` : `${claim.name} out of its range`;
    throw new InvalidProof(`no leaf of this round holds these balances: ${what}`);
  }
  const out = [];
  for (let i = 1; i < claim.limbs; i++) {
    const limb = (value >> (64n * BigInt(i))) & LIMB_MASK;
    const blinding = wide(key, 'zksolv/v1/margin-limb', framed(utf8(claim.name)), u8(i));
    out.push(encodePoint(commit(limb, blinding)));
  }
  return out;
}

/** The customer's leaf node {points, commitments, hash} (§6.14 "Hash and bytes", "Node"). */
export function leafNode(layout, leafBits, userId, userSecret, units) {
  const { key, idHash: hId } = customerKey(userId, userSecret);
  const values = slotValues(layout, units, leafBits);
  const highs = layout.claims.flatMap((claim) => highLimbs(claim, claimValue(claim, values), key));
  const slots = layout.slots.map(({ name }, i) => commit(values[i], wide(key, 'zksolv/v1/margin-blinding', framed(utf8(name)))));
  const hash = tagged('zksolv/v1/margin-leaf', hId, ...slots.map(encodePoint), ...highs);
  const points = [];
  for (const a of layout.assets) {
    points.push(layout.pieces[a].map((s) => slots[s]).reduce((sum, p) => sum.add(p)), slots[layout.debt[a]]);
  }
  return node(points, hash);
}

function node(points, hash) {
  return { points, commitments: concat(...points.map(encodePoint)), hash };
}

/** A path entry's bytes (Cs ‖ h) as a node; every point must decode (§2.2). */
export function siblingNode(bytes, width) {
  const points = [];
  for (let i = 0; i < width; i++) points.push(decodePoint(bytes.subarray(i * POINT_BYTES, (i + 1) * POINT_BYTES)));
  return { points, commitments: bytes.subarray(0, width * POINT_BYTES), hash: bytes.subarray(width * POINT_BYTES) };
}

/** The parent: Cs = Cs_L + Cs_R point by point (none the identity), h = TAGGED(
 * "zksolv/v1/margin-node", u8 b ‖ Cs_L ‖ h_L ‖ Cs_R ‖ h_R) (§6.15). */
function join(level, left, right) {
  const points = left.points.map((p, i) => p.add(right.points[i]));
  const { commitments } = node(points, null);
  return { points, commitments, hash: tagged('zksolv/v1/margin-node', u8(level), left.commitments, left.hash, right.commitments, right.hash) };
}

/** The root reached from `leaf` at `index` by `siblings` (nodes), with the shape (capacity, index)
 * gives; a path of another length is refused. */
export function walkAccounts(leaf, index, siblings, capacity) {
  const shape = pathShape(capacity, index);
  if (siblings.length !== shape.length) throw new InvalidProof(`a path of ${siblings.length} levels; leaf ${index} of capacity ${capacity} has ${shape.length}`);
  return shape.reduce((current, { level, left }, k) => (left ? join(level, siblings[k], current) : join(level, current, siblings[k])), leaf);
}
