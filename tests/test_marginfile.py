"""margin.audit headers (SPEC.md §6.12.7): version 2 holds the capacity as an integer (a
power of two or a multiple of 1,024, accounts/tree.py), version 1 (earlier rounds) its
log2; every claim is checked against the file before a leaf is read."""

import io

import pytest

from accounts_kit import round_layout
from zksolv.accounts import leaf
from zksolv.attestation import marginfile
from zksolv.errors import EncodingError

LAYOUT = round_layout()
DIGEST = marginfile.layout_digest(LAYOUT)
LEAF = leaf.size(LAYOUT)


def _v2(capacity: int, log_chunk: int) -> bytes:
    return (marginfile.MAGIC + (2).to_bytes(2, "big") + capacity.to_bytes(8, "big") + bytes([log_chunk])
            + DIGEST)


def _v1(log_capacity: int, log_chunk: int) -> bytes:
    return marginfile.MAGIC + (1).to_bytes(2, "big") + bytes([log_capacity, log_chunk]) + DIGEST


def _read(tmp_path, header: bytes, leaves: int):
    """A Reader over `header` and `leaves` leaf-sized runs of zeros (the header alone is
    checked: no leaf is decoded before chunks() is read)."""
    path = tmp_path / "margin.audit"
    with open(path, "wb") as f:
        f.write(header)
        f.truncate(len(header) + leaves * LEAF)
    with open(path, "rb") as f:
        return marginfile.Reader(f, "margin.audit", LAYOUT).header


def test_the_writer_s_header_reads_back(tmp_path):
    out = io.BytesIO()
    marginfile.write(out, marginfile.Header(3072, 64, DIGEST), iter(()))
    assert out.getvalue() == _v2(3072, 6) and len(out.getvalue()) == marginfile.HEADER_BYTES
    assert _read(tmp_path, _v2(3072, 6), 3072) == marginfile.Header(3072, 64, DIGEST)


def test_version_1_headers_still_read(tmp_path):
    assert _read(tmp_path, _v1(3, 1), 8) == marginfile.Header(8, 2, DIGEST)


@pytest.mark.parametrize("capacity", [3000, 1536, 0, (1 << 32) + 1024, 1 << 40])
def test_a_capacity_the_tree_cannot_have_is_refused(tmp_path, capacity):
    with pytest.raises(EncodingError, match="capacity"):
        _read(tmp_path, _v2(capacity, 0), 0)


@pytest.mark.parametrize("capacity,log_chunk", [(512, 10), (3072, 11), (1024, 40)])
def test_a_chunk_that_does_not_divide_the_capacity_is_refused(tmp_path, capacity, log_chunk):
    with pytest.raises(EncodingError, match="chunk"):
        _read(tmp_path, _v2(capacity, log_chunk), capacity)


@pytest.mark.parametrize("leaves", [2048, 3071, 3073, 4096])
def test_a_file_whose_leaf_count_is_not_its_capacity_is_refused(tmp_path, leaves):
    with pytest.raises(EncodingError, match="3072 leaves"):
        _read(tmp_path, _v2(3072, 6), leaves)


def test_a_version_1_header_keeps_its_own_limits(tmp_path):
    with pytest.raises(EncodingError):
        _read(tmp_path, _v1(33, 0), 0)
    with pytest.raises(EncodingError):
        _read(tmp_path, _v1(3, 4), 8)
    with pytest.raises(EncodingError, match="version 3"):
        _read(tmp_path, marginfile.MAGIC + (3).to_bytes(2, "big") + bytes(41), 0)


# -- the manifest's margin entry (SPEC.md §6.12.7) ---------------------------------------------

def _margin_entry(capacity, chunk=64) -> dict:
    return {"capacity": capacity, "chunk": chunk,
            "root": {"commitments": ["02" + "11" * 32] * 2, "hash": "22" * 32},
            "audit": {"file": marginfile.FILE, "sha256": "33" * 32, "bytes": 1000}}


def test_the_manifest_takes_a_multiple_of_1024_as_margin_capacity():
    from zksolv.attestation.manifest2 import _margin
    assert _margin(_margin_entry(5120), 1, "margin").capacity == 5120
    assert _margin(_margin_entry(8, 8), 1, "margin").capacity == 8


@pytest.mark.parametrize("capacity,chunk", [(5000, 8), (1536, 2), ((1 << 32) + 1024, 64), (0, 1), (512, 1024)])
def test_the_manifest_refuses_a_margin_capacity_the_tree_cannot_have(capacity, chunk):
    from zksolv.attestation.manifest2 import _margin
    with pytest.raises(EncodingError, match="margin.c"):
        _margin(_margin_entry(capacity, chunk), 1, "margin")
