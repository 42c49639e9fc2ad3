// The JS verifier's primitives against vectors/ (SPEC.md §7): encodings (§2.1–2.2), hash_to_curve
// (§2.4, RFC 9380's own vectors), generators (§3.1), Pedersen (§3.2), transcript (§4), round
// secrets (§6.2), sum tree (§6.3).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VECTORS, readText, vectorTests, web } from './helpers.mjs';
import { join } from 'node:path';

const { fromHex, toHex, u64be, framed, utf8 } = await web('bytes.js');
const { decodePoint, decodeScalar, encodePoint, generator, hashToCurve, commit, Point } = await web('group.js');
const { Transcript } = await web('transcript.js');
const { mac, wide, tagged } = await web('hashing.js');
const { idHash, leafHash, join: joinNodes, walk } = await web('tree.js');
const { EncodingError, InvalidProof } = await web('errors.js');

const hex = (text) => fromHex(text, undefined, 'vector');

test('encodings: every valid scalar and point decodes, every invalid one is an EncodingError', () => {
  for (const t of vectorTests('encodings.json')) {
    const decode = t.kind === 'scalar' ? decodeScalar : decodePoint;
    if (t.result === 'valid') {
      const value = decode(hex(t.data));
      if (t.kind === 'point') assert.equal(toHex(encodePoint(value)), t.data, t.comment);
    } else {
      assert.throws(() => decode(hex(t.data)), EncodingError, `${t.tc_id} ${t.comment}`);
      if (t.flags.includes('XNotBelowP')) assert.throws(() => decode(hex(t.data)), /x must be below p/);
    }
  }
});

test('hash_to_curve reproduces RFC 9380 J.8.1 (secp256k1_XMD:SHA-256_SSWU_RO_)', () => {
  const suite = JSON.parse(readText(VECTORS, 'external', 'rfc9380_secp256k1_XMD_SHA-256_SSWU_RO_.json'));
  assert.ok(suite.vectors.length >= 5);
  for (const v of suite.vectors) {
    const p = hashToCurve(utf8(v.msg), suite.dst).toAffine();
    assert.equal(p.x, BigInt(v.P.x), v.msg);
    assert.equal(p.y, BigInt(v.P.y), v.msg);
  }
});

test('generators: hash_to_curve under the zksolv DST gives every listed generator', () => {
  for (const t of vectorTests('generators.json')) {
    assert.equal(toHex(encodePoint(generator(hex(t.msg)))), t.point, t.comment);
  }
});

test('pedersen: valid rows open, rows with a wrong opening do not', () => {
  for (const t of vectorTests('pedersen.json')) {
    const got = toHex(encodePoint(commit(BigInt(t.value), decodeScalar(hex(t.blinding)))));
    assert.equal(got === t.commitment, t.result === 'valid', `${t.tc_id} ${t.comment}`);
  }
});

test('commit: [0]G + [0]H is the identity, which has no encoding', () => {
  assert.ok(commit(0n, 0n).equals(Point.ZERO));
  assert.throws(() => encodePoint(commit(0n, 0n)), InvalidProof);
});

test('transcript: every worked example gives its challenges', () => {
  for (const t of vectorTests('transcript.json')) {
    const transcript = new Transcript(t.domain);
    const challenges = [];
    for (const [op, label, data] of t.ops) {
      if (op === 'append') transcript.append(label, hex(data));
      else challenges.push(transcript.challenge(label).toString(16).padStart(64, '0'));
    }
    assert.deepEqual(challenges, t.challenges, t.comment);
  }
});

test('round secrets: user secret, salt, blinding, H_id, order key, padding (SPEC.md §6.2)', () => {
  let users = 0;
  for (const t of vectorTests('round-secrets.json')) {
    const master = hex(t.master);
    const a = framed(utf8(t.asset));
    if ('user_id' in t) {
      users++;
      const secret = mac(master, 'zksolv/v1/user-secret', framed(utf8(t.user_id)));
      assert.equal(toHex(secret), t.user_secret);
      const salt = mac(secret, 'zksolv/v1/leaf-salt', a);
      assert.equal(toHex(salt), t.leaf_salt);
      assert.equal(wide(secret, 'zksolv/v1/leaf-blinding', a).toString(16).padStart(64, '0'), t.leaf_blinding);
      const id = idHash(t.user_id, salt);
      assert.equal(toHex(id), t.id_hash);
      assert.equal(toHex(mac(master, 'zksolv/v1/order', a, id)), t.order_key);
    } else {
      assert.equal(toHex(mac(master, 'zksolv/v1/padding-id', a, u64be(t.index))), t.padding_id);
      assert.equal(wide(master, 'zksolv/v1/padding-blinding', a, u64be(t.index)).toString(16).padStart(64, '0'), t.padding_blinding);
    }
  }
  assert.ok(users > 0);
});

function leafNode(asset, leaf) {
  const point = commit(BigInt(leaf.value), decodeScalar(hex(leaf.blinding)));
  const commitment = encodePoint(point);
  assert.equal(toHex(commitment), leaf.commitment);
  const hash = leafHash(asset, hex(leaf.id_hash), commitment);
  assert.equal(toHex(hash), leaf.hash);
  return { point, commitment, hash };
}

test('sum tree: leaves and root of the 4-leaf tree; walks valid, modified walks miss the root', () => {
  const [tree, ...walks] = vectorTests('sum-tree.json');
  const leaves = tree.leaves.map((leaf) => leafNode(tree.asset, leaf));
  const root = joinNodes(2, joinNodes(1, leaves[0], leaves[1]), joinNodes(1, leaves[2], leaves[3]));
  assert.deepEqual([toHex(root.commitment), toHex(root.hash)], [tree.root.commitment, tree.root.hash]);
  assert.ok(walks.some((t) => t.result === 'invalid') && walks.some((t) => t.result === 'valid'));
  for (const t of walks) {
    const leaf = leafNode(tree.asset, t.leaf);
    const end = walk(t.index, leaf.commitment, leaf.hash, t.path.map(([c, h]) => [hex(c), hex(h)]));
    const reached = toHex(end.commitment) === t.root.commitment && toHex(end.hash) === t.root.hash;
    assert.equal(reached, t.result === 'valid', `${t.tc_id} ${t.comment}`);
  }
});

test('tagged hashing: u8 length of the tag, then the tag, then the fields', async () => {
  const { createHash } = await import('node:crypto');
  const expected = createHash('sha256').update(Buffer.concat([Buffer.from([3]), Buffer.from('abc'), Buffer.from([1, 2])])).digest('hex');
  assert.equal(toHex(tagged('abc', Uint8Array.of(1, 2))), expected);
});
