"""Proof-of-control vectors for the tron, solana and evm families (SPEC.md §6.4.2):
control-tron.json, control-solana.json, control-evm.json, valid and invalid.

Called by vectors/generate.py (documents()). Keys are SHA-256 of public labels and every
signature is deterministic (RFC 6979 for secp256k1, ed25519 by construction), so the files
are byte-identical on every run. Each case names its chain; an invalid case names the error
zksolv raises: InputError (the text does not decode) or InvalidProof (it decodes and does
not prove control).
"""

import hashlib

from zksolv.reserves import sign_evm, sign_solana, sign_tron
from zksolv.reserves.encoding import base58_decode, base58_encode, base58check_encode

ROUND, OTHER_ROUND = "acme-2026-12-04", "acme-2026-11-27"
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
ED25519_L = 2**252 + 27742317777372353535851937790883648493
NOTES = {
    "ForgedKey": "signed by another key", "WrongMessage": "signed over another message",
    "OtherRound": "signed for another attestation id", "WrongChain": "signed naming another chain",
    "Truncated": "signature cut short", "HighS": "s > n/2, the malleated twin of a valid signature",
    "OutOfRange": "r or s not in [1, n − 1]", "NonCanonicalS": "ed25519 S ≥ L",
    "SmallOrderKey": "an ed25519 key of small order (any message verifies without the rule)",
    "BadChecksum": "address checksum fails", "BadEncoding": "address or signature does not decode",
    "WrongLength": "address or signature of another length",
}


def _secret(label: str) -> bytes:
    return hashlib.sha256(f"zksolv vectors chains {label}".encode()).digest()


EXCHANGE = sign_evm.address(sign_evm.new_key(_secret("exchange"))).lower()


def message(chain: str, address: str, attestation_id: str = ROUND) -> str:
    """The version-2 control message (SPEC.md §6.4.3)."""
    return f"zksolv:reserves:v2:{EXCHANGE}:{attestation_id}:{chain}:{address}"


def _case(comment, chain, address, signature, flags=(), error=None, msg=None):
    return {"comment": comment, "result": "invalid" if error else "valid", "flags": list(flags),
            "chain": chain, "address": address, "message": msg or message(chain, address),
            "signature": signature, **({"error": error} if error else {})}


def _document(family: str, tests: list, notes: dict) -> dict:
    for i, test in enumerate(tests, 1):
        test["tc_id"] = i
    return {"algorithm": f"zksolv-control-{family}", "format_version": 1,
            "generator": "vectors/gen_chains.py", "exchange": EXCHANGE, "attestation_id": ROUND,
            "notes": notes, "numberOfTests": len(tests), "tests": tests}


def _replays(chain, address, sign, other_chain) -> list:
    """The refusals every family shares: forged key, wrong message, other round, wrong chain."""
    msg = message(chain, address)
    return [
        _case("another key's signature", chain, address, sign(msg, forged=True), ["ForgedKey"], "InvalidProof"),
        _case("signature over the message with one more byte", chain, address, sign(msg + "x"),
              ["WrongMessage"], "InvalidProof"),
        _case("signature of another round", chain, address, sign(message(chain, address, OTHER_ROUND)),
              ["OtherRound"], "InvalidProof"),
        _case(f"signature naming {other_chain}", chain, address, sign(message(other_chain, address)),
              ["WrongChain"], "InvalidProof"),
    ]


def _flip_s(signature: str) -> str:
    raw = bytes.fromhex(signature[2:])
    s = SECP256K1_N - int.from_bytes(raw[32:64], "big")
    return "0x" + (raw[:32] + s.to_bytes(32, "big") + bytes([55 - raw[64]])).hex()


def _signer(module, family: str):
    """The family's fixed key's address, and a function signing with it (or, forged=True,
    with another key)."""
    key, forger = module.new_key(_secret(f"{family} 0")), module.new_key(_secret(f"{family} forger"))

    def sign(msg: str, forged: bool = False, **form) -> str:
        return module.sign(forger if forged else key, msg.encode(), **form)

    return module.address(key), sign


def tron_vectors() -> dict:
    address, sign = _signer(sign_tron, "tron")
    good = sign(message("tron", address))
    raw = bytes.fromhex(good[2:])
    tests = [
        _case("signMessageV2", "tron", address, good),
        _case("v1 (trx.sign of the message's hex)", "tron", address, sign(message("tron", address), form="v1")),
        _case("v as 0/1, no 0x", "tron", address, (raw[:64] + bytes([raw[64] - 27])).hex()),
        *_replays("tron", address, sign, "ethereum"),
        _case("truncated by one byte", "tron", address, good[:-2], ["Truncated"], "InputError"),
        _case("high s", "tron", address, _flip_s(good), ["HighS"], "InvalidProof"),
        _case("one character of the address changed", "tron", address[:-1] + ("2" if address[-1] != "2" else "3"),
              good, ["BadChecksum"], "InputError", message("tron", address)),
        _case("version byte 0x42", "tron", base58check_encode(b"\x42" + bytes(20)), good,
              ["BadEncoding"], "InputError"),
        _case("66-byte signature", "tron", address, good + "00", ["WrongLength"], "InputError"),
    ]
    return _document("tron", tests, NOTES)


def solana_vectors() -> dict:
    address, sign = _signer(sign_solana, "solana")
    good = sign(message("solana", address))
    raw = base58_decode(good, 64)
    s_plus_l = (int.from_bytes(raw[32:], "little") + ED25519_L).to_bytes(32, "little")
    identity = b"\x01" + bytes(31)
    tests = [
        _case("solana sign-offchain-message (v0)", "solana", address, good),
        _case("off-chain message v1, one signer", "solana", address, sign(message("solana", address), form="v1")),
        _case("raw message (wallets' signMessage)", "solana", address, sign(message("solana", address), form="raw")),
        *_replays("solana", address, sign, "tron"),
        _case("truncated by one byte", "solana", address, base58_encode(raw[:-1]), ["Truncated"], "InputError"),
        _case("S + L", "solana", address, base58_encode(raw[:32] + s_plus_l), ["NonCanonicalS"], "InvalidProof"),
        _case("key and R the identity, S = 0", "solana", base58_encode(identity),
              base58_encode(identity + bytes(32)), ["SmallOrderKey"], "InvalidProof"),
        _case("address with a 0 (not Base58)", "solana", "0" + address[1:], good, ["BadEncoding"],
              "InputError", message("solana", address)),
        _case("31-byte address", "solana", base58_encode(b"\x07" * 31), good, ["WrongLength"], "InputError"),
        _case("65-byte signature", "solana", address, base58_encode(raw + b"\x00"), ["WrongLength"], "InputError"),
    ]
    return _document("solana", tests, NOTES)


def evm_vectors() -> dict:
    address, sign = _signer(sign_evm, "evm")
    good = sign(message("ethereum", address))
    raw = bytes.fromhex(good[2:])
    typo = next(address[:i] + c.swapcase() + address[i + 1:] for i, c in enumerate(address) if i > 1 and c.isalpha())
    tests = [
        _case("personal_sign on ethereum", "ethereum", address, good),
        _case("personal_sign on bsc, same key", "bsc", address, sign(message("bsc", address))),
        _case("personal_sign on polygon, lower-case address", "polygon", address.lower(),
              sign(message("polygon", address.lower()))),
        _case("v as 0/1, no 0x", "ethereum", address, (raw[:64] + bytes([raw[64] - 27])).hex()),
        *_replays("ethereum", address, sign, "bsc"),
        _case("truncated by one byte", "ethereum", address, good[:-2], ["Truncated"], "InputError"),
        _case("high s", "ethereum", address, _flip_s(good), ["HighS"], "InvalidProof"),
        _case("r = n", "ethereum", address, "0x" + SECP256K1_N.to_bytes(32, "big").hex() + good[66:],
              ["OutOfRange"], "InvalidProof"),
        _case("EIP-55 checksum broken", "ethereum", typo, good, ["BadChecksum"], "InputError",
              message("ethereum", address)),
    ]
    return _document("evm", tests, NOTES)


def documents() -> dict:
    return {"control-tron.json": tron_vectors(), "control-solana.json": solana_vectors(),
            "control-evm.json": evm_vectors()}
