"""The margin audit's kernel path (accounts/fastaudit.py, native_margin.h) against the
reference path (leaf.py, tree.py, Point.from_bytes): the same leaves, hashes, limb
commitments and subtree on random inputs, the same refusal with the same message on
malformed ones (bytes not on the curve, bad prefixes, x ≥ p, "infinity" encodings,
scalars ≥ n, wrong lengths), and tampered leaves still failing the audit."""

import secrets

import pytest

from accounts_kit import CRASH, SECRET, round_layout
from zksolv.accounts import fastaudit, keys, leaf as leaf_module, tree as account_tree
from zksolv.accounts.leaf import MarginLeaf
from zksolv.attestation import verify2
from zksolv.attestation.context import MarketBinding, transcript
from zksolv.attestation.marginleaves import MARGIN_TREE, STATEMENT, split_leaves
from zksolv.errors import EncodingError, InvalidProof
from zksolv.group import N, Point, backends, base_mul
from zksolv.group.backends import native
from zksolv.group.curve import P, decompress
from zksolv.hashing import HASH_BYTES

BACKEND = backends.get("native")

LAYOUTS = {"64-bit": {}, "128-bit USDT": {"BTC": 64, "DOGE": 64, "USDT": 128}}
UNITS = [{"BTC": 3 * 10**8, "USDT": -50 * 10**6}, {"BTC": 15 * 10**8}, {"DOGE": 7, "USDT": 9 * 10**6}, {}]


def random_point() -> Point:
    return base_mul(1 + secrets.randbelow(N - 1))


BINDING = MarketBinding(b"\x11" * 32, b"{}")


def honest(lay, units, user_id="alice", index=0) -> MarginLeaf:
    """An honest leaf proven in the context verify2.verify_leaves checks it in."""
    key, id_hash = keys.customer(SECRET, user_id)
    return leaf_module.prove_leaf(lay, key, id_hash, units, lambda: transcript(
        "round-1", b"\x22" * 32, MARGIN_TREE, STATEMENT, index, market=BINDING))


def the_layout(name):
    return round_layout([CRASH], leaf_bits=LAYOUTS[name] or None)


@pytest.fixture(scope="module", params=sorted(LAYOUTS))
def unit(request):
    """(layout, the bytes of 4 honest leaves proven at indices 0…3)."""
    lay = the_layout(request.param)
    leaves = [honest(lay, units, user_id=f"user{i}", index=i) for i, units in enumerate(UNITS)]
    return lay, b"".join(leaf.to_bytes() for leaf in leaves)


def job(lay, data):
    return ("round-1", b"\x22" * 32, BINDING, lay, 0, data)


def same_points(a, b) -> bool:
    """Equal as points, both coordinates (Point.__eq__ compares encodings only)."""
    return len(a) == len(b) and all(p._raw == q._raw for p, q in zip(a, b))


def flat(leaf: MarginLeaf) -> list[Point]:
    out = [*leaf.slots, *(h for hs in leaf.highs for h in hs)]
    for p in leaf.proofs:
        out += [p.A, p.S, p.T1, p.T2, *(x for pair in zip(p.L, p.R) for x in pair)]
    return out


def test_the_kernel_decodes_a_unit_as_the_reference_does(unit):
    lay, data = unit
    leaves, hashes = fastaudit.decode_unit(data, lay, BACKEND)
    reference = split_leaves(data, lay)
    assert leaves == reference and hashes == [leaf.hash() for leaf in reference]
    for mine, theirs in zip(leaves, reference):
        assert same_points(flat(mine), flat(theirs)) and mine.to_bytes() == theirs.to_bytes()


def test_zk_decode_many_agrees_with_the_pure_python_decoding():
    points = [random_point().to_bytes() for _ in range(200)]
    decoded = fastaudit.decode_points(b"".join(points))
    assert decoded is not None and len(decoded) == 64 * len(points)
    for enc, raw in zip(points, (decoded[i : i + 64] for i in range(0, len(decoded), 64))):
        x, y = decompress(enc)
        assert raw == x.to_bytes(32, "big") + y.to_bytes(32, "big")


def off_curve_x() -> int:
    x = 5
    while True:
        try:
            decompress(b"\x02" + x.to_bytes(32, "big"))
        except EncodingError:
            return x
        x += 1


MALFORMED = {
    "prefix 04": lambda enc: b"\x04" + enc[1:],
    "prefix 00": lambda enc: b"\x00" + enc[1:],
    "prefix 05": lambda enc: b"\x05" + enc[1:],
    "prefix ff": lambda enc: b"\xff" + enc[1:],
    "x = p": lambda enc: b"\x02" + P.to_bytes(32, "big"),
    "x = p + 1": lambda enc: b"\x03" + (P + 1).to_bytes(32, "big"),
    "x = 2^256 - 1": lambda enc: b"\x02" + b"\xff" * 32,
    "x off the curve": lambda enc: b"\x02" + off_curve_x().to_bytes(32, "big"),
    "infinity, all zero": lambda enc: b"\x00" * 33,
    "infinity, 02 and x = 0 (7 is no square)": lambda enc: b"\x02" + b"\x00" * 32,
}


def point_offsets(lay) -> list[int]:
    """Offsets of some points of leaf 1: its first slot, its last high limb, and a few of
    its proofs' points (A of the first, an L, the last point of the last proof)."""
    size, body, runs, _, _ = fastaudit._shape(lay)
    base = size
    return [base + HASH_BYTES, base + body - 33, base + runs[1][0], base + runs[2][0] + 66, base + runs[-1][1] - 33]


def refusal(fn, *args) -> str:
    with pytest.raises(EncodingError) as info:
        fn(*args)
    return str(info.value)


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_a_malformed_point_is_refused_with_the_reference_message(unit, kind):
    lay, data = unit
    for offset in point_offsets(lay):
        bad = data[:offset] + MALFORMED[kind](data[offset : offset + 33]) + data[offset + 33 :]
        assert fastaudit.decode_unit(bad, lay, BACKEND) is None
        assert refusal(verify2.verify_leaves, job(lay, bad)) == refusal(split_leaves, bad, lay)


def test_zk_decode_many_reports_the_first_point_refused():
    good = [random_point().to_bytes() for _ in range(5)]
    for kind, make in MALFORMED.items():
        encoded = b"".join(good[:3] + [make(good[3])] + good[4:])
        assert native._lib.zk_decode_many(encoded, 5, bytes(64 * 5)) == 3, kind


@pytest.mark.parametrize("which", range(5))
@pytest.mark.parametrize("value", [N, N + 1, 2**256 - 1])
def test_a_scalar_not_below_n_is_refused_with_the_reference_message(unit, which, value):
    lay, data = unit
    _, _, _, scalars, _ = fastaudit._shape(lay)
    size = len(data) // len(UNITS)
    offset = 2 * size + scalars[-5 + which]   # leaf 2's last proof: t_x, its blindings, a, b
    bad = data[:offset] + value.to_bytes(32, "big") + data[offset + 32 :]
    assert fastaudit.decode_unit(bad, lay, BACKEND) is None
    assert refusal(verify2.verify_leaves, job(lay, bad)) == refusal(split_leaves, bad, lay)


@pytest.mark.parametrize("cut", [1, 33, -1])
def test_a_unit_of_the_wrong_length_is_refused_with_the_reference_message(unit, cut):
    lay, data = unit
    bad = data[:-cut] if cut > 0 else data + b"\x00"
    assert fastaudit.decode_unit(bad, lay, BACKEND) is None
    assert refusal(verify2.verify_leaves, job(lay, bad)) == refusal(split_leaves, bad, lay)


# -- derived points -------------------------------------------------------------------------

def random_leaf(lay, pick=random_point) -> MarginLeaf:
    slots = tuple(pick() for _ in lay.slots)
    highs = tuple(tuple(pick() for _ in range(c.limbs - 1)) for c in lay.claims)
    return MarginLeaf(secrets.token_bytes(32), slots, highs)


def reference_node(lay, leaf) -> bytes:
    return b"".join(p._raw for p in leaf_module.node_points(lay, leaf))


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_derived_limbs_and_nodes_match_the_reference_on_random_leaves(name):
    lay = the_layout(name)
    pool = [random_point() for _ in range(6)]   # repeats: sums that double, cancel, or not
    leaves = [random_leaf(lay) for _ in range(6)] + [random_leaf(lay, lambda: secrets.choice(pool)) for _ in range(6)]
    try:
        nodes, limbs = fastaudit.derive(lay, leaves, BACKEND)
    except InvalidProof:   # a pool leaf whose pieces cancelled: the reference must refuse too
        with pytest.raises(InvalidProof, match="identity"):
            [account_tree.encode(leaf_module.node_points(lay, leaf)) for leaf in leaves]
        leaves = leaves[:6]
        nodes, limbs = fastaudit.derive(lay, leaves, BACKEND)
    for leaf, node, mine in zip(leaves, nodes, limbs):
        assert node == reference_node(lay, leaf)
        assert same_points(mine, leaf_module.limb_commitments(lay, leaf))


def test_a_claim_that_derives_to_the_identity_is_the_identity_in_both_paths():
    """E = width·G makes the room claim width·G − E the identity; a high limb chosen so that
    X − 2^64·X_1 cancels does the same for a two-limb claim."""
    lay = the_layout("128-bit USDT")
    leaf = random_leaf(lay)
    room = next(i for i, c in enumerate(lay.claims) if c.name.startswith("room/"))
    piece = lay.claims[room].terms[0][0]
    slots = list(leaf.slots)
    slots[piece] = base_mul(lay.claims[room].constant)
    debt = next(i for i, c in enumerate(lay.claims) if c.name == "debt/USDT")
    x1 = random_point()
    slots[lay.claims[debt].terms[0][0]] = x1 * (1 << 64)
    highs = list(leaf.highs)
    highs[debt] = (x1,)
    leaf = MarginLeaf(leaf.id_hash, tuple(slots), tuple(highs))
    (_,), (mine,) = fastaudit.derive(lay, [leaf], BACKEND)
    reference = leaf_module.limb_commitments(lay, leaf)
    assert same_points(mine, reference)
    assert sum(p.is_identity for p in mine) == 2


def test_a_node_point_that_sums_to_the_identity_is_refused_as_the_tree_refuses_it():
    lay = the_layout("64-bit")
    leaf = random_leaf(lay)
    first, second, *rest = lay.pieces(0)   # BTC: three tier pieces
    slots = list(leaf.slots)
    slots[second] = -(slots[first] + sum((slots[i] for i in rest), Point.identity(BACKEND)))
    leaf = MarginLeaf(leaf.id_hash, tuple(slots), leaf.highs)
    with pytest.raises(InvalidProof) as reference:
        account_tree.leaf_node(leaf_module.node_points(lay, leaf), b"\x00" * 32)
    with pytest.raises(InvalidProof) as mine:
        fastaudit.derive(lay, [leaf], BACKEND)
    assert str(mine.value) == str(reference.value)


# -- the subtree ----------------------------------------------------------------------------

def builder_root(nodes, hashes, width):
    builder = account_tree.Builder(keep_levels=False)
    for raw, h in zip(nodes, hashes):
        points = tuple(Point(raw[64 * q : 64 * q + 64], BACKEND) for q in range(width))
        builder.push(account_tree.leaf_node(points, h))
    return builder.root()


@pytest.mark.parametrize("count", [1, 2, 8, 64])
def test_the_subtree_matches_the_builder(count):
    width = 4
    nodes = [b"".join(random_point()._raw for _ in range(width)) for _ in range(count)]
    hashes = [secrets.token_bytes(32) for _ in range(count)]
    assert fastaudit.subtree(nodes, hashes, width) == builder_root(nodes, hashes, width)


def test_a_subtree_sum_that_is_the_identity_is_refused_as_the_builder_refuses_it():
    width = 2
    p, q, r = random_point(), random_point(), random_point()
    nodes = [p._raw + q._raw, r._raw + (-q)._raw, q._raw + p._raw, r._raw + q._raw]
    hashes = [secrets.token_bytes(32) for _ in nodes]
    with pytest.raises(InvalidProof) as reference:
        builder_root(nodes, hashes, width)
    with pytest.raises(InvalidProof) as mine:
        fastaudit.subtree(nodes, hashes, width)
    assert str(mine.value) == str(reference.value)


# -- whole units ----------------------------------------------------------------------------

def test_an_honest_unit_gives_the_reference_subtree_and_hashes(unit, monkeypatch):
    lay, data = unit
    mine = verify2.verify_leaves(job(lay, data))
    monkeypatch.setattr(fastaudit, "usable", lambda backend: False)
    assert mine == verify2.verify_leaves(job(lay, data))


def swap_point(data, offset, point: Point) -> bytes:
    return data[:offset] + point.to_bytes() + data[offset + 33 :]


@pytest.mark.parametrize("where", ["slot", "high limb", "proof point"])
def test_a_tampered_leaf_fails_the_unit(unit, where):
    """A valid point swapped in (a slot, a published high limb, a proof's point): the leaf
    no longer proves its claims, so the unit fails."""
    lay, data = unit
    size, body, runs, _, _ = fastaudit._shape(lay)
    offset = {"slot": size + HASH_BYTES + 33 * 2, "high limb": size + body - 33,
              "proof point": size + runs[2][0]}[where]
    bad = swap_point(data, offset, random_point())
    assert fastaudit.decode_unit(bad, lay, BACKEND) is not None   # decodes: the proofs refuse it
    with pytest.raises(InvalidProof, match="range proofs do not verify"):
        verify2.verify_leaves(job(lay, bad))


def test_a_debt_with_a_high_limb_one_more_than_proven_fails():
    """D + 2^64·G with X_1 + G: X_0 = D − 2^64·X_1 is unchanged, but X_1 now commits to a
    limb one above what its range proof was made for, so the debt would hide 2^64 more;
    the derivation follows the new points (as the reference) and the proofs refuse them."""
    lay = the_layout("128-bit USDT")
    debt = next(i for i, c in enumerate(lay.claims) if c.name == "debt/USDT")
    leaf = honest(lay, UNITS[0])
    slots, highs = list(leaf.slots), list(leaf.highs)
    slot = lay.claims[debt].terms[0][0]
    slots[slot] = slots[slot] + base_mul(1 << 64)
    highs[debt] = (highs[debt][0] + base_mul(1),)
    forged = MarginLeaf(leaf.id_hash, tuple(slots), tuple(highs), leaf.proofs)
    assert same_points(fastaudit.derive(lay, [forged], BACKEND)[1][0], leaf_module.limb_commitments(lay, forged))
    with pytest.raises(InvalidProof, match="range proofs do not verify"):
        verify2.verify_leaves(job(lay, forged.to_bytes()))


# -- the program's digits and the kernel's refusals -----------------------------------------

def test_naf_digits_sum_to_the_coefficient_and_are_never_adjacent():
    for k in [0, 1, -1, 3, -(1 << 64), 1 << 128, N // 2, -(N // 2)] + \
             [secrets.randbits(256) * secrets.choice((1, -1)) for _ in range(200)]:
        digits = fastaudit.naf(k)
        assert sum(d << i for i, d in enumerate(digits)) == k
        assert all(d in (-1, 0, 1) for d in digits) and len(digits) <= 257
        assert all(not (a and b) for a, b in zip(digits, digits[1:]))


def eval_one(source: int, digits: list[int], given: int | None = None) -> int:
    """zk_margin_eval's status on one leaf of one point and one single-term combination
    (`given`: the digits the buffer is said to hold; all of them by default)."""
    from array import array
    out, ok = bytes(64), bytes(1)
    return native._lib.zk_margin_eval(random_point()._raw, 1, 1, b"", 0, array("i", [1]).tobytes(), 1,
                                      array("i", [source]).tobytes(), array("i", [len(digits)]).tobytes(),
                                      array("b", digits).tobytes(), len(digits) if given is None else given,
                                      out, ok)


def test_zk_margin_eval_refuses_a_program_out_of_range():
    assert eval_one(0, [1, 0, -1]) == 1
    assert eval_one(1, [1]) == 0              # no such source
    assert eval_one(-1, [1]) == 0
    assert eval_one(0, [2]) == 0              # not a NAF digit
    assert eval_one(0, [0] * 257 + [1]) == 0  # longer than any coefficient below n
    assert eval_one(0, [1, 0, -1], given=2) == 0  # more digits asked than the buffer holds
