"""Aggregated Bulletproofs: completeness, soundness checks, encodings and the attacks of
DESIGN §8.1, §8.2, §8.4 and §8.5."""

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rangeproof_forgery import forge_with_unbound_commitment
from zksolv.commitments import generators
from zksolv.errors import EncodingError, InputError, InvalidProof, ZksolvError
from zksolv.group import N, Point, backends
from zksolv.rangeproof import BITS, RangeProof, Statement, batch_verify, proof_size, prove, verify
from zksolv.rangeproof import prover as prover_module
from zksolv.rangeproof import statement as statement_module
from zksolv.rangeproof import verifier as verifier_module
from zksolv.rangeproof.scalars import random_scalar
from zksolv.transcript import Transcript

CONTEXT = b"test/attestation-id"


def _transcript() -> Transcript:
    t = Transcript(b"zksolv/test")
    t.append(b"context", CONTEXT)
    return t


def _prove(values, n):
    return prove(_transcript(), values, [random_scalar() for _ in values], n)


def _unchecked_proof(values, n):
    """A prover that skips the range check: what a cheater would run."""
    return prover_module._prove(_transcript(), values, [random_scalar() for _ in values], n,
                                generators(), random_scalar)


class TestCompleteness:
    @pytest.mark.parametrize("n", BITS)
    @pytest.mark.parametrize("m", [1, 4])
    def test_prove_serialize_verify(self, n, m):
        values = [0, (1 << n) - 1, 1, (1 << n) // 3][:m] if m < 4 else [0, (1 << n) - 1, 1, 7]
        proof, V = _prove(values, n)
        data = proof.to_bytes()
        assert len(data) == proof_size((n * m).bit_length() - 1)
        assert len(data) == 32 * (2 * (n * m).bit_length() - 2 + 9) + 2 * ((n * m).bit_length() - 1) + 4
        verify(_transcript(), RangeProof.from_bytes(data), V, n)

    def test_aggregation_of_256_values(self):
        values = list(range(256))
        proof, V = _prove(values, 8)
        verify(_transcript(), RangeProof.from_bytes(proof.to_bytes()), V, 8)

    @given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), min_size=2, max_size=2),
           st.sampled_from([32, 64]))
    def test_random_values(self, values, n):
        proof, V = _prove(values, n)
        verify(_transcript(), RangeProof.from_bytes(proof.to_bytes()), V, n)

    def test_verifies_on_every_backend(self, backend):
        proof, V = _prove([200, 3], 8)
        data = proof.to_bytes()
        commitments = [Point.from_bytes(v.to_bytes(), backend) for v in V]
        verify(_transcript(), RangeProof.from_bytes(data, backend), commitments, 8)

    def test_batch_of_mixed_sizes(self):
        items = []
        for n, values in ((8, [1]), (16, [5, 6]), (64, [2**64 - 1, 0, 9, 10]), (32, [1, 2])):
            proof, V = _prove(values, n)
            items.append(Statement(_transcript(), proof, V, n))
        batch_verify(items)


class TestSoundness:
    """DESIGN §8.2: out-of-range values never get a verifying proof."""

    @pytest.mark.parametrize("value", [1 << 8, (1 << 8) + 5, -1, N - 1, 1 << 100])
    def test_out_of_range_value_fails(self, value):
        proof, V = _unchecked_proof([value, 3], 8)
        with pytest.raises(InvalidProof):
            verify(_transcript(), proof, V, 8)

    @pytest.mark.parametrize("value", [1 << 64, -5])
    def test_honest_prover_refuses(self, value):
        with pytest.raises(InputError):
            _prove([value], 64)

    def test_wrong_commitment_fails(self):
        proof, V = _prove([10, 20], 16)
        other, _ = _prove([10, 20], 16)
        with pytest.raises(InvalidProof):
            verify(_transcript(), proof, [V[0], V[0]], 16)
        with pytest.raises(InvalidProof):
            verify(_transcript(), proof, list(reversed(V)), 16)
        with pytest.raises(InvalidProof):
            verify(_transcript(), other, V, 16)

    def test_wrong_n_or_m_fails(self):
        proof, V = _prove([10, 20], 16)
        with pytest.raises(InvalidProof):
            verify(_transcript(), proof, V[:1], 32)  # same n·m = 32, other statement
        with pytest.raises(ZksolvError):
            verify(_transcript(), proof, V, 32)
        with pytest.raises(ZksolvError):
            verify(_transcript(), proof, V[:1], 16)

    def test_wrong_context_fails(self):
        proof, V = _prove([10], 8)
        t = Transcript(b"zksolv/test")
        t.append(b"context", b"another attestation")
        with pytest.raises(InvalidProof):
            verify(t, proof, V, 8)

    def test_every_flipped_byte_is_rejected(self):
        proof, V = _prove([10, 250], 8)
        data = proof.to_bytes()
        for i in range(len(data)):
            bad = bytearray(data)
            bad[i] ^= 0x01
            with pytest.raises((InvalidProof, EncodingError)):
                verify(_transcript(), RangeProof.from_bytes(bytes(bad)), V, 8)
        for j, v in enumerate(V):
            for i in range(33):
                bad = bytearray(v.to_bytes())
                bad[i] ^= 0x01
                with pytest.raises((InvalidProof, EncodingError)):
                    commitments = list(V)
                    commitments[j] = Point.from_bytes(bytes(bad))
                    verify(_transcript(), proof, commitments, 8)


class TestEncodings:
    """DESIGN §8.4: non-canonical proofs are rejected when decoded."""

    def _proof_bytes(self):
        return _prove([7], 8)[0].to_bytes()

    @pytest.mark.parametrize("delta", [-1, 1, 33, -32, 65])
    def test_wrong_length(self, delta):
        data = self._proof_bytes()
        data = data + bytes(delta) if delta > 0 else data[:delta]
        with pytest.raises(EncodingError):
            RangeProof.from_bytes(data)

    def test_round_count_must_match_n_m(self):
        proof, V = _prove([7], 8)
        shorter = dataclasses.replace(proof, L=proof.L[1:], R=proof.R[1:])
        longer = dataclasses.replace(proof, L=proof.L + proof.L[:1], R=proof.R + proof.R[:1])
        for bad in (shorter, longer):
            decoded = RangeProof.from_bytes(bad.to_bytes())  # well-formed, wrong size
            with pytest.raises(InvalidProof, match="rounds"):
                verify(_transcript(), decoded, V, 8)

    @pytest.mark.parametrize("offset", [4 * 33, 4 * 33 + 32, 4 * 33 + 64, -64, -32])
    def test_scalar_not_below_order(self, offset):
        data = bytearray(self._proof_bytes())
        start = offset if offset >= 0 else len(data) + offset
        data[start : start + 32] = (N + 1).to_bytes(32, "big")
        with pytest.raises(EncodingError, match="below the group order"):
            RangeProof.from_bytes(bytes(data))

    @pytest.mark.parametrize("field", [0, 1, 2, 3])
    def test_point_not_canonical(self, field):
        data = bytearray(self._proof_bytes())
        start = 33 * field
        for bad in (b"\x04" + data[start + 1 : start + 33], b"\x02" + (2**256 - 1).to_bytes(32, "big"),
                    bytes(33)):
            corrupt = bytes(data[:start]) + bytes(bad) + bytes(data[start + 33 :])
            with pytest.raises(EncodingError):
                RangeProof.from_bytes(corrupt)

    def test_identity_commitment_rejected(self):
        proof, V = _prove([7], 8)
        with pytest.raises(InvalidProof):
            verify(_transcript(), proof, [Point.identity()], 8)


class TestFrozenHeart:
    """DESIGN §8.1: V must be bound before the first challenge."""

    def test_forgery_works_when_v_is_not_bound(self, monkeypatch):
        proof, V, value = forge_with_unbound_commitment(_transcript(), 8)
        assert value >= 1 << 8
        real_bind = statement_module.bind_statement
        monkeypatch.setattr(statement_module, "bind_statement",
                            lambda t, n, m, commitments: real_bind(t, n, m, []))
        verify(_transcript(), proof, V, 8)  # a weak verifier accepts a huge value

    def test_real_transcript_stops_the_forgery(self):
        proof, V, _ = forge_with_unbound_commitment(_transcript(), 8)
        with pytest.raises(InvalidProof):
            verify(_transcript(), proof, V, 8)


class TestBatchWeights:
    """DESIGN §8.5: two bad proofs whose errors cancel must not pass a batch."""

    def _cancelling_pair(self):
        proof, V = _prove([9, 10], 16)
        up = dataclasses.replace(proof, a=(proof.a + 1) % N)
        down = dataclasses.replace(proof, a=(proof.a - 1) % N)
        return [Statement(_transcript(), up, V, 16), Statement(_transcript(), down, V, 16)]

    def test_predictable_weights_would_accept(self, monkeypatch):
        monkeypatch.setattr(verifier_module, "_weight", lambda: 1)
        batch_verify(self._cancelling_pair())

    def test_csprng_weights_reject(self):
        with pytest.raises(InvalidProof):
            batch_verify(self._cancelling_pair())
        for s in self._cancelling_pair():
            with pytest.raises(InvalidProof):
                batch_verify([s])

    def test_weights_are_fresh_and_wide(self):
        weights = {verifier_module._weight() for _ in range(64)}
        assert len(weights) == 64 and max(weights) > 2**120


def test_parameter_checks():
    with pytest.raises(InputError):
        _prove([1, 2, 3], 8)  # m not a power of two
    with pytest.raises(InputError):
        _prove([1], 24)
    with pytest.raises(InputError):
        prove(_transcript(), [1, 2], [1], 8)
