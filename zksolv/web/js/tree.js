// Leaves, nodes and the path walk of the sum tree (SPEC.md §6.3, §6.11).
import { concat, framed, u8, utf8 } from './bytes.js';
import { InvalidProof } from './errors.js';
import { decodePoint, encodePoint } from './group.js';
import { tagged } from './hashing.js';

/** H_id = TAGGED("zksolv/v1/user-id", F(user_id) ‖ salt) (SPEC.md §6.3). */
export function idHash(userId, salt) {
  return tagged('zksolv/v1/user-id', framed(utf8(userId)), salt);
}

/** h = TAGGED("zksolv/v1/leaf", F(a) ‖ H_id ‖ C) (SPEC.md §6.3). */
export function leafHash(asset, idDigest, commitment) {
  return tagged('zksolv/v1/leaf', framed(utf8(asset)), idDigest, commitment);
}

/** The node at `level` ≥ 1 over two children, each {point, commitment, hash}: C = C_L + C_R,
 * h = TAGGED("zksolv/v1/node", u8 k ‖ C_L ‖ h_L ‖ C_R ‖ h_R) (SPEC.md §6.3). */
export function join(level, left, right) {
  const point = left.point.add(right.point);
  const commitment = encodePoint(point); // the identity has no encoding: InvalidProof
  const hash = tagged('zksolv/v1/node', concat(u8(level), left.commitment, left.hash, right.commitment, right.hash));
  return { point, commitment, hash };
}

/** The root {point, commitment, hash} reached from leaf `index` (C and h as bytes) by `siblings`
 * ([C, h] bytes, bottom-up): at each level an odd index makes the sibling the left child
 * (SPEC.md §6.11). The index must lie in the tree the path describes. */
export function walk(index, commitment, hash, siblings) {
  if (!Number.isSafeInteger(index) || index < 0 || index >= 2 ** siblings.length) {
    throw new InvalidProof(`leaf index ${index} does not fit a path of ${siblings.length} levels`);
  }
  let node = { point: decodePoint(commitment), commitment, hash };
  siblings.forEach(([c, h], k) => {
    const sibling = { point: decodePoint(c), commitment: c, hash: h };
    node = Math.floor(index / 2 ** k) % 2 === 1 ? join(k + 1, sibling, node) : join(k + 1, node, sibling);
  });
  return node;
}
