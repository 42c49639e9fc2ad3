"""A margin round proved on a Dask cluster (`prove --prices … --scheduler`; SPEC.md §6.9.1,
§6.12.7): the spot trees and the account tree in subtrees with shards, no spot row and no
margin account in the coordinator.

The ledger is checked in partitions (`ledgerparts.scan`, debts allowed) and grouped by user
on the workers (`marginsplit`), which tells margin accounts from spot users and checks each
margin account's collateral at every scenario there. The coordinator receives per asset the
spot rows' count and total and the margin accounts' equity and debt, and the accounts that
fail — enough for the trees' capacities and the plain-integer verdict
(`margin.refuse_unless_sound`: the same refusals and report as on one machine). The spot
rows are placed, proved and written to shards by the subtree tasks of a spot round
(`placement`, `handoff`, `subtree`, with the market bound into their chunk proofs); the
margin accounts are placed and proved the same way, in subtrees of the account tree
(`marginsubtree`). The coordinator joins roots and copies shards into the audit files: the
published files are the pool's byte for byte.
"""

from types import SimpleNamespace

from zksolv import ledgerparts, market as market_module, storage
from zksolv.attestation import margin, marginsplit, marginsubtree, placement, prove as spot, sharded
from zksolv.attestation.executors import dask_client
from zksolv.errors import InputError
from zksolv.state import RoundStore


def run(ledger_path, reserves_path, out_dir, state_path, options, report, with_resume_count=False):
    """`margin.run` on the cluster of `--scheduler`: refuses (exit 1 with the report, or an
    input error) before writing anything, as `margin.run` does; a failure later leaves the
    state and shards to resume from."""
    refusals = market_module.check_report_path(spot.refusals_path(options, state_path))
    margin.firm_ratio(options.firm_coverage)      # every option checked before any work
    rnd = margin.Round(reserves_path, options)
    with dask_client(options.scheduler) as client:
        r = _planned(client, rnd, ledger_path, reserves_path, state_path, options, refusals)
        report.line(f"margin round: {rnd.margin_count} margin accounts (capacity {r.tree_plan.assets[0].capacity}), "
                    f"{len(rnd.coeffs.scenarios)} scenarios")
        sharded.prepare_shards(r.shard_dir, r.resumed, options.force)
        store = RoundStore.open(state_path, r.inputs, r.meta, options.force)
        try:
            already = storage.chunks_in(r.shard_dir, sharded.chunks_per_shard(r.plan, r.tree_plan))
            if store.resumed:
                report.line(f"resuming the round in {state_path}: {already} chunks already proved")
            assets = sharded.prove_subtrees(client, r.plan, r.placed, report)
            sharded.check_against_scan(assets, rnd.spot_counts, rnd.spot_totals, ledger_path)
            shards = storage.Shards(r.shard_dir, r.meta["master_secret"], r.inputs)
            accounts = marginsubtree.ShardedTree(r.tree_plan, shards,
                                                 marginsubtree.prove(client, r.tree_plan, r.tree_placed, report))
            check_against_split(accounts, r.users, rnd.layout.assets, ledger_path)
            manifest = margin._publish(rnd, r.claims, assets, accounts, store, out_dir, options,
                                       entry=lambda a, tmp: _spot_entry(a, shards, rnd.ratio, tmp),
                                       subtrees=[row for a in assets for row in a.index_rows()]
                                       + accounts.index_rows())
        finally:
            store.close()
    return (manifest, already) if with_resume_count else manifest


def _planned(client, rnd: margin.Round, ledger_path, reserves_path, state_path, options, refusals):
    """Everything before the first write: the ledger checked and split, the verdict (may
    refuse), the round's metadata, the spot rows and margin accounts placed."""
    res = rnd.res
    scan = ledgerparts.scan(ledgerparts.on(client), ledger_path, res.decimals, res.leaf_bits, debts=True)
    users = marginsplit.split(client, scan, res.decimals, res.leaf_bits, rnd.coeffs)
    rnd.spot_counts, rnd.spot_totals, rnd.margin_count = users.spot_counts, users.spot_totals, users.margin_count
    verdict = users.verdict(rnd.coeffs, rnd.reserves(), rnd.firm)
    _, margin_cap, claims = rnd.checked(options, refusals, verdict)    # the spot capacities: plan_round's, the same
    inputs = spot._inputs_digest(ledger_path, reserves_path, options)
    meta = spot.round_meta_for(state_path, inputs, options, res)
    resumed = RoundStore.resumable(state_path, inputs, options.force) is not None
    shard_dir, meta = storage.for_round(options.shards, state_path, meta, resumed)
    plan = sharded.plan_round(res, rnd.circuits.digest, users.spot_counts, meta, inputs, options, shard_dir,
                              rnd.binding)
    tree_plan = marginsubtree.plan(plan, rnd.layout, margin_cap, min(options.chunk, margin_cap), users.margin_count)
    placed = placement.place(client, plan, scan, res.decimals, res.leaf_bits, rows=users.spot_rows(plan))
    tree_placed = placement.place(client, tree_plan, scan, res.decimals, res.leaf_bits,
                                  rows=users.margin_rows(tree_plan), padding=marginsubtree.padding_entries)
    users.accounts = None           # the buckets hold every row and account now: the groups can go
    return SimpleNamespace(claims=claims, inputs=inputs, meta=meta, resumed=resumed, shard_dir=shard_dir,
                           plan=plan, placed=placed, tree_plan=tree_plan, tree_placed=tree_placed, users=users)


def check_against_split(accounts: marginsubtree.ShardedTree, users: marginsplit.Split, assets, where) -> None:
    """The accounts the subtree tasks proved are those the verdict was made on (their
    number, every asset's equity and debt): else the ledger changed under the round, an
    InputError — never an account tree other than the one checked collateralized."""
    totals = accounts.totals()
    proved = (accounts.users, {a: totals[f"E/{a}"][0] for a in assets}, {a: totals[f"D/{a}"][0] for a in assets})
    checked = (users.margin_count, {a: users.equity.get(a, 0) for a in assets},
               {a: users.debt.get(a, 0) for a in assets})
    if proved != checked:
        raise InputError(f"{where}: the ledger changed during the round (margin accounts); run the round again")


def _spot_entry(a: sharded.ShardedAsset, shards, ratio, directory):
    """A spot tree's manifest entry, its audit file copied from the shards."""
    return margin._spot_entry(a, None, ratio, directory, written=sharded.write_audit_file(a, shards, directory))
