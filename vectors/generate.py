"""Regenerate zksolv's published test vectors (SPEC.md §7), deterministically.

    python vectors/generate.py            # rewrite vectors/*.json
    python vectors/generate.py --check    # exit 1 if any file would change (CI)

All randomness comes from zksolv's keyed nonce stream (roundkeys.NonceStream) under public
keys: SHA-256(SEED) for the files of BUILDERS, in order; SHA-256 of its own seed for each
file of OWN_STREAMS (market data and the margin formats, SPEC.md §6.12–§6.16). The output is
byte-identical on every run.
"""

import argparse
import base64
import functools
import hashlib
import json
import pathlib
import sys
import tempfile

from zksolv import roundkeys, tree
from zksolv.errors import InputError
from zksolv.accounts import inclusion, keys, widerange
from zksolv.accounts import leaf as margin_leaf, tree as account_tree
from zksolv.accounts.layout import build as build_layout
from zksolv.market import load, parse as parse_market
from zksolv.market.fixed import format_fixed, parse_signed_amount
from zksolv.commitments import GENERATORS_DST, LABEL_G_VEC, LABEL_H, LABEL_H_VEC, LABEL_U, commit, derive
from zksolv.group import N, P, Point, base_mul
from zksolv.hashing import id_hash, leaf_hash
from zksolv.reserves import control_message, signing
from zksolv.roundkeys import NonceStream
from zksolv.rangeproof import prove
from zksolv.rangeproof.prover import _prove
from zksolv.commitments import generators
from zksolv.transcript import Transcript

FORMAT_VERSION = 1
SEED = b"zksolv vectors v1"
HERE = pathlib.Path(__file__).resolve().parent
RANGEPROOF_DOMAIN = b"zksolv/vectors"
CONTEXT_LABEL = b"context"


def seeded_stream() -> NonceStream:
    """The vectors' only randomness: zksolv's keyed nonce stream under a public seed."""
    return NonceStream(hashlib.sha256(SEED).digest())


def _file(algorithm: str, notes: dict, tests: list) -> dict:
    for i, t in enumerate(tests, 1):
        t["tc_id"] = i
    return {"algorithm": algorithm, "format_version": FORMAT_VERSION,
            "generator": "vectors/generate.py", "notes": notes, "numberOfTests": len(tests),
            "tests": tests}


def _case(comment, result, flags=(), **fields):
    return {"comment": comment, "result": result, "flags": list(flags), **fields}


def encodings(rng: NonceStream) -> dict:
    """Scalars and points: canonical ones decode, everything else is refused."""
    k = rng()
    pt = base_mul(k).to_bytes()
    x_off = next(x for x in range(5, 100) if pow(x**3 + 7, (P - 1) // 2, P) != 1)
    tests = [
        _case("scalar zero", "valid", kind="scalar", data=bytes(32).hex()),
        _case("scalar n−1", "valid", kind="scalar", data=(N - 1).to_bytes(32, "big").hex()),
        _case("random scalar", "valid", kind="scalar", data=k.to_bytes(32, "big").hex()),
        _case("scalar n", "invalid", ["ScalarOverflow"], kind="scalar", data=N.to_bytes(32, "big").hex()),
        _case("scalar 2^256−1", "invalid", ["ScalarOverflow"], kind="scalar", data="ff" * 32),
        _case("scalar 31 bytes", "invalid", ["WrongLength"], kind="scalar", data="01" * 31),
        _case("scalar 33 bytes", "invalid", ["WrongLength"], kind="scalar", data="00" * 33),
        _case("generator G", "valid", kind="point", data=base_mul(1).to_bytes().hex()),
        _case("random point", "valid", kind="point", data=pt.hex()),
        _case("odd y of the same x", "valid", kind="point", data=(bytes([pt[0] ^ 1]) + pt[1:]).hex()),
        _case("uncompressed prefix 04", "invalid", ["BadPrefix"], kind="point", data=("04" + pt[1:].hex())),
        _case("hybrid prefix 06", "invalid", ["BadPrefix"], kind="point", data=("06" + pt[1:].hex())),
        _case("prefix 00 (identity)", "invalid", ["Identity"], kind="point", data="00" * 33),
        _case("x = p", "invalid", ["XNotBelowP"], kind="point", data="02" + P.to_bytes(32, "big").hex()),
        _case("x = p + 1", "invalid", ["XNotBelowP"], kind="point", data="03" + (P + 1).to_bytes(32, "big").hex()),
        _case("x not on curve", "invalid", ["NotOnCurve"], kind="point", data="02" + x_off.to_bytes(32, "big").hex()),
        _case("32-byte point", "invalid", ["WrongLength"], kind="point", data=pt[:32].hex()),
        _case("65-byte uncompressed point", "invalid", ["WrongLength"], kind="point",
              data=("04" + base_mul(k).affine()[0].to_bytes(32, "big").hex()
                    + base_mul(k).affine()[1].to_bytes(32, "big").hex())),
    ]
    notes = {"ScalarOverflow": "scalar ≥ n", "WrongLength": "not 32/33 bytes",
             "BadPrefix": "point prefix other than 02/03", "Identity": "the identity is never encoded",
             "XNotBelowP": "x ≥ p", "NotOnCurve": "no point with this x"}
    return _file("zksolv-encodings", notes, tests)


def hash_to_curve_vectors(rng: NonceStream) -> dict:
    """The zksolv generators: hash_to_curve(label ‖ u32be(i), GENERATORS_DST)."""
    tests = []
    for label in (LABEL_H, LABEL_U):
        tests.append(_case(label.decode(), "valid", msg=label.hex(), point=derive(label).to_bytes().hex()))
    for label in (LABEL_G_VEC, LABEL_H_VEC):
        for i in (0, 1, 2, 255, 4095):
            msg = label + i.to_bytes(4, "big")
            tests.append(_case(f"{label.decode()}[{i}]", "valid", msg=msg.hex(),
                               point=derive(label, i).to_bytes().hex()))
    return _file("zksolv-generators", {"dst": GENERATORS_DST.decode()}, tests)


def commitment_vectors(rng: NonceStream) -> dict:
    """Pedersen commitments C = v·G + r·H; invalid rows pair C with another opening."""
    tests = []
    for v in (0, 1, 2**64 - 1, 10**18):
        r = rng()
        c = commit(v, r).to_bytes().hex()
        tests.append(_case(f"v = {v}", "valid", value=str(v), blinding=f"{r:064x}", commitment=c))
        tests.append(_case(f"v = {v}, value off by one", "invalid", ["WrongOpening"],
                           value=str(v + 1), blinding=f"{r:064x}", commitment=c))
        tests.append(_case(f"v = {v}, blinding off by one", "invalid", ["WrongOpening"],
                           value=str(v), blinding=f"{(r + 1) % N:064x}", commitment=c))
    return _file("zksolv-pedersen", {"WrongOpening": "the commitment is not to this (v, r)"}, tests)


def transcript_vectors(rng: NonceStream) -> dict:
    """Challenges after a sequence of appends (SPEC.md §4)."""
    sequences = [
        ("zksolv/test", [["append", "", ""], ["challenge", "x"]]),
        ("zksolv/test", [["append", "ab", "63"], ["challenge", "x"]]),
        ("zksolv/test", [["append", "a", "6263"], ["challenge", "x"]]),
        ("zksolv/rangeproof/v1", [["append", "V", base_mul(rng()).to_bytes().hex()],
                                  ["challenge", "y"], ["challenge", "z"]]),
    ]
    tests = []
    for domain, ops in sequences:
        t = Transcript(domain.encode())
        challenges = []
        for op in ops:
            if op[0] == "append":
                t.append(op[1].encode(), bytes.fromhex(op[2]))
            else:
                challenges.append(f"{t.challenge_scalar(op[1].encode()):064x}")
        tests.append(_case(f"{domain}: {len(ops)} operations", "valid", domain=domain, ops=ops,
                           challenges=challenges))
    return _file("zksolv-transcript", {"ops": "append: [label utf-8, data hex]; challenge: [label]"}, tests)


def rangeproof_transcript(context: bytes) -> Transcript:
    t = Transcript(RANGEPROOF_DOMAIN)
    t.append(CONTEXT_LABEL, context)
    return t


def _proof_case(comment, result, flags, n, context, commitments, proof_bytes):
    return _case(comment, result, flags, n=n, m=len(commitments), context=context.hex(),
                 commitments=[c.hex() for c in commitments], proof=proof_bytes.hex())


def _flip(data: bytes, index: int) -> bytes:
    out = bytearray(data)
    out[index] ^= 0x01
    return bytes(out)


def rangeproof_vectors(rng: NonceStream) -> dict:
    """Valid aggregated proofs and the ways a proof can be wrong."""
    tests = []
    context = b"acme-2026-11-21"
    for n, m in ((8, 1), (16, 2), (32, 4), (64, 1), (64, 2), (128, 1)):
        values = [(rng() % (1 << n)) for _ in range(m)]
        values[0] = (1 << n) - 1
        blindings = [rng() for _ in range(m)]
        proof, V = prove(rangeproof_transcript(context), values, blindings, n, rng=rng)
        enc = [v.to_bytes() for v in V]
        data = proof.to_bytes()
        tests.append(_proof_case(f"n={n} m={m}", "valid", [], n, context, enc, data))
        if (n, m) != (16, 2):
            continue
        for name, index in (("A", 0), ("T2", 3 * 33 + 5), ("t_x", 4 * 33 + 31), ("L_0", 4 * 33 + 96 + 7),
                            ("a", len(data) - 33), ("b", len(data) - 1)):
            tests.append(_proof_case(f"flipped bit in {name}", "invalid", ["ModifiedProof"], n, context,
                                     enc, _flip(data, index)))
        tests.append(_proof_case("flipped bit in V_1", "invalid", ["ModifiedCommitment"], n, context,
                                 [enc[0], _flip(enc[1], 20)], data))
        tests.append(_proof_case("commitments swapped", "invalid", ["ModifiedCommitment"], n, context,
                                 enc[::-1], data))
        tests.append(_proof_case("other attestation context", "invalid", ["WrongContext"], n,
                                 b"acme-2026-11-22", enc, data))
        tests.append(_proof_case("declared n = 32 with one commitment", "invalid", ["WrongParameters"],
                                 32, context, enc[:1], data))
        tests.append(_proof_case("truncated by one byte", "invalid", ["BadEncoding"], n, context, enc,
                                 data[:-1]))
        overflow = data[: 4 * 33] + N.to_bytes(32, "big") + data[4 * 33 + 32 :]
        tests.append(_proof_case("t_x = n (non-canonical)", "invalid", ["BadEncoding"], n, context, enc,
                                 overflow))
    for value, comment in (((1 << 16), "value 2^16 with n = 16"), (N - 1, "value −1 with n = 16")):
        proof, V = _prove(rangeproof_transcript(context), [value, 5], [rng(), rng()], 16,
                          generators(), rng)
        tests.append(_proof_case(comment, "invalid", ["OutOfRange"], 16, context,
                                 [v.to_bytes() for v in V], proof.to_bytes()))
    notes = {"transcript": f"Transcript({RANGEPROOF_DOMAIN.decode()!r}) then append({CONTEXT_LABEL.decode()!r}, context)",
             "ModifiedProof": "one bit of the proof flipped", "ModifiedCommitment": "V changed",
             "WrongContext": "verified under another context", "WrongParameters": "n or m not the proven ones",
             "BadEncoding": "not a canonical proof encoding", "OutOfRange": "a committed value outside [0, 2^n)"}
    return _file("zksolv-bulletproofs-aggregated", notes, tests)


def roundkey_vectors(rng: NonceStream) -> dict:
    """Per-round secret derivations (SPEC.md §6.2) from a fixed master secret."""
    master = rng().to_bytes(32, "big")
    tests = []
    for user_id, asset in (("alice", "BTC"), ("bob@example.com", "ETH"), ("ユーザー-7", "USDT")):
        secret = roundkeys.user_secret(master, user_id)
        salt = roundkeys.leaf_salt(secret, asset)
        digest = id_hash(user_id, salt)
        tests.append(_case(f"user {user_id} / {asset}", "valid", master=master.hex(), user_id=user_id,
                           asset=asset, user_secret=secret.hex(), leaf_salt=salt.hex(),
                           leaf_blinding=f"{roundkeys.leaf_blinding(secret, asset):064x}", id_hash=digest.hex(),
                           order_key=roundkeys.order_key(master, asset, digest).hex()))
    for index in (0, 1, 1023):
        tests.append(_case(f"padding leaf {index} / BTC", "valid", master=master.hex(), asset="BTC", index=index,
                           padding_id=roundkeys.padding_id_hash(master, "BTC", index).hex(),
                           padding_blinding=f"{roundkeys.padding_blinding(master, 'BTC', index):064x}"))
    return _file("zksolv-round-secrets", {}, tests)


def tree_vectors(rng: NonceStream) -> dict:
    """A 4-leaf sum tree (SPEC.md §6.3) and inclusion walks through it, valid and not."""
    asset, leaves = "BTC", []
    for value in (5, 0, 123456789, 2**64 - 1):
        blinding, digest = rng(), rng().to_bytes(32, "big")
        c = commit(value, blinding)
        leaves.append({"value": str(value), "blinding": f"{blinding:064x}", "id_hash": digest.hex(),
                       "commitment": c.to_bytes().hex(), "hash": leaf_hash(asset, digest, c.to_bytes()).hex()})
    levels = tree.build([Point.from_bytes(bytes.fromhex(x["commitment"])) for x in leaves],
                        [bytes.fromhex(x["hash"]) for x in leaves])
    root_c, root_h = levels[-1].node(0)
    tests = [_case("the tree", "valid", asset=asset, leaves=leaves,
                   root={"commitment": root_c.hex(), "hash": root_h.hex()})]
    for index in range(4):
        path = [[c.hex(), h.hex()] for c, h in tree.path(levels, index)]
        tests.append(_case(f"walk from leaf {index}", "valid", index=index, leaf=leaves[index], path=path,
                           root={"commitment": root_c.hex(), "hash": root_h.hex()}))
    path = [[c.hex(), h.hex()] for c, h in tree.path(levels, 2)]
    swapped = [[path[0][0], path[1][1]], path[1]]
    tests.append(_case("sibling hash from another level", "invalid", ["ModifiedPath"], index=2, leaf=leaves[2],
                       path=swapped, root={"commitment": root_c.hex(), "hash": root_h.hex()}))
    tests.append(_case("sibling commitment replaced", "invalid", ["ModifiedPath"], index=2, leaf=leaves[2],
                       path=[[leaves[0]["commitment"], path[0][1]], path[1]],
                       root={"commitment": root_c.hex(), "hash": root_h.hex()}))
    tests.append(_case("wrong leaf index", "invalid", ["ModifiedPath"], index=3, leaf=leaves[2], path=path,
                       root={"commitment": root_c.hex(), "hash": root_h.hex()}))
    return _file("zksolv-sum-tree", {"ModifiedPath": "the walk must not reach the root"}, tests)


def reserves_vectors(rng: NonceStream) -> dict:
    """Proofs of control (SPEC.md §6.4) by fixed keys, RFC 6979 signatures."""
    from coincurve import PrivateKey

    key = PrivateKey(rng().to_bytes(32, "big"))
    attestation = "acme-2026-11-21"
    tests = []
    eth = signing.ethereum_address(key)
    msg = control_message(attestation, eth)
    sig = signing.ethereum_sign(key, msg)
    tests.append(_case("ethereum personal_sign", "valid", chain="ethereum", address=eth,
                       message=msg.decode(), signature=sig))
    tests.append(_case("ethereum, v as 0/1", "valid", chain="ethereum", address=eth.lower(),
                       message=msg.decode(), signature=sig[:-2] + f"{int(sig[-2:], 16) - 27:02x}"))
    old = control_message("acme-2026-10-21", eth)
    tests.append(_case("ethereum, signature of another attestation", "invalid", ["Replay"], chain="ethereum",
                       address=eth, message=msg.decode(), signature=signing.ethereum_sign(key, old)))
    for kind in ("p2wpkh", "p2pkh"):
        address = signing.bitcoin_address(key, kind)
        msg = control_message(attestation, address)
        sig = signing.bitcoin_sign(key, msg, kind)
        tests.append(_case(f"bitcoin signmessage {kind}", "valid", chain="bitcoin", address=address,
                           message=msg.decode(), signature=sig))
        raw = base64.b64decode(sig)
        other = bytes([raw[0] + (8 if kind == "p2pkh" else -4)]) + raw[1:]  # P2WPKH, P2SH-P2WPKH
        tests.append(_case(f"bitcoin {kind}, header of another address kind", "invalid", ["WrongHeader"],
                           chain="bitcoin", address=address, message=msg.decode(),
                           signature=base64.b64encode(other).decode()))
    notes = {"Replay": "a valid signature over another attestation's message",
             "WrongHeader": "the header describes another kind of address"}
    return _file("zksolv-proof-of-control", notes, tests)


# -- market data (SPEC.md §6.12) ------------------------------------------------------------

MARKET_ASSETS = ("BTC", "ETH", "USDT", "SOL", "XRP")
MARKET_DECIMALS = {"BTC": 8, "ETH": 18, "USDT": 6, "SOL": 9, "XRP": 6}
MARKET_EXAMPLE = {"quote": "USD", "decimals": 2,
           "assets": {"BTC": {"price": "97000.00", "haircut": [["10", "95"], ["100", "80"], [None, "50"]]},
                      "USDT": {"price": "1.00", "haircut": [[None, "100"]]}},
           "min_collateral_percent": "100",
           "scenarios": [{"name": "crash", "shock_percent": {"BTC": "-40", "USDT": "-0.5"}}]}
# (comment, flag, replace this text of MARKET_EXAMPLE's JSON, by this, the error an implementation gives)
MARKET_INVALID = [
    ("rates increase", "TierOrder", '["100", "80"]', '["100", "96"]', "assets.BTC.haircut[1]: rates must not increase"),
    ("bounds do not increase", "TierOrder", '["100", "80"]', '["10", "80"]', "assets.BTC.haircut[1]: tier bounds must increase"),
    ("last bound not null", "TierShape", '[null, "50"]', '["1000", "50"]', "assets.BTC.haircut[2][0]: the last tier's bound must be null"),
    ("rate above 100", "Range", '[null, "100"]', '[null, "100.01"]', "assets.USDT.haircut[0][1]: must be from 0 to 100"),
    ("bound finer than the asset's decimals", "Decimals", '["10", "95"]', '["0.000000001", "95"]', "assets.BTC.haircut[0][0]: '0.000000001' has 9 fraction digits"),
    ("price as a JSON number", "NotAString", '"97000.00"', "97000.00", "assets.BTC.price: must be a decimal string"),
    ("price zero", "Range", '"1.00"', '"0"', "assets.USDT.price: must be above 0"),
    ("price with an exponent", "NotDecimal", '"97000.00"', '"9.7e4"', "assets.BTC.price: '9.7e4' is not a plain decimal number"),
    ("price finer than the quote", "Decimals", '"97000.00"', '"97000.001"', "assets.BTC.price: '97000.001' has 3 fraction digits"),
    ("minimum below 100 %", "Range", '"min_collateral_percent": "100"', '"min_collateral_percent": "99"', "min_collateral_percent: must be from 100 to 10000"),
    ("shock below -100 %", "Range", '"-40"', '"-101"', "scenarios[0].shock_percent.BTC: must be from -100 to 10000"),
    ("shock of an unknown asset", "UnknownAsset", '"USDT": "-0.5"', '"DOGE": "-0.5"', "scenarios[0].shock_percent.DOGE: not an asset of this file"),
    ("scenario named base", "Reserved", '"crash"', '"base"', "scenarios[0].name: 'base' is the unshocked prices' name, reserved"),
    ("unknown field", "ExtraField", '"quote": "USD"', '"quote": "USD", "note": "x"', "note: unknown field"),
    ("duplicate key", "DuplicateKey", '"quote": "USD"', '"quote": "USD", "quote": "EUR"', 'duplicate key "quote"'),
    ("asset not attested", "UnknownAsset", '"USDT": {"price"', '"DOGE": {"price"', "assets.DOGE: not an attested asset"),
]
MARKET_NOTES = {
    "TierOrder": "haircut tiers whose bounds do not increase or whose rates increase",
    "TierShape": "a tier table whose last bound is not null (or another is)",
    "Range": "a price, rate, minimum or shock outside its range",
    "Decimals": "more fraction digits than the field allows",
    "NotAString": "a JSON number where a decimal string is required",
    "NotDecimal": "a string that is not a plain decimal",
    "UnknownAsset": "an asset that is not attested, or not in the file",
    "Reserved": "the scenario name base",
    "ExtraField": "a field the format does not have",
    "DuplicateKey": "a key twice in one object",
}


def _draw(rng: NonceStream, low: int, high: int) -> int:
    """An integer in [low, high] (the stream's 256-bit values make the bias negligible)."""
    return low + rng() % (high - low + 1)


def _decimal(units: int, places: int) -> str:
    whole, fraction = divmod(units, 10**places)
    return f"{whole}.{fraction:0{places}d}" if places else str(whole)


def _random_tiers(rng: NonceStream, places: int) -> list:
    tiers, upper, rate = [], 0, _draw(rng, 0, 10_000)
    for _ in range(_draw(rng, 0, 3)):
        upper += _draw(rng, 1, 10**(places + 3))
        tiers.append([_decimal(upper, places), _decimal(rate, 2)])
        rate = _draw(rng, 0, rate)
    return tiers + [[None, _decimal(rate, 2)]]


def _random_market(rng: NonceStream) -> tuple[dict, dict]:
    assets = [a for a in MARKET_ASSETS if rng() % 2] or ["BTC"]
    quote_places = _draw(rng, 0, 8)
    doc = {"quote": "USD", "decimals": quote_places,
           "assets": {a: {"price": _decimal(_draw(rng, 1, 10**(quote_places + 6)), quote_places),
                          "haircut": _random_tiers(rng, MARKET_DECIMALS[a])} for a in assets},
           "min_collateral_percent": _decimal(_draw(rng, 10_000, 30_000), 2),
           "scenarios": [{"name": f"s{i}", "shock_percent": {
               a: _decimal(_draw(rng, 0, 20_000), 2) if rng() % 2 else "-" + _decimal(_draw(rng, 0, 10_000), 2)
               for a in assets if rng() % 2}} for i in range(_draw(rng, 0, 3))]}
    return doc, {a: MARKET_DECIMALS[a] for a in assets}


def _market_valid(comment: str, text: str, decimals: dict, tmp: pathlib.Path) -> dict:
    path = tmp / "prices.json"
    path.write_text(text, encoding="utf-8")
    market = load(path, decimals)
    coeffs = market.coefficients(decimals)
    return {"comment": comment, "result": "valid", "flags": [], "text": text, "decimals": decimals,
            "normalized": market.to_json(), "digest": market.digest().hex(),
            "scenarios": list(coeffs.scenarios),
            "collateral": [{a: [str(c) for c in t] for a, t in s.items()} for s in coeffs.collateral],
            "debt": [{a: str(c) for a, c in s.items()} for s in coeffs.debt]}


def _market_invalid(entry, tmp: pathlib.Path) -> dict:
    comment, flag, old, new, error = entry
    base = json.dumps(MARKET_EXAMPLE)
    if base.count(old) != 1:
        raise SystemExit(f"vector {comment!r}: {old!r} is not unique in the example")
    text = base.replace(old, new)
    path = tmp / "prices.json"
    path.write_text(text, encoding="utf-8")
    decimals = {"BTC": 8, "USDT": 6}
    try:
        load(path, decimals)
    except InputError as exc:
        if not str(exc).startswith(f"{path}: {error}"):
            raise SystemExit(f"vector {comment!r}: expected {error!r}, got {exc}") from None
        return {"comment": comment, "result": "invalid", "flags": [flag], "text": text,
                "decimals": decimals, "error": error}
    raise SystemExit(f"vector {comment!r}: the file was accepted")

def market_vectors(rng: NonceStream) -> dict:
    """Market-data files (SPEC.md §6.12): valid ones with their normalized form, digest and
    coefficient tables; invalid ones with the field and message they are refused with.
    (Its "generator" field still names the script it came from, so the file is unchanged.)"""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        tests = [_market_valid("the example of SPEC.md §6.12.1", json.dumps(MARKET_EXAMPLE),
                               {"BTC": 8, "USDT": 6}, tmp)]
        for i in range(8):
            doc, decimals = _random_market(rng)
            tests.append(_market_valid(f"random market {i}", json.dumps(doc), decimals, tmp))
        tests += [_market_invalid(entry, tmp) for entry in MARKET_INVALID]
    doc = _file("zksolv market data (SPEC.md §6.12)", MARKET_NOTES, tests)
    doc["generator"] = "vectors/generate_market.py"
    return doc


# -- margin accounts (SPEC.md §6.13–§6.16) ---------------------------------------------------

MARGIN_MARKET = {"quote": "USD", "decimals": 2,
                 "assets": {"BTC": {"price": "97000.00", "haircut": [["10", "95"], ["100", "80"], [None, "50"]]},
                            "USDT": {"price": "1.00", "haircut": [[None, "100"]]}},
                 "min_collateral_percent": "120",
                 "scenarios": [{"name": "crash", "shock_percent": {"BTC": "-40"}},
                               {"name": "rally", "shock_percent": {"BTC": "50"}}]}
MARGIN_DECIMALS = {"BTC": 8, "USDT": 6}
MARGIN_LEAF_BITS = {"BTC": 64, "USDT": 128}   # claims on 1, 2 and 3 limbs
MARGIN_CONTEXT = b"acme-2026-12-04/margin_leaf/"
MARGIN_ACCOUNTS = (("alice", {"BTC": "2.5", "USDT": "-50000"}), ("bob", {"BTC": "-0.1", "USDT": "20000"}),
                   None, ("carol", {"BTC": "150", "USDT": "-1000000"}))
"""Leaf i of the 4-leaf account tree: a customer (id, balances) or padding (None)."""


def _unchecked_prove(transcript, values, blindings, n, backend=None, rng=None):
    """The range-proof protocol without its range check: a cheater's proofs (invalid rows)."""
    return _prove(transcript, [v % N for v in values], list(blindings), n, generators(backend), rng)


def _residue_split(value: int, k: int) -> list[int]:
    """A cheater's limbs of `value` mod n: the low k − 1 limbs, then all the rest on top."""
    r = value % N
    return [(r >> (64 * i)) & ((1 << 64) - 1) for i in range(k - 1)] + [r >> (64 * (k - 1))]


def _margin_layout():
    market = parse_market(MARGIN_MARKET, MARGIN_DECIMALS, "vectors")
    return market, build_layout(market.coefficients(MARGIN_DECIMALS), MARGIN_LEAF_BITS)


def _margin_units(balances: dict) -> dict:
    return {a: parse_signed_amount(balances.get(a, "0"), d) for a, d in MARGIN_DECIMALS.items()}


def _signed(units: dict) -> dict:
    return {a: format_fixed(u, MARGIN_DECIMALS[a]) for a, u in units.items()}


@functools.cache
def _margin_round():
    """The vectors' margin round: master secret, market, layout, each leaf opened (no
    proofs: the leaf hash does not bind them), the account tree's root and levels."""
    rng = NonceStream(hashlib.sha256(b"zksolv vectors v1 margin-round").digest())
    master = rng().to_bytes(32, "big")
    market, lay = _margin_layout()
    accounts, builder = [], account_tree.Builder()
    for i, entry in enumerate(MARGIN_ACCOUNTS):
        user, balances = entry or (None, {})
        key, digest = keys.padding(master, i) if user is None else \
            keys.customer(roundkeys.user_secret(master, user), user)
        units = _margin_units(balances)
        opened = margin_leaf.open_leaf(lay, key, digest, margin_leaf.slot_values(lay, units))
        accounts.append({"index": i, "user_id": user, "key": key, "units": units, "opened": opened})
        builder.push(account_tree.leaf_node(margin_leaf.node_points(lay, opened.leaf), opened.leaf.hash()))
    return master, market, lay, accounts, builder.root(), builder.levels()


def _round_json(market, capacity=None, root=None) -> dict:
    out = {"market": market.to_json(), "decimals": MARGIN_DECIMALS, "leaf_bits": MARGIN_LEAF_BITS}
    if capacity is not None:
        out.update(capacity=capacity, root=_node_json(*root))
    return out


def _node_json(cs: bytes, digest: bytes) -> dict:
    return {"commitments": [cs[k : k + 33].hex() for k in range(0, len(cs), 33)], "hash": digest.hex()}


def _layout_json(lay) -> dict:
    return {"slots": list(lay.slots),
            "claims": [{"name": c.name, "constant": str(c.constant), "terms": [[i, str(k)] for i, k in c.terms],
                        "limbs": c.limbs} for c in lay.claims],
            "limb_values": lay.limb_values, "parts": widerange.part_sizes(lay.limb_values),
            "leaf_bytes": margin_leaf.size(lay)}


def wide_claim_vectors(rng: NonceStream) -> dict:
    """Claims over 64-bit limbs (SPEC.md §6.13): the split, the published high limbs, the
    verifier's derived low limb, the parts of a leaf's values, and proven claims."""
    tests = []
    for value, k in ((0, 1), (2**64 - 1, 1), (2**64, 2), (2**128 - 1, 2), (rng() % 2**192, 3), (2**192 - 1, 3)):
        r, highs = rng(), [rng() for _ in range(k - 1)]
        opened = widerange.open_claim(widerange.split(value, k), r, lambda i: highs[i - 1])
        x = commit(value, r)
        tests.append(_case(f"{k} limb(s), a {value.bit_length()}-bit value", "valid",
                           kind="claim", value=str(value), limbs=k, blinding=f"{r:064x}",
                           high_blindings=[f"{h:064x}" for h in highs], commitment=x.to_bytes().hex(),
                           limb_values=[str(v) for v in opened.values], highs=[p.to_bytes().hex() for p in opened.highs],
                           low_limb=widerange.derive_limbs(x, opened.highs)[0].to_bytes().hex(),
                           low_blinding=f"{opened.blindings[0]:064x}"))
    for value, k, flag in ((2**64, 1, "OutOfRange"), (2**192, 3, "OutOfRange"), (-1, 2, "OutOfRange"),
                           (5, 4, "TooManyLimbs"), (5, 0, "TooManyLimbs")):
        tests.append(_case(f"value {value} on {k} limbs", "invalid", [flag], kind="claim", value=str(value), limbs=k))
    for count in (1, 3, 19, 36, 2**16, 2**17 - 1):
        tests.append(_case(f"{count} limb values", "valid", kind="parts", count=count,
                           sizes=widerange.part_sizes(count), bytes=widerange.proofs_size(count)))
    for count in (0, 2**17):
        tests.append(_case(f"{count} limb values", "invalid", ["TooManyValues"], kind="parts", count=count))
    tests += _wide_proof_cases(rng)
    notes = {"OutOfRange": "a value outside [0, 2^(64·limbs))", "TooManyLimbs": "limbs not from 1 to 3",
             "TooManyValues": "no split into aggregated proofs of at most 2^16 values",
             "ModifiedProof": "one bit of a proof flipped", "ModifiedCommitment": "a high limb changed",
             "transcript": "every part: Transcript(\"zksolv/vectors\"), append(\"context\", context)"}
    return _file("zksolv-wide-claims", notes, tests)


def _wide_proof_cases(rng: NonceStream) -> list:
    """One claim on 2 limbs and one on 3 (together 5 values: parts of 4 and 1), proven."""
    context = MARGIN_CONTEXT + b"wide"
    claims, values, blinds, highs = [], [], [], []
    for value, k in ((2**64 + 5, 2), (2**150 + 12345, 3)):
        r, hr = rng(), [rng() for _ in range(k - 1)]
        opened = widerange.open_claim(widerange.split(value, k), r, lambda i: hr[i - 1])
        claims.append({"commitment": commit(value, r).to_bytes().hex(), "highs": [p.to_bytes().hex() for p in opened.highs]})
        values += opened.values
        blinds += opened.blindings
    proofs = widerange.prove_parts(lambda j: rangeproof_transcript(context), values, blinds, lambda j: rng)
    data = widerange.encode_proofs(proofs)
    def case(comment, result, flags, c=claims, d=data):
        return _case(comment, result, flags, kind="proof", context=context.hex(), claims=c, proofs=d.hex())
    bad_high = [claims[0], dict(claims[1], highs=[claims[1]["highs"][1], claims[1]["highs"][0]])]
    forged = _forged_wide_proof(rng, context)
    return [case("claims on 2 and 3 limbs", "valid", []),
            case("flipped bit in the first part", "invalid", ["ModifiedProof"], d=_flip(data, 40)),
            case("flipped bit in the last part", "invalid", ["ModifiedProof"], d=_flip(data, len(data) - 40)),
            case("high limbs swapped", "invalid", ["ModifiedCommitment"], c=bad_high),
            case("value −1 on 2 limbs, its residue's top limb proven unchecked", "invalid", ["OutOfRange"],
                 c=forged[0], d=forged[1])]


def _forged_wide_proof(rng: NonceStream, context: bytes):
    r, hr = rng(), rng()
    opened = widerange.open_claim(_residue_split(-1, 2), r, lambda i: hr)
    proofs = widerange.prove_parts(lambda j: rangeproof_transcript(context), opened.values, opened.blindings,
                                   lambda j: rng, _unchecked_prove)
    claim = {"commitment": commit(N - 1, r).to_bytes().hex(), "highs": [opened.highs[0].to_bytes().hex()]}
    return [claim], widerange.encode_proofs(proofs)


def margin_leaf_vectors(rng: NonceStream) -> dict:
    """The round's layout and every leaf of the vectors' account tree (SPEC.md §6.14):
    inputs → slot values, commitments, high limbs, leaf hash, node; proven, and modified."""
    master, market, lay, accounts, _, _ = _margin_round()
    tests = [_case("the round's layout", "valid", kind="layout", **_round_json(market), layout=_layout_json(lay))]
    proven = {}
    for acc in accounts:
        context = MARGIN_CONTEXT + acc["index"].to_bytes(8, "big")
        done = margin_leaf.prove_opening(acc["opened"], lambda: rangeproof_transcript(context), lambda j: rng)
        proven[acc["index"]] = done.to_bytes()
        tests.append(_leaf_case(master, market, lay, acc, context, done))
    alice, context = proven[0], MARGIN_CONTEXT + bytes(8)
    head = 32 + 33 * (len(lay.slots) + lay.published_limbs)
    def leaf_case(comment, flags, data, ctx=context):
        return _case(comment, "invalid", flags, kind="leaf", **_round_json(market), context=ctx.hex(),
                     leaf=data.hex())
    tests += [leaf_case("flipped bit in a proof", ["ModifiedProof"], _flip(alice, head + 70)),
              leaf_case("flipped bit in H_id", ["ModifiedCommitment"], _flip(alice, 3)),
              leaf_case("slot commitments 0 and 1 swapped", ["ModifiedCommitment"],
                        alice[:32] + alice[65:98] + alice[32:65] + alice[98:]),
              leaf_case("verified as leaf 1", ["WrongContext"], alice, MARGIN_CONTEXT + (1).to_bytes(8, "big")),
              leaf_case("truncated by one byte", ["BadEncoding"], alice[:-1]),
              leaf_case("an account owing 1000 USDT with no collateral, proven unchecked", ["OutOfRange"],
                        _forged_leaf(master, lay, rng, context))]
    notes = {"ModifiedProof": "one bit of a proof flipped", "ModifiedCommitment": "H_id or a commitment changed",
             "WrongContext": "verified under another leaf's context", "BadEncoding": "not the layout's size",
             "OutOfRange": "a claim outside its range (v_s < 0)",
             "transcript": "every part: Transcript(\"zksolv/vectors\"), append(\"context\", context), "
                           "append(\"margin-leaf\", leaf hash)"}
    return _file("zksolv-margin-leaf", notes, tests)


def _leaf_case(master, market, lay, acc, context, done) -> dict:
    who = {"padding_index": acc["index"], "master": master.hex()} if acc["user_id"] is None else \
        {"user_id": acc["user_id"], "user_secret": acc["key"].hex()}
    opened, lf = acc["opened"], done
    node = account_tree.leaf_node(margin_leaf.node_points(lay, lf), lf.hash())
    return _case(f"leaf {acc['index']}: " + (acc["user_id"] or "padding"), "valid", kind="leaf", **_round_json(market),
                 **who, balances=_signed(acc["units"]), id_hash=lf.id_hash.hex(),
                 slot_values=[str(v) for v in margin_leaf.slot_values(lay, acc["units"])],
                 slots=[p.to_bytes().hex() for p in lf.slots],
                 highs=[[p.to_bytes().hex() for p in h] for h in lf.highs],
                 limb_values=[str(v) for v in opened.values], hash=lf.hash().hex(),
                 node=_node_json(node[1], node[2]), context=context.hex(), leaf=lf.to_bytes().hex())


def _forged_leaf(master, lay, rng, context) -> bytes:
    key, digest = keys.customer(roundkeys.user_secret(master, "mallory"), "mallory")
    values = margin_leaf.slot_values(lay, _margin_units({"USDT": "-1000"}))
    opened = margin_leaf.open_leaf(lay, key, digest, values, split=_residue_split)
    return margin_leaf.prove_opening(opened, lambda: rangeproof_transcript(context), lambda j: rng,
                                     prove=_unchecked_prove).to_bytes()


def account_tree_vectors(rng: NonceStream) -> dict:
    """The vectors' 4-leaf account tree and a 3072-leaf forest (SPEC.md §6.15): leaf nodes
    (or, for the forest, its subtrees' roots) → root, and walks."""
    _, _, lay, _, root, levels = _margin_round()
    leaves = [_node_json(*levels[0].node(i)) for i in range(4)]
    tests = [_case("the tree", "valid", assets=list(lay.assets), capacity=4, leaves=leaves, root=_node_json(*root))]
    def walk(comment, result, flags, index, leaf, path, capacity=4, root=root):
        return _case(comment, result, flags, assets=list(lay.assets), capacity=capacity, index=index, leaf=leaf,
                     path=path, root=_node_json(*root))
    paths = [[_node_json(c, h) for c, h in account_tree.path(levels, i)] for i in range(4)]
    for i in range(4):
        tests.append(walk(f"walk from leaf {i}", "valid", [], i, leaves[i], paths[i]))
    p = paths[1]
    swapped = dict(p[0], commitments=[p[0]["commitments"][k ^ 1] for k in range(len(p[0]["commitments"]))])
    tests += [walk("sibling hash from another level", "invalid", ["ModifiedPath"], 1, leaves[1],
                   [dict(p[0], hash=p[1]["hash"]), p[1]]),
              walk("sibling's equity and debt sums swapped", "invalid", ["ModifiedPath"], 1, leaves[1], [swapped, p[1]]),
              walk("level-2 sibling replaced by leaf 3's node", "invalid", ["ModifiedPath"], 1, leaves[1], [p[0], leaves[3]]),
              walk("wrong leaf index", "invalid", ["ModifiedPath"], 0, leaves[1], p),
              walk("path one level short", "invalid", ["ModifiedPath"], 1, leaves[1], p[:1])]
    tests += _forest_vectors(rng, list(lay.assets), walk)
    return _file("zksolv-account-tree", {"ModifiedPath": "the walk must not reach the root",
                                         "PathShape": "not the path (capacity, index) gives",
                                         "OutOfRange": "an index at or beyond the capacity",
                                         "OtherCapacity": "the forest's root read under another capacity"}, tests)


FOREST_CAPACITY = 3072          # 2048 + 1024: the smallest capacity that is not a power of two


def _forest_vectors(rng: NonceStream, assets: list, walk) -> list:
    """A 3072-leaf forest of synthetic leaf nodes (the tree only sums and hashes them):
    its two subtrees' roots → root, walks from both subtrees, and walks that must fail."""
    width = 2 * len(assets)
    points, step = [base_mul(rng()) for _ in range(width)], [base_mul(rng()) for _ in range(width)]
    builder = account_tree.Builder()
    for _ in range(FOREST_CAPACITY):
        points = [a + b for a, b in zip(points, step)]
        builder.push(account_tree.leaf_node(tuple(points), rng().to_bytes(32, "big")))
    root, levels = builder.root(FOREST_CAPACITY), builder.levels(FOREST_CAPACITY)
    leaf = lambda i: _node_json(*levels[0].node(i))
    path = lambda i: [_node_json(c, h) for c, h in account_tree.path(levels, i, FOREST_CAPACITY)]
    forest = lambda comment, result, flags, index, leaf, path, capacity=FOREST_CAPACITY: \
        walk(comment, result, flags, index, leaf, path, capacity, root)
    subtrees = [_node_json(*levels[11].node(0)), _node_json(*levels[10].node(2))]
    out = [_case("the forest of 3072: subtrees of 2048 and 1024 folded", "valid", assets=assets,
                 capacity=FOREST_CAPACITY, subtrees=subtrees, root=_node_json(*root))]
    out += [forest(f"forest walk from leaf {i}", "valid", [], i, leaf(i), path(i)) for i in (0, 1234, 2047, 2048, 3071)]
    out += [forest("index at the capacity (walks as 2048 would)", "invalid", ["OutOfRange"], 3072, leaf(2048), path(2048)),
            forest("leaf 2048 shown at index 1024 of the first subtree", "invalid", ["PathShape"], 1024, leaf(2048),
                   path(2048)),
            forest("one sibling too many", "invalid", ["PathShape"], 2048, leaf(2048), path(2048) + path(2048)[-1:]),
            forest("fold sibling dropped", "invalid", ["PathShape"], 5, leaf(5), path(5)[:-1]),
            forest("second subtree's leaf read under capacity 2048", "invalid", ["OtherCapacity"], 1024 + 9,
                   leaf(2048 + 9), path(2048 + 9), capacity=2048)]
    return out


def inclusion_margin_vectors(rng: NonceStream) -> dict:
    """Margin parts of version-2 inclusion proofs (SPEC.md §6.16) against the vectors' tree."""
    master, market, lay, accounts, root, levels = _margin_round()
    customers = {a["user_id"]: a for a in accounts if a["user_id"]}
    parts = {u: inclusion.build(u, a["key"], a["units"], a["index"], account_tree.path(levels, a["index"]),
                                lay, MARGIN_DECIMALS) for u, a in customers.items()}
    def case(comment, result, flags, user, part, **more):
        return _case(comment, result, flags, **_round_json(market, 4, root), user_id=user,
                     user_secret=customers.get(user, customers["alice"])["key"].hex(), part=part, **more)
    tests = [case(f"{u}'s part", "valid", [], u, part,
                  shown=inclusion.shown(lay, MARGIN_DECIMALS, customers[u]["units"], customers[u]["index"],
                                        market.coefficients(MARGIN_DECIMALS).scenarios))
             for u, part in parts.items()]
    tests += _inclusion_invalid(case, parts["alice"], parts["bob"])
    notes = {"ModifiedBalance": "a balance other than the leaf's", "DebtAsEquity": "a debt shown as a holding",
             "OtherUser": "checked by another customer", "WrongIndex": "another leaf position",
             "PathLength": "not log2(capacity) siblings", "NonCanonical": "a field not in its one accepted form",
             "ProvesNothing": "every balance zero", "NoSuchLeaf": "balances no leaf of the round can hold",
             "ModifiedPath": "a sibling changed"}
    return _file("zksolv-inclusion-margin", notes, tests)


def _inclusion_invalid(case, alice: dict, bob: dict) -> list:
    def changed(**balances):
        return dict(alice, balances=dict(alice["balances"], **balances))
    entry = alice["path"][0]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    spare = alphabet[alphabet.index(entry[-2]) ^ 1]   # 164 bytes: the last data character has 2 spare bits
    return [
        case("a debt made smaller", "invalid", ["ModifiedBalance"], "alice", changed(USDT="-49999.99")),
        case("the debt shown as a holding", "invalid", ["DebtAsEquity"], "alice", changed(USDT="50000")),
        case("bob's id on alice's part", "invalid", ["OtherUser"], "bob", alice),
        case("alice's part at bob's index", "invalid", ["WrongIndex"], "alice", dict(alice, leaf_index=1)),
        case("one sibling left out", "invalid", ["PathLength"], "alice", dict(alice, path=alice["path"][:1])),
        case("a sibling from bob's path", "invalid", ["ModifiedPath"], "alice", dict(alice, path=[bob["path"][0], alice["path"][1]])),
        case("balance 2.50", "invalid", ["NonCanonical"], "alice", changed(BTC="2.50")),
        case("spare base64 bits set", "invalid", ["NonCanonical"], "alice",
             dict(alice, path=[entry[:-2] + spare + entry[-1:], alice["path"][1]])),
        case("every balance zero", "invalid", ["ProvesNothing"], "alice", changed(BTC="0", USDT="0")),
        case("a debt the collateral cannot cover", "invalid", ["NoSuchLeaf"], "alice", changed(USDT="-500000")),
    ]


BUILDERS = {
    "encodings.json": encodings,
    "generators.json": hash_to_curve_vectors,
    "pedersen.json": commitment_vectors,
    "transcript.json": transcript_vectors,
    "rangeproof.json": rangeproof_vectors,
    "round-secrets.json": roundkey_vectors,
    "sum-tree.json": tree_vectors,
    "proof-of-control.json": reserves_vectors,
}
"""Files drawing, in this order, from the one stream under SEED."""
OWN_STREAMS = {
    "market.json": (b"zksolv vectors v1 market", market_vectors),
    "wide-claims.json": (b"zksolv vectors v1 wide-claims", wide_claim_vectors),
    "margin-leaf.json": (b"zksolv vectors v1 margin-leaf", margin_leaf_vectors),
    "account-tree.json": (b"zksolv vectors v1 account-tree", account_tree_vectors),
    "inclusion-margin.json": (b"zksolv vectors v1 inclusion-margin", inclusion_margin_vectors),
    "control-bitcoin.json": (b"zksolv vectors v1 control-bitcoin", __import__("gen_bitcoin").vectors),
}
"""Files with a stream of their own (SHA-256 of their seed), so that adding or changing one
moves no other."""


def render() -> dict[str, bytes]:
    """Every file the generator writes, by its path under vectors/."""
    rng = seeded_stream()
    docs = {name: build(rng) for name, build in BUILDERS.items()}
    for name, (seed, build) in OWN_STREAMS.items():
        docs[name] = build(NonceStream(hashlib.sha256(seed).digest()))
    docs.update(__import__("gen_chains").documents())  # TRON, Solana, EVM proofs of control
    docs.update(__import__("gen_exchange").documents())  # reserves v2 message, exchange signature (§6.4.3, §6.17)
    out = {name: (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode() for name, doc in docs.items()}
    out.update(__import__("gen_attestation").documents())  # a published attestation (§7, issue 13 item 7)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if any vector file would change")
    args = parser.parse_args()
    stale = []
    for name, data in render().items():
        path = HERE / name
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    if stale:
        print(f"vectors out of date: {', '.join(stale)} (run python vectors/generate.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
