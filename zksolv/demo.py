"""`zksolv demo`: a whole round on synthetic data (README "Quick start").

A synthetic ledger over BTC, ETH and USDT in which one customer in ten borrows (a margin
account: a debt in one asset against haircut collateral in the others), the market of
zksolv/market/example-prices.json (prices, tiered haircuts, a crash and a rally scenario),
reserves as an exchange holds them (a 2-of-3 P2WSH multisig, a taproot and a P2WPKH wallet
for BTC; ETH and USDT on Ethereum, USDT also on TRON and Solana), freshly keyed, each signing
its proof of control at a pinned block, an exchange key that signs the manifest, then prove (105 %
coverage per asset, every account and the firm covered at every scenario), verify, audit, a
spot customer's and a margin customer's inclusion proofs, and a tampered attestation that
audit must reject.
"""

import csv
import json
import secrets
import shutil
import time
from pathlib import Path

from zksolv import inclusion2, outpaths, state
from zksolv.amounts import format_amount, parse_amount
from zksolv.attestation import exchange, prove, verify
from zksolv.errors import ZksolvError
from zksolv.fsutil import atomic_file
from zksolv.reserves import control_message, signing, snapshot, synthetic

# asset: (decimals, chain, largest balance in whole units)
ASSETS = {"BTC": (8, "bitcoin", 5), "ETH": (18, "ethereum", 80), "USDT": (6, "ethereum", 50_000)}
TOKENS = {"USDT": "0xdAC17F958D2ee523a2206206994597C13D831ec7"}  # Tether's ERC-20 contract (SPEC.md §6.1)
DEMO_CHUNK = 16
MARGIN_EVERY = 10  # one customer in ten borrows
PRICES = Path(__file__).resolve().parent / "market" / "example-prices.json"


def write_ledger(path: Path, users: int) -> dict[str, int]:
    """Each user holds one to three assets (at least asset i mod 3); returns the totals."""
    totals = {a: 0 for a in ASSETS}
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["user_id", "asset", "amount"])
        for i in range(users):
            for k, (asset, (decimals, _, top)) in enumerate(ASSETS.items()):
                if k == i % len(ASSETS) or secrets.randbelow(3):
                    units = secrets.randbelow(top * 10**decimals)
                    totals[asset] += units
                    out.writerow([f"user-{i:06d}", asset, format_amount(units, decimals)])
    return totals


def add_debts(path: Path, prices: Path) -> str | None:
    """Turn one customer in ten into a margin account: their holding of one asset becomes a
    debt sized safely against the rest (zksolv.market.synthetic); returns one such customer."""
    from zksolv.market import file as market_file
    from zksolv.market.fixed import format_fixed
    from zksolv.market.synthetic import with_debt

    decimals = {a: d for a, (d, _, _) in ASSETS.items()}
    coeffs = market_file.load(prices, decimals).coefficients(decimals)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    holdings: dict[str, dict[str, int]] = {}
    for row in rows:
        holdings.setdefault(row["user_id"], {})[row["asset"]] = parse_amount(row["amount"], decimals[row["asset"]])
    borrower = None
    for i, (user, holding) in enumerate(holdings.items()):
        if i % MARGIN_EVERY == MARGIN_EVERY // 2:
            names = list(ASSETS)[i % len(ASSETS):] + list(ASSETS)[: i % len(ASSETS)]
            # the first asset whose debt the rest of the holding covers (not the only one held)
            holdings[user] = next((h for h in (with_debt(coeffs, holding, a) for a in names)
                                   if any(x < 0 for x in h.values())), holding)
            if any(x < 0 for x in holdings[user].values()):
                borrower = borrower or user
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["user_id", "asset", "amount"])
        for user, holding in holdings.items():
            out.writerows([user, a, format_fixed(x, decimals[a])] for a, x in holding.items() if x)
    return borrower


def _wallet(asset, chain, key_kind, units, decimals, attestation_id):
    key = signing.new_key()
    if chain == "bitcoin":
        address = signing.bitcoin_address(key, key_kind)
        sign = lambda m: signing.bitcoin_sign(key, m, key_kind)  # noqa: E731
    else:
        address = signing.ethereum_address(key)
        sign = lambda m: signing.ethereum_sign(key, m)  # noqa: E731
    wallet = {"chain": chain, "address": address, "balance": format_amount(units, decimals),
              "signature": sign(control_message(attestation_id, address))}
    return {**wallet, "token": TOKENS[asset]} if asset in TOKENS else wallet


def write_reserves(path: Path, attestation_id: str, totals: dict[str, int]) -> None:
    """Reserves of 110 % of each asset's liabilities, split over freshly keyed wallets."""
    assets = {}
    for asset, (decimals, chain, _) in ASSETS.items():
        held = totals[asset] * 110 // 100 + 1
        kinds = ["p2wpkh", "p2pkh"] if chain == "bitcoin" else ["eth"]
        shares = [held // len(kinds)] * len(kinds)
        shares[0] += held - sum(shares)
        assets[asset] = {"decimals": decimals,
                         "wallets": [_wallet(asset, chain, k, s, decimals, attestation_id)
                                     for k, s in zip(kinds, shares)]}
    path.write_text(json.dumps({"attestation_id": attestation_id, "assets": assets}, indent=1))


# asset: [(wallet kind of reserves/synthetic.py, share of the asset's reserves in %), …]
CUSTODY = {"BTC": [("bitcoin/p2wsh", 60), ("bitcoin/p2tr", 30), ("bitcoin/p2wpkh", 10)],
           "ETH": [("ethereum", 100)],
           "USDT": [("ethereum", 50), ("tron", 30), ("solana", 20)]}


def write_reserves_v2(path: Path, attestation_id: str, totals: dict[str, int], exchange: str) -> None:
    """Reserves version 2 (SPEC.md §6.1) of 110 % of each asset's liabilities, over the wallets
    of CUSTODY; one Ethereum address holds the ETH and the ERC-20 USDT (one signature, two
    entries); every chain pinned at a block."""
    signers = {kind: synthetic.Signer(kind) for shares in CUSTODY.values() for kind, _ in shares}
    assets = {}
    for asset, shares in CUSTODY.items():
        decimals = ASSETS[asset][0]
        held = totals[asset] * 110 // 100 + 1
        units = [held * pct // 100 for _, pct in shares]
        units[0] += held - sum(units)
        wallets = [signers[kind].wallet(exchange, attestation_id, format_amount(u, decimals),
                                        synthetic.TOKENS[kind] if asset == "USDT" else None)
                   for (kind, _), u in zip(shares, units)]
        assets[asset] = {"decimals": decimals, "wallets": wallets}
    used = {kind.partition("/")[0] for shares in CUSTODY.values() for kind, _ in shares}
    chains = {c: synthetic.block(c, height) for c, height in
              (("bitcoin", 870_000), ("ethereum", 21_000_000), ("tron", 67_000_000), ("solana", 300_000_000))
              if c in used}
    doc = {"version": 2, "attestation_id": attestation_id, "exchange": exchange, "chains": chains, "assets": assets}
    path.write_text(json.dumps(doc, indent=1))


def write_snapshot(path: Path, reserves_path: Path) -> None:
    """What a verifier's own nodes would show at the pinned blocks (here: the claims)."""
    from zksolv import reserves

    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(snapshot.pinned_rows(reserves.load(reserves_path)))


def _timed(label, timings, fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    timings[label] = round(time.perf_counter() - t0, 3)
    return result


def _tamper_rejected(attestation: Path, work: Path) -> bool:
    copy = work / "tampered"
    shutil.copytree(attestation, copy)
    audit = next(copy.glob("*.audit"))
    data = bytearray(audit.read_bytes())
    data[len(data) // 2] ^= 0x01
    audit.write_bytes(bytes(data))
    try:
        verify.audit(copy)
    except ZksolvError:
        return True
    return False


def run(users: int, directory: Path, workers: int, report) -> dict:
    """The whole round in `directory`, which must be new or empty (checked before any work)."""
    outpaths.check([outpaths.Output(directory, "--dir", outpaths.DIRECTORY)])
    directory.mkdir(parents=True, exist_ok=True)
    attestation_id = f"demo-{secrets.token_hex(4)}"
    ledger, reserves_path = directory / "ledger.csv", directory / "reserves.json"
    out, state_path = directory / "attestation", directory / "state.db"
    totals = write_ledger(ledger, users)  # reserves: 110 % of what customers hold, debts aside
    borrower = add_debts(ledger, PRICES)
    exchange_key = signing.new_key()  # the exchange's published identity (SPEC.md §6.17)
    signer = exchange.address(exchange_key)
    write_reserves_v2(reserves_path, attestation_id, totals, signer)
    write_snapshot(directory / "snapshot.csv", reserves_path)
    report.line(f"synthetic round {attestation_id}: {users} users over {', '.join(ASSETS)} in {directory}, "
                f"one in {MARGIN_EVERY} borrowing against collateral; market {PRICES.name}; exchange {signer}")
    t = {}
    options = prove.Options(coverage_percent="105", workers=workers, chunk=DEMO_CHUNK, prices=str(PRICES),
                            sign_key=exchange_key)
    m = _timed("prove", t, prove.run, ledger, reserves_path, out, state_path, options, report)
    verify_report = _timed("verify", t, verify.verify, out, directory / "snapshot.csv", signer=signer)
    audit_report = _timed("audit", t, verify.audit, out, signer=signer)
    customers = {"spot": _spot_customer(ledger), "margin": borrower}
    shown = {kind: _customer(directory, state_path, out, m, user, t, kind) for kind, user in customers.items() if user}
    rejected = _tamper_rejected(out, directory)
    summary = {"attestation_id": attestation_id, "directory": str(directory), "users": users,
               "assets": {a: {"capacity": e.capacity, "coverage_percent": e.coverage_percent}
                          for a, e in m.assets.items()},
               "margin": verify_report.margin,
               "reserves": {"wallets_checked": verify_report.wallets_checked, "kinds": _kinds(),
                            "balances": verify_report.balances, **verify_report.custody},
               "leaves_audited": audit_report.leaves_checked,
               "range_proofs_audited": audit_report.range_proofs_checked,
               "customers": shown, "seconds": t,
               "tampered_attestation_rejected": rejected, "result": "valid" if rejected else "invalid"}
    _print(summary, report)
    return summary


def _kinds() -> dict[str, list[str]]:
    """Per asset, what holds its reserves, as the demo's summary names them."""
    names = {f"bitcoin/{k}": f"bitcoin {k.upper()} ({how})" for k, how in synthetic.BITCOIN_KINDS.items()}
    names |= {"ethereum": "ethereum (EIP-191)", "tron": "tron (signMessageV2)", "solana": "solana (off-chain message)"}
    return {asset: [names.get(kind, kind) for kind, _ in shares] for asset, shares in CUSTODY.items()}


def _spot_customer(ledger: Path) -> str:
    with open(ledger, newline="", encoding="utf-8") as f:
        return next(csv.DictReader(f))["user_id"]


def _customer(directory: Path, state_path: Path, out: Path, m, user: str, t: dict, kind: str) -> dict:
    """A customer's inclusion proof, written 0600 (it holds their secret), and their check."""
    st = state.State(state_path)
    try:
        proof = _timed(f"inclusion_{kind}", t, inclusion2.build_any, st, m, user)
    finally:
        st.close()
    path = directory / f"customer-{kind}.json"
    with atomic_file(path, mode=0o600) as tmp:
        tmp.write_text(json.dumps(proof, indent=1) + "\n")
    checked = _timed(f"verify_inclusion_{kind}", t, inclusion2.verify_any, path,
                     inclusion2.read_manifest(out / "manifest.json"), user, {})
    balances = checked.margin["balances"] if checked.margin else checked.balances
    return {"user_id": user, "balances": balances, "file": str(path),
            "collateralized": checked.margin["collateralized"] if checked.margin else None}


def _print(s: dict, report) -> None:
    report.line(f"proved in {s['seconds']['prove']} s: " + ", ".join(
        f"{a} capacity {v['capacity']} (≥ {v['coverage_percent']} % covered)" for a, v in s["assets"].items()))
    r = s["reserves"]
    report.line(f"reserves: {r['wallets_checked']} proofs of control valid, signed for exchange {r['exchange']} "
                f"(manifest signed by it); balances {r['balances']}")
    for asset, kinds in r["kinds"].items():
        report.line(f"  {asset}: {'; '.join(kinds)}")
    report.line("  blocks: " + ", ".join(f"{c} {b['height']}" for c, b in r["chains"].items()))
    report.line(f"verify: solvency and coverage proofs valid ({s['seconds']['verify']} s)")
    report.line(f"audit: {s['leaves_audited']} leaves and {s['range_proofs_audited']} range proofs valid "
                f"({s['seconds']['audit']} s)")
    if s["margin"]:
        report.line(f"margin accounts: every one collateralized at {', '.join(s['margin']['scenarios'])}; "
                    f"firm-wide coverage ≥ {s['margin']['firm_coverage_percent']} % at every scenario")
    for kind, c in s["customers"].items():
        balances = ", ".join(f"{v} {a}" if not v.startswith("-") else f"a debt of {v[1:]} {a}"
                             for a, v in c["balances"].items() if v != "0")
        stress = f"; collateralized at {', '.join(c['collateralized'])}" if c["collateralized"] else ""
        report.line(f"{kind} customer {c['user_id']}: included with {balances}{stress} ({c['file']})")
    report.line(f"tampered attestation rejected by audit: {'yes' if s['tampered_attestation_rejected'] else 'NO'}")
