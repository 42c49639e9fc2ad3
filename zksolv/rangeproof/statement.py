"""What a range proof binds before its first challenge, and its parameters (SPEC.md §5.2).

Frozen Heart (DESIGN §8.1): the transcript absorbs the domain, n, m, the generators' DST
and every commitment V_j before A and S, so no challenge can be chosen around them.
"""

from zksolv.commitments import GENERATORS_DST
from zksolv.errors import InputError
from zksolv.group import Point
from zksolv.transcript import Transcript

DOMAIN = b"zksolv/rangeproof/v1"
BITS = (8, 16, 32, 64, 128)
MAX_AGGREGATION = 1 << 16

LABEL_DOMAIN = b"rangeproof/domain"
LABEL_N = b"rangeproof/n"
LABEL_M = b"rangeproof/m"
LABEL_GENS = b"rangeproof/generators-dst"
LABEL_V = b"V"
LABEL_A, LABEL_S, LABEL_T1, LABEL_T2 = b"A", b"S", b"T1", b"T2"
LABEL_Y, LABEL_Z, LABEL_X, LABEL_W = b"y", b"z", b"x", b"w"
LABEL_TX, LABEL_TX_BLINDING, LABEL_E_BLINDING = b"t_x", b"t_x_blinding", b"e_blinding"
LABEL_L, LABEL_R, LABEL_U = b"L", b"R", b"u"


def check_parameters(n: int, m: int) -> None:
    """n one of BITS; m a power of two up to MAX_AGGREGATION."""
    if n not in BITS:
        raise InputError(f"range proof bit size must be one of {BITS}, got {n}")
    if m < 1 or m & (m - 1) or m > MAX_AGGREGATION:
        raise InputError(f"aggregation m must be a power of two ≤ {MAX_AGGREGATION}, got {m}")


def bind_statement(transcript: Transcript, n: int, m: int, commitments: list[Point]) -> None:
    """Absorb the whole statement: domain, n, m, generator DST, every V_j (SPEC.md §5.2)."""
    bind_encoded(transcript, n, m, [v.to_bytes() for v in commitments])


def bind_encoded(transcript: Transcript, n: int, m: int, encodings: list[bytes]) -> None:
    """`bind_statement` with each V_j given as its 33 bytes (§2.2)."""
    transcript.append(LABEL_DOMAIN, DOMAIN)
    transcript.append_u64(LABEL_N, n)
    transcript.append_u64(LABEL_M, m)
    transcript.append(LABEL_GENS, GENERATORS_DST)
    for v in encodings:
        transcript.append(LABEL_V, v)
