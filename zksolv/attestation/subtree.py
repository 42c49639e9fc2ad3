"""A subtree work unit (issue 14; SPEC.md §6.2–6.3, §6.9.1): one task computes the leaves
at positions [k·S, (k+1)·S) of an asset — salts, blindings, commitments, hashes, from the
master secret exactly as `build.build` does — builds their subtree, proves its chunks'
range proofs (each saved in the subtree's shard as it finishes), writes the rest of its
shard, and returns only a summary: the subtree's root commitment and hash, its counts, its
sums (for the statement proofs) and the range of its secret position keys (the
coordinator's index for `inclusion`).
"""

import sqlite3
from dataclasses import dataclass, field

from zksolv import roundkeys, storage, tree
from zksolv.attestation import build
from zksolv.errors import InputError
from zksolv.group import N
from zksolv.group.curve import POINT_BYTES
from zksolv import shard as shard_module


CHUNKS_PER_COMMIT = 4
"""Chunk proofs a shard commits at once: a commit syncs the file (≈ 0.5 ms of CPU and
several ms of waiting here, ≈ 8 µs·core a leaf at m = 64 when each chunk had its own);
a worker lost loses at most these (≈ 0.4 s·core at m = 64), redone when it resumes."""


@dataclass(frozen=True)
class AssetPlan:
    """One asset's shape in the round: what a subtree task needs to know of it."""

    asset: str
    leaf_bits: int
    capacity: int
    users: int
    chunk: int
    subtree: int        # S: leaves a subtree task takes (a power of two, chunk ≤ S ≤ capacity)
    first_bucket: int   # its placement buckets are first_bucket … first_bucket + buckets − 1
    first_subtree: int  # its subtrees' global ids, likewise

    @property
    def buckets(self) -> int:
        """Placement buckets, and subtrees: capacity / S of each."""
        return self.capacity // self.subtree


@dataclass(frozen=True)
class RoundPlan:
    """The round as every task sees it. It carries the master secret: the cluster that
    proves the round is trusted with it, as it is with every leaf's blinding (SPEC.md §8)."""

    attestation_id: str
    circuits_digest: bytes
    inputs: str
    shard_dir: str
    assets: tuple[AssetPlan, ...]
    master: bytes = field(repr=False)
    market: object = None   # a margin round's MarketBinding: its spot chunk proofs bind it (SPEC.md §6.12.7)
    layout: object = None   # the account tree's plan: its margin-leaf Layout (marginsubtree)

    def subtree_of(self, gid: int) -> tuple[AssetPlan, int]:
        for plan in self.assets:
            if plan.first_subtree <= gid < plan.first_subtree + plan.buckets:
                return plan, gid - plan.first_subtree
        raise AssertionError(f"no subtree {gid}")

    def bucket_of(self, gid: int) -> tuple[AssetPlan, int]:
        for plan in self.assets:
            if plan.first_bucket <= gid < plan.first_bucket + plan.buckets:
                return plan, gid - plan.first_bucket
        raise AssertionError(f"no bucket {gid}")


def prove_subtree(plan: RoundPlan, gid: int, rows, make=None) -> dict:
    """The task: `rows` are (position, key, user_id or None, units or padding index) of the
    subtree's leaves, in any order. Resumes from its shard; a finished shard is returned as
    it is. A shard that cannot be written (a full disk, storage gone) is an InputError.
    `make(plan, asset, k, rows, shard)` proves the subtree into its open shard and returns
    its summary (default: a spot tree's; the account tree's is `marginsubtree`'s)."""
    try:
        return _prove_subtree(plan, gid, rows, make or _spot_subtree)
    except sqlite3.Error as exc:
        asset, k = plan.subtree_of(gid)
        name = asset.asset or "the account tree"
        raise InputError(f"{name}: the shard of subtree {k} in {plan.shard_dir} failed ({exc}); "
                         "run the same command again once the storage is fixed") from None


def _prove_subtree(plan: RoundPlan, gid: int, rows, make) -> dict:
    asset, k = plan.subtree_of(gid)
    rows = sorted(rows, key=lambda row: row[0])
    first = k * asset.subtree
    if [r[0] for r in rows] != list(range(first, first + asset.subtree)):
        raise InputError(f"{asset.asset or 'the account tree'}: subtree {k} did not receive its {asset.subtree} "
                         "leaves (did the ledger change during the round?)")
    tag = shard_module.tag(plan.master, plan.inputs, asset.asset, k)
    with storage.working_shard(plan.shard_dir, asset.asset, k, tag) as shard:   # a local dir or a URL
        done = shard.summary()
        if done is not None:
            return done
        return make(plan, asset, k, rows, shard)


def _spot_subtree(plan: RoundPlan, asset: AssetPlan, k: int, rows, shard) -> dict:
    leaves = _leaves(plan.master, asset.asset, rows)
    _prove_chunks(plan, asset, k, leaves, shard)
    summary = _summary(asset.asset, k, rows, leaves)
    levels = leaves.builder.levels()
    shard.finish(leaves.holdings, levels, levels[0].records(), summary)
    return summary


@dataclass
class _Leaves:
    values: list
    blindings: list
    holdings: list   # (user_id, position, units) of the real leaves
    builder: tree.Builder   # its level 0: the leaves' commitments and hashes, in order


def _leaves(master: bytes, asset: str, rows) -> _Leaves:
    out = _Leaves([], [], [], tree.Builder())
    entries = []
    for position, key, user_id, units_or_index in rows:
        units = units_or_index if user_id is not None else 0
        entry_key, digest = build.order_entry(master, asset, user_id, units_or_index)
        if entry_key != key:
            raise AssertionError(f"{asset}: leaf {position} was placed under another key")
        entries.append((units, build.blinding_of(master, asset, user_id, units_or_index), digest))
        if user_id is not None:
            out.holdings.append((user_id, position, units))
    for at in range(0, len(entries), build.TREE_BATCH):
        points, commitments, hashes = build.leaf_nodes(asset, entries[at:at + build.TREE_BATCH])
        out.builder.push_many(points, commitments, hashes)
    out.values = [units for units, _, _ in entries]
    out.blindings = [blinding for _, blinding, _ in entries]
    return out


def _prove_chunks(plan: RoundPlan, asset: AssetPlan, k: int, leaves: _Leaves, shard) -> None:
    """The subtree's chunk proofs not yet in its shard, saved CHUNKS_PER_COMMIT at a time as
    they are made; V_j are the commitments `_leaves` just computed in this task
    (`prove.prove_chunk`)."""
    from zksolv.attestation.prove import ChunkJob, prove_chunk

    m, done, proved = asset.chunk, shard.done(), []
    commitments = leaves.builder.levels()[0].commitments
    first = k * asset.subtree // m
    for j in range(asset.subtree // m):
        if first + j in done:
            continue
        job = ChunkJob(plan.attestation_id, plan.circuits_digest, asset.asset, first + j,
                       leaves.values[j * m:(j + 1) * m], leaves.blindings[j * m:(j + 1) * m], asset.leaf_bits,
                       roundkeys.nonce_key(plan.master, asset.asset, "leaf_range", first + j), plan.market,
                       bytes(commitments[j * m * POINT_BYTES:(j + 1) * m * POINT_BYTES]))
        proved.append((first + j, prove_chunk(job)))
        if len(proved) == CHUNKS_PER_COMMIT:
            shard.save_chunks(proved)
            proved = []
    if proved:
        shard.save_chunks(proved)


def _summary(asset: str, k: int, rows, leaves: _Leaves) -> dict:
    c, h = leaves.builder.root()
    return {"asset": asset, "k": k, "c": c.hex(), "h": h.hex(), "users": len(leaves.holdings),
            "value_sum": str(sum(leaves.values)), "blinding_sum": str(sum(leaves.blindings) % N),
            "key_first": rows[0][1].hex(), "key_last": rows[-1][1].hex()}
