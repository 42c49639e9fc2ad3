"""The transcript every attestation proof starts from (SPEC.md §6.6).

Binds the attestation id, the circuits hash, the asset, the statement, an index (the chunk
number for leaf range proofs) and, for solvency and coverage, the manifest body.
"""

from zksolv.transcript import Transcript

DOMAIN = b"zksolv/attestation/v1"


def transcript(attestation_id: str, circuits_digest: bytes, asset: str, statement: str,
               index: int = 0, body_digest: bytes | None = None) -> Transcript:
    """Leaf range proofs stop at `index`; solvency and coverage proofs also bind the
    manifest body (every field but the proofs), so no manifest field can change unseen."""
    t = Transcript(DOMAIN)
    t.append(b"attestation-id", attestation_id.encode())
    t.append(b"circuits", circuits_digest)
    t.append(b"asset", asset.encode())
    t.append(b"statement", statement.encode())
    t.append_u64(b"index", index)
    if body_digest is not None:
        t.append(b"manifest-body", body_digest)
    return t
