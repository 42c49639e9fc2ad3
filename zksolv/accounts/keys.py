"""Round secrets of margin accounts (MARGIN.md §7; extends SPEC.md §6.2).

Everything a margin leaf hides derives from one key: the user secret `s_u` of SPEC.md §6.2
for a customer (so a customer who knows `s_u` and their balances recomputes their whole
leaf), or a padding key derived from the master secret for padding leaves. With MAC, WIDE
and F as in SPEC.md §6.2:

| value | derivation |
|---|---|
| account salt | `MAC(key, "zksolv/v1/margin-salt", "")` |
| blinding of a slot or claim `name` | `WIDE(key, "zksolv/v1/margin-blinding", F(name))` |
| blinding of limb `i ≥ 1` of claim `name` | `WIDE(key, "zksolv/v1/margin-limb", F(name) ‖ u8(i))` |
| padding key `i` | `MAC(master, "zksolv/v1/margin-padding-key", u64be(i))` |
| padding id `i` | `MAC(master, "zksolv/v1/margin-padding-id", u64be(i))` |
| nonce key of part `j` of leaf `i` | `MAC(master, "zksolv/v1/margin-nonce-key", u64be(i) ‖ u64be(j))` |

Names are ASCII (`piece/BTC/0`, `debt/BTC`, `room/BTC/0`, `value/base`, …; asset and
scenario names cannot contain `/`), so no two names share an encoding.
"""

from zksolv.hashing import framed, id_hash
# The HMAC helpers of SPEC.md §6.2 themselves, so both tables share one definition.
from zksolv.roundkeys import _mac, _scalar


def account_salt(key: bytes) -> bytes:
    return _mac(key, b"zksolv/v1/margin-salt")


def account_id_hash(key: bytes, user_id: str) -> bytes:
    """H_id of a customer's margin leaf: SPEC.md §6.3's user-id hash under the account salt."""
    return id_hash(user_id, account_salt(key))


def blinding(key: bytes, name: str) -> int:
    """The blinding of slot `name` (a tier piece or a debt)."""
    return _scalar(key, b"zksolv/v1/margin-blinding", framed(name.encode()))


def limb_blinding(key: bytes, name: str, limb: int) -> int:
    """The blinding of published limb `limb` (≥ 1) of claim `name`."""
    return _scalar(key, b"zksolv/v1/margin-limb", framed(name.encode()), bytes([limb]))


def padding_key(master: bytes, index: int) -> bytes:
    """Stands in for the user secret of padding account `index`."""
    return _mac(master, b"zksolv/v1/margin-padding-key", index.to_bytes(8, "big"))


def padding_id_hash(master: bytes, index: int) -> bytes:
    """Stands in for H_id in padding account `index`: pseudorandom, like a real one."""
    return _mac(master, b"zksolv/v1/margin-padding-id", index.to_bytes(8, "big"))


def nonce_key(master: bytes, leaf_index: int, part: int) -> bytes:
    """The key of the secret nonces of one proof of a margin leaf (cf. SPEC.md §6.2)."""
    return _mac(master, b"zksolv/v1/margin-nonce-key", leaf_index.to_bytes(8, "big"),
                part.to_bytes(8, "big"))


def customer(secret: bytes, user_id: str) -> tuple[bytes, bytes]:
    """(key, H_id) of a customer's margin leaf: their user secret and salted id hash."""
    return secret, account_id_hash(secret, user_id)


def padding(master: bytes, index: int) -> tuple[bytes, bytes]:
    """(key, H_id) of padding account `index`."""
    return padding_key(master, index), padding_id_hash(master, index)
