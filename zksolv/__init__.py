"""zksolv: zero-knowledge proofs of solvency over secp256k1.

Public API of the cryptographic core (SPEC.md): group elements, Pedersen commitments,
transcripts and aggregated Bulletproofs range proofs.
"""

from zksolv.commitments import commit, generators
from zksolv.errors import EncodingError, InputError, InvalidProof, ZksolvError
from zksolv.group import Point, Scalar, hash_to_curve
from zksolv.rangeproof import RangeProof, Statement, batch_verify, prove, verify
from zksolv.transcript import Transcript

__all__ = [
    "EncodingError", "InputError", "InvalidProof", "Point", "RangeProof", "Scalar", "Statement",
    "Transcript", "ZksolvError", "batch_verify", "commit", "generators", "hash_to_curve", "prove",
    "verify",
]
