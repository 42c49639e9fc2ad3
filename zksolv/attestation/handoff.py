"""Handing each subtree task its leaves once placement has sorted the buckets (issue 14;
SPEC.md §6.9.1), in O(subtrees) tasks and coordinator memory.

Placement (`placement.place`) leaves every bucket sorted on the workers and gives the
coordinator each bucket's first position. Buckets are ranges of order keys and subtrees
ranges of positions, both in the same order, so subtree k's leaves are the tails and heads
of a few neighbouring buckets. The coordinator works out, from the buckets' first
positions alone, which slice of which bucket each subtree takes (O(buckets) integers), and
submits, per subtree, one small `piece` task per bucket it touches and one `subtree_task`
on those pieces. Nothing of a leaf comes back: only each subtree's summary, held in the
coordinator as a compact `Summary`. (A second shuffle of every row, as first built, put
O(subtrees · log subtrees) tasks in the coordinator's graph: about 85 KB a subtree.)
"""

from dataclasses import dataclass

from zksolv.attestation.subtree import RoundPlan, prove_subtree


@dataclass(frozen=True, slots=True)
class Summary:
    """What the coordinator keeps of one proved subtree (SPEC.md §6.9.1): its root, counts,
    sums mod n and key range, as bytes and ints — a few hundred bytes."""

    asset: str
    k: int
    c: bytes
    h: bytes
    users: int
    value_sum: int
    blinding_sum: int
    key_first: bytes
    key_last: bytes

    @classmethod
    def of(cls, s: dict) -> "Summary":
        return cls(s["asset"], s["k"], bytes.fromhex(s["c"]), bytes.fromhex(s["h"]), s["users"],
                   int(s["value_sum"]), int(s["blinding_sum"]), bytes.fromhex(s["key_first"]),
                   bytes.fromhex(s["key_last"]))


def slices(plan: RoundPlan, starts: dict) -> list[tuple[int, list[tuple[int, int, int, int]]]]:
    """For every subtree (global id, in order): the (bucket, bucket's first position, lo,
    hi) slices of the buckets it takes, positions [lo, hi) within the asset."""
    out = []
    for a in plan.assets:
        edges = [starts[a.first_bucket + j] for j in range(a.buckets)] + [a.capacity]
        j = 0
        for k in range(a.buckets):
            lo, hi, taken = k * a.subtree, (k + 1) * a.subtree, []
            while j < a.buckets and edges[j + 1] <= lo:
                j += 1
            i = j
            while i < a.buckets and edges[i] < hi:
                if edges[i + 1] > edges[i]:
                    taken.append((a.first_bucket + i, edges[i], max(lo, edges[i]), min(hi, edges[i + 1])))
                i += 1
            out.append((a.first_subtree + k, taken))
    return out


def buckets_in(partition) -> list[int]:
    """A task: the buckets a placed partition holds."""
    return [bucket for bucket, _, _ in partition]


def piece(partition, bucket: int, start: int, lo: int, hi: int) -> list:
    """A task: the leaves of `bucket` at positions [lo, hi), as (position, key, user_id,
    units or padding index)."""
    rows = next(rows for b, rows, _ in partition if b == bucket)
    return [(start + i, key, user_id, value) for i, (key, user_id, value, _line)
            in enumerate(rows[lo - start : hi - start], lo - start)]


def subtree_task(plan: RoundPlan, gid: int, *pieces) -> dict:
    """A task: prove subtree `gid` from its pieces (`subtree.prove_subtree`)."""
    return prove_subtree(plan, gid, [row for p in pieces for row in p])


def summaries(client, plan: RoundPlan, placed):
    """Submit the pieces and the subtree tasks; yield each subtree's `Summary` as it is
    proved. The coordinator holds a future per bucket and per running subtree, no graph."""
    from distributed import as_completed, futures_of

    grouped, starts = placed
    by_key = {f.key: f for f in futures_of(grouped)}
    partitions = [by_key[key] for key in grouped.__dask_keys__()]
    holds = client.gather(client.map(buckets_in, partitions, pure=False))
    where = {bucket: partitions[i] for i, held in enumerate(holds) for bucket in held}
    plan_future = client.scatter(plan, broadcast=True, hash=False)
    futures = as_completed()
    for gid, taken in slices(plan, starts):
        pieces = [client.submit(piece, where[b], b, start, lo, hi, pure=False) for b, start, lo, hi in taken]
        futures.add(client.submit(subtree_task, plan_future, gid, *pieces, pure=False))
    for f in partitions:    # the pieces hold what they need: the workers free each bucket once cut
        f.release()
    for future in futures:
        yield Summary.of(future.result())
        future.release()
