"""Placing leaves at their secret positions on a Dask cluster, with Dask's own bag
shuffles (issue 14; SPEC.md §6.2): no process holds the ledger or the leaves.

Positions are those `build.build` gives — every leaf (customers and padding) in increasing
order of its secret order key — found in partitions:

1. each ledger partition (`ledgerparts.rows`: checked by `ledgerparts.scan`, on the
   workers too) and each range of padding indices
   becomes entries `(bucket, (key, user_id, units or index, line))`, the key computed on
   the worker; the bucket is the key's range (keys are uniform HMAC outputs, so an asset's
   `capacity / S` equal ranges hold about S leaves each, with no sampling);
2. `groupby(bucket)` (a task shuffle) brings each range together; it is sorted by key,
   where two rows of one (user, asset) meet as equal keys (the duplicate check);
3. the coordinator gathers one count per bucket — O(capacity / S) numbers — and each
   bucket's first position follows;
4. each subtree task then takes its S leaves from the few buckets they lie in
   (`handoff`).
"""

from operator import itemgetter

from zksolv import ledger, ledgerparts, roundkeys
from zksolv.attestation.build import order_entry
from zksolv.attestation.subtree import RoundPlan
from zksolv.errors import InputError
from zksolv.strictjson import one_line

PADDING_PER_PARTITION = 1 << 17   # few partitions: see sharded.MAX_LEDGER_PARTITIONS


def _bucket(plan: RoundPlan, asset: str, key: bytes) -> int:
    a = next(p for p in plan.assets if p.asset == asset)
    return a.first_bucket + (int.from_bytes(key[:8], "big") * a.buckets >> 64)


def ledger_entries(parts, plan: RoundPlan, lay: ledgerparts.Layout, decimals, max_bits) -> list:
    """Step 1 for ledger partitions: each row's bucket and (key, user_id, units, line)."""
    out = []
    for part in parts:
        for row in ledgerparts.rows(lay, part, decimals, max_bits):
            key = order_entry(plan.master, row.asset, row.user_id, 0)[0]
            out.append((_bucket(plan, row.asset, key), (key, row.user_id, row.units, row.line)))
    return out


def padding_entries(ranges, plan: RoundPlan) -> list:
    """Step 1 for padding leaves [lo, hi) of an asset: (bucket, (key, None, index, 0))."""
    out = []
    for asset, lo, hi in ranges:
        for index in range(lo, hi):
            key = roundkeys.order_key(plan.master, asset, roundkeys.padding_id_hash(plan.master, asset, index))
            out.append((_bucket(plan, asset, key), (key, None, index, 0)))
    return out


def sorted_bucket(group) -> tuple:
    """Step 2: a bucket's rows by key, and its first duplicate (later line, earlier line,
    user) or None."""
    bucket, entries = group
    rows = sorted(row for _, row in entries)
    duplicate = None
    for a, b in zip(rows, rows[1:]):
        if a[0] == b[0] and a[1] is not None:
            found = (max(a[3], b[3]), min(a[3], b[3]), a[1])
            duplicate = found if duplicate is None else min(duplicate, found)
    return bucket, rows, duplicate


def bucket_count(item) -> tuple:
    bucket, rows, duplicate = item
    return bucket, len(rows), duplicate


def entries_bag(plan: RoundPlan, scan: ledgerparts.Scan, decimals, max_bits, rows=None, padding=None):
    """Step 1 as a bag: the ledger's partitions and the padding's. `rows`: the ledger's
    entries as a bag made elsewhere (a margin round's spot rows or margin accounts,
    `marginsplit`); `padding`: the task making padding entries (default
    `padding_entries`; the account tree's: `marginsubtree.padding_entries`)."""
    import dask.bag as db

    bags = []
    if rows is not None:
        bags.append(rows)
    elif scan.partitions:
        bags.append(db.from_sequence(scan.partitions, npartitions=len(scan.partitions))
                   .map_partitions(ledger_entries, plan, scan.layout, decimals, max_bits))
    ranges = [(a.asset, lo, min(lo + PADDING_PER_PARTITION, a.capacity - a.users))
              for a in plan.assets for lo in range(0, a.capacity - a.users, PADDING_PER_PARTITION)]
    if ranges:
        bags.append(db.from_sequence(ranges, npartitions=len(ranges)).map_partitions(padding or padding_entries,
                                                                                     plan))
    return db.concat(bags)


def bucket_starts(plan: RoundPlan, counts: list, where: str) -> dict:
    """Step 3 in the coordinator: each bucket's first position, from the buckets' counts;
    a duplicate row is refused as the ledger reader refuses it (the earliest found)."""
    duplicates = [d for _, _, d in counts if d is not None]
    if duplicates:
        line, first, user_id = min(duplicates)
        asset = next(plan.bucket_of(b)[0].asset for b, _, d in counts if d == (line, first, user_id))
        raise InputError(ledger.duplicate_message(one_line(where, 200), line, user_id, asset, first))
    sizes = dict((bucket, n) for bucket, n, _ in counts)
    starts = {}
    for a in plan.assets:
        position = 0
        for bucket in range(a.first_bucket, a.first_bucket + a.buckets):
            starts[bucket] = position
            position += sizes.get(bucket, 0)
        if position != a.capacity:
            raise InputError(f"{where}: {a.asset} has {position} leaves, expected {a.capacity} "
                             "(did the ledger change during the round?)")
    return starts


def place(client, plan: RoundPlan, scan: ledgerparts.Scan, decimals, max_bits, rows=None, padding=None):
    """Steps 1–3 on the cluster of `client`: the buckets, sorted and kept on the workers,
    and each one's first position. Refuses a duplicate row before anything is written.
    `rows`, `padding` as `entries_bag`'s."""
    grouped = client.persist(entries_bag(plan, scan, decimals, max_bits, rows, padding)
                             .groupby(itemgetter(0), shuffle="tasks").map(sorted_bucket))
    counts = client.compute(grouped.map(bucket_count)).result()
    return grouped, bucket_starts(plan, counts, scan.layout.path)

