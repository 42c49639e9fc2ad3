"""A margin round's ledger split on a Dask cluster into margin accounts and spot rows
(MARGIN.md §9; SPEC.md §6.9.1, §6.12.7), so that no spot row reaches the coordinator.

A user is a margin account iff any of their rows is negative: only all of a user's rows
together decide. So the checked ledger partitions (`ledgerparts.rows`, on the workers) are
shuffled by user id (`dask.bag.groupby`, a task shuffle) and each group — one user, every
row — is classified where it lands. The groups stay on the workers (persisted); from them:

- Dask reductions give the coordinator, per asset, the spot rows' count and total
  (`L_spot[a]`, the plain-integer reference's input and the spot trees' sizes), the margin
  accounts' count, equity `E[a]` and debt `D[a]`, the earliest duplicate (user, asset) row
  and the margin accounts that are not collateralized (SPEC.md §6.12.5, checked in the
  tasks) — O(assets + failing accounts): enough for the reference's verdict;
- the spot users' rows become placement's entries (`placement.place`'s `rows`) on the
  workers: the spot trees are then placed and proved in subtrees exactly as a spot round's;
- the margin accounts become placement's entries of the account tree (`margin_entries`),
  under their secret order keys: they stay on the workers, and the account tree is placed
  and proved in subtrees too (`marginsubtree`).
"""

from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter

from zksolv import ledger, ledgerparts, roundkeys
from zksolv.accounts import keys
from zksolv.attestation.build import order_entry
from zksolv.attestation.marginleaves import MARGIN_TREE
from zksolv.attestation.placement import _bucket
from zksolv.attestation.subtree import RoundPlan
from zksolv.errors import InputError
from zksolv.market.reference import AssetPosition, Verdict, account_shortfalls, firm_coverage, minor_unit
from zksolv.strictjson import one_line


def user_rows(parts, lay: ledgerparts.Layout, decimals, max_bits) -> list:
    """A task: a ledger partition's rows (debts allowed) as (user_id, (asset, units, line))."""
    return [(r.user_id, (r.asset, r.units, r.line)) for part in parts
            for r in ledgerparts.rows(lay, part, decimals, max_bits, debts=True)]


def account(group) -> tuple:
    """A user's group after the shuffle: (user_id, their rows by line, margin account?)."""
    user_id, entries = group
    rows = tuple(sorted((row for _, row in entries), key=itemgetter(2)))
    return user_id, rows, any(units < 0 for _, units, _ in rows)


def _first_duplicate(user_id: str, rows) -> tuple | None:
    """(later line, first line, user_id, asset) of the user's earliest repeated asset, or None."""
    seen = {}
    for asset, _, line in rows:
        if asset in seen:
            return line, seen[asset], user_id, asset
        seen[asset] = line
    return None


def _empty() -> dict:
    return {"counts": {}, "totals": {}, "equity": {}, "debt": {}, "margin": 0, "duplicate": None, "shortfalls": []}


def _add(sums: dict, asset: str, n: int) -> None:
    sums[asset] = sums.get(asset, 0) + n


def facts(accounts, coeffs, unit: int) -> dict:
    """A partition's reduction: spot rows and totals per asset; margin accounts, their
    equity and debt per asset and their shortfalls (`reference.account_shortfalls`, the
    coefficients `coeffs`); the earliest duplicate row."""
    out = _empty()
    for user_id, rows, is_margin in accounts:
        found = _first_duplicate(user_id, rows)
        if found is not None and (out["duplicate"] is None or found < out["duplicate"]):
            out["duplicate"] = found
        if not is_margin:
            for asset, units, _ in rows:
                _add(out["counts"], asset, 1)
                _add(out["totals"], asset, units)
            continue
        out["margin"] += 1
        for asset, units, _ in rows:
            _add(out["equity"] if units > 0 else out["debt"], asset, abs(units))
        if found is None:
            out["shortfalls"] += account_shortfalls(user_id, {a: u for a, u, _ in rows}, coeffs, unit)
    return out


def merged(parts) -> dict:
    """The reductions of partitions (or of merged ones) added up."""
    out = _empty()
    for part in parts:
        for name in ("counts", "totals", "equity", "debt"):
            for asset, n in part[name].items():
                _add(out[name], asset, n)
        out["margin"] += part["margin"]
        out["shortfalls"] += part["shortfalls"]
        duplicates = [d for d in (out["duplicate"], part["duplicate"]) if d is not None]
        out["duplicate"] = min(duplicates, default=None)
    return out


def spot_entries(accounts, plan: RoundPlan) -> list:
    """A task: placement's entries (bucket, (key, user_id, units, line)) of the spot users'
    rows — `placement.ledger_entries`' for a spot round."""
    out = []
    for user_id, rows, is_margin in accounts:
        if is_margin:
            continue
        for asset, units, line in rows:
            key = order_entry(plan.master, asset, user_id, 0)[0]
            out.append((_bucket(plan, asset, key), (key, user_id, units, line)))
    return out


def margin_entries(accounts, plan: RoundPlan) -> list:
    """A task: placement's entries (bucket, (key, user_id, holdings, line)) of the margin
    accounts, for the account tree's plan (`marginsubtree.plan`): the key is the one
    `marginleaves.build` sorts by, the holdings the account's sorted (asset, signed units)."""
    out = []
    for user_id, rows, is_margin in accounts:
        if is_margin:
            _, id_hash = keys.customer(roundkeys.user_secret(plan.master, user_id), user_id)
            key = roundkeys.order_key(plan.master, MARGIN_TREE, id_hash)
            holdings = tuple(sorted((asset, units) for asset, units, _ in rows))
            out.append((_bucket(plan, MARGIN_TREE, key), (key, user_id, holdings, rows[0][2])))
    return out


@dataclass
class Split:
    """What the coordinator holds of the split: O(assets), and the users' groups as a
    persisted bag on the workers."""

    accounts: object                # dask.bag of (user_id, rows, is_margin), persisted
    spot_counts: dict[str, int]
    spot_totals: dict[str, int]
    margin_count: int
    equity: dict[str, int] = field(default_factory=dict)    # E[a]
    debt: dict[str, int] = field(default_factory=dict)      # D[a]
    shortfalls: list = field(default_factory=list)          # reference.Shortfall, any order

    def verdict(self, coeffs, reserves: dict[str, int], firm: tuple[int, int]) -> Verdict:
        """`reference.evaluate`'s verdict from the reduced figures: the same shortfalls in
        the same order (user id, then scenario), positions and firm-wide coverage."""
        order = {name: i for i, name in enumerate(coeffs.scenarios)}
        shortfalls = tuple(sorted(self.shortfalls, key=lambda s: (s.user_id, order[s.scenario])))
        equity = {a: self.equity.get(a, 0) for a in coeffs.assets}
        debt = {a: self.debt.get(a, 0) for a in coeffs.assets}
        positions = {a: AssetPosition(a, reserves.get(a, 0), self.spot_totals.get(a, 0) + equity[a] - debt[a])
                     for a in coeffs.assets}
        return Verdict(shortfalls, positions, tuple(firm_coverage(coeffs, s, self.spot_totals, equity, debt, reserves,
                                                                  firm) for s in range(len(coeffs.scenarios))))

    def spot_rows(self, plan: RoundPlan):
        """The spot rows as placement's entries (a bag, on the workers)."""
        return self.accounts.map_partitions(spot_entries, plan)

    def margin_rows(self, plan: RoundPlan):
        """The margin accounts as the account tree's placement entries (a bag, on the workers)."""
        return self.accounts.map_partitions(margin_entries, plan)


def split(client, scan: ledgerparts.Scan, decimals, max_bits, coeffs) -> Split:
    """The ledger checked by `scan` (with debts), grouped by user on the cluster of
    `client`, the margin accounts checked against the market's coefficients `coeffs`; a
    duplicate row is refused here as the streaming reader refuses it."""
    import dask.bag as db

    assets = list(decimals)
    if not scan.partitions:
        return Split(db.from_sequence([], npartitions=1), dict.fromkeys(assets, 0), dict.fromkeys(assets, 0), 0)
    rows = db.from_sequence(scan.partitions, npartitions=len(scan.partitions)).map_partitions(
        user_rows, scan.layout, decimals, max_bits)
    accounts = client.persist(rows.groupby(itemgetter(0), shuffle="tasks").map(account))
    found = client.compute(accounts.reduction(partial(facts, coeffs=coeffs, unit=minor_unit(decimals)), merged),
                           sync=True)
    if found["duplicate"] is not None:
        line, first, user_id, asset = found["duplicate"]
        raise InputError(ledger.duplicate_message(one_line(scan.layout.path, 200), line, user_id, asset, first))
    return Split(accounts, {a: found["counts"].get(a, 0) for a in assets},
                 {a: found["totals"].get(a, 0) for a in assets}, found["margin"], found["equity"], found["debt"],
                 found["shortfalls"])
