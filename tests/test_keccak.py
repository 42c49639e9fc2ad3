"""Keccak-256 in plain Python (zksolv/keccak.py) against published values and pycryptodome."""

import random

from Crypto.Hash import keccak as reference

from zksolv import keccak


def _reference(data: bytes) -> bytes:
    return reference.new(digest_bits=256, data=data).digest()


def test_published_values():
    # keccak256("") and keccak256("abc") as Ethereum tools print them (not SHA3-256's)
    assert keccak.pure_keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak.pure_keccak256(b"abc").hex() == \
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"


def test_every_length_around_the_block_boundaries_matches_pycryptodome():
    rng = random.Random(13)
    for n in list(range(0, 2 * keccak.RATE + 3)) + [1000]:
        data = rng.randbytes(n)
        assert keccak.pure_keccak256(data) == _reference(data), n


def test_the_switch_to_pycryptodome_gives_the_same_bytes(monkeypatch):
    monkeypatch.setattr(keccak, "_calls", keccak.PURE_CALLS - 1)
    data = b"zksolv:manifest:v1:" + bytes(range(64))
    first, second = keccak.keccak256(data), keccak.keccak256(data)  # pure, then pycryptodome
    assert keccak._calls == keccak.PURE_CALLS + 1
    assert first == second == _reference(data)
