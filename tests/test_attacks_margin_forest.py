"""Attacks on margin capacities that are multiples of 1,024 (SPEC.md §6.12.7, §6.15, §6.16):
the account tree as a forest of perfect subtrees folded right to left. Each test builds the
attack with the library's own primitives and asserts it is refused; the tests beside the
forest's own (test_accounts_tree.py, test_marginfile.py, test_accounts_inclusion.py) cover
what they do not: an independent reading of §6.15's shape, the inner folds, the sum bounds
of a forest, every malformed margin.audit header, and the state's recomputed fold siblings."""

import re

import pytest

from accounts_kit import round_layout
from zksolv.accounts import layout as layout_module, leaf, tree
from zksolv.attestation import marginfile
from zksolv.commitments import commit
from zksolv.errors import EncodingError, InputError, InvalidProof
from zksolv.state import MARGIN_TREE, RoundStore, State

WIDTH = 2                       # one asset: E and D (the tree only sums and hashes them)


def _nodes(count: int):
    """`count` distinct leaf nodes of WIDTH points each, by point additions (cheap)."""
    points, step = [commit(j + 1, j + 7) for j in range(WIDTH)], [commit(1, j + 2) for j in range(WIDTH)]
    out = []
    for i in range(count):
        points = [p + s for p, s in zip(points, step)]
        out.append(tree.leaf_node(tuple(points), i.to_bytes(32, "big")))
    return out


NODES = _nodes(15360)           # up to 8192 + 4096 + 2048 + 1024: four subtrees


def _built(capacity: int):
    builder = tree.Builder()
    for node in NODES[:capacity]:
        builder.push(node)
    return builder.root(capacity), builder.levels(capacity)


@pytest.fixture(scope="module")
def forest_7168():
    return _built(7168)


# -- §6.15 read by an independent implementer: the shape of every path ----------------------

def _spec_tree(capacity: int):
    """The tree of SPEC.md §6.15 from its text alone, as nested tuples: ("leaf", i) or
    (level byte, left, right). Binary digits largest first; T_t perfect over its leaves with
    level byte k at height k; folded right to left with level byte 0x80 | k_t."""
    heights = [k for k in range(32, -1, -1) if capacity >> k & 1]
    subtrees, offset = [], 0
    for k in heights:
        level = [("leaf", offset + j) for j in range(1 << k)]
        for height in range(1, k + 1):
            level = [(height, level[2 * j], level[2 * j + 1]) for j in range(len(level) // 2)]
        subtrees.append(level[0])
        offset += 1 << k
    folded = subtrees[-1]
    for t in range(len(subtrees) - 2, -1, -1):
        folded = (0x80 | heights[t], subtrees[t], folded)
    return folded


def _spec_paths(node, above=()):
    """leaf index → [(level byte, sibling on the left)] bottom up, by walking down the tree."""
    if node[0] == "leaf":
        return {node[1]: list(reversed(above))}
    byte, left, right = node
    return {**_spec_paths(left, above + ((byte, False),)), **_spec_paths(right, above + ((byte, True),))}


@pytest.mark.parametrize("capacity", [1, 2, 8, 1024, 3072, 5120, 7168, 11264, 15360])
def test_every_path_shape_is_the_one_spec_6_15_describes_and_no_two_positions_share_one(capacity):
    """tree.steps (what the verifier derives from (capacity, index)) against a tree built
    from SPEC.md §6.15's words, for every leaf: same level bytes, same sides, same length
    (≤ ⌈log2 capacity⌉). Distinct shapes: a leaf and its path verify at one index only."""
    expected = _spec_paths(_spec_tree(capacity))
    assert sorted(expected) == list(range(capacity))
    shapes = set()
    for index in range(capacity):
        shape = tree.steps(capacity, index)
        assert shape == expected[index]
        assert len(shape) <= (capacity - 1).bit_length()
        shapes.add(tuple(shape))
    assert len(shapes) == capacity


# -- level-byte confusion at an inner fold ----------------------------------------------------

@pytest.mark.parametrize("i", [0, 7, 1023])
def test_an_inner_fold_cannot_pass_for_a_perfect_subtree_s_node(forest_7168, i):
    """7168 = fold_(0x80|12)(T12, fold_(0x80|11)(T11, T10)). Were the inner fold hashed with
    T11's height as a plain level byte, it would be the level-11 node of a perfect 2048-leaf
    subtree whose right half is T10: leaf 6144 + i of the 7168 forest, with its own path
    (12 siblings), would verify as leaf 5120 + i of a 6144 forest (also 12 siblings, the
    same T12 root on the left at the top). The fold byte 0x80 | 11 refuses it."""
    root, levels = forest_7168
    siblings = tree.path(levels, 6144 + i, 7168)
    assert len(siblings) == len(tree.steps(6144, 5120 + i))
    assert tree.walk(6144 + i, NODES[6144 + i], siblings, 7168) == root
    assert tree.walk(5120 + i, NODES[6144 + i], siblings, 6144) != root


# -- the sum bounds of a forest (SPEC.md §6.15 Bounds) ----------------------------------------

LAYOUT = round_layout()
BIGGEST = leaf.slot_values(LAYOUT, {"BTC": (1 << 64) - 1})


@pytest.mark.parametrize("capacity", [3072, 5120, 7168, (1 << 32) - 1024])
def test_a_forest_s_sum_bounds_hold_every_leaf_of_every_subtree(capacity):
    """The root sums all `capacity` leaves, whatever the shape: a bound taken from the
    largest subtree (2^k0), or from the subtrees' count, would let E or D exceed it."""
    e_bound, d_bound = layout_module.sum_bounds(LAYOUT, capacity)["BTC"]
    assert capacity * sum(BIGGEST[j] for j in LAYOUT.pieces(0)) < e_bound
    assert capacity * ((1 << 64) - 1) < d_bound


def test_the_largest_forest_of_128_bit_accounts_cannot_wrap_a_firm_statement():
    """2^32 − 1,024 accounts of 128-bit USDT (spot trees of one leaf): the firm-wide sum
    could pass what 3 limbs hold, so the round is refused before any proof, as at 2^32;
    at 1,024 accounts it is not."""
    from zksolv.attestation import claims, verify2
    from zksolv.market import parse
    from marginkit import PRICES

    decimals = {"BTC": 8, "ETH": 18, "USDT": 6}
    coeffs = parse(PRICES, decimals, "prices").coefficients(decimals)
    leaf_bits = {"BTC": 64, "ETH": 64, "USDT": 128}
    layout = verify2.build_layout(coeffs, leaf_bits)
    reserves = {"BTC": 10**9, "ETH": 10**20, "USDT": 10**12}

    def shape(margin_capacity):
        return claims.RoundShape(reserves, leaf_bits, {a: 1 for a in leaf_bits}, margin_capacity, None, (1, 1))
    with pytest.raises(InputError, match="limbs|wrap"):
        claims.round_claims(shape((1 << 32) - 1024), coeffs, layout)
    assert claims.round_claims(shape(1024), coeffs, layout)


# -- margin.audit headers: every malformed one refused, none crashes ---------------------------

DIGEST = marginfile.layout_digest(LAYOUT)
LEAF = leaf.size(LAYOUT)


def _v2(capacity: int, log_chunk: int) -> bytes:
    return marginfile.MAGIC + (2).to_bytes(2, "big") + capacity.to_bytes(8, "big") + bytes([log_chunk]) + DIGEST


def _v1(log_capacity: int, log_chunk: int) -> bytes:
    return marginfile.MAGIC + (1).to_bytes(2, "big") + bytes([log_capacity, log_chunk]) + DIGEST


def _reader(tmp_path, data: bytes, size: int):
    path = tmp_path / "margin.audit"
    with open(path, "wb") as f:
        f.write(data)
        f.truncate(size)
    with open(path, "rb") as f:
        return marginfile.Reader(f, "margin.audit", LAYOUT).header


@pytest.mark.parametrize("header,leaves", [(_v2(3072, 6), 3072), (_v1(10, 6), 1024)],
                         ids=["v2-3072", "v1-1024"])
def test_every_changed_or_cut_header_byte_is_refused_or_read_consistently(tmp_path, header, leaves):
    """Each header byte set to 0, 1, 2, 10, 11, 12, 32, 0x80, 0xff and each truncation, with the
    file sized for the original: an EncodingError, or a header the tree can have (a v1
    header a power of two — no forest smuggled through it —, a chunk dividing the
    capacity, the file exactly its leaves). Never another exception, never a hang."""
    size = len(header) + leaves * LEAF
    variants = [header[:n] for n in range(len(header))]
    variants += [header[:k] + bytes([b]) + header[k + 1:] for k in range(len(header))
                 for b in (0x00, 0x01, 0x02, 0x0A, 0x0B, 0x0C, 0x20, 0x80, 0xFF) if b != header[k]]
    for data in variants:
        try:
            got = _reader(tmp_path, data, size if len(data) == len(header) else len(data))
        except EncodingError:
            continue
        tree.check_capacity(got.capacity)
        assert got.capacity % got.chunk == 0
        version = int.from_bytes(data[8:10], "big")
        header_bytes = marginfile.HEADER_BYTES if version == 2 else marginfile.HEADER_BYTES_V1
        assert header_bytes + got.capacity * LEAF == size
        if version == 1:
            assert got.capacity & (got.capacity - 1) == 0


def test_a_v1_and_a_v2_header_of_one_power_of_two_read_alike(tmp_path):
    """The same capacity and chunk, so audit rebuilds the same (perfect) tree from either."""
    v1 = _reader(tmp_path, _v1(11, 8), marginfile.HEADER_BYTES_V1 + 2048 * LEAF)
    v2 = _reader(tmp_path, _v2(2048, 8), marginfile.HEADER_BYTES + 2048 * LEAF)
    assert v1 == v2 == marginfile.Header(2048, 256, DIGEST)


# -- the state's margin paths: fold siblings recomputed from the subtrees' roots ---------------

@pytest.fixture(scope="module")
def forest_15360():
    return _built(15360)


@pytest.fixture(scope="module")
def forest_state(tmp_path_factory, forest_15360):
    path = tmp_path_factory.mktemp("state") / "st.db"
    store = RoundStore.open(path, "inputs", {"attestation_id": "forest", "master_secret": bytes(32),
                                                  "timestamp": "2026-12-04T00:00:00Z"})
    try:
        store.finish({"manifest_digest": "00" * 32, "manifest_json": b"{}"}, [], ([("u", 3, "{}")], forest_15360[1]))
    finally:
        store.close()
    return path


@pytest.mark.parametrize("index", [0, 8191, 8192, 12287, 12288, 14335, 14336, 15359])
def test_the_state_hands_out_paths_that_walk_to_the_forest_root(forest_state, forest_15360, index):
    """Leaves of each of four subtrees (8192 + 4096 + 2048 + 1024): the fold sibling
    F_(t+1) is not stored, the state recomputes it from the subtrees' roots — with two
    folds below it for T0, so a recomputation in the wrong order (or side, or level byte)
    misses the root."""
    st = State(forest_state)
    try:
        siblings = st.margin_path(index, 15360, WIDTH // 2)
    finally:
        st.close()
    assert tree.walk(index, NODES[index], siblings, 15360) == forest_15360[0]


def test_a_state_path_for_another_capacity_or_index_is_refused(forest_state):
    """The capacity given is the manifest's: an index beyond it, or a capacity the tree
    cannot have, is refused before any row is read; a capacity larger than the stored
    tree's is a damaged-state InputError, not a crash."""
    st = State(forest_state)
    try:
        for index, capacity in ((15360, 15360), (0, 15000)):
            with pytest.raises(InvalidProof):
                st.margin_path(index, capacity, WIDTH // 2)
        with pytest.raises(InputError):
            st.margin_path(0, 31744, WIDTH // 2)
    finally:
        st.close()


# -- the customer, against a manifest whose margin capacity was changed ------------------------

@pytest.fixture(scope="module")
def margin_round(tmp_path_factory):
    from marginkit import prove_margin
    return prove_margin(tmp_path_factory.mktemp("forest-customer") / "round")


@pytest.mark.parametrize("capacity,named", [(1024, "margin.path"), (3072, "margin.path"), (8, "margin.path"),
                                            (2, "margin.(path|leaf_index)"), (3000, "margin.capacity"),
                                            (2**40, "margin.capacity"), ("4", "margin.capacity")])
def test_a_customer_refuses_a_manifest_whose_margin_capacity_was_changed(margin_round, tmp_path, capsys,
                                                                         capacity, named):
    """The exchange republishes the round's manifest (capacity 4) with another margin
    capacity, every other field kept (the same root), and re-stamps the customer's proof
    for it. A capacity the tree can have gives the customer's index another path shape,
    which their 2-sibling path does not have (or an index below 2 they do not have); one it cannot have is refused with the
    manifest. Exit 3 naming the field, never accepted, never an internal error."""
    import json
    import shutil

    from zksolv.cli import main
    from zksolv.inclusion2 import read_manifest

    out = tmp_path / "round"
    shutil.copytree(margin_round.out, out)
    proof = tmp_path / "alice.json"
    with pytest.raises(SystemExit) as done:
        main(["inclusion", "--state", str(margin_round.state), "--user", "alice", "--attestation",
              str(margin_round.out), "--out", str(proof), "--quiet"])
    assert done.value.code == 0
    manifest = out / "manifest.json"
    doc = json.loads(manifest.read_text())
    assert doc["margin"]["capacity"] == 4
    doc["margin"]["capacity"] = capacity
    doc["margin"]["chunk"] = min(doc["margin"]["chunk"], capacity) if type(capacity) is int else 1
    manifest.write_text(json.dumps(doc, indent=1, sort_keys=True))
    if "capacity" not in named:             # a capacity the manifest accepts: re-stamp the proof
        part = json.loads(proof.read_text())
        part["manifest"] = read_manifest(manifest).digest().hex()
        proof.write_text(json.dumps(part))
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["verify-inclusion", str(proof), "--attestation", str(out), "--user", "alice"])
    err = capsys.readouterr().err
    assert done.value.code == 3 and err.startswith("zksolv: error:") and re.search(named, err)
