"""The account tree of a margin round proved on a Dask cluster in subtrees (issue 14;
SPEC.md §6.9.1, §6.15), as the spot trees are: no margin account reaches the coordinator.

The margin accounts stay in the users' groups on the workers (`marginsplit`); each becomes a
placement entry under its secret order key (`marginsplit.margin_entries`, the same key
`marginleaves.build` sorts by), padding accounts likewise (`padding_entries`), and Dask's
shuffle of `placement.place` puts them in order; `handoff` gives each subtree task its
accounts. A task (`task`) proves its chunks of margin leaves into its shard (resumable),
builds its subtree of the account tree (levels 1 … log2 S) and returns a summary: its root
(2·A commitments and hash), its customers, each slot sum's value and blinding (mod n), and
its key range. The coordinator joins the roots (`ShardedTree`) and copies the shards'
chunks into `margin.audit`: the bytes the pool writes.
"""

from dataclasses import dataclass, field, replace

from zksolv import roundkeys, shard as shard_module, storage
from zksolv.accounts import keys, tree as account_tree
from zksolv.attestation import marginleaves
from zksolv.attestation.placement import _bucket
from zksolv.attestation.subtree import AssetPlan, RoundPlan, prove_subtree
from zksolv.group import N

MARGIN_TREE = marginleaves.MARGIN_TREE
SUBTREE_LEAVES = 1 << 10
"""Account leaves a subtree task takes at most (a margin leaf costs tens of spot leaves to
prove, and its bytes are about 14 KB)."""
MIN_SUBTREES = 64
"""Below 64 · SUBTREE_LEAVES accounts, subtrees are smaller (down to a chunk)."""


def subtree_size(capacity: int, chunk: int) -> int:
    """S: a power of two, a multiple of the chunk, dividing the lowest power of two in the
    capacity — so that each perfect subtree of a forest capacity (accounts/tree.py) is a
    whole number of subtree tasks."""
    spread = 1 << max(0, (capacity // MIN_SUBTREES).bit_length() - 1)
    size = max(chunk, min(capacity & -capacity, SUBTREE_LEAVES, spread))
    if capacity % size:     # a chunk (≤ 256, SPEC.md §6.8) divides every margin capacity
        raise AssertionError(f"a chunk of {chunk} does not divide the margin capacity {capacity}")
    return size


def plan(spot: RoundPlan, layout, capacity: int, chunk: int, accounts: int) -> RoundPlan:
    """The account tree's plan: the spot plan's round (secret, inputs, shards, market) with
    one tree, named "" (no asset can be)."""
    tree = AssetPlan(MARGIN_TREE, 0, capacity, accounts, chunk, subtree_size(capacity, chunk), 0, 0)
    return replace(spot, assets=(tree,), layout=layout)


def padding_entries(ranges, plan: RoundPlan) -> list:
    """A task: placement's entries of padding accounts [lo, hi), under `keys.padding`."""
    out = []
    for _, lo, hi in ranges:
        for index in range(lo, hi):
            key = roundkeys.order_key(plan.master, MARGIN_TREE, keys.padding_id_hash(plan.master, index))
            out.append((_bucket(plan, MARGIN_TREE, key), (key, None, index, 0)))
    return out


def task(plan: RoundPlan, gid: int, *pieces) -> dict:
    """A task: prove account subtree `gid` from its pieces (rows (position, key, user_id,
    holdings as sorted (asset, units) pairs, or None and a padding index))."""
    return prove_subtree(plan, gid, [row for p in pieces for row in p], make=_prove)


def _account(master: bytes, row) -> marginleaves.Account:
    position, key, user_id, value = row
    if user_id is None:
        secret, id_hash = keys.padding(master, value)
        units = {}
    else:
        secret, id_hash = keys.customer(roundkeys.user_secret(master, user_id), user_id)
        units = dict(value)
    if roundkeys.order_key(master, MARGIN_TREE, id_hash) != key:
        raise AssertionError(f"account leaf {position} was placed under another key")
    return marginleaves.Account(user_id, secret, id_hash, units)


def _prove(plan: RoundPlan, tree: AssetPlan, k: int, rows, shard) -> dict:
    """Prove the missing chunks into the shard, then build the subtree from every chunk's
    leaves and finish the shard (customers, levels; its chunks are its audit bytes)."""
    accounts = [_account(plan.master, row) for row in rows]
    m, done, first = tree.chunk, shard.done(), k * tree.subtree // tree.chunk
    for j in range(tree.subtree // m):
        if first + j not in done:
            job = marginleaves.chunk_job(plan.attestation_id, plan.circuits_digest, plan.market, plan.layout,
                                         plan.master, first + j, accounts[j * m : (j + 1) * m])
            shard.save_chunk(first + j, marginleaves.prove_chunk(job))
    levels, (cs, h) = marginleaves.build_tree(shard.chunks(), plan.layout, tree.subtree)
    leaves = marginleaves.MarginLeaves(plan.layout, tree.subtree, m, accounts)
    summary = {"asset": MARGIN_TREE, "k": k, "c": cs.hex(), "h": h.hex(),
               "users": sum(acc.user_id is not None for acc in accounts),
               "sums": {name: [str(v), str(r)] for name, (v, r) in sorted(leaves.totals().items())},
               "key_first": rows[0][1].hex(), "key_last": rows[-1][1].hex()}
    shard.finish(list(leaves.state_rows(k * tree.subtree)), levels, b"", summary)
    return summary


@dataclass(frozen=True, slots=True)
class Summary:
    """What the coordinator keeps of one account subtree: root, customers, slot sums (value,
    blinding mod n) and key range — a few hundred bytes, whatever the subtree holds."""

    k: int
    c: bytes
    h: bytes
    users: int
    sums: tuple[tuple[str, int, int], ...]
    key_first: bytes
    key_last: bytes

    @classmethod
    def of(cls, s: dict) -> "Summary":
        return cls(s["k"], bytes.fromhex(s["c"]), bytes.fromhex(s["h"]), s["users"],
                   tuple((name, int(v), int(r)) for name, (v, r) in s["sums"].items()),
                   bytes.fromhex(s["key_first"]), bytes.fromhex(s["key_last"]))


@dataclass
class ShardedTree:
    """The account tree of a cluster round, as `margin._publish` reads it (the attributes of
    `marginleaves.StoredTree`): the subtrees' summaries joined; the leaves in the shards."""

    plan: RoundPlan
    shards: storage.Shards
    summaries: list = field(default_factory=list)

    @property
    def _tree(self) -> AssetPlan:
        return self.plan.assets[0]

    @property
    def capacity(self) -> int:
        return self._tree.capacity

    @property
    def chunk(self) -> int:
        return self._tree.chunk

    @property
    def base_level(self) -> int:
        return self._tree.subtree.bit_length() - 1

    @property
    def users(self) -> int:
        return sum(s.users for s in self.summaries)

    def totals(self) -> dict[str, tuple[int, int]]:
        """Every slot sum (`E/a`, `D/a`) → (value, blinding mod n), over every subtree."""
        out = {}
        for s in self.summaries:
            for name, v, r in s.sums:
                total = out.get(name, (0, 0))
                out[name] = (total[0] + v, (total[1] + r) % N)
        return out

    def state_rows(self):
        return iter(())         # the customers are in the shards

    def index_rows(self) -> list[tuple]:
        """The state's `subtrees` rows of the account tree (SPEC.md §6.9.1)."""
        return [(MARGIN_TREE, s.k, self._tree.subtree, s.key_first, s.key_last) for s in self.summaries]

    def built(self) -> tuple[list[account_tree.Level], tuple[bytes, bytes]]:
        """The levels from the subtrees' roots up, and the root, folded as accounts/tree.py
        folds a forest."""
        self.summaries.sort(key=lambda s: s.k)
        if [s.k for s in self.summaries] != list(range(self.capacity // self._tree.subtree)):
            raise AssertionError("account subtrees missing")
        builder = account_tree.Builder(base_level=self.base_level)
        width = 2 * len(self.plan.layout.assets)
        for s in self.summaries:
            builder.push(account_tree.node_of(s.c, s.h, width))
        return builder.levels(self.capacity), builder.root(self.capacity)

    def chunks(self):
        """Every chunk's leaf bytes in order, from the shards (each fetched from a URL only
        while it is read): `margin.audit`'s body."""
        count = 0
        for path in self.shards.each(MARGIN_TREE, [s.k for s in self.summaries]):
            for data in shard_module.chunk_proofs(path):
                count += 1
                yield data
        if count != self.capacity // self.chunk:
            raise AssertionError(f"{count} of {self.capacity // self.chunk} account chunks")


def prove(client, plan: RoundPlan, placed, report) -> list[Summary]:
    """Run the account subtree tasks on the cluster; their summaries, as they finish. The
    shards' location then holds finished shards only (`storage.sweep`)."""
    from zksolv.attestation import handoff

    found = []
    with report.progress(handoff.summaries(client, plan, placed, task=task, summary=Summary.of),
                         "account subtrees", length=plan.assets[0].buckets) as bar:
        found.extend(bar)
    storage.sweep(plan.shard_dir)
    return sorted(found, key=lambda s: s.k)
