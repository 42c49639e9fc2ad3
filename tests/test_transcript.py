"""The transcript against an independent reading of SPEC.md §4, and its framing."""

import hashlib

from zksolv.group import N
from zksolv.transcript import PROTOCOL_VERSION, Transcript


def _spec_transcript(domain: bytes, ops) -> list[int]:
    """SPEC.md §4 written out with hashlib alone: records, then SHA-256(T‖0) ‖ SHA-256(T‖1)."""
    def record(kind, label, data=None):
        out = kind + len(label).to_bytes(4, "big") + label
        if data is not None:
            out += len(data).to_bytes(8, "big") + data
        return out

    t = record(b"\x01", b"zksolv-transcript", PROTOCOL_VERSION + b"/" + domain)
    challenges = []
    for op in ops:
        if op[0] == "append":
            t += record(b"\x01", op[1], op[2])
        else:
            t += record(b"\x02", op[1])
            wide = hashlib.sha256(t + b"\x00").digest() + hashlib.sha256(t + b"\x01").digest()
            challenges.append(int.from_bytes(wide, "big") % N)
    return challenges


OPS = [("append", b"V", b"\x02" + bytes(32)), ("challenge", b"y"), ("append", b"", b""),
       ("challenge", b"z"), ("challenge", b"z")]


def test_matches_the_spec_reading():
    t = Transcript(b"test/domain")
    got = []
    for op in OPS:
        if op[0] == "append":
            t.append(op[1], op[2])
        else:
            got.append(t.challenge_scalar(op[1]))
    assert got == _spec_transcript(b"test/domain", OPS)
    assert got[1] != got[2]  # the same label twice gives fresh challenges


def test_framing_separates_label_from_data():
    a, b = Transcript(b"d"), Transcript(b"d")
    a.append(b"ab", b"c")
    b.append(b"a", b"bc")
    assert a.challenge_scalar(b"x") != b.challenge_scalar(b"x")


def test_domain_separates():
    assert Transcript(b"one").challenge_scalar(b"x") != Transcript(b"two").challenge_scalar(b"x")


def test_challenge_is_64_bytes_reduced():
    wide = Transcript(b"d").challenge_bytes(b"x")
    assert len(wide) == 64
    assert Transcript(b"d").challenge_scalar(b"x") == int.from_bytes(wide, "big") % N


def test_clone_is_independent():
    a = Transcript(b"d")
    b = a.clone()
    a.append(b"k", b"v")
    assert a.challenge_scalar(b"x") != b.challenge_scalar(b"x")
