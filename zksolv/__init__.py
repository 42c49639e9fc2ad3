"""zksolv: zero-knowledge proofs of solvency over secp256k1.

The public API, imported on first use so that `zksolv` commands start quickly:
group elements, Pedersen commitments, transcripts and range proofs (SPEC.md §2–5), and the
attestation's prove / verify / audit and inclusion proofs (SPEC.md §6).
"""

import importlib

_EXPORTS = {
    "EncodingError": "zksolv.errors", "InputError": "zksolv.errors", "InvalidProof": "zksolv.errors",
    "Insolvent": "zksolv.errors", "ZksolvError": "zksolv.errors",
    "Point": "zksolv.group", "Scalar": "zksolv.group", "hash_to_curve": "zksolv.group",
    "commit": "zksolv.commitments", "generators": "zksolv.commitments",
    "Transcript": "zksolv.transcript",
    "RangeProof": "zksolv.rangeproof", "Statement": "zksolv.rangeproof", "batch_verify": "zksolv.rangeproof",
    "prove": "zksolv.rangeproof", "verify": "zksolv.rangeproof",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'zksolv' has no attribute {name!r}")
