"""Fuzz targets: one per format zksolv reads (issue 10 "Keep it fixed"; SPEC.md §1.1).

Each target takes arbitrary bytes, hands them to zksolv's reader for that format, and uses
what comes back the way the commands do. The property: the reader returns, or raises a
`ZksolvError` — never any other exception (a bug: exit 4), never a hang, never unbounded
memory. `run.py` drives them with atheris (coverage-guided); `tests/test_fuzz_corpus.py`
replays every seed and every past finding in the normal suite.
"""

import atexit
import base64
import functools
import json
import os
import pathlib
import shutil
import tempfile

from zksolv import inclusion, ledger as ledger_module, reserves as reserves_module, state as state_module
from zksolv import statements
from zksolv.attestation import auditfile, custody, exchange, manifest as manifest_module
from zksolv.errors import InputError, ZksolvError
from zksolv.fsutil import read_json
from zksolv.group import Point
from zksolv.rangeproof import RangeProof
from zksolv.reserves import chains, ethereum, file as reserves_file, snapshot as snapshot_module
from zksolv.reserves.encoding import base58_encode

import seeds_v2

ROOT = pathlib.Path(__file__).resolve().parents[2]
V1 = ROOT / "vectors" / "regression" / "v1"


@functools.cache
def _scratch() -> pathlib.Path:
    folder = tempfile.mkdtemp(prefix="zksolv-fuzz-")
    atexit.register(shutil.rmtree, folder, True)
    return pathlib.Path(folder)


@functools.cache
def _reserves():
    return reserves_module.load(V1 / "inputs" / "reserves.json")


@functools.cache
def _manifest():
    return manifest_module.read(V1 / "attestation" / "manifest.json", check_addresses=False)


def _file(data: bytes, name: str) -> pathlib.Path:
    path = _scratch() / name
    path.write_bytes(data)
    return path


def _tolerating(target):
    """Run `target`; a ZksolvError is a correct refusal, anything else propagates."""
    @functools.wraps(target)
    def run(data: bytes) -> None:
        try:
            target(data)
        except ZksolvError:
            pass
    return run


@_tolerating
def ledger(data: bytes) -> None:
    res = _reserves()
    for _ in ledger_module.read_ledger(_file(data, "ledger.csv"), res.decimals, res.leaf_bits):
        pass


@_tolerating
def reserves(data: bytes) -> None:
    res = reserves_module.load(_file(data, "reserves.json"))
    reserves_module.to_json(res)
    reserves_module.verify_control(res)


@_tolerating
def snapshot(data: bytes) -> None:
    snapshot_module.check(_reserves(), snapshot_module.load(_file(data, "snapshot.csv")))


@_tolerating
def circuits(data: bytes) -> None:
    c = statements.load(_file(data, "circuits.json"))
    L = Point.from_bytes(_manifest().assets["BTC"].root_commitment)
    public = {"R": 10**9, "p": 21, "q": 20}
    for name in statements.REQUIRED:  # used the way prove and verify use them
        s = c[name]
        s.bits({"leaf_bits": 64} if name == "leaf_range" else {})
        s.commitment({"L": L, "b": L}, public)
        s.opening({"L": (5, 7), "b": (5, 7)}, public)


@_tolerating
def manifest(data: bytes) -> None:
    m = manifest_module.read(_file(data, "manifest.json"))
    m.digest()
    m.body_digest()
    for entry in m.assets.values():
        if entry.coverage:
            entry.coverage.percent
        RangeProof.from_bytes(entry.solvency_proof)


@_tolerating
def audit_file(data: bytes) -> None:
    with auditfile.open_file(_file(data, "X.audit")) as f:
        reader = auditfile.Reader(f, "X.audit")
        for batch in reader.leaves(64):
            for c, _ in batch:
                Point.from_bytes(c)
        for proof in reader.proofs():
            RangeProof.from_bytes(proof)


@_tolerating
def inclusion_proof(data: bytes) -> None:
    inclusion.verify(inclusion.load(_file(data, "proof.json")), _manifest())


@_tolerating
def range_proof(data: bytes) -> None:
    proof = RangeProof.from_bytes(data)
    if proof.to_bytes() != data:  # decoding is canonical: one encoding per proof
        raise AssertionError("RangeProof.from_bytes accepted a non-canonical encoding")


@_tolerating
def state(data: bytes) -> None:
    path = _file(data, "state.db")
    for suffix in ("-journal", "-wal", "-shm"):
        if os.path.exists(str(path) + suffix):
            os.unlink(str(path) + suffix)
    st = state_module.State(path)
    try:
        m = manifest_module.from_bytes(st.meta["manifest_json"], "state file")
        for user in ("user-000000", "user-000001"):
            if st.holdings(user):
                inclusion.build(st, m, user)
    finally:
        st.close()


MARKET_DECIMALS = {"BTC": 8, "ETH": 18, "USDT": 6}
"""The attested assets a fuzzed market file is read against (those of the example market)."""


@_tolerating
def market(data: bytes) -> None:
    from zksolv.market import file as market_file

    m = market_file.load(_file(data, "prices.json"), MARKET_DECIMALS)
    m.check_assets(set(MARKET_DECIMALS))
    m.coefficients(MARKET_DECIMALS)
    m.digest()


# -- issue 12: reserves version 2, pinned snapshots, the exchange's signature and key, proofs of control


@functools.cache
def _reserves_v2():
    """The version-2 reserves of every family (seeds_v2), as `verify --snapshot` reads them."""
    return reserves_module.parse(seeds_v2.reserves_document("all"), "fuzz")


@_tolerating
def reserves_v2(data: bytes) -> None:
    """`load`, then what prove, verify and audit do with the reserves: publish them (assets and
    custody object), read them back as a manifest reader does — which must give the same
    reserves — and check every proof of control."""
    path = _file(data, "reserves.json")
    _unchecked_reserves(path)
    res = reserves_module.load(path)
    published = {"attestation_id": res.attestation_id, **custody.published(res),
                 "assets": reserves_module.to_json(res)}
    again = manifest_module.published_reserves(json.loads(json.dumps(published)), ("decimals", "leaf_bits",
                                                                                  "wallets"), "manifest")
    if again != res or reserves_module.parse(reserves_module.to_document(res), "again") != res:
        raise AssertionError("version-2 reserves read back from what is published differ")
    custody.describe(res)
    reserves_module.backing(next(iter(res.assets.values())))
    if res.version == 2:
        snapshot_module.pinned_rows(res)
    reserves_module.verify_control(res)


def _unchecked_reserves(path) -> None:
    """The reading a customer's inclusion check does (addresses and block hashes as written)."""
    doc = read_json(path, "reserves file", malformed=InputError, limit=reserves_file.MAX_BYTES)
    try:
        unchecked = reserves_module.parse(doc, "fuzz", check_addresses=False)
        reserves_module.to_document(unchecked)
        custody.describe(unchecked)
    except ZksolvError:
        pass


@_tolerating
def snapshot_pinned(data: bytes) -> None:
    snapshot_module.check(_reserves_v2(), snapshot_module.load(_file(data, "snapshot.csv")))


@functools.cache
def _exchange_case() -> tuple[bytes, str]:
    """The manifest digest and exchange of the first exchange-signature vector."""
    first = json.loads((ROOT / "vectors" / "exchange-signature.json").read_text())["tests"][0]
    return bytes.fromhex(first["manifest_digest"]), ethereum.normalize_address(first["exchange"])


@_tolerating
def exchange_signature(data: bytes) -> None:
    folder = _scratch() / "attestation"
    folder.mkdir(exist_ok=True)
    (folder / exchange.FILE).write_bytes(data)
    sig = exchange.load(folder)
    if exchange.parse(sig.to_json(), "again") != sig:
        raise AssertionError("the exchange signature written back reads differently")
    exchange.check(sig, *_exchange_case(), "exchange-signature.json")


@_tolerating
def exchange_key(data: bytes) -> None:
    path = _file(data, "exchange.key")
    os.chmod(path, 0o600)
    key = exchange.read_key(path)
    exchange.check_key_for(_reserves_v2(), key)


def _control(data: bytes, families: tuple[str, ...]) -> None:
    """One proof of control: byte 0 picks the case, byte 1 the mode (seeds_v2.MODES)."""
    if len(data) < 2:
        return
    cases = seeds_v2.control_cases(families)
    family, address, message = cases[data[0] % len(cases)]
    module = chains.known({"evm": "ethereum"}.get(family, family)).module
    mode, rest = seeds_v2.MODES[data[1] % len(seeds_v2.MODES)], data[2:]
    if mode == "address":
        text = rest.decode("utf-8", "replace")
        for function in (module.normalize_address, module.normalize_token, module.normalize_block_hash):
            try:
                function(text)
            except ZksolvError:
                pass
        return
    module.verify(address, message, _signature_text(family, mode, rest))


def _signature_text(family: str, mode: str, rest: bytes) -> str:
    if mode == "text":
        return rest.decode("utf-8", "replace")
    if family == "bitcoin":
        form = seeds_v2.BITCOIN_FORMS[rest[0] % 3] if rest else ""
        return form + base64.b64encode(rest[1:]).decode()
    if family == "solana":
        return base58_encode(rest)
    return "0x" + rest.hex()


@_tolerating
def control_bitcoin(data: bytes) -> None:
    _control(data, ("bitcoin",))


@_tolerating
def control_chains(data: bytes) -> None:
    _control(data, ("tron", "solana", "evm"))


TARGETS = {t.__name__: t for t in (ledger, reserves, snapshot, circuits, manifest, audit_file, inclusion_proof,
                                   range_proof, state, market, reserves_v2, snapshot_pinned, exchange_signature,
                                   exchange_key, control_bitcoin, control_chains)}
