"""Vectors of Bitcoin proofs of control (SPEC.md §6.4, §6.4.1): vectors/control-bitcoin.json.

Called by vectors/generate.py with its own stream; keys come from that stream, ECDSA
signatures are RFC 6979 and Schnorr signatures use 32 zero bytes of auxiliary randomness, so
the file is the same on every run. Every kind zksolv accepts has valid cases (legacy, BIP-322
simple and full) and invalid ones; the notes explain the flags.
"""

import base64

from coincurve import PrivateKey

from zksolv.reserves import control_message, sign_bitcoin as sb
from zksolv.reserves.bitcoin_script import N
from zksolv.reserves.bitcoin_tx import parse_tx, parse_witness, serialize_witness

ATTESTATION, OTHER_ROUND = "acme-2026-12-04", "acme-2026-11-04"
NOTES = {
    "Legacy": "signmessage compact signature (BIP-137 header)",
    "Simple": "BIP-322 simple: smp ‖ base64(witness stack)",
    "Full": "BIP-322 full: ful ‖ base64(to_sign transaction)",
    "ForgedKey": "a valid signature by a key that is not the address's (RUSTSEC-2026-0334)",
    "WrongMessage": "a valid signature of another message",
    "OtherRound": "a valid signature of the same address's message of another attestation id",
    "WrongAddress": "a valid signature presented for another address",
    "Truncated": "the signature's bytes cut short",
    "TrailingBytes": "bytes after the signature's encoding",
    "HighS": "ECDSA s above n/2 (BIP-146 LOW_S)",
    "NonStrictDer": "ECDSA signature not in strict DER (BIP-66)",
    "WrongSighash": "a hash type BIP-322 does not allow here",
    "MultisigShort": "fewer valid signatures than the threshold",
    "MultisigOrder": "signatures not in the order of their keys",
    "MultisigDuplicate": "one signature given twice",
    "MultisigDummy": "CHECKMULTISIG's dummy element not empty",
    "ForeignScript": "a witness script that is not the address's",
    "WrongShape": "a full to_sign that is not BIP-322's (version, outputs)",
    "Unsupported": "a form or address kind zksolv refuses (proof of funds, legacy for P2TR)",
    "Empty": "an empty proof",
}


def _case(comment, result, flags, address, message, signature):
    return {"comment": comment, "result": result, "flags": flags, "chain": "bitcoin",
            "address": address, "message": message.decode(), "signature": signature}


def _stack(signature: str) -> list[bytes]:
    return parse_witness(base64.b64decode(signature[3:]))


def _smp(stack: list[bytes]) -> str:
    return "smp" + base64.b64encode(serialize_witness(stack)).decode()


def _high_s(der_sig: bytes) -> bytes:
    """The same ECDSA signature with s replaced by n − s, re-encoded in DER."""
    r_len = der_sig[3]
    r = der_sig[4:4 + r_len]
    s = int.from_bytes(der_sig[6 + r_len:-1], "big")
    s_bytes = (N - s).to_bytes(33, "big").lstrip(b"\x00")
    s_bytes = b"\x00" + s_bytes if s_bytes[0] & 0x80 else s_bytes
    body = b"\x02" + bytes([r_len]) + r + b"\x02" + bytes([len(s_bytes)]) + s_bytes
    return b"\x30" + bytes([len(body)]) + body + der_sig[-1:]


class _Wallets:
    """Fixed wallets of every kind, drawn from the stream."""

    def __init__(self, rng):
        self.keys = [PrivateKey(rng().to_bytes(32, "big")) for _ in range(5)]
        self.k, self.other = self.keys[0], self.keys[4]

    def single(self, kind):
        address = sb.address(self.k, kind)
        return address, control_message(ATTESTATION, address)

    def multisig(self, kind):
        address = sb.address(self.keys[:3], kind, k=2)
        return address, control_message(ATTESTATION, address)


def _valid(w: _Wallets) -> list[dict]:
    tests = []
    for kind in ("p2pkh", "p2wpkh", "p2sh-p2wpkh"):
        address, message = w.single(kind)
        tests.append(_case(f"{kind} legacy signmessage", "valid", ["Legacy"], address, message,
                           sb.sign_legacy(w.k, message, kind)))
    for kind in ("p2wpkh", "p2sh-p2wpkh", "p2tr"):
        address, message = w.single(kind)
        for form, flag in (("simple", "Simple"), ("full", "Full")):
            tests.append(_case(f"{kind} BIP-322 {form}", "valid", [flag], address, message,
                               sb.sign(w.k, message, kind, form=form)))
    address, message = w.single("p2tr")
    tests.append(_case("p2tr BIP-322 simple, SIGHASH_ALL (65 bytes)", "valid", ["Simple"], address, message,
                       sb.sign(w.k, message, "p2tr", hash_type=1)))
    for kind in ("p2wsh", "p2sh-p2wsh"):
        address, message = w.multisig(kind)
        for form, flag in (("simple", "Simple"), ("full", "Full")):
            signers = [w.keys[2], w.keys[0]]
            tests.append(_case(f"{kind} 2-of-3 BIP-322 {form} (keys 1 and 3)", "valid", [flag], address,
                               message, sb.sign(signers, message, kind, public_keys=w.keys[:3], form=form)))
    return tests


def _invalid_single(w: _Wallets) -> list[dict]:
    tests = []
    for kind in ("p2wpkh", "p2sh-p2wpkh", "p2tr"):
        address, message = w.single(kind)
        good = sb.sign(w.k, message, kind, form="simple")
        other_round = control_message(OTHER_ROUND, address)
        other_address = sb.address(w.other, kind)
        tests += [
            _case(f"{kind}: signature of another round", "invalid", ["OtherRound"], address, message,
                  sb.sign(w.k, other_round, kind, form="simple")),
            _case(f"{kind}: another message", "invalid", ["WrongMessage"], address, message + b"!", good),
            _case(f"{kind}: presented for another address", "invalid", ["WrongAddress"], other_address,
                  control_message(ATTESTATION, other_address), good),
        ]
        raw = base64.b64decode(sb.sign(w.k, message, kind, form="full")[3:])
        tests += [
            _case(f"{kind}: full, truncated", "invalid", ["Truncated"], address, message,
                  "ful" + base64.b64encode(raw[:-3]).decode()),
            _case(f"{kind}: full, trailing byte", "invalid", ["TrailingBytes"], address, message,
                  "ful" + base64.b64encode(raw + b"\x00").decode()),
        ]
    return tests + _forged(w) + _non_canonical(w)


def _forged(w: _Wallets) -> list[dict]:
    """The victim's to_sign, satisfied by another key (its own key hash, or its Schnorr key)."""
    tests = []
    for kind in ("p2wpkh", "p2sh-p2wpkh", "p2tr"):
        address, message = w.single(kind)
        tx = sb.unsigned_to_sign(w.k, message, kind)
        inner = "p2wpkh" if kind == "p2sh-p2wpkh" else kind
        stack = sb.witness(w.other, tx, inner)
        tests.append(_case(f"{kind}: forged, another key signs the address's to_sign", "invalid",
                           ["ForgedKey"], address, message, _smp(stack)))
    return tests


def _non_canonical(w: _Wallets) -> list[dict]:
    address, message = w.single("p2wpkh")
    sig, key = _stack(sb.sign(w.k, message, "p2wpkh"))
    taproot, taproot_message = w.single("p2tr")
    [schnorr] = _stack(sb.sign(w.k, taproot_message, "p2tr"))
    padded = sig[:3] + bytes([sig[3] + 1]) + b"\x00" + sig[4:]
    padded = b"\x30" + bytes([padded[1] + 1]) + padded[2:]
    return [
        _case("p2wpkh: high S", "invalid", ["HighS"], address, message, _smp([_high_s(sig), key])),
        _case("p2wpkh: r with a needless zero byte", "invalid", ["NonStrictDer"], address, message,
              _smp([padded, key])),
        _case("p2wpkh: SIGHASH_NONE byte", "invalid", ["WrongSighash"], address, message,
              _smp([sig[:-1] + b"\x02", key])),
        _case("p2wpkh: SIGHASH_ALL|ANYONECANPAY byte", "invalid", ["WrongSighash"], address, message,
              _smp([sig[:-1] + b"\x81", key])),
        _case("p2tr: 65 bytes ending in SIGHASH_DEFAULT", "invalid", ["WrongSighash"], taproot,
              taproot_message, _smp([schnorr + b"\x00"])),
        _case("p2wpkh: empty proof", "invalid", ["Empty"], address, message, "smpAA=="),
        _case("p2wpkh: proof of funds", "invalid", ["Unsupported"], address, message,
              "pof" + sb.sign(w.k, message, "p2wpkh", form="full")[3:]),
        _case("p2tr: legacy signmessage", "invalid", ["Unsupported"], taproot, taproot_message,
              sb.sign_legacy(w.k, taproot_message, "p2wpkh")),
    ]


def _invalid_multisig(w: _Wallets) -> list[dict]:
    address, message = w.multisig("p2wsh")
    dummy, first, third, script = _stack(sb.sign([w.keys[0], w.keys[2]], message, "p2wsh",
                                                 public_keys=w.keys[:3]))
    foreign = sb.multisig_script(2, [w.keys[0], w.keys[1], w.keys[3]])
    other_round = sb.sign([w.keys[0], w.keys[2]], control_message(OTHER_ROUND, address), "p2wsh",
                          public_keys=w.keys[:3])
    full = parse_tx(base64.b64decode(sb.sign([w.keys[0], w.keys[2]], message, "p2wsh",
                                             public_keys=w.keys[:3], form="full")[3:]))
    full.version = 1
    return [
        _case("2-of-3: one signature (k − 1)", "invalid", ["MultisigShort"], address, message,
              _smp([dummy, first, script])),
        _case("2-of-3: second signature empty", "invalid", ["MultisigShort"], address, message,
              _smp([dummy, first, b"", script])),
        _case("2-of-3: signatures in the wrong order", "invalid", ["MultisigOrder"], address, message,
              _smp([dummy, third, first, script])),
        _case("2-of-3: one signature twice", "invalid", ["MultisigDuplicate"], address, message,
              _smp([dummy, first, first, script])),
        _case("2-of-3: dummy not empty", "invalid", ["MultisigDummy"], address, message,
              _smp([b"\x00", first, third, script])),
        _case("2-of-3: witness script of another wallet", "invalid", ["ForeignScript"], address, message,
              _smp([dummy, first, third, foreign])),
        _case("2-of-3: signatures of another round", "invalid", ["OtherRound"], address, message, other_round),
        _case("2-of-3: high S", "invalid", ["HighS"], address, message,
              _smp([dummy, first, _high_s(third), script])),
        _case("2-of-3: full to_sign of version 1", "invalid", ["WrongShape"], address, message,
              "ful" + base64.b64encode(full.serialize()).decode()),
    ]


def vectors(rng) -> dict:
    """The whole control-bitcoin.json document."""
    w = _Wallets(rng)
    tests = _valid(w) + _invalid_single(w) + _invalid_multisig(w)
    for i, t in enumerate(tests, 1):
        t["tc_id"] = i
    return {"algorithm": "zksolv-control-bitcoin", "format_version": 1, "generator": "vectors/gen_bitcoin.py",
            "notes": NOTES, "numberOfTests": len(tests), "tests": tests}
