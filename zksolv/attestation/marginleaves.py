"""The account leaves of a margin round on the prover's side (MARGIN.md §7, §9, §12).

Margin accounts and padding accounts are placed in increasing order of a secret key (as the
spot leaves, under the asset name "" which no asset can have); each chunk of `chunk` leaves
is one work unit, proven on any executor beside the spot chunks, its leaf bytes committed to
the state as it finishes. The tree is then rebuilt from those bytes.
"""

import json
from dataclasses import dataclass

from zksolv import roundkeys
from zksolv.accounts import keys, tree as account_tree
from zksolv.accounts.layout import Layout
from zksolv.accounts.leaf import MarginLeaf, node_points, prove_leaf, size, slot_values
from zksolv.accounts.widerange import part_sizes
from zksolv.attestation.context import MarketBinding, transcript
from zksolv.group import N, Point
from zksolv.commitments import commit

MARGIN_TREE = ""
STATEMENT = "margin_leaf"


@dataclass(frozen=True)
class Account:
    """One leaf: a customer's (user_id, signed units) or padding (user_id None)."""

    user_id: str | None
    key: bytes
    id_hash: bytes
    units: dict[str, int]


@dataclass
class MarginLeaves:
    layout: Layout
    capacity: int
    chunk: int
    accounts: list[Account]   # in tree order

    def state_rows(self, first: int = 0):
        """(user_id, position, balances JSON) of every customer: the inclusion hook
        (`first`: the position of the first account, a subtree's on a cluster)."""
        for position, acc in enumerate(self.accounts, start=first):
            if acc.user_id is not None:
                yield acc.user_id, position, balances_json(acc.units)

    def totals(self) -> dict[str, tuple[int, int]]:
        """`E/a`, `D/a` → (value, blinding) summed over every leaf, padding included."""
        out = {}
        for acc in self.accounts:
            values = slot_values(self.layout, acc.units)
            blinds = [keys.blinding(acc.key, name) for name in self.layout.slots]
            for i, a in enumerate(self.layout.assets):
                _add(out, f"E/{a}", [(values[j], blinds[j]) for j in self.layout.pieces(i)])
                d = self.layout.debt(i)
                _add(out, f"D/{a}", [(values[d], blinds[d])])
        return out


def balances_json(units: dict[str, int]) -> str:
    """An account's signed balances as the state keeps them: {asset: "units"}, sorted."""
    return json.dumps({a: str(u) for a, u in sorted(units.items())})


def _add(out: dict, name: str, pairs) -> None:
    v, r = out.get(name, (0, 0))
    out[name] = (v + sum(x for x, _ in pairs), (r + sum(y for _, y in pairs)) % N)


def build(master: bytes, holdings: dict[str, dict[str, int]], layout: Layout, capacity: int,
          chunk: int) -> MarginLeaves:
    """Customers' and padding accounts, shuffled by a secret key."""
    accounts = []
    for user_id, units in holdings.items():
        key, id_hash = keys.customer(roundkeys.user_secret(master, user_id), user_id)
        accounts.append(Account(user_id, key, id_hash, units))
    for i in range(capacity - len(holdings)):
        key, id_hash = keys.padding(master, i)
        accounts.append(Account(None, key, id_hash, {}))
    accounts.sort(key=lambda acc: roundkeys.order_key(master, MARGIN_TREE, acc.id_hash))
    return MarginLeaves(layout, capacity, chunk, accounts)


def jobs(store, attestation_id: str, circuits_digest: bytes, binding: MarketBinding, leaves: MarginLeaves,
         master: bytes):
    """Work units of the chunks not yet in the store; job[2] is "" and job[3] the chunk
    index, as the spot jobs' asset and index (prove._completed reports them)."""
    done, m = store.done(MARGIN_TREE), leaves.chunk
    for k in range(leaves.capacity // m):
        if k not in done:
            yield chunk_job(attestation_id, circuits_digest, binding, leaves.layout, master, k,
                            leaves.accounts[k * m : (k + 1) * m])


def chunk_job(attestation_id: str, circuits_digest: bytes, binding: MarketBinding, layout: Layout, master: bytes,
              index: int, accounts: list[Account]):
    """The work unit of chunk `index`, whose accounts (in tree order) are `accounts`."""
    parts = len(part_sizes(layout.limb_values))
    specs = [(pos, acc.key, acc.id_hash, acc.units, [keys.nonce_key(master, pos, j) for j in range(parts)])
             for pos, acc in enumerate(accounts, start=index * len(accounts))]
    return (attestation_id, circuits_digest, MARGIN_TREE, index, binding, layout, specs)


def prove_chunk(job) -> bytes:
    """The proven leaves of one chunk, their bytes back to back (picklable work unit)."""
    attestation_id, circuits_digest, _, _, binding, layout, specs = job
    out = bytearray()
    for pos, key, id_hash, units, nonce_keys in specs:
        def context(pos=pos):
            return transcript(attestation_id, circuits_digest, MARGIN_TREE, STATEMENT, pos, market=binding)
        leaf = prove_leaf(layout, key, id_hash, units, context,
                          rng_for=lambda j, nk=nonce_keys: roundkeys.NonceStream(nk[j]))
        out += leaf.to_bytes()
    return bytes(out)


def split_leaves(data: bytes, layout: Layout):
    """The MarginLeaf objects of one chunk's bytes."""
    n = size(layout)
    return [MarginLeaf.from_bytes(data[i : i + n], layout) for i in range(0, len(data), n)]


def build_tree(chunks, layout: Layout, capacity: int) -> tuple[list[account_tree.Level], tuple[bytes, bytes]]:
    """The account tree's levels and root (Cs, hash) from the proven chunks' bytes in order."""
    builder = account_tree.Builder()
    for data in chunks:
        for leaf in split_leaves(data, layout):
            builder.push(account_tree.leaf_node(node_points(layout, leaf), leaf.hash()))
    return builder.levels(capacity), builder.root(capacity)


def check_root(root_cs: bytes, totals: dict, layout: Layout) -> dict[str, Point]:
    """The root's per-asset points, checked to open to the prover's totals (a mismatch is a
    bug, never an input problem: refuse to publish)."""
    points = account_tree.decode(root_cs, 2 * len(layout.assets))
    named = {}
    for i, a in enumerate(layout.assets):
        named[f"E/{a}"], named[f"D/{a}"] = points[2 * i], points[2 * i + 1]
    for name, point in named.items():
        if point != commit(*totals[name]):
            raise AssertionError(f"margin root {name} does not open to the accounts' total")
    return named


@dataclass
class StoredTree:
    """The account tree of a round proved on one machine, as `margin._publish` reads it:
    its accounts here, its proven chunks in the state."""

    leaves: MarginLeaves
    store: object
    base_level = 0          # the levels kept start at the leaves

    @property
    def capacity(self) -> int:
        return self.leaves.capacity

    @property
    def chunk(self) -> int:
        return self.leaves.chunk

    def totals(self) -> dict[str, tuple[int, int]]:
        return self.leaves.totals()

    def state_rows(self):
        return self.leaves.state_rows()

    def chunks(self):
        """Every proven chunk's leaf bytes, in order."""
        return self.store.margin_chunks()

    def built(self) -> tuple[list[account_tree.Level], tuple[bytes, bytes]]:
        """The tree's levels (from `base_level`) and root (Cs, hash)."""
        return build_tree(self.store.margin_chunks(), self.leaves.layout, self.leaves.capacity)
