"""Fiat–Shamir transcripts: labelled, length-framed, domain-separated (SPEC.md §4).

Merlin-shaped, over SHA-256. The transcript is the byte string of every operation so far:

    append:    0x01 ‖ u32be(len label) ‖ label ‖ u64be(len data) ‖ data
    challenge: 0x02 ‖ u32be(len label) ‖ label

A challenge is SHA-256(T ‖ 0x00) ‖ SHA-256(T ‖ 0x01) — 64 bytes — read big-endian and
reduced mod n, where T is the transcript including the challenge's own record. The
transcript starts with the record append("zksolv-transcript", PROTOCOL_VERSION ‖ domain).
"""

import hashlib

from zksolv.group import N, Point, Scalar

PROTOCOL_VERSION = b"zksolv-transcript-v1"
_APPEND = b"\x01"
_CHALLENGE = b"\x02"


class Transcript:
    """A running Fiat–Shamir transcript; the caller creates it and passes it down."""

    __slots__ = ("_hash",)

    def __init__(self, domain: bytes):
        self._hash = hashlib.sha256()
        self.append(b"zksolv-transcript", PROTOCOL_VERSION + b"/" + domain)

    def append(self, label: bytes, data: bytes) -> None:
        """Absorb `data` under `label`."""
        self._hash.update(
            _APPEND + len(label).to_bytes(4, "big") + label + len(data).to_bytes(8, "big")
        )
        self._hash.update(data)

    def append_u64(self, label: bytes, value: int) -> None:
        self.append(label, value.to_bytes(8, "big"))

    def append_point(self, label: bytes, point: Point) -> None:
        self.append(label, point.to_bytes())

    def append_scalar(self, label: bytes, scalar) -> None:
        self.append(label, Scalar(int(scalar)).to_bytes())

    def challenge_bytes(self, label: bytes) -> bytes:
        """64 bytes bound to everything absorbed so far and to `label`."""
        self._hash.update(_CHALLENGE + len(label).to_bytes(4, "big") + label)
        left, right = self._hash.copy(), self._hash.copy()
        left.update(b"\x00")
        right.update(b"\x01")
        return left.digest() + right.digest()

    def challenge_scalar(self, label: bytes) -> int:
        """A challenge in Z/nZ: 64 bytes reduced mod n (bias < 2^-256); never zero."""
        c = int.from_bytes(self.challenge_bytes(label), "big") % N
        if c == 0:  # probability 2^-256; keeps every challenge invertible
            return self.challenge_scalar(label)
        return c

    def clone(self) -> "Transcript":
        other = Transcript.__new__(Transcript)
        other._hash = self._hash.copy()
        return other
