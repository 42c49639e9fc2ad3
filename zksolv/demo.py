"""`zksolv demo`: a whole round on synthetic data (README "Quick start").

A synthetic ledger over BTC, ETH and USDT, reserves held by freshly generated keys that sign
their proofs of control, then prove (with 105 % coverage), verify, audit, one customer's
inclusion proof, and a tampered attestation that audit must reject.
"""

import csv
import json
import secrets
import shutil
import time
from pathlib import Path

from zksolv import inclusion, outpaths, state
from zksolv.amounts import format_amount
from zksolv.attestation import manifest as manifest_module, prove, verify
from zksolv.errors import ZksolvError
from zksolv.fsutil import atomic_file
from zksolv.reserves import control_message, signing

# asset: (decimals, chain, largest balance in whole units)
ASSETS = {"BTC": (8, "bitcoin", 5), "ETH": (18, "ethereum", 80), "USDT": (6, "ethereum", 50_000)}
DEMO_CHUNK = 16


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


def _wallet(asset, chain, key_kind, units, decimals, attestation_id):
    key = signing.new_key()
    if chain == "bitcoin":
        address = signing.bitcoin_address(key, key_kind)
        sign = lambda m: signing.bitcoin_sign(key, m, key_kind)  # noqa: E731
    else:
        address = signing.ethereum_address(key)
        sign = lambda m: signing.ethereum_sign(key, m)  # noqa: E731
    return {"chain": chain, "address": address, "balance": format_amount(units, decimals),
            "signature": sign(control_message(attestation_id, address))}


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
    totals = write_ledger(ledger, users)
    write_reserves(reserves_path, attestation_id, totals)
    report.line(f"synthetic round {attestation_id}: {users} users over {', '.join(ASSETS)} in {directory}")
    t = {}
    options = prove.Options(coverage_percent="105", workers=workers, chunk=DEMO_CHUNK)
    m = _timed("prove", t, prove.run, ledger, reserves_path, out, state_path, options, report)
    _timed("verify", t, verify.verify, out)
    audit_report = _timed("audit", t, verify.audit, out)
    customer = "user-000000"
    st = state.State(state_path)
    proof = _timed("inclusion", t, inclusion.build, st, m, customer)
    st.close()
    with atomic_file(directory / f"{customer}.json", mode=0o600) as tmp:  # it carries the user secret
        tmp.write_text(json.dumps(proof, indent=1))
    proven = _timed("verify_inclusion", t, inclusion.verify, proof, manifest_module.read(out / "manifest.json"),
                    customer)
    rejected = _tamper_rejected(out, directory)
    summary = {"attestation_id": attestation_id, "directory": str(directory), "users": users,
               "assets": {a: {"capacity": e.capacity, "coverage_percent": e.coverage.percent if e.coverage else None}
                          for a, e in m.assets.items()},
               "leaves_audited": audit_report.leaves_checked,
               "range_proofs_audited": audit_report.range_proofs_checked,
               "customer": customer, "customer_balances": proven, "seconds": t,
               "tampered_attestation_rejected": rejected, "result": "valid" if rejected else "invalid"}
    _print(summary, report)
    return summary


def _print(s: dict, report) -> None:
    report.line(f"proved in {s['seconds']['prove']} s: " + ", ".join(
        f"{a} capacity {v['capacity']} (≥ {v['coverage_percent']} % covered)" for a, v in s["assets"].items()))
    report.line(f"verify: solvency and coverage proofs valid ({s['seconds']['verify']} s)")
    report.line(f"audit: {s['leaves_audited']} leaves and {s['range_proofs_audited']} range proofs valid "
                f"({s['seconds']['audit']} s)")
    balances = ", ".join(f"{v} {a}" for a, v in s["customer_balances"].items())
    report.line(f"customer {s['customer']}: included with {balances} ({s['seconds']['verify_inclusion']} s)")
    report.line(f"tampered attestation rejected by audit: {'yes' if s['tampered_attestation_rejected'] else 'NO'}")
