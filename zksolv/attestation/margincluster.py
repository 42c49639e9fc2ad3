"""A margin round proved on a Dask cluster (`prove --prices … --scheduler`; SPEC.md §6.9.1,
§6.12.7): the spot trees in subtrees as a spot round's, no spot row in the coordinator.

The ledger is checked in partitions (`ledgerparts.scan`, debts allowed) and grouped by user
on the workers (`marginsplit`), which tells margin accounts from spot users and checks each
margin account's collateral at every scenario there. The coordinator receives per asset the
spot rows' count and total and the margin accounts' equity and debt, and the accounts that
fail — enough for the spot trees' capacities and the plain-integer verdict
(`margin.refuse_unless_sound`: the same refusals and report as on one machine) — and, once
the round may go on, the margin accounts themselves. The spot rows are placed, proved
and written to shards by the subtree tasks of a spot round (`placement`, `handoff`,
`subtree`, with the market bound into their chunk proofs); the account tree's chunks are
proved on the same cluster as work units and saved in the state, as on one machine. The
published files are the pool's byte for byte.
"""

from types import SimpleNamespace

from zksolv import ledgerparts, market as market_module, storage
from zksolv.attestation import margin, marginleaves, marginsplit, prove as spot, sharded
from zksolv.attestation.executors import dask_client
from zksolv.state import RoundStore

MARGIN_TREE = marginleaves.MARGIN_TREE


def run(ledger_path, reserves_path, out_dir, state_path, options, report, with_resume_count=False):
    """`margin.run` on the cluster of `--scheduler`: refuses (exit 1 with the report, or an
    input error) before writing anything, as `margin.run` does; a failure later leaves the
    state and shards to resume from."""
    refusals = market_module.check_report_path(spot.refusals_path(options, state_path))
    margin.firm_ratio(options.firm_coverage)      # every option checked before any work
    rnd = margin.Round(reserves_path, options)
    with dask_client(options.scheduler) as client:
        r = _planned(client, rnd, ledger_path, reserves_path, state_path, options, refusals)
        report.line(f"margin round: {len(rnd.margin)} margin accounts (capacity {r.accounts.capacity}), "
                    f"{len(rnd.coeffs.scenarios)} scenarios")
        sharded.prepare_shards(r.shard_dir, r.resumed, options.force)
        store = RoundStore.open(state_path, r.inputs, r.meta, options.force)
        try:
            already = _already(store, r.shard_dir, r.plan)
            if store.resumed:
                report.line(f"resuming the round in {state_path}: {already} chunks already proved")
            assets = sharded.prove_subtrees(client, r.plan, r.placed, report)
            sharded.check_against_scan(assets, rnd.spot_counts, rnd.spot_totals, ledger_path)
            _prove_accounts(store, rnd, r.accounts, options, report)
            shards = storage.Shards(r.shard_dir, r.meta["master_secret"], r.inputs)
            manifest = margin._publish(rnd, r.claims, assets, r.accounts, store, out_dir, options,
                                       entry=lambda a, tmp: _spot_entry(a, shards, rnd.ratio, tmp),
                                       subtrees=[row for a in assets for row in a.index_rows()])
        finally:
            store.close()
    return (manifest, already) if with_resume_count else manifest


def _planned(client, rnd: margin.Round, ledger_path, reserves_path, state_path, options, refusals):
    """Everything before the first write: the ledger checked and split, the verdict (may
    refuse), the round's metadata, the spot rows placed and the account leaves built."""
    res = rnd.res
    scan = ledgerparts.scan(ledgerparts.on(client), ledger_path, res.decimals, res.leaf_bits, debts=True)
    users = marginsplit.split(client, scan, res.decimals, res.leaf_bits, rnd.coeffs)
    rnd.spot_counts, rnd.spot_totals, rnd.margin_count = users.spot_counts, users.spot_totals, users.margin_count
    verdict = users.verdict(rnd.coeffs, rnd.reserves(), rnd.firm)
    _, margin_cap, claims = rnd.checked(options, refusals, verdict)    # the spot capacities: plan_round's, the same
    rnd.margin = users.margin_accounts(client)      # a refused round gathers none
    inputs = spot._inputs_digest(ledger_path, reserves_path, options)
    meta = spot.round_meta_for(state_path, inputs, options, res)
    resumed = RoundStore.resumable(state_path, inputs, options.force) is not None
    shard_dir, meta = storage.for_round(options.shards, state_path, meta, resumed)
    plan = sharded.plan_round(res, rnd.circuits.digest, users.spot_counts, meta, inputs, options, shard_dir,
                              rnd.binding)
    placed = placement_of(client, plan, scan, users, res)
    accounts = marginleaves.build(meta["master_secret"], rnd.margin, rnd.layout, margin_cap,
                                  min(options.chunk, margin_cap))
    return SimpleNamespace(claims=claims, inputs=inputs, meta=meta, resumed=resumed, shard_dir=shard_dir,
                           plan=plan, placed=placed, accounts=accounts)


def placement_of(client, plan, scan, users: marginsplit.Split, res):
    """The spot rows placed (`placement.place`, which the spot round uses), then the users'
    groups released: the buckets hold every spot row now."""
    from zksolv.attestation import placement

    placed = placement.place(client, plan, scan, res.decimals, res.leaf_bits, rows=users.spot_rows(plan))
    users.accounts = None
    return placed


def _already(store, shard_dir, plan) -> int:
    """Chunks a resumed round finds proved: the spot trees' in the shards, the account tree's
    in the state."""
    spot_done = storage.chunks_in(shard_dir, {a.asset.encode().hex(): a.subtree // a.chunk for a in plan.assets})
    return spot_done + len(store.done(MARGIN_TREE))


def _prove_accounts(store, rnd, accounts, options, report) -> None:
    """The account tree's chunks not yet in the state, as work units on the cluster."""
    pending = accounts.capacity // accounts.chunk - len(store.done(MARGIN_TREE))
    jobs = marginleaves.jobs(store, rnd.res.attestation_id, rnd.circuits.digest, rnd.binding, accounts,
                             store.meta["master_secret"])
    spot._prove_pending(store, jobs, pending, options, report, margin.prove_tasks)


def _spot_entry(a: sharded.ShardedAsset, shards, ratio, directory):
    """A spot tree's manifest entry, its audit file copied from the shards."""
    return margin._spot_entry(a, None, ratio, directory, written=sharded.write_audit_file(a, shards, directory))
