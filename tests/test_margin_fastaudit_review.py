"""An adversarial review of the margin audit's kernel path (accounts/fastaudit.py,
native_margin.h) against the reference path (leaf.py, tree.py): inputs built to hit the
kernel's edge cases — every point a small multiple of one point (so the double-and-add
meets P + P and P + (−P) mid-way), an identity among the results of one batched inversion,
equal subtree nodes, a flipped byte in every region of a leaf, commitments equal to a
generator or to each other — and DESIGN §11's cheating provers run through the audit's
work unit (verify2.verify_leaves) rather than leaf.verify_leaf."""

import random
from dataclasses import replace

import pytest

from accounts_kit import BTC, CRASH, SECRET, USDT, residue_split, round_layout, unchecked_prove
from zksolv.accounts import fastaudit, keys, leaf as leaf_module, tree as account_tree
from zksolv.accounts.layout import Claim, Layout
from zksolv.accounts.leaf import MarginLeaf
from zksolv.attestation import verify2
from zksolv.attestation.context import MarketBinding, transcript
from zksolv.attestation.marginleaves import MARGIN_TREE, STATEMENT
from zksolv.commitments import generators
from zksolv.errors import InvalidProof
from zksolv.group import N, Point, backends, base_mul
from zksolv.group.curve import POINT_BYTES
from zksolv.hashing import HASH_BYTES
from zksolv.market import Scenario

BACKEND = backends.get("native")
BINDING = MarketBinding(b"\x11" * 32, b"{}")
WIDE = {"BTC": 128, "DOGE": 64, "USDT": 128}
LAYOUTS = [round_layout([CRASH]), round_layout([CRASH], leaf_bits=WIDE),
           round_layout([CRASH, Scenario("up", {"BTC": 15000}), Scenario("mix", {"BTC": 1, "USDT": 5000})],
                        leaf_bits=WIDE)]


def context(index):
    return lambda: transcript("round-1", b"\x22" * 32, MARGIN_TREE, STATEMENT, index, market=BINDING)


def job(lay, data):
    return ("round-1", b"\x22" * 32, BINDING, lay, 0, data)


def verdict(lay, data, fast: bool, monkeypatch):
    """verify_leaves' result, or its exception's type and message, on one path."""
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(fastaudit, "usable", lambda backend: False)
        try:
            return "ok", verify2.verify_leaves(job(lay, data))
        except Exception as exc:   # any outcome, compared whole between the paths
            return type(exc).__name__, str(exc)


def same_points(a, b) -> bool:
    return len(a) == len(b) and all(p._raw == q._raw for p, q in zip(a, b))


def node_verdict(lay, leaves):
    """The reference's node refusal message for the first leaf whose node is refused."""
    try:
        for leaf in leaves:
            account_tree.encode(leaf_module.node_points(lay, leaf))
    except InvalidProof as exc:
        return str(exc)
    return None


# -- derived points: doubling and cancelling inside the double-and-add ----------------------

def multiples_leaf(lay, rng, q: Point) -> MarginLeaf:
    """Every slot and high limb a multiple c·Q of one point, c small, ±2^64-ish or a room
    constant: the layout's combinations then meet acc = ±P_j and sums of zero."""
    constants = [c.constant for c in lay.claims if c.constant] or [1]
    def pick():
        while True:
            c = rng.choice([rng.randrange(-4, 5), rng.randrange(-(1 << 66), 1 << 66),
                            (1 << 64) * rng.choice([1, -1, 2]), rng.choice(constants), N - 1])
            if c % N:
                return q * c
    slots = tuple(pick() for _ in lay.slots)
    highs = tuple(tuple(pick() for _ in range(c.limbs - 1)) for c in lay.claims)
    return MarginLeaf(rng.randbytes(32), slots, highs)


@pytest.mark.parametrize("seed", range(4))
def test_derived_points_match_the_reference_when_every_point_is_a_multiple_of_one(seed):
    rng = random.Random(seed)
    seen_identity = False
    for trial in range(12):
        lay = LAYOUTS[trial % len(LAYOUTS)]
        q = base_mul(1) if trial % 3 == 0 else base_mul(rng.randrange(1, N))
        leaves = [multiples_leaf(lay, rng, q) for _ in range(rng.choice([1, 2, 4]))]
        refused = node_verdict(lay, leaves)
        if refused:
            with pytest.raises(InvalidProof) as mine:
                fastaudit.derive(lay, leaves, BACKEND)
            assert str(mine.value) == refused
            continue
        nodes, limbs = fastaudit.derive(lay, leaves, BACKEND)
        for leaf, node, mine in zip(leaves, nodes, limbs):
            reference = leaf_module.limb_commitments(lay, leaf)
            seen_identity |= any(p.is_identity for p in reference)
            assert same_points(mine, reference)
            assert node == b"".join(p._raw for p in leaf_module.node_points(lay, leaf))
    assert seen_identity   # the inputs did reach a derived identity


def test_an_identity_mid_batch_leaves_every_other_result_of_the_inversion_exact():
    """One leaf's room claim width·G − E is the identity (E = width·G): the batch inversion
    skips it, and the leaves around it, normalized with the same inversion, are exact."""
    lay = LAYOUTS[1]
    rng = random.Random(7)
    room = next(i for i, c in enumerate(lay.claims) if c.name.startswith("room/"))
    piece = lay.claims[room].terms[0][0]
    leaves = [MarginLeaf(rng.randbytes(32), tuple(base_mul(rng.randrange(1, N)) for _ in lay.slots),
                         tuple(tuple(base_mul(rng.randrange(1, N)) for _ in range(c.limbs - 1)) for c in lay.claims))
              for _ in range(4)]
    slots = list(leaves[1].slots)
    slots[piece] = base_mul(lay.claims[room].constant)
    leaves[1] = replace(leaves[1], slots=tuple(slots))
    _, limbs = fastaudit.derive(lay, leaves, BACKEND)
    for leaf, mine in zip(leaves, limbs):
        assert same_points(mine, leaf_module.limb_commitments(lay, leaf))
    assert sum(p.is_identity for p in limbs[1]) == 1 and not any(p.is_identity for p in limbs[0] + limbs[2])


# -- the subtree: equal operands ------------------------------------------------------------

def builder_root(nodes, hashes, width):
    builder = account_tree.Builder(keep_levels=False)
    for raw, h in zip(nodes, hashes):
        builder.push(account_tree.leaf_node(tuple(Point(raw[64 * q : 64 * q + 64], BACKEND) for q in range(width)), h))
    return builder.root()


@pytest.mark.parametrize("count", [2, 8])
def test_a_subtree_of_equal_nodes_doubles_as_the_builder_does(count):
    """Every node the same: each level adds P + P, the affine addition's doubling case."""
    rng = random.Random(count)
    node = b"".join(base_mul(rng.randrange(1, N))._raw for _ in range(4))
    nodes, hashes = [node] * count, [rng.randbytes(32) for _ in range(count)]
    assert fastaudit.subtree(nodes, hashes, 4) == builder_root(nodes, hashes, 4)


# -- whole units: the verdict and the message of both paths ---------------------------------

def honest_bytes(lay, units, user_id, index=0) -> bytes:
    key, id_hash = keys.customer(SECRET, user_id)
    return leaf_module.prove_leaf(lay, key, id_hash, units, context(index)).to_bytes()


@pytest.fixture(scope="module")
def one_leaf():
    lay = LAYOUTS[0]
    return lay, honest_bytes(lay, {"BTC": 3 * BTC, "USDT": -50 * USDT}, "u0")


def flip_positions(lay) -> list[int]:
    """A byte in every region: H_id, each point's prefix and last x byte, the first byte of
    every scalar (the kernel path's runs of points and its scalar offsets)."""
    _, _, runs, scalars, _ = fastaudit._shape(lay)
    out = [0, HASH_BYTES - 1]
    for start, end in runs:
        for at in range(start, end, POINT_BYTES):
            if at in (start, end - POINT_BYTES) or (at - start) // POINT_BYTES % 5 == 0:
                out += [at, at + POINT_BYTES - 1]
    return out + [s for s in scalars] + [s + 31 for s in scalars]


def test_a_flipped_byte_gets_the_reference_verdict_and_message(one_leaf, monkeypatch):
    lay, data = one_leaf
    assert fastaudit.decode_unit(data, lay, BACKEND) is not None
    assert verdict(lay, data, True, monkeypatch) == verdict(lay, data, False, monkeypatch)
    for pos in flip_positions(lay):
        for mask in (0x01, 0x80):
            bad = data[:pos] + bytes([data[pos] ^ mask]) + data[pos + 1 :]
            mine = verdict(lay, bad, True, monkeypatch)
            assert mine[0] != "ok" and mine == verdict(lay, bad, False, monkeypatch), (pos, mask)


def swapped(data: bytes, at: int, point: Point) -> bytes:
    return data[:at] + point.to_bytes() + data[at + POINT_BYTES :]


@pytest.mark.parametrize("what", ["G", "H", "another slot", "its negation"])
def test_a_slot_equal_to_a_generator_or_to_another_slot_fails_in_both_paths(one_leaf, monkeypatch, what):
    lay, data = one_leaf
    first, second = HASH_BYTES, HASH_BYTES + POINT_BYTES
    other = Point.from_bytes(data[first : first + POINT_BYTES], BACKEND)
    point = {"G": base_mul(1), "H": generators(BACKEND).H, "another slot": other, "its negation": -other}[what]
    bad = swapped(data, second, point)
    mine = verdict(lay, bad, True, monkeypatch)
    assert mine == ("InvalidProof", "a margin leaf's range proofs do not verify (leaves 0…)")
    assert mine == verdict(lay, bad, False, monkeypatch)


def test_a_duplicate_leaf_is_refused_with_the_reference_message(monkeypatch):
    lay = LAYOUTS[0]
    leaf = honest_bytes(lay, {"BTC": BTC}, "dup")
    mine = verdict(lay, leaf + leaf, True, monkeypatch)
    assert mine[0] == "InvalidProof" and mine[1].startswith("two margin leaves share the hash")
    assert mine == verdict(lay, leaf + leaf, False, monkeypatch)


# -- DESIGN §11's cheaters through the audit's work unit ------------------------------------

def cheat_bytes(lay, values, index=0) -> bytes:
    """A leaf proven over arbitrary slot values (residues mod n), in verify_leaves' context."""
    key, id_hash = keys.customer(SECRET, "mallory")
    opened = leaf_module.open_leaf(lay, key, id_hash, values, split=residue_split)
    return leaf_module.prove_opening(opened, context(index), prove=unchecked_prove).to_bytes()


def attacks():
    lay = LAYOUTS[0]
    out = {"fake debt": leaf_module.slot_values(lay, {"USDT": -1})}
    tier = leaf_module.slot_values(round_layout(), {"BTC": 2 * BTC, "USDT": -180 * USDT})
    tier[0], tier[1] = 2 * BTC, 0
    out["tier abuse"] = tier
    negative = leaf_module.slot_values(lay, {"BTC": 20 * BTC})
    negative[2] = -10 * BTC
    out["negative piece"] = negative
    debt = leaf_module.slot_values(lay, {"USDT": -50 * USDT})
    debt[lay.debt(0)] = -1000 * BTC
    out["negative debt"] = debt
    return out


@pytest.mark.parametrize("name", sorted(attacks()))
def test_a_cheating_leaf_fails_the_work_unit_on_both_paths(name, monkeypatch):
    lay = round_layout() if name == "tier abuse" else LAYOUTS[0]
    bad = cheat_bytes(lay, attacks()[name])
    assert fastaudit.decode_unit(bad, lay, BACKEND) is not None   # the kernel path runs
    mine = verdict(lay, bad, True, monkeypatch)
    assert mine == ("InvalidProof", "a margin leaf's range proofs do not verify (leaves 0…)")
    assert mine == verdict(lay, bad, False, monkeypatch)


def test_a_wrapped_value_gets_the_same_verdict_on_both_paths(monkeypatch):
    """A layout built without the bounds' no-wrap check (a debt coefficient of 2^150): the
    wrapped value verifies on the reference path (layout.build is what refuses this market,
    tests/test_accounts_attacks.py), and the kernel path must agree — accepting nothing
    more, refusing nothing less — on the wrapped leaf and on a tampered copy of it."""
    lay = Layout(("X",), (128,), ((),), ("piece/X/0", "debt/X"),
                 (Claim("piece/X/0", 0, ((0, 1),), 2), Claim("debt/X", 0, ((1, 1),), 2),
                  Claim("value/base", 0, ((0, 1 << 40), (1, -(1 << 150))), 3)))
    bad = cheat_bytes(lay, [1 << 115, -(-N >> 150)])
    reference = verdict(lay, bad, False, monkeypatch)
    assert reference[0] == "ok" and verdict(lay, bad, True, monkeypatch) == reference
    tampered = swapped(bad, HASH_BYTES + POINT_BYTES, base_mul(5))
    assert verdict(lay, tampered, True, monkeypatch) == verdict(lay, tampered, False, monkeypatch)
    assert verdict(lay, tampered, True, monkeypatch)[0] == "InvalidProof"
