"""Aggregated Bulletproofs range proofs with batch verification (SPEC.md §5)."""

from zksolv.rangeproof.proof import RangeProof, proof_size
from zksolv.rangeproof.prover import prove
from zksolv.rangeproof.statement import BITS
from zksolv.rangeproof.verifier import Statement, batch_verify, verify

__all__ = ["BITS", "RangeProof", "Statement", "batch_verify", "proof_size", "prove", "verify"]
