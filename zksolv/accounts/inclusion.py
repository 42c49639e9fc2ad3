"""The margin customer's part of an inclusion proof (version 2; SPEC.md §6.16, MARGIN.md §13).

    "margin": {"balances": {ASSET: "-0.5" | "1.2" | "0", … every asset of the round},
               "leaf_index": i,
               "path": ["<base64 of the sibling's 2·A commitments ‖ its hash>", … bottom-up]}

The customer recomputes their whole leaf — every slot and high-limb commitment — from their
user secret, user id and balances (leaf.open_leaf, keys.py), takes its node (per asset the
equity and debt sums, the leaf hash) and walks the path to the published account-tree root.
Pure functions: no prover state, no manifest file; the caller passes the round's layout,
decimals, margin root and capacity, and the market's scenario names.

What the check shows, beyond "your account is in the tree": every asset's balance or debt,
and that the account is collateralized at every scenario. The latter follows from the
balances themselves (an honest leaf cannot be opened for an under-collateralized account:
its value claim has no limbs) and is proven for every leaf by the leaf's range proofs, which
the customer does not hold: `audit` checks them.
"""

import base64
import binascii
from collections.abc import Sequence

from zksolv import strictjson
from zksolv.accounts import keys, leaf, tree
from zksolv.accounts.layout import Layout
from zksolv.errors import EncodingError, InputError, InvalidProof
from zksolv.group.curve import POINT_BYTES
from zksolv.hashing import HASH_BYTES
from zksolv.market.fixed import format_fixed, parse_signed_amount

FIELDS = ("balances", "leaf_index", "path")
MAX_BALANCE_CHARS = 64     # a signed 2^128 − 1 at 18 decimals is 41 characters
PROVEN_BY = "the account leaf's range proofs (every leaf's are checked by `zksolv audit`)"


def sibling_bytes(layout: Layout) -> int:
    """Bytes of one path entry: the node's 2·A commitments, then its hash."""
    return 2 * len(layout.assets) * POINT_BYTES + HASH_BYTES


def build(user_id: str, user_secret: bytes, balances: dict[str, int], leaf_index: int,
          path_nodes: Sequence[tuple[bytes, bytes]], layout: Layout, decimals: dict[str, int]) -> dict:
    """The margin part of `user_id`'s inclusion proof: signed units per asset (absent: 0),
    their leaf's position and its path (accounts.tree.path). The user id and secret are the
    proof's own fields; they are taken here only to refuse an account that holds nothing."""
    unknown = sorted(set(balances) - set(layout.assets))
    if unknown:
        raise InputError(f"user {user_id!r}: holdings outside the round's assets: {unknown}")
    if not any(balances.values()):
        raise InputError(f"user {user_id!r} holds nothing in this round")
    if len(user_secret) != 32:
        raise InputError("a user secret is 32 bytes")
    width = sibling_bytes(layout)
    path = []
    for c, h in path_nodes:
        if len(c) + len(h) != width:
            raise InputError(f"a path node of {len(c) + len(h)} bytes, the layout's take {width}")
        path.append(base64.b64encode(c + h).decode("ascii"))
    return {"balances": {a: format_fixed(balances.get(a, 0), decimals[a]) for a in layout.assets},
            "leaf_index": leaf_index, "path": path}


def verify(part, user_id: str, user_secret: bytes, layout: Layout, decimals: dict[str, int],
           root: tuple, capacity: int, market_scenarios: Sequence[str],
           expected: dict[str, str] | None = None) -> dict:
    """Check the margin part against the published account-tree `root` (its 2·A commitments,
    as bytes or a list of 33-byte encodings, and its hash); return what the customer is shown.
    EncodingError if the part is not in its one accepted form, InvalidProof if it does not
    lead to the root (or proves nothing, or disagrees with the customer's `expected` balances:
    asset → signed decimal, `--balance BTC=-0.5`)."""
    try:
        tree.check_capacity(capacity)
    except ValueError as exc:
        raise InvalidProof(str(exc)) from None
    units, index, siblings = parse(part, layout, decimals, capacity)
    if not any(units.values()):
        raise InvalidProof("this margin inclusion proof shows no balance and no debt: it proves nothing")
    _check_expected(units, expected or {}, decimals)
    node = _leaf_node(layout, user_id, user_secret, units)
    if tree.walk(index, node, siblings, capacity) != _root(root):
        raise InvalidProof("the margin account does not lead to the attested account-tree root")
    return shown(layout, decimals, units, index, market_scenarios)


def _root(root: tuple) -> tuple[bytes, bytes]:
    commitments, digest = root
    if not isinstance(commitments, (bytes, bytearray)):
        commitments = b"".join(commitments)
    return bytes(commitments), bytes(digest)


def _leaf_node(layout: Layout, user_id: str, user_secret: bytes, units: dict[str, int]) -> tree.Node:
    """The customer's own leaf node, recomputed from their secret and balances alone."""
    key, id_hash = keys.customer(user_secret, user_id)
    try:
        values = leaf.slot_values(layout, units)
        short = [c.name.removeprefix("value/") for c in layout.claims
                 if c.name.startswith("value/") and c.value(values) < 0]
        if short:
            raise InputError(f"they are not collateralized at {', '.join(short)}")
        opened = leaf.open_leaf(layout, key, id_hash, values)
    except InputError as exc:  # beyond the leaf range, or a value claim below 0
        raise InvalidProof(f"no leaf of this round holds these balances: {exc}") from None
    return tree.leaf_node(leaf.node_points(layout, opened.leaf), opened.leaf.hash())


def parse(part, layout: Layout, decimals: dict[str, int], capacity: int) -> tuple[dict[str, int], int, list]:
    """(units per asset, leaf index, siblings) of a margin part in its one accepted form:
    exactly the three fields; every asset of the round and no other, each balance in its
    shortest exact signed decimal; an index below the (checked) capacity; exactly as many
    siblings as the index's path has (tree.steps), each canonical padded base64 of
    sibling_bytes(layout) bytes. EncodingError naming the field."""
    part = strictjson.obj(part, "margin", FIELDS)
    units = _balances(part["balances"], layout, decimals)
    index = strictjson.integer(part["leaf_index"], "margin.leaf_index", 0, capacity - 1)
    depth = len(tree.steps(capacity, index))
    path = part["path"]
    if not isinstance(path, list) or len(path) != depth:
        raise EncodingError(f"margin.path: must be a list of exactly {depth} siblings (leaf {index}'s path "
                            f"in a tree of {capacity})")
    width = sibling_bytes(layout)
    siblings = []
    for k, text in enumerate(path):
        data = _base64(text, width, f"margin.path[{k}]")
        siblings.append((data[: width - HASH_BYTES], data[width - HASH_BYTES:]))
    return units, index, siblings


def _balances(value, layout: Layout, decimals: dict[str, int]) -> dict[str, int]:
    value = strictjson.obj(value, "margin.balances", layout.assets)
    units = {}
    for a in layout.assets:
        text, where = value[a], f"margin.balances.{a}"
        if not isinstance(text, str) or len(text) > MAX_BALANCE_CHARS:
            raise EncodingError(f"{where}: must be a signed decimal string of at most {MAX_BALANCE_CHARS} characters")
        try:
            units[a] = parse_signed_amount(text, decimals[a])
        except InputError as exc:
            raise EncodingError(f"{where}: {exc}") from None
        if format_fixed(units[a], decimals[a]) != text:
            raise EncodingError(f"{where}: {text!r} is not written as {format_fixed(units[a], decimals[a])!r}")
    return units


def _base64(text, size: int, where: str) -> bytes:
    """Canonical padded base64 (RFC 4648 §4) of exactly `size` bytes: the one spelling
    b64encode gives (no whitespace, no line breaks, zero padding bits)."""
    length = 4 * -(-size // 3)
    if not isinstance(text, str) or len(text) != length:
        raise EncodingError(f"{where}: must be base64 of {size} bytes ({length} characters)")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise EncodingError(f"{where}: not base64") from None
    if len(data) != size or base64.b64encode(data).decode("ascii") != text:
        raise EncodingError(f"{where}: not the canonical base64 of {size} bytes")
    return data


def _check_expected(units: dict[str, int], expected: dict[str, str], decimals: dict[str, int]) -> None:
    """The customer's own figures (`--balance BTC=-0.5`; signed) against the proof's; once
    any figure is given, a debt in an asset without one fails too (SPEC.md §6.16)."""
    for asset, text in expected.items():
        if asset not in units:
            raise InvalidProof(f"{asset}: not an asset of this round's margin accounts")
        want = parse_signed_amount(text, decimals[asset])   # InputError: a usage error of the caller
        if want != units[asset]:
            raise InvalidProof(f"{asset}: the attestation counts {format_fixed(units[asset], decimals[asset])}, "
                               f"not {text}")
    unnamed = [a for a in sorted(units) if units[a] < 0 and a not in expected]
    if expected and unnamed:
        a = unnamed[0]
        raise InvalidProof(f"{a}: the attestation counts a debt of {format_fixed(-units[a], decimals[a])}, "
                           "for which you gave no figure")


def shown(layout: Layout, decimals: dict[str, int], units: dict[str, int], index: int,
          market_scenarios: Sequence[str]) -> dict:
    """What the customer reads: each balance (negative: a debt), and the scenarios at which
    the account is proven collateralized — every one of the market's, base first (a
    scenario without a value claim has every coefficient 0: v_s = 0 for every account)."""
    claimed = [c.name.removeprefix("value/") for c in layout.claims if c.name.startswith("value/")]
    if not set(claimed) <= set(market_scenarios):
        raise InputError("the layout was not built from this market's scenarios")
    return {"balances": {a: format_fixed(units[a], decimals[a]) for a in layout.assets},
            "debts": [a for a in layout.assets if units[a] < 0],
            "leaf_index": index,
            "collateralized": list(market_scenarios),
            "proven_by": PROVEN_BY}
