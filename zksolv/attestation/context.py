"""The transcript every attestation proof starts from (SPEC.md §6.6).

Binds the attestation id, the circuits hash, the asset, the statement, an index (the chunk
number for leaf range proofs) and, for solvency and coverage, the manifest body. A margin
round (manifest version 2, MARGIN.md §10) also binds the market digest and the attested
assets' decimals right after the circuits hash; a spot round's transcripts are unchanged.
"""

from dataclasses import dataclass

from zksolv.statements import canonical_bytes
from zksolv.transcript import Transcript


@dataclass(frozen=True)
class MarketBinding:
    """What a margin transcript binds of the market: its digest and the assets' decimals."""

    digest: bytes
    decimals: bytes

    @classmethod
    def of(cls, market_digest: bytes, decimals: dict[str, int]) -> "MarketBinding":
        return cls(market_digest, canonical_bytes(decimals))


DOMAIN = b"zksolv/attestation/v1"


def transcript(attestation_id: str, circuits_digest: bytes, asset: str, statement: str,
               index: int = 0, body_digest: bytes | None = None, market: "MarketBinding | None" = None
               ) -> Transcript:
    """Leaf range proofs stop at `index`; solvency and coverage proofs also bind the
    manifest body (every field but the proofs), so no manifest field can change unseen."""
    t = Transcript(DOMAIN)
    t.append(b"attestation-id", attestation_id.encode())
    t.append(b"circuits", circuits_digest)
    if market is not None:
        t.append(b"market", market.digest)
        t.append(b"decimals", market.decimals)
    t.append(b"asset", asset.encode())
    t.append(b"statement", statement.encode())
    t.append_u64(b"index", index)
    if body_digest is not None:
        t.append(b"manifest-body", body_digest)
    return t
