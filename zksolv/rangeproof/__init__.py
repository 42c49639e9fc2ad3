"""Aggregated Bulletproofs range proofs with batch verification (SPEC.md §5).

Exports load on first use (PEP 562): parsing a manifest needs `RangeProof` only, and a
customer's `verify-inclusion` should not pay for the prover (issue 13 item 6)."""

import importlib

_EXPORTS = {"RangeProof": "proof", "proof_size": "proof", "prove": "prover", "BITS": "statement",
            "Statement": "verifier", "batch_verify": "verifier", "verify": "verifier"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"zksolv.rangeproof.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'zksolv.rangeproof' has no attribute {name!r}")
