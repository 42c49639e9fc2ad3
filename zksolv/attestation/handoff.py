"""Handing each subtree task its leaves once placement has sorted the buckets (issue 14;
SPEC.md §6.9.1), in O(subtrees) tasks and coordinator memory.

Placement (`placement.place`) leaves every bucket sorted on the workers and gives the
coordinator each bucket's first position. Buckets are ranges of order keys and subtrees
ranges of positions, both in the same order, so subtree k's leaves are the tails and heads
of a few neighbouring buckets. The coordinator works out, from the buckets' first
positions alone, which slice of which bucket each subtree takes (O(buckets) integers), and
submits, per subtree, one small `piece` task per bucket it touches and one `subtree_task`
on those pieces, a bounded window of subtrees at a time. Nothing of a leaf comes back:
only each subtree's summary, held in the coordinator as a compact `Summary`. (A second shuffle of every row, as first built, put
O(subtrees · log subtrees) tasks in the coordinator's graph: about 85 KB a subtree.)
"""

from dataclasses import dataclass

from zksolv.attestation.subtree import RoundPlan, prove_subtree

MIN_WINDOW = 64
"""Subtrees in flight at least: enough to keep a small cluster busy."""


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


def summaries(client, plan: RoundPlan, placed, window: int | None = None, task=None, summary=None):
    """Submit the pieces and subtree tasks (`task`, default `subtree_task`; the account
    tree's: `marginsubtree.task`), at most `window` subtrees in flight (default four per
    worker thread, at least MIN_WINDOW); yield each subtree's summary as it is proved
    (`summary` makes it of the task's dict, default `Summary.of`).
    The coordinator holds O(window) futures — a future costs it ≈ 5 KB — and releases each
    placed partition once its last slice is cut, so the workers free it."""
    from distributed import as_completed

    partitions, where = _placed_partitions(client, placed[0])
    work = slices(plan, placed[1])
    last_use = {where[b]: n for n, (_, taken) in enumerate(work) for b, *_ in taken}
    window = window or max(MIN_WINDOW, 4 * sum(client.nthreads().values()))
    plan_future = client.scatter(plan, broadcast=True, hash=False)
    running = as_completed()
    for n, (gid, taken) in enumerate(work):
        if running.count() >= window:
            yield _done(next(running), summary)
        pieces = [client.submit(piece, partitions[where[b]], b, start, lo, hi, pure=False)
                  for b, start, lo, hi in taken]
        running.add(client.submit(task or subtree_task, plan_future, gid, *pieces, pure=False))
        for i in {where[b] for b, *_ in taken}:
            if last_use[i] == n:
                partitions[i].release()
    for future in running:
        yield _done(future, summary)



def _placed_partitions(client, grouped) -> tuple[list, dict[int, int]]:
    """The placed partitions' futures in order, and which one holds each bucket."""
    from distributed import futures_of

    by_key = {f.key: f for f in futures_of(grouped)}
    partitions = [by_key[key] for key in grouped.__dask_keys__()]
    holds = client.gather(client.map(buckets_in, partitions, pure=False))
    return partitions, {bucket: i for i, held in enumerate(holds) for bucket in held}


def _done(future, summary=None):
    made = (summary or Summary.of)(future.result())
    future.release()
    return made
