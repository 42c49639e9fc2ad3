"""Attacks on the audit's work units and the range-proof verifier's kernel path (review of
the `auditfast` branch): each is a cheating prover's construction, built from the library's
own primitives, that must still be refused (SPEC.md §5.5, §6.3, §6.15; DESIGN §8.3, §8.5).

- Two leaves sharing a hash, placed in DIFFERENT work units, where each unit only sees its
  own leaves: the auditor's process must still refuse them (spot and margin trees).
- A false range proof: the same verdict (refused) on the kernel path, on the native
  backend's Python path and on every other backend.
- Scalars a cheating prover can drive to zero reach the kernel's MSM unfiltered.
"""

import dataclasses

import pytest

from marginkit import prove_margin
from rangeproof_forgery import forge_with_unbound_commitment
from roundkit import shared_leaf_round
from zksolv.attestation import marginleaves, prove, verify
from zksolv.commitments import generators
from zksolv.errors import InvalidProof
from zksolv.group import N, Point, backends, base_mul, msm
from zksolv.rangeproof import RangeProof, Statement, batch_verify
from zksolv.rangeproof import prover as prover_module
from zksolv.rangeproof import verifier as verifier_module
from zksolv.rangeproof.coefficients import KernelVectors, ProofVectorTerms
from zksolv.rangeproof.scalars import powers, random_scalar
from zksolv.transcript import Transcript

NATIVE = backends.get("native")


# ---- duplicate leaves in different work units ------------------------------------------

def test_spot_leaf_shared_by_two_users_in_different_work_units_is_refused(tmp_path, monkeypatch):
    """The prover gives two users one leaf (same H_id, same commitment), each with a valid
    range proof at its own position. With one leaf per chunk and one chunk per work unit,
    the two copies are in different units: only the auditor's process sees both."""
    r = shared_leaf_round(tmp_path, monkeypatch, prove.Options(workers=1, chunk=1, capacity=16))
    monkeypatch.setattr(verify, "PROOFS_PER_BATCH", 1)  # a unit per leaf
    with pytest.raises(InvalidProof, match="BTC: two leaves share the hash"):
        verify.audit(r.out)


def test_margin_padding_leaves_alike_in_different_work_units_are_refused(tmp_path, monkeypatch):
    """The prover derives every padding account from padding key 0: five byte-identical
    leaf bodies (one hash), each proven at its own position, one leaf per work unit. Every
    unit verifies; the tree sums and hashes to the manifest's root. Only the cross-unit
    duplicate check stands between this round and an accepted audit."""
    real = marginleaves.keys.padding
    monkeypatch.setattr(marginleaves.keys, "padding", lambda master, i: real(master, 0))
    r = prove_margin(tmp_path / "round", margin_capacity=8, chunk=1)
    monkeypatch.undo()
    assert (r.manifest.margin.capacity, r.manifest.margin.chunk) == (8, 1)
    with pytest.raises(InvalidProof, match="two margin leaves share the hash"):
        verify.audit(r.out, workers=1)


# ---- one verdict on every path ---------------------------------------------------------

def _transcript() -> Transcript:
    t = Transcript(b"zksolv/test")
    t.append(b"context", b"auditfast-attacks")
    return t


def _on(backend, proof: RangeProof, V):
    """The proof and commitments re-decoded on `backend`."""
    return (RangeProof.from_bytes(proof.to_bytes(), backend),
            [Point.from_bytes(v.to_bytes(), backend) for v in V])


PATHS = [("native", True), ("native", False), ("coincurve", True), ("pycryptodome", True)]


def _verdict(proof, V, n, backend_name, use_kernel, transcript=_transcript) -> bool:
    be = backends.get(backend_name)
    proof, V = _on(be, proof, V)
    try:
        batch_verify([Statement(transcript(), proof, V, n)], be, use_kernel)
        return True
    except InvalidProof:
        return False


@pytest.fixture(scope="module")
def out_of_range():
    """A proof for 2^8 in an 8-bit range, beside a valid value, made by the prover's own
    code with the range check skipped (_prove)."""
    values = [1 << 8, 3]
    proof, V = prover_module._prove(_transcript(), values, [random_scalar() for _ in values], 8,
                                    generators(NATIVE), random_scalar)
    return proof, V


@pytest.mark.parametrize("backend_name, use_kernel", PATHS)
def test_out_of_range_value_is_refused_on_every_path(out_of_range, backend_name, use_kernel):
    assert not _verdict(*out_of_range, 8, backend_name, use_kernel)


@pytest.mark.parametrize("backend_name, use_kernel", PATHS)
def test_frozen_heart_forgery_is_refused_on_every_path(backend_name, use_kernel):
    """V chosen after the challenges (the prover's transcript leaves V out); the verifier
    binds V, so the replayed challenges differ and the forgery fails everywhere."""
    proof, V, value = forge_with_unbound_commitment(_transcript(), 8)
    assert value >= 1 << 8
    assert not _verdict(proof, V, 8, backend_name, use_kernel)


@pytest.mark.parametrize("backend_name, use_kernel", PATHS)
def test_a_false_proof_before_a_larger_valid_one_is_refused(out_of_range, backend_name, use_kernel):
    """The false 16-coefficient proof first, then a valid 64-bit proof of two values (the
    kernel's accumulator grows to 128 coefficients, moving the false proof's): refused."""
    be = backends.get(backend_name)
    good, good_V = prover_module.prove(_transcript(), [2**64 - 1, 7], [random_scalar(), random_scalar()], 64)
    items = [_on(be, *out_of_range) + (8,), _on(be, good, good_V) + (64,)]
    with pytest.raises(InvalidProof):
        batch_verify([Statement(_transcript(), p, V, n) for p, V, n in items], be, use_kernel)
    batch_verify([Statement(_transcript(), *items[1])], be, use_kernel)   # the valid one alone passes


# ---- zero scalars in the kernel's MSM ----------------------------------------------------

@pytest.mark.parametrize("use_kernel", [True, False])
def test_a_proof_driving_its_base_and_blinding_coefficients_to_zero_is_refused(use_kernel):
    """t_x set to δ(y, z) and both blindings to 0: the batch's G and H coefficients are 0
    and reach msm_packed as zero scalars (the generic msm drops them). Still refused."""
    values = [5, 9]
    proof, V = prover_module.prove(_transcript(), values, [random_scalar() for _ in values], 8)
    ch = verifier_module._replay(Statement(_transcript(), proof, V, 8))
    z, m = ch.z, len(V)
    delta = ((z - z * z) * verifier_module._geometric_sum(ch.y, 8 * m)
             - 255 * sum(powers(z, m + 3)[3 : 3 + m])) % N
    bad = dataclasses.replace(proof, t_x=delta, t_x_blinding=0, e_blinding=0)
    with pytest.raises(InvalidProof):
        batch_verify([Statement(_transcript(), bad, V, 8)], NATIVE, use_kernel)


def test_kernel_msm_with_zero_scalars_and_repeated_or_opposite_points():
    """msm_packed takes zero scalars, a point twice and a point with its negation (all a
    prover can arrange among A, S, T1, T2, L, R): the same sum as the generic msm."""
    gens = generators(NATIVE)
    P = base_mul(12345)
    points = [Point.generator(NATIVE), gens.H, gens.U, P, P, -P, P, base_mul(7)]
    scalars = [0, 0, 5, 3, N - 3, 3, 0, 11]
    u = [3, 5, 7]
    terms = ProofVectorTerms(8, 1, 1, powers(2, 4), u, [pow(x, -1, N) for x in u], 0, 0, 0)
    vectors = KernelVectors(NATIVE)
    vectors.add(terms)    # weight 0: every generator coefficient is 0
    expected = msm(points, scalars)
    assert expected == gens.U * 5 - P * 3 + base_mul(77)   # 3P − 3P − 3P + 0·P
    assert vectors.msm(gens, points, scalars) == expected


@pytest.mark.parametrize("use_kernel", [True, False])
def test_a_proof_with_fewer_R_than_L_points_is_invalid_on_both_paths(use_kernel):
    """A RangeProof built in memory with one R point missing: k = len(L) passes the rounds
    check, but only len(R) challenges are drawn. Without the pairing check the kernel path
    raised RuntimeError ("a bug", exit 4) and the Python path ValueError (msm sizes): now
    InvalidProof on both."""
    values = [3, 4]
    proof, V = prover_module.prove(_transcript(), values, [random_scalar() for _ in values], 8)
    bad = dataclasses.replace(proof, R=proof.R[:-1])
    with pytest.raises(InvalidProof, match="L points but"):
        batch_verify([Statement(_transcript(), bad, V, 8)], NATIVE, use_kernel)
