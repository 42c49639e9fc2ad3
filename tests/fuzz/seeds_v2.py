"""Seeds of the issue-12 inputs (SPEC.md §6.1, §6.4, §6.17): version-2 reserves files that
reach every chain family and every Bitcoin address kind and signature form, the pinned
snapshots that agree with them, exchange signature and key files, and the proof-of-control
cases of the vectors. Keys are fixed (derived from labels), so the seeds — and a run — are
the same every time."""

import functools
import hashlib
import json
import pathlib

from zksolv.reserves import file as reserves_file, sign_bitcoin, sign_evm, sign_solana, sign_tron

ROOT = pathlib.Path(__file__).resolve().parents[2]
VECTORS = ROOT / "vectors"
EXCHANGE_SECRET = hashlib.sha256(b"fuzz exchange").digest()
EXCHANGE = sign_evm.address(sign_evm.new_key(EXCHANGE_SECRET))
ATTESTATION_ID = "fuzz-v2"
CHAINS = {
    "bitcoin": {"height": 870000, "hash": "00000000000000000002a7c4c1e48d76c5a37902165a270156b7a8d72728a054"},
    "ethereum": {"height": 21000000, "hash": "0x" + "5a" * 32, "chain_id": 1},
    "bsc": {"height": 44000000, "hash": "0x" + "b5" * 32, "chain_id": 56},
    "devnet": {"height": 123, "hash": "0x" + "c0" * 32, "chain_id": 999001},
    "tron": {"height": 77654321, "hash": "0000000004a0e9316f2d8c4a1e9b7d3f5c0a2e4b6d8f1a3c5e7b9d0f2a4c6e8b"},
    "solana": {"height": 383456789, "hash": "4sGjMW1sUnHzSxGspuhpqLDx6wiyjNtZAMdL4VZHirAn"},
}
ERC20 = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
BEP20 = "0x55d398326f99059fF775485246999027B3197955"
TRC20 = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
SPL = "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB"


def _secret(label: str) -> bytes:
    return hashlib.sha256(b"zksolv fuzz seed " + label.encode()).digest()


def _message(chain: str, address: str) -> bytes:
    return reserves_file.control_message_v2(EXCHANGE, ATTESTATION_ID, chain, address)


def _entry(chain: str, address: str, signature: str, balance: str, token: str | None = None) -> dict:
    entry = {"chain": chain, "address": address, "balance": balance, "signature": signature}
    return entry if token is None else {**entry, "token": token}


def _bitcoin(kind: str, form: str | None = None, legacy: bool = False) -> dict:
    """A bitcoin wallet of `kind`: multisig kinds 2-of-3, the rest one key."""
    keys = [sign_bitcoin.key_from_bytes(_secret(f"{kind}{form}{legacy}{i}")) for i in range(3)]
    if kind in sign_bitcoin.MULTISIG_KINDS:
        address = sign_bitcoin.address(keys, kind, k=2)
        signature = sign_bitcoin.sign(keys[:2], _message("bitcoin", address), kind, public_keys=keys, form=form)
    else:
        address = sign_bitcoin.address(keys[0], kind)
        sign = sign_bitcoin.sign_legacy if legacy else functools.partial(sign_bitcoin.sign, form=form)
        signature = sign(keys[0], _message("bitcoin", address), kind)
    return _entry("bitcoin", address, signature, "0.5")


def bitcoin_wallets() -> list[dict]:
    """Every address kind, every signature form zksolv reads (SPEC.md §6.4.1)."""
    return [_bitcoin("p2pkh"), _bitcoin("p2wpkh", legacy=True), _bitcoin("p2sh-p2wpkh", legacy=True),
            _bitcoin("p2wpkh", "simple"), _bitcoin("p2wpkh", "full"), _bitcoin("p2sh-p2wpkh", "full"),
            _bitcoin("p2sh-p2wpkh", "simple"), _bitcoin("p2tr", "simple"), _bitcoin("p2tr", "full"),
            _bitcoin("p2wsh", "simple"), _bitcoin("p2wsh", "full"), _bitcoin("p2sh-p2wsh", "full")]


def _evm(chain: str, label: str, balance: str, token: str | None = None) -> dict:
    key = sign_evm.new_key(_secret(label))
    address = sign_evm.address(key)
    return _entry(chain, address, sign_evm.sign(key, _message(chain, address)), balance, token)


def _tron(label: str, form: str, balance: str, token: str | None = None) -> dict:
    key = sign_tron.new_key(_secret(label))
    address = sign_tron.address(key)
    return _entry("tron", address, sign_tron.sign(key, _message("tron", address), form), balance, token)


def _solana(label: str, form: str, balance: str, token: str | None = None) -> dict:
    key = sign_solana.new_key(_secret(label))
    address = sign_solana.address(key)
    return _entry("solana", address, sign_solana.sign(key, _message("solana", address), form), balance, token)


def _assets(family: str) -> dict:
    """The assets of one family's wallets ("all": every family), one address backing two
    assets with one signature where the family has tokens."""
    eth, tron, sol = _evm("ethereum", "eth", "2"), _tron("trx", "v2", "100"), _solana("sol", "cli", "3")
    parts = {
        "bitcoin": {"BTC": (8, bitcoin_wallets())},
        "evm": {"ETH": (18, [eth, _evm("devnet", "dev", "1.5")]),
                "USDT": (6, [{**eth, "balance": "1000", "token": ERC20}, _evm("bsc", "bsc", "20", BEP20)])},
        "tron": {"TRX": (6, [tron, _tron("trx1", "v1", "7")]), "USDT": (6, [{**tron, "balance": "50", "token": TRC20}])},
        "solana": {"SOL": (9, [sol, _solana("sol1", "v1", "4"), _solana("solraw", "raw", "5")]),
                   "USDT": (6, [{**sol, "balance": "60", "token": SPL}])},
    }
    chosen = parts if family == "all" else {family: parts[family]}
    assets: dict = {}
    for asset_parts in chosen.values():
        for name, (decimals, wallets) in asset_parts.items():
            assets.setdefault(name, {"decimals": decimals, "wallets": []})["wallets"].extend(wallets)
    return assets


_FAMILY_CHAINS = {"bitcoin": ("bitcoin",), "evm": ("ethereum", "bsc", "devnet"), "tron": ("tron",),
                  "solana": ("solana",)}


@functools.cache
def reserves_document(family: str = "all") -> dict:
    """A valid version-2 reserves document of one family's chains, or of all ("all")."""
    names = [n for f, ns in _FAMILY_CHAINS.items() if family in ("all", f) for n in ns]
    return {"version": 2, "attestation_id": ATTESTATION_ID, "exchange": EXCHANGE,
            "chains": {n: CHAINS[n] for n in names}, "assets": _assets(family)}


def readme_example() -> bytes:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### Reserves as exchanges hold them"):]
    start = section.index("```json\n") + 8
    return section[start:section.index("```\n", start)].encode()


def reserves_v2() -> dict[str, bytes]:
    found = {f"v2-{f}.json": json.dumps(reserves_document(f), indent=1).encode()
             for f in ("all", "bitcoin", "evm", "tron", "solana")}
    found["readme-v2.json"] = readme_example()
    return found


def pinned_snapshot(reserves) -> dict[str, bytes]:
    """The block-pinned snapshot agreeing with `reserves`, and its rows one by one."""
    from zksolv.reserves import snapshot

    lines = [",".join(row).encode() + b"\n" for row in snapshot.pinned_rows(reserves)]
    found = {"pinned.csv": b"".join(lines)}
    found.update({f"pinned-{k}.csv": lines[0] + lines[k] for k in range(1, len(lines))})
    return found


def exchange_signatures() -> dict[str, bytes]:
    doc = json.loads((VECTORS / "exchange-signature.json").read_text())
    return {f"exchange-signature-{t['tc_id']}.json": json.dumps(t["file"], indent=1).encode() for t in doc["tests"]}


def exchange_keys() -> dict[str, bytes]:
    """The exchange's key file (that of the version-2 seeds' exchange), spelled two ways, and
    two numbers that are no key."""
    secret = EXCHANGE_SECRET.hex()
    return {"key": f"0x{secret}\n".encode(), "key-crlf": f" 0x{secret.upper()}\r\n".encode(),
            "key-order": b"0x" + b"f" * 64 + b"\n", "key-zero": b"0x" + b"0" * 64}


# -- proofs of control on arbitrary signatures ---------------------------------------------------
# An input is: byte 0 picks an (address, message) case of the family's vectors, byte 1 how the
# rest is read (MODES), the rest is the signature (or, mode "address", an address to decode).

MODES = ("text", "encoded", "address")
"""text: the rest as the signature text; encoded: the rest as raw signature bytes, spelled as
the family spells them (Bitcoin: byte 2 picks the smp / ful / unprefixed form, base64; TRON,
EVM: 0x-hex; Solana: Base58); address: the rest as an address, token and block hash."""
BITCOIN_FORMS = ("smp", "ful", "")


@functools.cache
def control_cases(families: tuple[str, ...]) -> list[tuple[str, str, bytes]]:
    """(family, address, message) of every valid vector of `families`, in file order."""
    cases = []
    for family in families:
        doc = json.loads((VECTORS / f"control-{family}.json").read_text())
        for t in doc["tests"]:
            case = (family, t["address"], t["message"].encode())
            if t["result"] == "valid" and case not in cases:
                cases.append(case)
    return cases


def control_seeds(families: tuple[str, ...]) -> dict[str, bytes]:
    """Every vector (valid or not) of `families` whose case is known, as text and encoded."""
    import base64

    from zksolv.errors import ZksolvError
    from zksolv.reserves.encoding import base58_decode

    cases, found = control_cases(families), {}
    for family in families:
        for t in json.loads((VECTORS / f"control-{family}.json").read_text())["tests"]:
            case = (family, t["address"], t["message"].encode())
            if case not in cases:
                continue
            head, sig = bytes([cases.index(case)]), t["signature"]
            found[f"{family}-{t['tc_id']}-text"] = head + b"\x00" + sig.encode()
            try:
                if family == "bitcoin":
                    form = sig[:3] if sig[:3] in ("smp", "ful") else ""
                    raw = bytes([BITCOIN_FORMS.index(form)]) + base64.b64decode(sig[len(form):])
                elif family == "solana":
                    raw = base58_decode(sig, 64)
                else:
                    raw = bytes.fromhex(sig.removeprefix("0x"))
            except (ValueError, ZksolvError):  # an invalid vector that does not decode: its text seed is enough
                continue
            found[f"{family}-{t['tc_id']}-encoded"] = head + b"\x01" + raw
        found[f"{family}-address"] = b"\x00\x02" + cases[[c[0] for c in cases].index(family)][1].encode()
    return found


def manifest_with_custody() -> dict[str, bytes]:
    """The v1 regression manifest carrying the all-family version-2 reserves and their custody
    object (SPEC.md §6.7): every wallet of TRX and SOL under USDT, so its three assets stay."""
    from zksolv.attestation import custody
    from zksolv.reserves import file

    doc = json.loads((ROOT / "vectors" / "regression" / "v1" / "attestation" / "manifest.json").read_text())
    v2 = reserves_document("all")
    moved = v2["assets"]["TRX"]["wallets"] + v2["assets"]["SOL"]["wallets"]
    for name, entry in doc["assets"].items():
        entry["wallets"] = v2["assets"][name]["wallets"] + (moved if name == "USDT" else [])
    doc["attestation_id"] = v2["attestation_id"]
    doc.update(custody.published(file.parse(v2, "seed")))
    return {"manifest-custody.json": json.dumps(doc, indent=1).encode()}
