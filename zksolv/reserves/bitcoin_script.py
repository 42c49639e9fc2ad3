"""The few Bitcoin scripts BIP-322 proofs are checked against here (SPEC.md §6.4.1): ECDSA
signatures as script requires them (strict DER of BIP-66, low S, SIGHASH_ALL), the k-of-n
`OP_k <keys> OP_n OP_CHECKMULTISIG` template, and CHECKMULTISIG's matching of signatures to
keys. Nothing here interprets arbitrary script: a script that is not the template is refused.
"""

from coincurve import PublicKey

from zksolv.errors import InvalidProof

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
OP_CHECKMULTISIG = 0xAE
MAX_KEYS = 20


def _der_integer(sig: bytes, at: int) -> tuple[int, int]:
    """(value, position after) of the DER INTEGER at `at`, refusing any non-minimal form."""
    if at + 2 > len(sig) or sig[at] != 0x02:
        raise InvalidProof("signature is not strict DER: INTEGER tag expected")
    length = sig[at + 1]
    body = sig[at + 2:at + 2 + length]
    if length == 0 or len(body) != length:
        raise InvalidProof("signature is not strict DER: bad INTEGER length")
    if body[0] & 0x80:
        raise InvalidProof("signature is not strict DER: negative INTEGER")
    if length > 1 and body[0] == 0 and not body[1] & 0x80:
        raise InvalidProof("signature is not strict DER: INTEGER with a needless zero byte")
    return int.from_bytes(body, "big"), at + 2 + length


def ecdsa_signature(sig: bytes) -> bytes:
    """The DER part of a script ECDSA signature `DER ‖ hash type`, checked as BIP-322 requires:
    strict DER (BIP-66), 0 < r, s < n, s ≤ n/2 (low S) and hash type SIGHASH_ALL (0x01)."""
    if not 9 <= len(sig) <= 73 or sig[0] != 0x30 or sig[1] != len(sig) - 3:
        raise InvalidProof("signature is not strict DER: bad SEQUENCE header or length")
    r, at = _der_integer(sig, 2)
    s, at = _der_integer(sig, at)
    if at != len(sig) - 1:
        raise InvalidProof("signature is not strict DER: bytes after the two INTEGERs")
    if sig[-1] != 0x01:
        raise InvalidProof(f"signature hash type {sig[-1]:#04x} is not SIGHASH_ALL")
    if not (0 < r < N and 0 < s < N):
        raise InvalidProof("signature r or s is out of range")
    if s > N // 2:
        raise InvalidProof("signature has a high S (BIP-146 LOW_S)")
    return sig[:-1]


def compressed_key(data: bytes) -> bytes:
    if len(data) != 33 or data[0] not in (2, 3):
        raise InvalidProof("public key is not a 33-byte compressed key")
    return data


def ecdsa_verifies(key: bytes, der: bytes, digest: bytes) -> bool:
    """True iff `der` (already checked by ecdsa_signature) signs `digest` under `key`."""
    try:
        return PublicKey(key).verify(der, digest, hasher=None)
    except Exception:  # coincurve: a key that is not on the curve, an unparseable signature
        return False


def _small_int(script: bytes, at: int) -> tuple[int, int]:
    """A number 1–20 pushed minimally: OP_1…OP_16, or a one-byte push for 17–20."""
    op = script[at] if at < len(script) else None
    if op is not None and 0x51 <= op <= 0x60:
        return op - 0x50, at + 1
    if op == 0x01 and at + 1 < len(script) and 17 <= script[at + 1] <= MAX_KEYS:
        return script[at + 1], at + 2
    raise InvalidProof("witness script is not k-of-n multisig: bad count")


def parse_multisig(script: bytes) -> tuple[int, list[bytes]]:
    """(k, keys) of exactly `OP_k <33-byte key>×n OP_n OP_CHECKMULTISIG`, 1 ≤ k ≤ n ≤ 20."""
    k, at = _small_int(script, 0)
    keys = []
    while at < len(script) and script[at] == 33 and len(keys) < MAX_KEYS:
        keys.append(compressed_key(script[at + 1:at + 34]))
        at += 34
    n, at = _small_int(script, at)
    if n != len(keys) or not 1 <= k <= n or script[at:] != bytes([OP_CHECKMULTISIG]):
        raise InvalidProof("witness script is not the k-of-n multisig template")
    return k, keys


def check_multisig(k: int, keys: list[bytes], signatures: list[bytes], digest: bytes) -> None:
    """CHECKMULTISIG with NULLFAIL, all k signatures required valid: each signature is tried
    against the keys in script order, starting after the key the previous one matched."""
    if len(signatures) != k:
        raise InvalidProof(f"multisig needs exactly {k} signatures, got {len(signatures)}")
    ders = [ecdsa_signature(sig) for sig in signatures]
    key_at = 0
    for number, der in enumerate(ders, 1):
        while key_at < len(keys) and not ecdsa_verifies(keys[key_at], der, digest):
            key_at += 1
        if key_at == len(keys):
            raise InvalidProof(f"multisig signature {number} matches no key after the previous one's")
        key_at += 1  # the next signature is tried from the key after this one
