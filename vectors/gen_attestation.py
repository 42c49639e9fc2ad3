"""A small published attestation as a vector (issue 13 item 7; SPEC.md §7), deterministic.

`vectors/attestation/round/` is an attestation directory exactly as `zksolv prove` publishes
it — a margin round (manifest version 2) over version-2 reserves, so with custody and the
exchange's signature — and `vectors/attestation/inclusion/` holds two customers' inclusion
proofs: a spot customer and a margin customer with a debt, both with non-ASCII user ids.
`vectors/attestation.json` lists the expected digests and verdicts, for independent
verifiers (the JS one first) to check the attestation-level formats: manifest and body
digests, audit files, the exchange signature, canonical JSON, inclusion proofs.

Nothing here is random: keys are SHA-256 of public labels, the round secret is given
(`prove`'s round_secret: every blinding, padding and proof nonce derives from it, SPEC.md
§6.2), the timestamp is fixed, and every signature is RFC 6979. Called from generate.py.
"""

import hashlib
import json
import pathlib
import tempfile

from coincurve import PrivateKey

from zksolv import inclusion2
from zksolv.attestation import exchange, prove
from zksolv.cli import Reporter
from zksolv.reserves import signing
from zksolv.state import State

ATTESTATION_ID = "vectors-published-v1"
TIMESTAMP = "2026-12-04T12:00:00Z"
SPOT, MARGIN = "Zoë Müller", "Łukasz \\ 李雷"          # non-ASCII; a backslash to escape
FILES = ("manifest.json", "BTC.audit", "ETH.audit", "USDT.audit", "margin.audit", exchange.FILE)
PROOFS = {SPOT: "spot.json", MARGIN: "margin.json"}
LEDGER = [(SPOT, "BTC", "0.5"), (SPOT, "USDT", "1250.75"), ("spot-2", "ETH", "3.25"),
          (MARGIN, "BTC", "1.2"), (MARGIN, "USDT", "-30000"), ("carol", "ETH", "20"), ("carol", "BTC", "-0.25")]
PRICES = {"quote": "USD", "decimals": 2,
          "assets": {"BTC": {"price": "97000.00", "haircut": [["10", "95"], [None, "60"]]},
                     "ETH": {"price": "3600.00", "haircut": [[None, "85"]]},
                     "USDT": {"price": "1.00", "haircut": [[None, "100"]]}},
          "min_collateral_percent": "110",
          "scenarios": [{"name": "crash", "shock_percent": {"BTC": "-40", "ETH": "-50"}}]}
RESERVES = {"BTC": [("bitcoin", "1.6")], "ETH": [("ethereum", "30")], "USDT": [("ethereum", "2000")]}
CHAINS = {"bitcoin": {"height": 870000, "hash": "00000000000000000002a7c4c1e48d76c5a37902165a270156b7a8d72728a054"},
          "ethereum": {"height": 21000000, "hash": "0x" + "5a" * 32, "chain_id": 1}}
USDT_TOKEN = "0xdAC17F958D2ee523a2206206994597C13D831ec7"


def _key(label: str) -> PrivateKey:
    return PrivateKey(hashlib.sha256(b"zksolv vectors v1 attestation " + label.encode()).digest())


def _reserves(exch: str) -> dict:
    assets = {}
    for asset, decimals in (("BTC", 8), ("ETH", 18), ("USDT", 6)):
        wallets = [signing.wallet_v2(_key(f"{asset} wallet {i}"), chain, exch, ATTESTATION_ID, balance,
                                     token=USDT_TOKEN if asset == "USDT" else None)
                   for i, (chain, balance) in enumerate(RESERVES[asset])]
        assets[asset] = {"decimals": decimals, "wallets": wallets}
    return {"version": 2, "attestation_id": ATTESTATION_ID, "exchange": exch, "chains": CHAINS, "assets": assets}


def _prove(work: pathlib.Path):
    """The round, proven into `work/round`; (manifest, state path)."""
    ledger, reserves, prices = work / "ledger.csv", work / "reserves.json", work / "prices.json"
    ledger.write_text("user_id,asset,amount\n" + "".join(f"{u},{a},{x}\n" for u, a, x in LEDGER), encoding="utf-8")
    reserves.write_text(json.dumps(_reserves(exchange.address(_key("exchange")))), encoding="utf-8")
    prices.write_text(json.dumps(PRICES), encoding="utf-8")
    options = prove.Options(coverage_percent="105", workers=1, chunk=2, timestamp=TIMESTAMP, prices=str(prices),
                            round_secret=hashlib.sha256(b"zksolv vectors v1 attestation round secret").digest(),
                            sign_key=_key("exchange"))
    manifest = prove.run(ledger, reserves, work / "round", work / "state.db", options, Reporter(False, True))
    return manifest, work / "state.db"


def _canonical_sha256(doc) -> str:
    """SHA-256 of the canonical JSON of SPEC.md §1.1 (non-ASCII written as itself)."""
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _case(comment, result, flags=(), **fields):
    return {"comment": comment, "result": result, "flags": list(flags), **fields}


def _tests(manifest, files: dict, proofs: dict) -> list:
    exch = manifest.reserves.exchange
    tests = [_case("the manifest: digest (what proofs and the signature name) and body digest", "valid",
                   kind="manifest", file="attestation/round/manifest.json", attestation_id=ATTESTATION_ID,
                   digest=manifest.digest().hex(), body_digest=manifest.body_digest().hex())]
    for name in FILES[1:-1]:
        tests.append(_case(f"audit file {name}: the manifest's SHA-256 and size", "valid", kind="audit",
                           file=f"attestation/round/{name}", sha256=hashlib.sha256(files[name]).hexdigest(),
                           bytes=len(files[name])))
    tests.append(_case("the exchange's signature over the manifest digest", "valid", kind="exchange-signature",
                       file=f"attestation/round/{exchange.FILE}", exchange=exch))
    shown = {}
    for user, name in PROOFS.items():
        checked = inclusion2.verify(proofs[user], manifest, user)
        shown[user] = checked.margin["balances"] if checked.margin else checked.balances
        margin = checked.margin and {k: checked.margin[k] for k in ("debts", "leaf_index", "collateralized")}
        tests.append(_case(f"{'margin' if margin else 'spot'} customer {user}'s proof", "valid", kind="inclusion",
                           file=f"attestation/inclusion/{name}", user_id=user, balances=shown[user], margin=margin,
                           signed_by=exch, canonical_sha256=_canonical_sha256(proofs[user])))
    bad = lambda comment, flags, user_file, **given: _case(comment, "invalid", flags, kind="inclusion",
                                                             file=f"attestation/inclusion/{user_file}", given=given)
    debt_as_holding = {a: x.lstrip("-") for a, x in shown[MARGIN].items()}
    tests += [bad("checked as another customer", ["OtherUser"], "spot.json", user_id=MARGIN),
              bad("a balance the customer does not have", ["WrongBalance"], "spot.json", balances={"BTC": "0.6"}),
              bad("the debt given as a holding", ["WrongBalance"], "margin.json", balances=debt_as_holding),
              bad("another exchange pinned", ["WrongSigner"], "margin.json", signer="0x" + "11" * 20),
              bad("the exchange's signature left out", ["NoSignature"], "spot.json", without_signature=True)]
    return tests


NOTES = {"OtherUser": "the proof names another user than the one given",
         "WrongBalance": "the customer's figures differ from the proof's",
         "WrongSigner": "the exchange pinned (--signer) is not the one the round names",
         "NoSignature": "a round naming an exchange, checked without its signature (SPEC.md §6.17)",
         "given": "what the customer gives: user_id, balances (signed), signer, or the signature withheld"}


def documents() -> dict:
    """{path under vectors/: bytes} for the attestation directory, the proofs and attestation.json."""
    with tempfile.TemporaryDirectory() as tmp:
        manifest, state_path = _prove(pathlib.Path(tmp))
        files = {name: (pathlib.Path(tmp) / "round" / name).read_bytes() for name in FILES}
        state = State(state_path)
        try:
            proofs = {user: inclusion2.build(state, manifest, user) for user in PROOFS}
        finally:
            state.close()
    out = {f"attestation/round/{name}": data for name, data in files.items()}
    for user, name in PROOFS.items():
        out[f"attestation/inclusion/{name}"] = (json.dumps(proofs[user], indent=1, ensure_ascii=False) + "\n").encode()
    tests = _tests(manifest, files, proofs)
    for i, t in enumerate(tests, 1):
        t["tc_id"] = i
    doc = {"algorithm": "zksolv-published-attestation", "format_version": 1, "generator": "vectors/gen_attestation.py",
           "notes": NOTES, "numberOfTests": len(tests), "tests": tests}
    out["attestation.json"] = (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode()
    return out
