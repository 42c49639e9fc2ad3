"""Vectors of issue 12's custody formats (SPEC.md §6.4.3, §6.17), deterministic: keys are
SHA-256 of public labels, signatures RFC 6979 (coincurve). Called from vectors/generate.py.

- `control-message-v2.json`: reserves-v2 inputs (exchange as written, attestation id,
  chain, address) → the exact message bytes a wallet signs.
- `exchange-signature.json`: a declared exchange, a manifest digest and an
  `exchange-signature.json` document → valid, or invalid (flags say why).
"""

import hashlib

from coincurve import PrivateKey

from zksolv.attestation import exchange
from zksolv.reserves import control_message_v2, signing

DIGEST = hashlib.sha256(b"zksolv vectors v1 exchange-signature manifest").digest()
OTHER_DIGEST = hashlib.sha256(b"zksolv vectors v1 exchange-signature other manifest").digest()


def _key(label: str) -> PrivateKey:
    return PrivateKey(hashlib.sha256(b"zksolv vectors v1 exchange-signature " + label.encode()).digest())


def _file(algorithm: str, notes: dict, tests: list) -> dict:
    for i, t in enumerate(tests, 1):
        t["tc_id"] = i
    return {"algorithm": algorithm, "format_version": 1, "generator": "vectors/gen_exchange.py",
            "notes": notes, "numberOfTests": len(tests), "tests": tests}


def _case(comment, result, flags=(), **fields):
    return {"comment": comment, "result": result, "flags": list(flags), **fields}


MESSAGES = [
    ("bitcoin", "bc1qstrqhlgxf3jmru82fmwy9umghn0gv2jml24hdl"),
    ("ethereum", "0x87ED5B58EAcBcf982ae0a698a235ecE34E13D1Fe"),
    ("bsc", "0xA014505c5d28cc2B4850C7bDB76EbDBD2B0F637A"),
    ("devnet", "0xa014505c5d28cc2b4850c7bdb76ebdbd2b0f637a"),
    ("tron", "TDPvL4zVvH9eKpQbh9eW3VHr8eJpajjHm7"),
    ("solana", "2U1rALZyr4zVLAFxou2H2x9hZUUgiCvCiotZRG6e8oaV"),
]


def message_vectors() -> dict:
    """The v2 control message: exchange lower-cased, address exactly as written."""
    exch = signing.ethereum_address(_key("exchange"))
    tests = []
    for chain, address in MESSAGES:
        message = control_message_v2(exch, "acme-2026-12-04", chain, address)
        tests.append(_case(f"{chain} wallet", "valid", exchange=exch, attestation_id="acme-2026-12-04", chain=chain,
                           address=address, message=message.decode(), message_hex=message.hex()))
    return _file("zksolv-control-message-v2", {}, tests)


def _with(doc: dict, **changes) -> dict:
    return {**doc, **changes}


def signature_vectors() -> dict:
    key, other = _key("exchange"), _key("someone else")
    exch = signing.ethereum_address(key)
    good = exchange.sign(key, DIGEST).to_json()
    raw = bytes.fromhex(good["signature"][2:])
    flipped = bytes([raw[0] ^ 1]) + raw[1:]
    upper = exchange.message(DIGEST).upper().replace("ZKSOLV:MANIFEST:V1:", "zksolv:manifest:v1:")
    upper_sig = signing.ethereum_sign(key, upper.encode())
    tests = [
        _case("eip191, v 27/28", "valid", exchange=exch, file=good),
        _case("eip191, v 0/1", "valid", exchange=exch,
              file=_with(good, signature="0x" + (raw[:64] + bytes([raw[64] - 27])).hex())),
        _case("signer in lower case", "valid", exchange=exch.lower(), file=_with(good, signer=exch.lower())),
        _case("signed by another key, claiming the exchange", "invalid", ["Forged"], exchange=exch,
              file=_with(good, signature=exchange.sign(other, DIGEST).signature)),
        _case("a valid signature by someone else", "invalid", ["WrongSigner"], exchange=exch,
              file=exchange.sign(other, DIGEST).to_json()),
        _case("the exchange's signature over another manifest", "invalid", ["OtherManifest"], exchange=exch,
              file=exchange.sign(key, OTHER_DIGEST).to_json()),
        _case("this manifest's message, another manifest's signature", "invalid", ["OtherManifest"], exchange=exch,
              file=_with(good, signature=exchange.sign(key, OTHER_DIGEST).signature)),
        _case("digest in upper-case hex", "invalid", ["NonCanonical"], exchange=exch,
              file=_with(good, message=upper, signature=upper_sig)),
        _case("r with one bit flipped", "invalid", ["Modified"], exchange=exch,
              file=_with(good, signature="0x" + flipped.hex())),
        _case("truncated signature", "invalid", ["Truncated"], exchange=exch,
              file=_with(good, signature=good["signature"][:-2])),
        _case("v = 29", "invalid", ["BadV"], exchange=exch,
              file=_with(good, signature="0x" + (raw[:64] + b"\x1d").hex())),
        _case("another scheme", "invalid", ["Scheme"], exchange=exch, file=_with(good, scheme="eip712")),
    ]
    notes = {"Forged": "the signature does not recover the declared exchange",
             "WrongSigner": "signer is not the exchange the reserves declare",
             "OtherManifest": "message or signature of another manifest digest",
             "NonCanonical": "the message is not exactly zksolv:manifest:v1: and 64 lower-case hex digits",
             "Modified": "a signature bit changed", "Truncated": "64 bytes instead of 65",
             "BadV": "v is not 27/28 or 0/1", "Scheme": "only eip191 is defined"}
    return _file("zksolv-exchange-signature", notes,
                 [{**t, "manifest_digest": DIGEST.hex()} for t in tests])


def documents() -> dict:
    return {"control-message-v2.json": message_vectors(), "exchange-signature.json": signature_vectors()}
