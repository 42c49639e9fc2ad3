"""Session 8's review, as an attacker (SPEC.md §2.3, §5.5, §6.10): the public MSM that the
auditor's batch verification reduces to (zk_msm, both bucket paths, after its lane bucket
addition became bucket8_add) on structures a malicious prover could choose; the streamed
audit of a file written over during the audit, its leaves or its proofs region moved by a
header that lies to the second handle only; and a chunk proof made with V_j that do not
open, through `zksolv audit`."""

import dataclasses
import hashlib
import random

import pytest

from clikit import invoke
from test_audit_inplace import _copy, _outcome, _tamper, _valid_and_bad, honest  # noqa: F401 (fixture)
from test_msm_edges import _check, _kernel_msm, path  # noqa: F401 (fixture)
from zksolv.attestation import auditfile, prove, verify
from zksolv.attestation.executors import InlineExecutor
from zksolv.group import N, backends, base_mul

RNG = random.Random(20261205)
"""Seeded: the same adversarial inputs whenever the same tests run (a failure reproduces)."""


def _log() -> int:
    return RNG.randrange(1, N)


# Sizes around the lane path's switch (8), its eight-point groups, and 2^k.
SIZES = [0, 1, 15, 16, 23, 24, 25, 63, 64, 65, 129]


@pytest.mark.parametrize("size", SIZES)
def test_unreduced_scalars_are_their_residues(reference, path, size):
    """Scalars from n up to 2^256 − 1 (the top window's carry out of 256 bits): the kernel
    must give Σ (k_i mod n)·P_i, never another point."""
    tops = [N, N + 1, (1 << 256) - 1, N + RNG.randrange((1 << 256) - N)]
    _check([_log() for _ in range(size)], [tops[i % 4] for i in range(size)], reference)


@pytest.mark.parametrize("c", range(4, 17))
def test_one_digit_in_every_window(reference, path, c):
    """k = d·Σ 2^(c·w): every window of width c holds the digit d (a signed digit with a
    carry when d > 2^(c−1)), for P and for −P with the complement scalar."""
    d = RNG.randrange(1, 1 << c)
    k = sum(d << (c * w) for w in range(256 // c + 1)) % (1 << 256)
    b = _log()
    size = 24
    _check([b if i % 2 else N - b for i in range(size)], [k if i % 3 else (1 << 256) - 1 - k for i in range(size)],
           reference)


@pytest.mark.parametrize("size", [9, 24, 65])
def test_multiples_of_one_point_meet_in_their_buckets(reference, path, size):
    """Points P, 2P, 3P, 4P with scalars 4, 2, 1, 1 (times 1..3): a bucket holds P then
    adds 2P, meets −3P, doubles — every special case of its addition, lane by lane."""
    b = _log()
    logs = [b * (i % 4 + 1) % N for i in range(size)]
    logs = [x if i % 5 else N - x for i, x in enumerate(logs)]
    _check(logs, [(4, 2, 1, 1)[i % 4] * (1 + (i // 4) % 3) for i in range(size)], reference)


@pytest.mark.parametrize("size", [8, 9, 64, 513])
def test_a_sum_that_is_the_identity_with_unreduced_scalars(reference, path, size):
    """The terms cancel (the last scalar chosen so) and the last scalar is given plus n: the
    result must be the identity — and one more term must not be."""
    logs = [_log() for _ in range(size)]
    scalars = [RNG.randrange(N) for _ in range(size - 1)]
    last = -sum(b * k for b, k in zip(logs, scalars)) * pow(logs[-1], -1, N) % N
    last = last + N if last + N < 1 << 256 else last
    assert _kernel_msm([base_mul(b, backends.get("native")) for b in logs], scalars + [last]) is None
    _check(logs + [_log()], scalars + [last, 1], reference)


@pytest.mark.parametrize("size", [1023, 1025])
def test_one_point_many_times_and_its_negation(reference, path, size):
    """Hundreds of equal points in one bucket a window, then as many negations: each
    bucket doubles over and over, and with the negations comes back to the identity."""
    b, k = _log(), RNG.randrange(1, N)
    _check([b] * size, [k] * size, reference)
    _check([b if i % 2 else N - b for i in range(size)], [k] * size, reference)


# ---- the streamed audit of a file changed while it is read ------------------------------

def _streamed(copy, m, asset, entry):
    return _outcome(lambda: verify._audit_asset(copy, m, asset, entry, InlineExecutor(), 1, None))


def _rewrite_before_second_reader(monkeypatch, path, data: bytes) -> None:
    """The audit file written over in place with `data` just before the streamed audit's
    second handle (the proofs') reads its header: the first handle has read its own."""
    real, made = auditfile.Reader, []

    def reader(f, name, size=None):
        if len(made) == 1:
            with open(path, "r+b") as out:
                out.write(data)
        made.append(real(f, name, size))
        return made[-1]

    monkeypatch.setattr(verify.auditfile, "Reader", reader)


def test_proofs_moved_by_a_header_that_lies_to_the_second_handle_are_refused(honest, tmp_path, monkeypatch):
    """The manifest names a file with a bad range proof. While the audit reads it, its
    header is written to claim twice the capacity and chunk (as many proofs), with the
    valid proofs after the claimed leaves: the first handle read the true header, the second
    jumps to the valid proofs. They are not the bytes hashed: refused."""
    out, m = honest
    copy = _copy(out, tmp_path)
    asset, published, good, bad = _valid_and_bad(out, m, tmp_path)
    path = copy / published.audit_file
    path.write_bytes(bad)
    head = len(auditfile.Header(asset, m.reserves.assets[asset].leaf_bits, published.capacity,
                                published.chunk).to_bytes())
    cut = head + auditfile.LEAF_BYTES * published.capacity
    lying = bytearray(bad[:cut])
    lying[head - 2] += 1   # log capacity
    lying[head - 1] += 1   # log chunk
    moved = bytes(lying) + bytes(auditfile.LEAF_BYTES * published.capacity) + good[cut:]
    _rewrite_before_second_reader(monkeypatch, path, moved)
    assert _streamed(copy, m, asset, published) == (
        "InvalidProof", f"{asset}: {published.audit_file} does not match its hash in the manifest")


def test_leaves_written_over_in_place_during_the_streamed_audit_are_refused(honest, tmp_path, monkeypatch):
    """The manifest names a file with one leaf hash changed (its root is not the manifest's);
    after it is hashed the valid leaves are written over it: what is read would pass."""
    out, m = honest
    copy = _copy(out, tmp_path)
    asset, entry = next(iter(m.assets.items()))
    good = (out / entry.audit_file).read_bytes()
    bad = bytes(_tamper("leaf-hash", bytearray(good), asset, entry))
    path = copy / entry.audit_file
    path.write_bytes(bad)
    published = dataclasses.replace(entry, audit_sha256=_sha256(bad), audit_bytes=len(bad))
    assert _streamed(copy, m, asset, published)[1].endswith("do not sum and hash to the manifest's root")
    real = verify.digests_of

    def hash_then_overwrite(*args):
        hashed = real(*args)
        with open(path, "r+b") as f:
            f.write(good)
        return hashed

    monkeypatch.setattr(verify, "digests_of", hash_then_overwrite)
    assert _streamed(copy, m, asset, published) == (
        "InvalidProof", f"{asset}: {published.audit_file} does not match its hash in the manifest")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- V_j given to the prover that do not open --------------------------------------------

def test_a_chunk_proved_with_commitments_that_do_not_open_fails_the_audit(tmp_path, monkeypatch):
    """The builder hands the prover chunk 1's V_j with one blinding off by one for the
    proof (the published leaves stay the builder's): the proof is about other openings
    than the leaves' commitments, and `zksolv audit` refuses the round (exit 1)."""
    from roundkit import inputs, prove_round

    real = prove.prove_chunk

    def off_by_one(job):
        job = prove.ChunkJob(*job)
        if job.asset == "BTC" and job.index == 1:
            job = job._replace(blindings=[job.blindings[0] + 1, *job.blindings[1:]])
        return real(job)

    monkeypatch.setattr(prove, "prove_chunk", off_by_one)
    ledger, reserves = inputs(tmp_path / "in", "review-unopened")
    r = prove_round(tmp_path, ledger, reserves, prove.Options(workers=1, chunk=4, capacity=16))
    monkeypatch.undo()
    found = invoke("audit", r.out)
    assert found.code == 1, found
    assert "BTC" in found.stderr and "range proof" in found.stderr, found.stderr
