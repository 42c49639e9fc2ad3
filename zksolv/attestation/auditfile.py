"""The per-asset audit file: every leaf in tree order and the leaf range proofs (SPEC.md §6.8).

    "ZKSAUDIT" ‖ u16be version ‖ u8 len(asset) ‖ asset ‖ u8 leaf_bits ‖ u8 log2(capacity)
    ‖ u8 log2(chunk) ‖ capacity × (C 33 bytes ‖ h 32 bytes) ‖ capacity/chunk × (u32be len ‖ proof)

Written and read as a stream: a reader holds one batch of leaves or one proof at a time.
"""

import hashlib
import os
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from zksolv.errors import EncodingError
from zksolv.fsutil import READ_PIECE, open_regular

MAGIC = b"ZKSAUDIT"
VERSION = 1
LEAF_BYTES = 33 + 32
MAX_PROOF_BYTES = 1 << 16


@dataclass(frozen=True)
class Header:
    asset: str
    leaf_bits: int
    capacity: int
    chunk: int

    def to_bytes(self) -> bytes:
        name = self.asset.encode()
        return (MAGIC + VERSION.to_bytes(2, "big") + bytes([len(name)]) + name
                + bytes([self.leaf_bits, self.capacity.bit_length() - 1, self.chunk.bit_length() - 1]))

    @property
    def proofs(self) -> int:
        return self.capacity // self.chunk


def write(out: BinaryIO, header: Header, leaves: bytes, proofs: list[bytes]) -> None:
    """Write a whole audit file; `leaves` is capacity × (C ‖ h) already in tree order."""
    out.write(header.to_bytes())
    out.write(leaves)
    for proof in proofs:
        out.write(len(proof).to_bytes(4, "big") + proof)


def open_file(path) -> BinaryIO:
    """An audit file opened for reading: a regular file, or an InputError (never a hang)."""
    return open_regular(path, "audit file")


class Stream:
    """Exact reads from a binary stream; a shortfall is an EncodingError naming the file."""

    def __init__(self, f: BinaryIO, name: str, size: int | None = None):
        self._f, self.name = f, name
        self._size = os.fstat(f.fileno()).st_size if size is None else size

    def _take(self, size: int, what: str) -> bytes:
        data = self._f.read(size)
        if len(data) != size:
            raise EncodingError(f"{self.name}: truncated in {what}")
        return data

    def _version(self, magic: bytes, version: int, what: str) -> None:
        if self._take(len(magic), "magic") != magic:
            raise EncodingError(f"{self.name}: not a zksolv {what}")
        found = int.from_bytes(self._take(2, "version"), "big")
        if found != version:
            raise EncodingError(f"{self.name}: {what} version {found} is not supported")


class Reader(Stream):
    """Strict streaming reader; every shortfall or excess is an EncodingError naming the file.

    The sizes the header claims are checked against the file's actual size before any
    leaf is read, and no read asks for more than the file still holds."""

    def __init__(self, f: BinaryIO, name: str, size: int | None = None):
        super().__init__(f, name, size)
        self.header = self._read_header()
        self.proofs_offset = f.tell() + self.header.capacity * LEAF_BYTES
        least = self.proofs_offset + 4 * self.header.proofs
        if least > self._size:
            raise EncodingError(f"{name}: the header claims {self.header.capacity} leaves, which need at least "
                                f"{least} bytes; the file has {self._size}")

    def seek_proofs(self) -> None:
        """Jump over the leaves (for a second reader that streams the proofs alongside)."""
        self._f.seek(self.proofs_offset)

    def _read_header(self) -> Header:
        self._version(MAGIC, VERSION, "audit file")
        asset = self._take(self._take(1, "asset")[0], "asset").decode("utf-8", "replace")
        leaf_bits, log_capacity, log_chunk = self._take(3, "header")
        if log_capacity > 32 or log_chunk > log_capacity:
            raise EncodingError(f"{self.name}: bad capacity or chunk size")
        return Header(asset, leaf_bits, 1 << log_capacity, 1 << log_chunk)

    def leaves(self, batch: int) -> Iterator[list[tuple[bytes, bytes]]]:
        """All leaves, `batch` at a time, as (commitment, hash) pairs."""
        remaining = self.header.capacity
        while remaining:
            count = min(batch, remaining)
            data = self._take(count * LEAF_BYTES, "leaves")
            yield [(data[i : i + 33], data[i + 33 : i + LEAF_BYTES]) for i in range(0, len(data), LEAF_BYTES)]
            remaining -= count

    def pass_over(self, size: int, what: str = "leaves") -> None:
        """Read `size` bytes and drop them, READ_PIECE at a time (a caller that sees the
        bytes through the file object it gave, e.g. to hash them)."""
        while size:
            piece = min(size, READ_PIECE)
            self._take(piece, what)
            size -= piece

    def proofs(self) -> Iterator[bytes]:
        for _ in range(self.header.proofs):
            yield self.proof()
        if self._f.read(1):
            raise EncodingError(f"{self.name}: trailing bytes after the last proof")

    def proof(self) -> bytes:
        """The next length-prefixed range proof."""
        size = int.from_bytes(self._take(4, "proof length"), "big")
        if size > MAX_PROOF_BYTES:
            raise EncodingError(f"{self.name}: proof length {size} is implausible")
        return self._take(size, "proofs")


def split_proofs(data: bytes, count: int, name: str) -> list[bytes]:
    """`count` length-prefixed range proofs that fill `data` exactly (a work unit's byte
    range of the proofs, SPEC.md §6.10); anything else is an EncodingError naming the file."""
    proofs, at = [], 0
    for _ in range(count):
        size = int.from_bytes(data[at : at + 4], "big")
        if at + 4 > len(data) or size > MAX_PROOF_BYTES or at + 4 + size > len(data):
            raise EncodingError(f"{name}: a work unit's range proofs are cut")
        proofs.append(data[at + 4 : at + 4 + size])
        at += 4 + size
    if at != len(data):
        raise EncodingError(f"{name}: a work unit's range proofs do not fill its range")
    return proofs


def file_digest(path: str) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, streamed."""
    h, size = hashlib.sha256(), 0
    with open_file(path) as f:
        while block := f.read(READ_PIECE):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size
