"""The margin audit file `margin.audit`: every account leaf in tree order (MARGIN.md §11;
SPEC.md §6.12.7).

    version 2: "ZKSMARGN" ‖ u16be 2 ‖ u64be capacity ‖ u8 log2(chunk) ‖ 32-byte layout digest
    version 1: "ZKSMARGN" ‖ u16be 1 ‖ u8 log2(capacity) ‖ u8 log2(chunk) ‖ 32-byte layout digest
    then capacity × leaf (accounts/leaf.py MarginLeaf.to_bytes(): a fixed size per layout)

Version 2 (written since margin capacities may be multiples of 1,024, accounts/tree.py)
holds any capacity tree.check_capacity accepts; version 1 (read only: earlier rounds) a
power of two. In both the chunk is a power of two dividing the capacity.

The layout digest (SHA-256 of the canonical JSON of the layout: assets, leaf_bits, tier
widths, slots, claims with their coefficients and limbs) lets a reader refuse a file of
another shape before reading any leaf. Read as a stream, `chunk` leaves at a time.
"""

import hashlib
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from zksolv.accounts import leaf as leaf_module, tree as account_tree
from zksolv.accounts.layout import Layout
from zksolv.attestation.auditfile import Stream
from zksolv.errors import EncodingError
from zksolv.statements import canonical_bytes

MAGIC = b"ZKSMARGN"
VERSION = 2
FILE = "margin.audit"
HEADER_BYTES = 8 + 2 + 8 + 1 + 32       # version 2
HEADER_BYTES_V1 = 8 + 2 + 2 + 32


def layout_digest(layout: Layout) -> bytes:
    """SHA-256 of the layout's canonical description (big integers as decimal strings)."""
    doc = {"assets": list(layout.assets), "leaf_bits": list(layout.leaf_bits),
           "widths": [[str(w) for w in ws] for ws in layout.widths], "slots": list(layout.slots),
           "claims": [{"name": c.name, "constant": str(c.constant), "limbs": c.limbs,
                       "terms": [[i, str(k)] for i, k in c.terms]} for c in layout.claims]}
    return hashlib.sha256(canonical_bytes(doc)).digest()


@dataclass(frozen=True)
class Header:
    capacity: int
    chunk: int
    layout: bytes   # layout digest

    def to_bytes(self) -> bytes:
        """The version-2 header."""
        return (MAGIC + VERSION.to_bytes(2, "big") + self.capacity.to_bytes(8, "big")
                + bytes([self.chunk.bit_length() - 1]) + self.layout)


def write(out: BinaryIO, header: Header, chunks: Iterator[bytes]) -> None:
    """Header, then the proven chunks' leaf bytes in order."""
    out.write(header.to_bytes())
    for data in chunks:
        out.write(data)


class Reader(Stream):
    """Strict streaming reader; any shortfall, excess or other shape is an EncodingError."""

    def __init__(self, f: BinaryIO, name: str, layout: Layout, size: int | None = None):
        super().__init__(f, name, size)
        self.leaf_size = leaf_module.size(layout)
        self.header = self._read_header()
        if self.header.layout != layout_digest(layout):
            raise EncodingError(f"{name}: its leaves have another layout than the manifest's market gives")
        expected = self._header_bytes + self.header.capacity * self.leaf_size
        if expected != self._size:   # checked before any leaf is read: no read past the file
            raise EncodingError(f"{name}: the header claims {self.header.capacity} leaves of {self.leaf_size} "
                                f"bytes ({expected} bytes in all); the file has {self._size}")

    def _read_header(self) -> Header:
        if self._take(len(MAGIC), "magic") != MAGIC:
            raise EncodingError(f"{self.name}: not a zksolv margin audit file")
        version = int.from_bytes(self._take(2, "version"), "big")
        if version == 1:
            log_capacity, log_chunk = self._take(2, "header")
            if log_capacity > 32:
                raise EncodingError(f"{self.name}: bad capacity or chunk size")
            capacity, self._header_bytes = 1 << log_capacity, HEADER_BYTES_V1
        elif version == VERSION:
            capacity = int.from_bytes(self._take(8, "capacity"), "big")
            (log_chunk,) = self._take(1, "chunk")
            self._header_bytes = HEADER_BYTES
        else:
            raise EncodingError(f"{self.name}: margin audit file version {version} is not supported")
        try:
            account_tree.check_capacity(capacity)
        except ValueError as exc:
            raise EncodingError(f"{self.name}: {exc}") from None
        if log_chunk > 32 or capacity % (1 << log_chunk):
            raise EncodingError(f"{self.name}: a chunk of 2^{log_chunk} leaves does not divide the capacity {capacity}")
        return Header(capacity, 1 << log_chunk, self._take(32, "layout digest"))

    def chunks(self) -> Iterator[bytes]:
        """Every chunk's leaf bytes in order; refuses trailing bytes after the last."""
        for _ in range(self.header.capacity // self.header.chunk):
            yield self._take(self.header.chunk * self.leaf_size, "leaves")
        if self._f.read(1):
            raise EncodingError(f"{self.name}: trailing bytes after the last leaf")
