"""Bitcoin signers for `zksolv demo`, vectors and tests (SPEC.md §6.4, §6.4.1): BIP-322
simple and full signatures for P2WPKH, P2SH-P2WPKH, P2TR (key path, no script tree), k-of-n
multisig in P2WSH and P2SH-P2WSH, and legacy signmessage. Real reserves are signed by the
exchange's own wallets.

ECDSA signatures are RFC 6979 (deterministic, low S); Schnorr signatures take fixed auxiliary
randomness (32 zero bytes unless given), so a seeded key always signs the same bytes.
"""

import base64
import secrets

from coincurve import PrivateKey, PublicKey

from zksolv.reserves import bitcoin
from zksolv.reserves.bip322 import script_pubkey
from zksolv.reserves.bitcoin_script import N
from zksolv.reserves.bitcoin_tx import (SIGHASH_ALL, SIGHASH_DEFAULT, Tx, bip143_sighash,
                                        bip341_key_path_sighash, serialize_witness, sha256,
                                        tagged_hash, to_sign, to_spend)
from zksolv.reserves.encoding import base58check_encode, segwit_encode

SINGLE_KINDS = ("p2pkh", "p2wpkh", "p2sh-p2wpkh", "p2tr")
MULTISIG_KINDS = ("p2wsh", "p2sh-p2wsh")
_P2SH_VERSION = {"bc": 0x05, "tb": 0xC4}
_P2PKH_VERSION = {"bc": 0x00, "tb": 0x6F}


def new_key() -> PrivateKey:
    """A fresh key from the OS CSPRNG."""
    return PrivateKey(secrets.token_bytes(32))


def key_from_bytes(secret: bytes) -> PrivateKey:
    """A fixed key (vectors, tests): 32 bytes, 0 < value < n."""
    return PrivateKey(secret)


def _public(key) -> bytes:
    """Compressed public key of a PrivateKey, a PublicKey or 33 bytes."""
    if isinstance(key, PrivateKey):
        key = key.public_key
    if isinstance(key, PublicKey):
        return key.format(compressed=True)
    return PublicKey(bytes(key)).format(compressed=True)


def multisig_script(k: int, public_keys) -> bytes:
    """`OP_k <key>… OP_n OP_CHECKMULTISIG`, keys in the order given (1 ≤ k ≤ n ≤ 20)."""
    keys = [_public(key) for key in public_keys]
    if not 1 <= k <= len(keys) <= 20:
        raise ValueError("need 1 ≤ k ≤ n ≤ 20")
    return _small_int(k) + b"".join(b"\x21" + key for key in keys) + _small_int(len(keys)) + b"\xae"


def _small_int(n: int) -> bytes:
    return bytes([0x50 + n]) if n <= 16 else bytes([1, n])


def taproot_tweaked_key(key: PrivateKey) -> PrivateKey:
    """BIP-341/BIP-86 key-path key: d' = d_even + TapTweak(x(P)) mod n, with no script tree."""
    point = key.public_key.format(compressed=True)
    d = int.from_bytes(key.secret, "big")
    d_even = d if point[0] == 2 else N - d
    tweak = int.from_bytes(tagged_hash("TapTweak", point[1:]), "big")
    return PrivateKey(((d_even + tweak) % N).to_bytes(32, "big"))


def address(keys, kind: str = "p2wpkh", k: int | None = None, hrp: str = "bc") -> str:
    """The address of one key (SINGLE_KINDS) or of a k-of-n multisig over `keys` in that order
    (MULTISIG_KINDS; k defaults to n)."""
    return _encode(kind, _digest(keys, kind, k), hrp)


def _digest(keys, kind: str, k: int | None) -> bytes:
    if kind in MULTISIG_KINDS:
        wscript = multisig_script(k or len(keys), keys)
        program = sha256(wscript)
        return program if kind == "p2wsh" else bitcoin.hash160(b"\x00\x20" + program)
    if kind == "p2tr":
        return taproot_tweaked_key(keys).public_key.format()[1:]
    keyhash = bitcoin.hash160(_public(keys))
    return bitcoin.hash160(b"\x00\x14" + keyhash) if kind == "p2sh-p2wpkh" else keyhash


def _encode(kind: str, digest: bytes, hrp: str) -> str:
    if kind in ("p2sh-p2wpkh", "p2sh-p2wsh"):
        return base58check_encode(bytes([_P2SH_VERSION[hrp]]) + digest)
    if kind == "p2pkh":
        return base58check_encode(bytes([_P2PKH_VERSION[hrp]]) + digest)
    return segwit_encode(hrp, 1 if kind == "p2tr" else 0, digest)


def sign(keys, message: bytes, kind: str = "p2wpkh", *, public_keys=None, form: str | None = None,
         hash_type: int | None = None, aux: bytes = bytes(32)) -> str:
    """A proof of control of `address(…)` over `message`.

    - p2pkh: legacy signmessage (BIP-137 header 31–34); every other kind BIP-322.
    - single kinds: `keys` is one PrivateKey.
    - multisig kinds: `keys` are the k signing PrivateKeys, `public_keys` all n keys of the
      script in order (default: the signers' own, k = n); signatures go in script order.
    - form: "simple" (default for native segwit) or "full" (default for P2SH-wrapped).
    - hash_type: taproot only, SIGHASH_DEFAULT (64-byte signature, default) or SIGHASH_ALL.
    """
    if kind == "p2pkh":
        return sign_legacy(keys, message, kind)
    form = form or ("full" if kind.startswith("p2sh") else "simple")
    tx = unsigned_to_sign(keys, message, kind, public_keys=public_keys)
    tx.inputs[0].witness = witness(keys, tx, kind, public_keys=public_keys, hash_type=hash_type, aux=aux)
    raw = serialize_witness(tx.inputs[0].witness) if form == "simple" else tx.serialize()
    return ("smp" if form == "simple" else "ful") + base64.b64encode(raw).decode()


def unsigned_to_sign(keys, message: bytes, kind: str, *, public_keys=None) -> Tx:
    """BIP-322's to_sign for this message and address, with the scriptSig P2SH needs and an
    empty witness."""
    signers = keys if kind in MULTISIG_KINDS else None
    all_keys = public_keys if public_keys is not None else signers
    k = len(signers) if signers is not None else None
    digest = _digest(all_keys if signers is not None else keys, kind, k)
    spk = script_pubkey(_ADDRESS_KIND[kind], digest)
    return to_sign(to_spend(message, spk).txid(), [], _script_sig(keys, kind, all_keys, k))


_ADDRESS_KIND = {"p2wpkh": "p2wpkh", "p2sh-p2wpkh": "p2sh", "p2tr": "p2tr", "p2wsh": "p2wsh",
                 "p2sh-p2wsh": "p2sh"}


def _script_sig(keys, kind: str, all_keys, k) -> bytes:
    if kind == "p2sh-p2wpkh":
        redeem = b"\x00\x14" + bitcoin.hash160(_public(keys))
    elif kind == "p2sh-p2wsh":
        redeem = b"\x00\x20" + sha256(multisig_script(k, all_keys))
    else:
        return b""
    return bytes([len(redeem)]) + redeem


def witness(keys, tx: Tx, kind: str, *, public_keys=None, hash_type=None, aux=bytes(32)) -> list[bytes]:
    """The witness stack that satisfies input 0 of `tx` for this kind."""
    if kind == "p2tr":
        hash_type = SIGHASH_DEFAULT if hash_type is None else hash_type
        spk = script_pubkey("p2tr", taproot_tweaked_key(keys).public_key.format()[1:])
        digest = bip341_key_path_sighash(tx, 0, [(0, spk)], hash_type)
        sig = taproot_tweaked_key(keys).sign_schnorr(digest, aux)
        return [sig if hash_type == SIGHASH_DEFAULT else sig + bytes([hash_type])]
    if kind in MULTISIG_KINDS:
        all_keys = [_public(key) for key in (public_keys if public_keys is not None else keys)]
        wscript = multisig_script(len(keys), all_keys)
        digest = bip143_sighash(tx, 0, wscript, 0, SIGHASH_ALL)
        ordered = sorted(keys, key=lambda key: all_keys.index(_public(key)))
        return [b""] + [ecdsa_sign(key, digest) for key in ordered] + [wscript]
    pub = _public(keys)
    code = b"\x76\xa9\x14" + bitcoin.hash160(pub) + b"\x88\xac"
    return [ecdsa_sign(keys, bip143_sighash(tx, 0, code, 0, SIGHASH_ALL)), pub]


def ecdsa_sign(key: PrivateKey, digest: bytes) -> bytes:
    """DER ‖ SIGHASH_ALL, RFC 6979 with low S (libsecp256k1)."""
    return key.sign(digest, hasher=None) + bytes([SIGHASH_ALL])


def sign_legacy(key: PrivateKey, message: bytes, kind: str = "p2pkh") -> str:
    """signmessage compact signature, compressed key: BIP-137 header 31+ (P2PKH), 35+
    (P2SH-P2WPKH) or 39+ (P2WPKH)."""
    sig = key.sign_recoverable(bitcoin.message_hash(message), hasher=None)
    header = {"p2pkh": 31, "p2sh-p2wpkh": 35, "p2wpkh": 39}[kind] + sig[64]
    return base64.b64encode(bytes([header]) + sig[:64]).decode()
