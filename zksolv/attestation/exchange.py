"""The exchange's signature over an attestation (SPEC.md §6.17).

The exchange's published identity is an Ethereum address. It signs, EIP-191 `personal_sign`,
the UTF-8 message `zksolv:manifest:v1:<manifest digest, 64 lower-case hex>` — the digest
inclusion proofs and `previous` name (§6.7) — so any EIP-191 tool (`cast wallet verify`,
MetaMask, etherscan's signature checker) can check it. The signature sits beside the manifest
in `exchange-signature.json`:

    {"scheme": "eip191", "signer": "0x…", "message": "zksolv:manifest:v1:<hex>", "signature": "0x…"}

A round whose reserves are version 2 names its exchange, and `verify`, `audit` and
`verify-inclusion` refuse it unless this file holds a valid signature by that address.
"""

import json
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from coincurve import PrivateKey

from zksolv import strictjson
from zksolv.errors import EncodingError, InputError, InvalidProof
from zksolv.fsutil import atomic_file, open_regular, read_json
from zksolv.reserves import ethereum

FILE = "exchange-signature.json"
SCHEME = "eip191"
PREFIX = "zksolv:manifest:v1:"
MAX_BYTES = 4096
"""Largest signature file read (its fields are under 400 bytes)."""
MAX_KEY_FILE_BYTES = 256
_KEY = re.compile(r"0x[0-9a-fA-F]{64}")


def message(manifest_digest: bytes) -> str:
    """The text the exchange signs for a manifest of this digest."""
    return PREFIX + manifest_digest.hex()


# -- the exchange's key ------------------------------------------------------------------------

def read_key(path, option: str = "--key") -> PrivateKey:
    """A secp256k1 key from a regular file holding `0x` + 64 hex digits (white space around),
    readable by its owner alone; its content never appears in a message."""
    with open_regular(path, "key file") as f:
        mode = os.fstat(f.fileno()).st_mode
        if stat.S_IMODE(mode) & 0o077:
            raise InputError(f"{option} {_shown(path)}: the key file is open to group or others "
                             f"(mode {stat.S_IMODE(mode):04o}); chmod 600 it")
        data = f.read(MAX_KEY_FILE_BYTES + 1)
    text = data.decode("ascii", errors="replace").strip(" \t\r\n")
    if len(data) > MAX_KEY_FILE_BYTES or not _KEY.fullmatch(text):
        raise InputError(f"{option} {_shown(path)}: not a key file (0x and 64 hex digits of a secp256k1 key)")
    try:
        return PrivateKey(bytes.fromhex(text[2:]))
    except ValueError:  # zero or not below the group order
        raise InputError(f"{option} {_shown(path)}: not a valid secp256k1 key (zero or ≥ the group order)") from None


def address(key: PrivateKey) -> str:
    """The key's Ethereum address, EIP-55 mixed case."""
    return ethereum.checksum_address(ethereum.address_of(key.public_key))


def new_key_file(path) -> str:
    """Write a fresh key (OS CSPRNG) to `path`, mode 0600, never over an existing file;
    returns its address (the key itself is never returned or shown)."""
    while True:
        raw = secrets.token_bytes(32)
        try:
            key = PrivateKey(raw)
            break
        except ValueError:  # probability ≈ 2^-128: draw again
            continue
    with atomic_file(Path(path), mode=0o600, replace=False) as tmp:
        tmp.write_text("0x" + raw.hex() + "\n")
    return address(key)


# -- the signature file ------------------------------------------------------------------------

@dataclass(frozen=True)
class Signature:
    signer: str  # lower case
    message: str
    signature: str

    def to_json(self) -> dict:
        return {"scheme": SCHEME, "signer": ethereum.checksum_address(self.signer), "message": self.message,
                "signature": self.signature}


def sign(key: PrivateKey, manifest_digest: bytes) -> Signature:
    """EIP-191 personal_sign of the manifest message: 0x ‖ r ‖ s ‖ v, v ∈ {27, 28}."""
    text = message(manifest_digest)
    sig = key.sign_recoverable(ethereum.personal_message_hash(text.encode()), hasher=None)
    return Signature(ethereum.address_of(key.public_key), text, "0x" + (sig[:64] + bytes([sig[64] + 27])).hex())


def parse(doc, where: str) -> Signature:
    """The signature file's fields in their accepted forms (EncodingError naming the field)."""
    doc = strictjson.obj(doc, where, ("scheme", "signer", "message", "signature"))
    if doc["scheme"] != SCHEME:
        raise EncodingError(f"{where}: scheme: must be {SCHEME!r}")
    for name in ("signer", "message", "signature"):
        strictjson.text(doc[name], f"{where}: {name}", max_bytes=200)
    try:
        signer = ethereum.normalize_address(doc["signer"])
        ethereum.parse_signature(doc["signature"])
    except InputError as exc:
        raise EncodingError(f"{where}: {exc}") from None
    return Signature(signer, doc["message"], doc["signature"])


def check(sig: Signature, manifest_digest: bytes, exchange: str, where: str) -> None:
    """InvalidProof unless `sig` is `exchange`'s signature over this manifest's message."""
    if sig.signer != exchange:
        raise InvalidProof(f"{where}: signed by {sig.signer}, but the reserves name the exchange {exchange}")
    if sig.message != message(manifest_digest):
        raise InvalidProof(f"{where}: signs {strictjson.one_line(sig.message, 100)!r}, not this manifest "
                           f"({message(manifest_digest)})")
    try:
        ethereum.verify_personal_sign(exchange, sig.message.encode(), sig.signature)
    except (InvalidProof, InputError) as exc:
        raise InvalidProof(f"{where}: not a valid signature by the exchange {exchange}: {exc}") from None


def load(directory) -> Signature | None:
    """The attestation directory's signature file, or None if it has none."""
    path = Path(directory) / FILE
    if not os.path.lexists(path):
        return None
    return parse(read_json(path, "exchange signature", limit=MAX_BYTES), _shown(path))


def write(directory, sig: Signature, replace: bool = False) -> Path:
    """`exchange-signature.json` in `directory`, whole or not at all (temp + rename)."""
    path = Path(directory) / FILE
    with atomic_file(path, mode=0o644, replace=replace) as tmp:
        tmp.write_text(json.dumps(sig.to_json(), indent=1) + "\n")
    return path


def _shown(path) -> str:
    return strictjson.one_line(os.fsdecode(path) if isinstance(path, bytes) else str(path), 200)


# -- what verify, audit and verify-inclusion require -------------------------------------------

def require(directory, reserves, manifest_digest: bytes, signer: str | None) -> str | None:
    """A version-2 round (its reserves name an exchange) must carry a valid signature by
    that exchange; `signer` (--signer) pins who that must be. Returns the signer checked,
    or None for a version-1 round (which names no exchange, so cannot match a --signer)."""
    pinned = _pinned(signer)
    if reserves.version == 1:
        if pinned is not None:
            raise InvalidProof(f"--signer {pinned}: this attestation (reserves version 1) names no exchange and "
                               "carries no exchange signature")
        return None
    if pinned is not None and pinned != reserves.exchange:
        raise InvalidProof(f"--signer {pinned}: this attestation names the exchange {reserves.exchange}")
    sig = load(directory)
    if sig is None:
        raise InvalidProof(f"{_shown(Path(directory) / FILE)}: missing — the reserves name the exchange "
                           f"{reserves.exchange}, whose signature over the manifest is required "
                           "(`zksolv sign`)")
    check(sig, manifest_digest, reserves.exchange, _shown(Path(directory) / FILE))
    return reserves.exchange


def _pinned(signer: str | None) -> str | None:
    if signer is None:
        return None
    try:
        return ethereum.normalize_address(signer)
    except InputError as exc:
        raise InputError(f"--signer: {exc}") from None


# -- prove --sign-with ---------------------------------------------------------------------------

def check_key_for(reserves, key: PrivateKey | None, option: str = "--sign-with") -> None:
    """Before any work: a signing key must be the exchange's the reserves name."""
    if key is None:
        return
    if reserves.version == 1:
        raise InputError(f"{option}: these reserves (version 1) name no exchange; a version-2 reserves file "
                         "declares the exchange whose key signs")
    if ethereum.address_of(key.public_key) != reserves.exchange:
        raise InputError(f"{option}: the key is {address(key)}'s, but the reserves name the exchange "
                         f"{ethereum.checksum_address(reserves.exchange)}")


def sign_into(directory, key: PrivateKey | None, manifest_digest: bytes) -> None:
    """With a key, write its signature over the manifest into the attestation directory
    being assembled (it appears with the manifest, whole)."""
    if key is not None:
        write(directory, sign(key, manifest_digest))


# -- zksolv sign -------------------------------------------------------------------------------

def sign_attestation(directory, key_path=None, signature_text: str | None = None, force: bool = False) -> Signature:
    """Sign a published attestation with the exchange's key (`key_path`) or attach a signature
    made elsewhere (`signature_text`), checked before `exchange-signature.json` is written
    (temp + rename; an existing one only replaced with `force`)."""
    from zksolv import inclusion2, outpaths
    from zksolv.attestation import manifest as manifest_module

    target = Path(directory) / FILE
    if os.path.lexists(target) and not force:
        raise InputError(f"{_shown(target)}: already exists (use --force to replace it)")
    outpaths.check([outpaths.Output(target, "DIRECTORY", outpaths.FILE, replace=force)], {"--key": key_path})
    if key_path is not None and os.path.realpath(os.path.dirname(os.path.abspath(key_path))) == \
            os.path.realpath(directory):
        raise InputError(f"--key {_shown(key_path)}: lies in the attestation directory, which is published; "
                         "keep the exchange's key elsewhere")
    m = inclusion2.read_manifest(Path(directory) / manifest_module.FILE)
    if m.reserves.version == 1:
        raise InputError(f"{_shown(directory)}: its reserves (version 1) name no exchange to sign for")
    if key_path is not None:
        key = read_key(key_path, "--key")
        check_key_for(m.reserves, key, "--key")
        sig = sign(key, m.digest())
    else:
        sig = Signature(m.reserves.exchange, message(m.digest()), signature_text)
    check(sig, m.digest(), m.reserves.exchange, "--signature" if key_path is None else "--key")
    write(directory, sig, replace=force)
    return sig
